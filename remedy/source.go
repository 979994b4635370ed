package remedy

import (
	"math"
	"strconv"
	"strings"

	"github.com/cams-exporter/cams_exporter/client"
)

// ForSource says what to do about a failed call of operation, the CAMS
// operation of the engine's source collector (its --collector.<name>):
// a denied call names the RAM action cams:<operation>, throttling the
// source's own rate flag, a listing cut at --cams.max-pages its own page
// size flag (a paged source's: --templates.page-size). Other codes get
// For's remedy.
func ForSource(collector, operation, code string) string {
	switch {
	case code == "Ram.PermissionDeny":
		return "grant cams:" + operation + " to the RAM identity the exporter runs as, or run without --collector." + collector
	case code == "System.LimitControl" || strings.HasPrefix(code, "Throttling"):
		s := "lower --cams." + collector + "-rate-limit or stop other callers of " + operation + " on this account"
		if qps := documentedQPS(operation); qps > 0 {
			s += " (" + strconv.Itoa(qps) + " calls/s in all)"
		}
		return s
	case code == client.CodeTooManyPages:
		return "the listing reached neither its Total nor a short page: if the space really holds that many, raise --cams.max-pages or --" +
			collector + ".page-size; if its pages never end, report it to Alibaba Cloud"
	}
	return For(code)
}

// ExplainSource is Explain for a failed call of a source's operation: the
// cause of a network failure or an invalid answer, and ForSource's remedy
// for an API error.
func ExplainSource(collector, operation, code, message string) (cause, remedy string) {
	cause, remedy = Explain(code, message)
	if code != client.CodeNetworkError && code != client.CodeInvalidResponse {
		remedy = ForSource(collector, operation, code)
	}
	return cause, remedy
}

// documentedQPS is the limit CAMS documents for operation, per account:
// its default rate is 80% of it. 0 for an operation without a limiter of
// its own.
func documentedQPS(operation string) int {
	return int(math.Round(client.DefaultRate(operation) / 0.8))
}

// The remedies of the codes of the number, WABA and health operations.
const (
	noWABARemedy        = "not an error: the space has no WhatsApp Business Account bound (cams_waba_bound 0); bind one in the CAMS console if the space is to send messages"
	phoneNotBoundRemedy = "the phone number is not bound to the space: it left the space after its numbers were read (their next read drops it), " +
		"or its registration in the CAMS console is not finished"
	metaCallFailedRemedy = "CAMS's call to Meta failed (Meta's side; it was retried): if it persists, look at the WABA and its numbers in Meta's WhatsApp Manager"
)
