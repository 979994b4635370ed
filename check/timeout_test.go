package check

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/snapshot"
)

// TestTimedOutRunIsUnknown: spaces never listed to the end when the timeout
// expired make the run UNKNOWN, named in the summary (the first ten) and in
// the table; the finished ones keep their lines.
func TestTimedOutRunIsUnknown(t *testing.T) {
	snap := snapshot.Snapshot{}.WithSpaces(map[string]*snapshot.SpaceState{
		"cams-done":   {ID: "cams-done", Up: true, HasData: true, Count: 2, LastAttempt: time.Now(), LastDuration: time.Second},
		"cams-failed": {ID: "cams-failed", LastAttempt: time.Now(), LastError: &snapshot.ErrorInfo{Code: "Ram.PermissionDeny"}},
	})
	// The own space and twelve others were still pending: no state.
	watched := []string{"", "cams-done", "cams-failed"}
	for i := range 12 {
		watched = append(watched, fmt.Sprintf("cams-slow%02d", i))
	}
	r := Evaluate(Input{Snapshot: snap, Watched: watched, TimedOut: 2 * time.Second})
	want := "--check.timeout 2s expired: 13 spaces of 15 not finished: (own space), cams-slow00, cams-slow01, cams-slow02, cams-slow03, cams-slow04, cams-slow05, cams-slow06, cams-slow07, cams-slow08 and 3 more"
	if r.Status != Unknown || r.Summary != want {
		t.Errorf("got %v %q\nwant UNKNOWN %q", r.Status, r.Summary, want)
	}
	var text bytes.Buffer
	r.WriteText(&text)
	for _, s := range []string{"cams-slow11  UNFINISHED", "cams-done    ok", "cams-failed  FAILED", "raise --check.timeout"} {
		if !strings.Contains(text.String(), s) {
			t.Errorf("the table lacks %q:\n%s", s, text.String())
		}
	}
	var js bytes.Buffer
	r.WriteJSON(&js)
	var parsed struct {
		Status string
		Spaces []struct {
			Space string
			Error *struct{ Code string }
		}
	}
	if err := json.Unmarshal(js.Bytes(), &parsed); err != nil || parsed.Status != "UNKNOWN" {
		t.Fatalf("JSON: %v %s", err, js.String())
	}
	unfinished := 0
	for _, s := range parsed.Spaces {
		if s.Error != nil && s.Error.Code == CodeNotFinished {
			unfinished++
		}
	}
	if unfinished != 13 {
		t.Errorf("JSON names %d unfinished spaces, want 13", unfinished)
	}

	// Without a timeout, and every watched space listed, the same snapshot
	// is judged as before.
	if r := Evaluate(Input{Snapshot: snap, Watched: []string{"cams-done", "cams-failed"}}); r.Status != Critical {
		t.Errorf("a finished run with a failure is %v, want CRITICAL", r.Status)
	}
}
