package remedy

import "strings"

// ForGetFlow says what to do about a failed GetFlow call (a flow status
// check) with this error code; its failures never take a space down.
func ForGetFlow(code string) string {
	switch {
	case code == "Ram.PermissionDeny":
		return "grant cams:GetFlow to the RAM identity the exporter runs as, or run without --collector.flow-status"
	case code == "System.LimitControl" || strings.HasPrefix(code, "Throttling"):
		return "lower --cams.getflow-rate-limit or stop other callers of GetFlow on this account (5 calls/s in all)"
	case code == "Unknown.ResourceOwnerId":
		return "the flow left the space after it was listed: its next listing forgets it"
	}
	return For(code)
}
