// Package waba is the waba source (--collector.waba): QueryChatappBindWaba
// once per space every --waba.interval, on its own limiter, and the series
// of the WhatsApp Business Account bound to each space. A space without
// one (ERR-OPERATION-MAAP-0060) is a state, not a failure.
package waba
