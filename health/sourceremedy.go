package health

import (
	"strings"

	"github.com/cams-exporter/cams_exporter/remedy"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// explainSource says what caused a failure of a source's call and what to
// do about it: remedy.Explain's, but naming the source's own operation,
// flags and codes where ListFlow's would mislead. A source's failures
// never take a space down: its flows are listed all the same.
func explainSource(src *snapshot.SourceState, e *snapshot.ErrorInfo) (cause, fix string) {
	cause, fix = remedy.Explain(e.Code, e.Message)
	if own := sourceRemedy(src, e.Code); own != "" {
		fix = own
	}
	return cause, fix
}

// sourceRemedy is the remedy of the codes whose remedy depends on the
// operation; "" for the others.
func sourceRemedy(src *snapshot.SourceState, code string) string {
	switch {
	case code == "Ram.PermissionDeny":
		return "grant cams:" + src.Operation + " to the RAM identity the exporter runs as, or run without --collector." + src.Name
	case code == "System.LimitControl" || strings.HasPrefix(code, "Throttling"):
		return "lower --cams." + src.Name + "-rate-limit or stop other callers of " + src.Operation + " on this account (its budget is its own)"
	case code == "ERR-OPERATION-MAAP-0065":
		return "the number is no longer bound to the space: the next answer of QueryChatappPhoneNumbers drops it"
	case code == "ERR-FB-001":
		return "CAMS's call to Meta failed: asked again at the next interval; if it lasts, ask Alibaba Cloud support"
	case code == "CHAT.APIError" || code == "ERR-COMMON-001":
		return "CAMS had a server-side problem: retry later"
	}
	return ""
}
