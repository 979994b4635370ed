package health

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/refresh"
)

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func space(id string, up bool, lastSuccessAgo time.Duration) *refresh.SpaceState {
	st := &refresh.SpaceState{ID: id, Up: up, LastAttempt: t0}
	if lastSuccessAgo >= 0 {
		st.HasData, st.Count, st.LastSuccess = true, 3, t0.Add(-lastSuccessAgo)
	}
	if !up {
		st.LastError = &refresh.ErrorInfo{Code: "Ram.PermissionDeny", Message: "denied", RequestID: "R1"}
	}
	return st
}

func TestReady(t *testing.T) {
	const never = -1
	tests := []struct {
		name      string
		snap      *refresh.Snapshot
		startedAt time.Duration // before t0
		wantReady bool
		wantWhy   string
	}{
		{"before the first refresh", &refresh.Snapshot{Spaces: map[string]*refresh.SpaceState{}}, time.Minute, false, "first refresh"},
		{"nothing to watch", &refresh.Snapshot{Completed: true, Spaces: map[string]*refresh.SpaceState{}}, time.Minute, false, "no space to watch"},
		{"all fresh", snapOf(space("a", true, time.Minute), space("b", true, 0)), time.Hour, true, "ready: 2 space(s), 0 failing"},
		{"one failing but fresh", snapOf(space("a", true, time.Minute), space("b", false, time.Minute)), time.Hour, true, "1 failing"},
		{"every space failed", snapOf(space("a", false, time.Minute), space("b", false, time.Minute)), time.Hour, false, "every space (2) failed"},
		{"one stale", snapOf(space("a", true, time.Minute), space("b", false, 16*time.Minute)), time.Hour, false, `data older than 15m0s for 1 space(s): ["b"]`},
		{"just at the edge", snapOf(space("a", true, 15*time.Minute)), time.Hour, true, "ready"},
		{"never succeeded, young exporter", snapOf(space("a", true, 0), space("b", false, never)), time.Minute, true, "ready"},
		{"never succeeded, old exporter", snapOf(space("a", true, 0), space("b", false, never)), time.Hour, false, "data older than"},
		{"a long pass moves the default limit", withPass(snapOf(space("a", true, 40*time.Minute)), 20*time.Minute), time.Hour, true, "ready"},
		{"beyond three passes", withPass(snapOf(space("a", true, 61*time.Minute)), 20*time.Minute), time.Hour, false, "data older than 1h0m0s"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Checker{Snapshot: func() *refresh.Snapshot { return tt.snap }, RefreshInterval: 5 * time.Minute,
				Started: t0.Add(-tt.startedAt), Now: func() time.Time { return t0 }}
			ready, why := c.Ready()
			if ready != tt.wantReady || !strings.Contains(why, tt.wantWhy) {
				t.Errorf("Ready() = %v, %q; want %v, containing %q", ready, why, tt.wantReady, tt.wantWhy)
			}
			rec := httptest.NewRecorder()
			c.Readyz(rec, httptest.NewRequest("GET", "/readyz", nil))
			wantStatus := http.StatusOK
			if !tt.wantReady {
				wantStatus = http.StatusServiceUnavailable
			}
			if rec.Code != wantStatus || !strings.Contains(rec.Body.String(), tt.wantWhy) {
				t.Errorf("/readyz = %d %q, want %d", rec.Code, rec.Body.String(), wantStatus)
			}
		})
	}
}

func withPass(s *refresh.Snapshot, pass time.Duration) *refresh.Snapshot {
	s.ExpectedPassDuration = pass
	return s
}

func snapOf(spaces ...*refresh.SpaceState) *refresh.Snapshot {
	s := &refresh.Snapshot{Completed: true, Refreshes: 1, Spaces: map[string]*refresh.SpaceState{}}
	for _, sp := range spaces {
		s.Spaces[sp.ID] = sp
	}
	return s
}

func TestStatusJSON(t *testing.T) {
	snap := snapOf(space("", true, time.Minute), space("cams-x", false, -1))
	c := Checker{Snapshot: func() *refresh.Snapshot { return snap }, MaxStaleness: time.Hour, Started: t0,
		Now: func() time.Time { return t0 }, LimiterRate: func() float64 { return 2 }, LimiterMaxRate: 4}
	rec := httptest.NewRecorder()
	c.StatusHandler(rec, httptest.NewRequest("GET", "/status", nil))
	var got Status
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("/status is not JSON: %v\n%s", err, rec.Body)
	}
	if len(got.Spaces) != 2 || got.Spaces[0].Space != "" || got.Spaces[1].Space != "cams-x" {
		t.Fatalf("spaces = %+v", got.Spaces)
	}
	own, x := got.Spaces[0], got.Spaces[1]
	if !own.Up || own.Flows == nil || *own.Flows != 3 || own.LastSuccess == nil || !own.LastSuccess.Equal(t0.Add(-time.Minute)) {
		t.Errorf("own space = %+v", own)
	}
	if x.Up || x.Flows != nil || x.LastError == nil || x.LastError.Code != "Ram.PermissionDeny" || x.LastError.RequestID != "R1" {
		t.Errorf("failing space = %+v", x)
	}
	if got.Limiter.Rate != 2 || got.Limiter.MaxRate != 4 {
		t.Errorf("limiter = %+v", got.Limiter)
	}
}
