package check

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/snapshot"
)

func withStatuses(t *testing.T, st *snapshot.SpaceState, statuses []string, lastError *snapshot.ErrorInfo) *snapshot.SpaceState {
	t.Helper()
	checked := make([]int64, len(statuses))
	st.FlowIDs = make([]string, len(statuses))
	for i, s := range statuses {
		st.FlowIDs[i] = string(rune('a' + i))
		if s != "" || lastError != nil {
			checked[i] = 100
		}
	}
	fs, err := snapshot.NewFlowStatuses(statuses, checked, lastError)
	if err != nil {
		t.Fatal(err)
	}
	st.Count, st.Statuses = len(statuses), fs
	return st
}

func TestEvaluateFlowStatuses(t *testing.T) {
	denied := &snapshot.ErrorInfo{Code: "Ram.PermissionDeny", RequestID: "R-9", Message: "m"}
	tests := []struct {
		name        string
		spaces      []*snapshot.SpaceState
		timedOut    time.Duration
		want        Status
		wantSummary string
		wantText    []string
	}{
		{"every status read", []*snapshot.SpaceState{withStatuses(t, space("a", true, "", 0), []string{"PUBLISHED", "DRAFT", "BLOCKED"}, nil)}, 0,
			OK, "1 space, 3 flows", []string{"STATUSES", "DRAFT=1 PUBLISHED=1 DEPRECATED=0 BLOCKED=1 _unknown=0"}},
		{"GetFlow denied in one space", []*snapshot.SpaceState{
			withStatuses(t, space("a", true, "", 0), []string{"PUBLISHED"}, nil),
			withStatuses(t, space("b", true, "", 0), []string{"", ""}, denied)}, 0,
			Warning, "GetFlow failed for 1 space of 2 (Ram.PermissionDeny)",
			[]string{"_unknown=2; GetFlow Ram.PermissionDeny (RequestId R-9): grant cams:GetFlow"}},
		{"cut short", []*snapshot.SpaceState{withStatuses(t, space("a", true, "", 0), []string{"PUBLISHED", "", ""}, nil)}, time.Minute,
			Unknown, "--check.timeout 1m0s expired: the statuses of 2 flows not checked", []string{"_unknown=2"}},
		{"a listing failed: CRITICAL first", []*snapshot.SpaceState{
			withStatuses(t, space("a", true, "", 0), []string{""}, denied), space("b", false, "Ram.PermissionDeny", 0)}, 0,
			Critical, "1 space of 2 failed", []string{"grant cams:ListFlow", "grant cams:GetFlow"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			states := map[string]*snapshot.SpaceState{}
			for _, sp := range tt.spaces {
				sp.LastAttempt = time.Unix(100, 0)
				states[sp.ID] = sp
			}
			snap := snapshot.Snapshot{}.WithSpaces(states)
			r := Evaluate(Input{Snapshot: snap, FlowStatus: true, TimedOut: tt.timedOut, SlowAfter: 5 * time.Second})
			var text bytes.Buffer
			r.WriteText(&text)
			if r.Status != tt.want || !strings.Contains(r.Summary, tt.wantSummary) {
				t.Errorf("got %v %q, want %v %q", r.Status, r.Summary, tt.want, tt.wantSummary)
			}
			for _, s := range tt.wantText {
				if !strings.Contains(text.String(), s) {
					t.Errorf("report lacks %q:\n%s", s, text.String())
				}
			}
		})
	}
}

// Without --collector.flow-status the report has no STATUSES column, even
// for a snapshot with statuses.
func TestEvaluateWithoutFlowStatus(t *testing.T) {
	snap := snapshot.Snapshot{}.WithSpaces(map[string]*snapshot.SpaceState{"a": withStatuses(t, space("a", true, "", 0), []string{"PUBLISHED"}, nil)})
	var text bytes.Buffer
	Evaluate(Input{Snapshot: snap}).WriteText(&text)
	if strings.Contains(text.String(), "STATUSES") || strings.Contains(text.String(), "PUBLISHED") {
		t.Errorf("statuses reported without the flag:\n%s", text.String())
	}
}
