package check

import (
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/snapshot"
)

func space(id string, up bool, code string, took time.Duration) *snapshot.SpaceState {
	st := &snapshot.SpaceState{ID: id, Up: up, HasData: up, Count: 2, ByCategory: map[string]int{"SURVEY": 2}, LastDuration: took}
	if !up {
		st.LastError = &snapshot.ErrorInfo{Code: code, Message: "m", RequestID: "R-" + id}
	}
	return st
}

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name        string
		spaces      []*snapshot.SpaceState
		throttled   int
		want        Status
		wantSummary string
	}{
		{"no space", nil, 0, Unknown, "no space to check"},
		{"all good", []*snapshot.SpaceState{space("a", true, "", time.Second)}, 0, OK, "1 space, 2 flows"},
		{"slow", []*snapshot.SpaceState{space("a", true, "", 6*time.Second)}, 0, Warning, "1 space slower than 5s"},
		{"throttled", []*snapshot.SpaceState{space("a", true, "", time.Second)}, 2, Warning, "throttled 2 calls"},
		{"one failed", []*snapshot.SpaceState{space("a", true, "", 0), space("b", false, "Product.Unsubscript", 0)}, 5, Critical, "1 space of 2 failed"},
		{"credentials everywhere", []*snapshot.SpaceState{space("a", false, "Credentials", 0), space("b", false, "Credentials", 0)}, 0, Unknown, "no usable credentials"},
		{"credentials and another error", []*snapshot.SpaceState{space("a", false, "Credentials", 0), space("b", false, "Ram.PermissionDeny", 0)}, 0, Critical, "2 spaces of 2 failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			states := map[string]*snapshot.SpaceState{}
			for _, sp := range tt.spaces {
				states[sp.ID] = sp
			}
			snap := snapshot.Snapshot{Completed: true}.WithSpaces(states)
			r := Evaluate(Input{Snapshot: snap, Throttled: tt.throttled, SlowAfter: 5 * time.Second})
			if r.Status != tt.want || !strings.Contains(r.Summary, tt.wantSummary) || r.State != tt.want.String() {
				t.Errorf("got %v %q, want %v %q", r.Status, r.Summary, tt.want, tt.wantSummary)
			}
		})
	}
}
