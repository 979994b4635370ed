package health

import (
	"encoding/json"
	"fmt"
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

const never = -1

func TestReady(t *testing.T) {
	tests := []struct {
		name      string
		snap      *refresh.Snapshot
		startedAt time.Duration // before t0
		wantReady bool
		wantWhy   string
	}{
		{"before the first listing ends", refresh.Snapshot{Pending: 2}.WithSpaces(map[string]*refresh.SpaceState{}), time.Minute, false, "no data yet: the first listing has not ended (2 space(s) pending)"},
		{"nothing to watch", refresh.Snapshot{Completed: true}.WithSpaces(map[string]*refresh.SpaceState{}), time.Minute, false, "no space to watch"},
		{"all fresh", snapOf(space("a", true, time.Minute), space("b", true, 0)), time.Hour, true, "ready: 2 space(s): 2 up, 0 failing their last refresh, 0 pending"},
		{"one failing but fresh", snapOf(space("a", true, time.Minute), space("b", false, time.Minute)), time.Hour, true, "1 failing"},
		{"every space failed", snapOf(space("a", false, time.Minute), space("b", false, time.Minute)), time.Hour, false, "every space refreshed so far (2) failed"},
		{"first listing failed, the rest pending", withPending(snapOf(space("a", false, never)), 5), time.Second, false, "every space refreshed so far (1) failed its last refresh; 5 pending"},
		{"first listing done, the rest pending", withPending(snapOf(space("a", true, 0)), 9999), time.Second, true, "ready: 10000 space(s): 1 up, 0 failing their last refresh, 9999 pending"},
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

func withPending(s *refresh.Snapshot, n int) *refresh.Snapshot {
	s.Pending, s.Completed, s.Refreshes = n, false, 0
	return s
}

func withPass(s *refresh.Snapshot, pass time.Duration) *refresh.Snapshot {
	s.ExpectedPassDuration = pass
	return s
}

func snapOf(spaces ...*refresh.SpaceState) *refresh.Snapshot {
	states := map[string]*refresh.SpaceState{}
	for _, sp := range spaces {
		states[sp.ID] = sp
	}
	return refresh.Snapshot{Completed: true, Refreshes: 1}.WithSpaces(states)
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

// accountSnapshot is an account of n spaces at t0 with the first listed of
// them up: space i (from 0) was last listed age(i) ago; the rest pending.
// The expected pass is n calls at 4 calls/s.
func accountSnapshot(n, listed int, age func(i int) time.Duration) *refresh.Snapshot {
	states := make(map[string]*refresh.SpaceState, listed)
	for i := range listed {
		at := t0.Add(-age(i))
		id := fmt.Sprintf("cams-%06d", i)
		states[id] = &refresh.SpaceState{ID: id, HasData: true, Up: true, Count: 3, LastSuccess: at, LastAttempt: at}
	}
	return refresh.Snapshot{Pending: n - listed, ExpectedPassDuration: time.Duration(n) * time.Second / 4}.WithSpaces(states)
}

// Readiness at account scale, interval 5m and the default staleness (3 ×
// the longer of the interval and the expected pass), from the first pass to
// the steady state and restarts with a full or partial cache. ages are the
// data's ages; the listing order is the pass's, 4 spaces a second.
func TestReadyAtScale(t *testing.T) {
	quarter := func(i int) time.Duration { return time.Duration(i) * time.Second / 4 }
	tests := []struct {
		name          string
		spaces        int
		listed        int
		age           func(i int) time.Duration // of space i
		started       time.Duration             // before t0
		maxStaleness  time.Duration
		wantReady     bool
		wantStale     int // spaces named stale, computed from ages and limit
		wantWhyPrefix string
	}{
		{"10,000: a second after the first listing", 10000, 1, func(int) time.Duration { return time.Second }, 2 * time.Second, 0, true, 0, "ready: 10000 space(s): 1 up"},
		{"10,000: half an hour into the first pass", 10000, 7200, func(i int) time.Duration { return 1800*time.Second - quarter(i) }, 30 * time.Minute, 0, true, 0, "ready: 10000 space(s): 7200 up, 0 failing their last refresh, 2800 pending"},
		{"10,000: steady state", 10000, 10000, quarter, 10 * time.Hour, 0, true, 0, "ready"},
		{"200,000: ten hours into the first pass", 200000, 144000, func(i int) time.Duration { return 36000*time.Second - quarter(i) }, 10 * time.Hour, 0, true, 0, "ready: 200000 space(s): 144000 up"},
		{"200,000: steady state", 200000, 200000, quarter, 100 * time.Hour, 0, true, 0, "ready"},
		{"10,000: restart with a full cache after an hour down", 10000, 10000, func(i int) time.Duration { return time.Hour + quarter(i) }, time.Second, 0, true, 0, "ready"},
		{"10,000: restart with a partial cache", 10000, 4000, func(i int) time.Duration { return 10*time.Minute + quarter(i) }, time.Second, 0, true, 0, "ready: 10000 space(s): 4000 up, 0 failing their last refresh, 6000 pending"},
		// Two hours down: data older than 3 passes (7,500 s) is stale,
		// which is true, until those spaces are listed again.
		{"10,000: restart with a full cache after two hours down", 10000, 10000, func(i int) time.Duration { return 2*time.Hour + quarter(i) }, time.Second, 0, false, 10000 - 1201, "data older than 2h5m0s for 8799 space(s)"},
		// An explicit limit below the pass: the steady state is not ready.
		{"10,000: --health.max-staleness=10m", 10000, 10000, quarter, 10 * time.Hour, 10 * time.Minute, false, 10000 - 2401, "data older than 10m0s for 7599 space(s)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := accountSnapshot(tt.spaces, tt.listed, tt.age)
			c := Checker{Snapshot: func() *refresh.Snapshot { return snap }, RefreshInterval: 5 * time.Minute, MaxStaleness: tt.maxStaleness,
				Started: t0.Add(-tt.started), Now: func() time.Time { return t0 }}
			ready, why := c.Ready()
			if ready != tt.wantReady || !strings.HasPrefix(why, tt.wantWhyPrefix) {
				t.Errorf("Ready() = %v, %.200q; want %v, starting %q", ready, why, tt.wantReady, tt.wantWhyPrefix)
			}
			if tt.wantStale > 0 && !strings.Contains(why, fmt.Sprintf("for %d space(s)", tt.wantStale)) {
				t.Errorf("reason %.200q does not count %d stale spaces", why, tt.wantStale)
			}
			if tt.wantStale > 0 && !strings.Contains(why, "and "+fmt.Sprint(tt.wantStale-10)+" more") {
				t.Errorf("reason %.300q does not stop after 10 names", why)
			}
			// Ages grow with i, so the stale spaces are the last ones
			// listed, and the ten named are the first of those by id.
			var named []string
			for i := tt.listed - tt.wantStale; i < tt.listed-tt.wantStale+10 && tt.wantStale > 0; i++ {
				named = append(named, fmt.Sprintf("%q", fmt.Sprintf("cams-%06d", i)))
			}
			if want := "[" + strings.Join(named, " ") + "] and"; tt.wantStale > 0 && !strings.Contains(why, want) {
				t.Errorf("reason %.300q does not name %s", why, want)
			}
		})
	}
}

// /status counts the spaces by state and says the limits it judges by.
func TestStatusCountsAndLimits(t *testing.T) {
	snap := withPending(snapOf(space("a", true, time.Minute), space("b", false, never)), 7)
	snap.ExpectedPassDuration = 10 * time.Minute
	c := Checker{Snapshot: func() *refresh.Snapshot { return snap }, RefreshInterval: 5 * time.Minute, Started: t0, Now: func() time.Time { return t0 }}
	st := c.Status()
	if st.SpacesByState != (StateCounts{Pending: 7, Up: 1, Down: 1}) || st.MaxStaleness != 1800 || st.ExpectedPass != 600 || len(st.Spaces) != 2 {
		t.Errorf("status counts %+v, max staleness %v, expected pass %v, %d spaces; want 7/1/1, 1800, 600 and 2 listed", st.SpacesByState, st.MaxStaleness, st.ExpectedPass, len(st.Spaces))
	}
}
