package remedy

import (
	"strings"
	"testing"
)

func TestForGetFlow(t *testing.T) {
	for code, want := range map[string]string{
		"Ram.PermissionDeny":      "grant cams:GetFlow",
		"System.LimitControl":     "--cams.getflow-rate-limit",
		"Throttling.User":         "--cams.getflow-rate-limit",
		"Unknown.ResourceOwnerId": "next listing forgets it",
		"Timeout":                 "--cams.timeout",
	} {
		if got := ForGetFlow(code); !strings.Contains(got, want) {
			t.Errorf("ForGetFlow(%s) = %q, want it to say %q", code, got, want)
		}
	}
}
