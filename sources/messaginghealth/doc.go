// Package messaginghealth is the messaging-health source
// (--collector.messaging-health): GetWhatsappHealthStatus, Meta's health
// status (can the WABA, each phone number, the business and the app send
// messages?), on its own limiter. NodeType=waba for each space with a WABA
// (as the waba source knows it) every --messaging-health.interval;
// NodeType=phone for each number (as the phone-numbers source knows them)
// every --messaging-health.phone-interval, new numbers and numbers not
// CONNECTED or not GREEN first.
package messaginghealth
