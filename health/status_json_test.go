package health

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/refresh"
)

// TestStatusJSONIsWhatEncodingJSONWrites: /status, written a space at a
// time, is byte for byte what json.Encoder with an indent of two spaces
// writes for the whole Status: with no space, a few, hostile texts, flow
// statuses, and an account of 3,000 spaces.
func TestStatusJSONIsWhatEncodingJSONWrites(t *testing.T) {
	statuses, err := refresh.NewFlowStatuses([]string{"PUBLISHED", "", "BLOCKED<&>"}, []int64{t0.Unix() - 600, 0, t0.Unix() - 60},
		&refresh.ErrorInfo{Code: "Ram.PermissionDeny", Message: "no <cams:GetFlow> & more"})
	if err != nil {
		t.Fatal(err)
	}
	withStatuses := space("cams-a", true, time.Minute)
	withStatuses.Statuses = statuses
	flowStatus := &FlowStatusConfig{Interval: time.Hour, LimiterRate: func() float64 { return 2 }, LimiterMaxRate: 4}
	tests := []struct {
		name       string
		snap       *refresh.Snapshot
		flowStatus *FlowStatusConfig
	}{
		{"no space", refresh.Snapshot{Pending: 3}.WithSpaces(nil), nil},
		{"a few", snapOf(space("cams-a", true, time.Minute), space("cams-b", false, 20*time.Minute), space("cams-x", false, never)), nil},
		{"hostile texts", hostileAccount(20), nil},
		{"flow statuses", snapOf(withStatuses, space("cams-b", true, 0), space("cams-x", false, never)), flowStatus},
		{"3,000 spaces", pageAccount(3000), flowStatus},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := checkerOf(tt.snap)
			c.FlowStatus = tt.flowStatus
			c.LimiterRate, c.LimiterMaxRate = func() float64 { return 3.5 }, 4
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetIndent("", "  ")
			if err := enc.Encode(c.Status()); err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			c.StatusHandler(rec, httptest.NewRequest("GET", "/status", nil))
			if got := rec.Body.Bytes(); !bytes.Equal(got, want.Bytes()) {
				i := 0
				for i < min(len(got), len(want.Bytes())) && got[i] == want.Bytes()[i] {
					i++
				}
				t.Fatalf("/status differs from encoding/json at byte %d of %d (%d written):\n got …%q\nwant …%q", i, want.Len(), len(got),
					got[max(i-80, 0):min(i+80, len(got))], want.Bytes()[max(i-80, 0):min(i+80, want.Len())])
			}
		})
	}
}
