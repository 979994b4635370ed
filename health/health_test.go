package health

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/snapshot"
)

var t0 = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

func space(id string, up bool, lastSuccessAgo time.Duration) *snapshot.SpaceState {
	st := &snapshot.SpaceState{ID: id, Up: up, LastAttempt: t0}
	if lastSuccessAgo >= 0 {
		st.HasData, st.Count, st.LastSuccess = true, 3, t0.Add(-lastSuccessAgo)
	}
	if !up {
		st.LastError = &snapshot.ErrorInfo{Code: "Ram.PermissionDeny", Message: "denied", RequestID: "R1"}
	}
	return st
}

const never = -1

// Readiness for reasons of the whole exporter only: the first three
// reasons read the counts; progress reads when the last ListFlow call
// succeeded and whether the refresher is idle. Failing and stale spaces
// never make it unready.
func TestReady(t *testing.T) {
	tests := []struct {
		name      string
		snap      *snapshot.Snapshot
		startedAt time.Duration // before t0
		limit     time.Duration // --health.max-staleness; 0 for the default
		wantReady bool
		wantWhy   string
	}{
		{"before the first listing ends", snapshot.Snapshot{Pending: 2}.WithSpaces(map[string]*snapshot.SpaceState{}), time.Minute, 0, false, "no data yet: the first listing has not ended (2 space(s) pending)"},
		{"nothing to watch", snapshot.Snapshot{Completed: true}.WithSpaces(map[string]*snapshot.SpaceState{}), time.Minute, 0, false, "no space to watch"},
		{"all fresh", snapOf(space("a", true, time.Minute), space("b", true, 0)), time.Hour, 0, true, "ready: 2 space(s): 2 up, 0 failing their last refresh, 0 pending"},
		{"one failing but fresh", snapOf(space("a", true, time.Minute), space("b", false, time.Minute)), time.Hour, 0, true, "1 failing"},
		{"every space failed", snapOf(space("a", false, time.Minute), space("b", false, time.Minute)), time.Hour, 0, false, "every space refreshed so far (2) failed"},
		{"first listing failed, the rest pending", withPending(snapOf(space("a", false, never)), 5), time.Second, 0, false, "every space refreshed so far (1) failed its last refresh; 5 pending"},
		{"first listing done, the rest pending", withPending(snapOf(space("a", true, 0)), 9999), time.Second, 0, true, "ready: 10000 space(s): 1 up, 0 failing their last refresh, 9999 pending"},
		// A failing or stale space is its own problem, not the exporter's.
		{"one failing for good, its data past the limit", snapOf(space("a", true, time.Minute), space("b", false, 16*time.Minute)), time.Hour, 0, true, "ready: 2 space(s): 1 up, 1 failing"},
		{"one failing for good, never listed", snapOf(space("a", true, 0), space("b", false, never)), 10 * time.Hour, 0, true, "ready"},
		{"up but older than the limit (a pass beyond the interval)", snapOf(space("a", true, 3*time.Hour), space("b", true, 0)), 10 * time.Hour, 0, true, "ready"},
		{"stale spaces at an explicit limit", snapOf(space("a", true, time.Hour), space("b", false, 2*time.Hour)), 10 * time.Hour, 30 * time.Second, true, "ready"},
		// No successful call for the limit (default 3 × 5m) while spaces
		// were due: the refresher makes no progress.
		{"no call for longer than the limit", lastCall(snapOf(space("a", true, 16*time.Minute)), 16*time.Minute), time.Hour, 0, false,
			"no progress: no ListFlow call has succeeded for 16m0s while spaces were due (last success: 2026-11-26T11:44:00Z), longer than --health.max-staleness (15m0s)"},
		{"no call for just the limit", lastCall(snapOf(space("a", true, 15*time.Minute)), 15*time.Minute), time.Hour, 0, true, "ready"},
		{"no call since the start", lastCall(snapOf(space("a", true, time.Hour)), never), 16 * time.Minute, 0, false,
			"no progress: no ListFlow call has succeeded for 16m0s while spaces were due (last success: none since the exporter started), longer than --health.max-staleness (15m0s)"},
		{"an explicit limit", lastCall(snapOf(space("a", true, time.Minute)), 31*time.Second), time.Hour, 30 * time.Second, false, "no ListFlow call has succeeded for 31s while spaces were due"},
		// Idle: every space fresh, nothing due, no call.
		{"idle for an hour, the next space due in a minute", idleUntil(lastCall(snapOf(space("a", true, time.Hour)), time.Hour), -time.Minute), 2 * time.Hour, 0, true, "ready"},
		{"restart with a full cache, nothing due yet", idleUntil(lastCall(snapOf(space("a", true, time.Hour)), never), -4*time.Minute), 20 * time.Minute, 0, true, "ready"},
		{"due for less than the limit", idleUntil(lastCall(snapOf(space("a", true, time.Hour)), time.Hour), 14*time.Minute), 2 * time.Hour, 0, true, "ready"},
		{"due for longer than the limit", idleUntil(lastCall(snapOf(space("a", true, time.Hour)), time.Hour), 16*time.Minute), 2 * time.Hour, 0, false,
			"no progress: no ListFlow call has succeeded for 16m0s while spaces were due (last success: 2026-11-26T11:00:00Z)"},
		// A large account calls without a pause: three intervals (15m)
		// without a success is no progress, however long a pass takes.
		{"a long pass does not move the default limit", withPass(lastCall(snapOf(space("a", true, 16*time.Minute)), 16*time.Minute), 20*time.Minute), time.Hour, 0, false, "longer than --health.max-staleness (15m0s)"},
		{"a success within three intervals, a long pass", withPass(lastCall(snapOf(space("a", true, 14*time.Minute)), 14*time.Minute), 20*time.Minute), time.Hour, 0, true, "ready"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Checker{Snapshot: func() *snapshot.Snapshot { return tt.snap }, RefreshInterval: 5 * time.Minute, MaxStaleness: tt.limit,
				Started: t0.Add(-tt.startedAt), Now: func() time.Time { return t0 }}
			checkReadyz(t, c, tt.wantReady, tt.wantWhy)
		})
	}
}

// checkReadyz checks Ready and /readyz: the status, and the reason in the
// body.
func checkReadyz(t *testing.T, c Checker, wantReady bool, wantWhy string) {
	t.Helper()
	ready, why := c.Ready()
	if ready != wantReady || !strings.Contains(why, wantWhy) {
		t.Errorf("Ready() = %v, %.300q; want %v, containing %q", ready, why, wantReady, wantWhy)
	}
	rec := httptest.NewRecorder()
	c.Readyz(rec, httptest.NewRequest("GET", "/readyz", nil))
	wantStatus := http.StatusOK
	if !wantReady {
		wantStatus = http.StatusServiceUnavailable
	}
	if rec.Code != wantStatus || !strings.Contains(rec.Body.String(), wantWhy) {
		t.Errorf("/readyz = %d %.300q, want %d containing %q", rec.Code, rec.Body.String(), wantStatus, wantWhy)
	}
}

func withPending(s *snapshot.Snapshot, n int) *snapshot.Snapshot {
	s.Pending, s.Completed, s.Refreshes = n, false, 0
	return s
}

func withPass(s *snapshot.Snapshot, pass time.Duration) *snapshot.Snapshot {
	s.ExpectedPassDuration = pass
	return s
}

// lastCall sets when the last ListFlow call succeeded, ago before t0;
// never for none.
func lastCall(s *snapshot.Snapshot, ago time.Duration) *snapshot.Snapshot {
	s.LastListCall = time.Time{}
	if ago >= 0 {
		s.LastListCall = t0.Add(-ago)
	}
	return s
}

// idleUntil marks the refresher idle until ago before t0 (after t0 when
// negative).
func idleUntil(s *snapshot.Snapshot, ago time.Duration) *snapshot.Snapshot {
	s.IdleUntil = t0.Add(-ago)
	return s
}

// snapOf is a snapshot of spaces whose last ListFlow call succeeded at t0,
// when the spaces were last attempted.
func snapOf(spaces ...*snapshot.SpaceState) *snapshot.Snapshot {
	states := map[string]*snapshot.SpaceState{}
	for _, sp := range spaces {
		states[sp.ID] = sp
	}
	return snapshot.Snapshot{Completed: true, Refreshes: 1, LastListCall: t0}.WithSpaces(states)
}

func TestStatusJSON(t *testing.T) {
	snap := snapOf(space("", true, time.Minute), space("cams-x", false, -1))
	c := Checker{Snapshot: func() *snapshot.Snapshot { return snap }, MaxStaleness: time.Hour, Started: t0,
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
// them listed: space i (from 0) was last listed age(i) ago, and every
// denied-th of them (none when 0) failed its last listing, keeping that
// data; the rest pending. The last ListFlow call that succeeded is the
// freshest success. The expected pass is n calls at 4 calls/s.
func accountSnapshot(n, listed, denied int, age func(i int) time.Duration) *snapshot.Snapshot {
	states := make(map[string]*snapshot.SpaceState, listed)
	var lastCall time.Time
	for i := range listed {
		at := t0.Add(-age(i))
		id := fmt.Sprintf("cams-%06d", i)
		st := &snapshot.SpaceState{ID: id, HasData: true, Up: true, Count: 3, LastSuccess: at, LastAttempt: at}
		if denied > 0 && i%denied == 0 {
			st.Up, st.LastAttempt, st.LastError = false, t0, &snapshot.ErrorInfo{Code: "Ram.PermissionDeny", Message: "denied"}
		}
		if st.Up && at.After(lastCall) {
			lastCall = at
		}
		states[id] = st
	}
	return snapshot.Snapshot{Pending: n - listed, ExpectedPassDuration: time.Duration(n) * time.Second / 4, LastListCall: lastCall}.WithSpaces(states)
}

// Readiness at account scale, interval 5m and the default limit (3 × the
// longer of the interval and the expected pass), from the first pass to the
// steady state and restarts with a full or partial cache, with spaces
// failing for good and data older than the limit: ready throughout, until no
// call succeeds for the limit. ages are the data's ages; the listing order
// is the pass's, 4 spaces a second.
func TestReadyAtScale(t *testing.T) {
	quarter := func(i int) time.Duration { return time.Duration(i) * time.Second / 4 }
	tests := []struct {
		name         string
		spaces       int
		listed       int
		denied       int // every denied-th space listed fails; 0 for none
		age          func(i int) time.Duration
		started      time.Duration // before t0
		maxStaleness time.Duration
		wantReady    bool
		wantWhy      string
	}{
		{"10,000: a second after the first listing", 10000, 1, 0, func(int) time.Duration { return time.Second }, 2 * time.Second, 0, true, "ready: 10000 space(s): 1 up"},
		{"10,000: half an hour into the first pass", 10000, 7200, 0, func(i int) time.Duration { return 1800*time.Second - quarter(i) }, 30 * time.Minute, 0, true, "ready: 10000 space(s): 7200 up, 0 failing their last refresh, 2800 pending"},
		{"10,000: steady state", 10000, 10000, 0, quarter, 10 * time.Hour, 0, true, "ready"},
		{"10,000: 1,000 denied for good", 10000, 10000, 10, quarter, 10 * time.Hour, 0, true, "ready: 10000 space(s): 9000 up, 1000 failing their last refresh, 0 pending"},
		{"200,000: ten hours into the first pass", 200000, 144000, 0, func(i int) time.Duration { return 36000*time.Second - quarter(i) }, 10 * time.Hour, 0, true, "ready: 200000 space(s): 144000 up"},
		{"200,000: steady state, 20,000 denied", 200000, 200000, 10, quarter, 100 * time.Hour, 0, true, "ready: 200000 space(s): 180000 up, 20000 failing"},
		{"10,000: restart with a full cache after an hour down", 10000, 10000, 0, func(i int) time.Duration { return time.Hour + quarter(i) }, time.Second, 0, true, "ready"},
		{"10,000: restart with a partial cache", 10000, 4000, 0, func(i int) time.Duration { return 10*time.Minute + quarter(i) }, time.Second, 0, true, "ready: 10000 space(s): 4000 up, 0 failing their last refresh, 6000 pending"},
		// Data older than the limit is served and shown as such, not
		// refused: the spaces are listed again, the stalest first.
		{"10,000: restart with a full cache after two hours down", 10000, 10000, 0, func(i int) time.Duration { return 2*time.Hour + quarter(i) }, time.Second, 0, true, "ready"},
		{"10,000: --health.max-staleness=10m, a pass of 42m", 10000, 10000, 0, quarter, 10 * time.Hour, 10 * time.Minute, true, "ready"},
		// The same account whose calls stopped succeeding 11 minutes ago.
		{"10,000: no call for 11m at --health.max-staleness=10m", 10000, 10000, 0, func(i int) time.Duration { return 11*time.Minute + quarter(i) }, 10 * time.Hour, 10 * time.Minute, false,
			"no progress: no ListFlow call has succeeded for 11m0s while spaces were due"},
		{"200,000: no call for 11m at --health.max-staleness=10m", 200000, 200000, 10, func(i int) time.Duration { return 11*time.Minute + quarter(i) }, 100 * time.Hour, 10 * time.Minute, false,
			"no progress: no ListFlow call has succeeded for 11m0s while spaces were due"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := accountSnapshot(tt.spaces, tt.listed, tt.denied, tt.age)
			c := Checker{Snapshot: func() *snapshot.Snapshot { return snap }, RefreshInterval: 5 * time.Minute, MaxStaleness: tt.maxStaleness,
				Started: t0.Add(-tt.started), Now: func() time.Time { return t0 }}
			checkReadyz(t, c, tt.wantReady, tt.wantWhy)
		})
	}
}

// /status counts the spaces by state and says the limits it judges by.
func TestStatusCountsAndLimits(t *testing.T) {
	snap := withPending(snapOf(space("a", true, time.Minute), space("b", false, never)), 7)
	snap.ExpectedPassDuration = 10 * time.Minute
	c := Checker{Snapshot: func() *snapshot.Snapshot { return snap }, RefreshInterval: 5 * time.Minute, Started: t0, Now: func() time.Time { return t0 }}
	st := c.Status()
	if st.SpacesByState != (StateCounts{Pending: 7, Up: 1, Down: 1}) || st.MaxStaleness != 1800 || st.ExpectedPass != 600 || len(st.Spaces) != 2 {
		t.Errorf("status counts %+v, max staleness %v, expected pass %v, %d spaces; want 7/1/1, 1800, 600 and 2 listed", st.SpacesByState, st.MaxStaleness, st.ExpectedPass, len(st.Spaces))
	}
}

// TestStalenessGrowsWithThePass checks that /status marks data stale at
// three times the longer of the interval and the expected pass (a space's
// data cannot be fresher than a pass allows), while readiness's progress
// limit stays three intervals, and that --health.max-staleness sets both.
func TestStalenessGrowsWithThePass(t *testing.T) {
	snap := withPass(lastCall(snapOf(space("a", true, time.Minute)), time.Minute), 20*time.Minute)
	for _, tt := range []struct {
		maxStaleness             time.Duration
		wantStatus, wantProgress time.Duration
	}{
		{0, 60 * time.Minute, 15 * time.Minute},
		{7 * time.Minute, 7 * time.Minute, 7 * time.Minute},
	} {
		c := Checker{Snapshot: func() *snapshot.Snapshot { return snap }, RefreshInterval: 5 * time.Minute, MaxStaleness: tt.maxStaleness, Now: func() time.Time { return t0 }}
		if got := c.Status().MaxStaleness; got != tt.wantStatus.Seconds() {
			t.Errorf("--health.max-staleness %v: /status max_staleness_seconds %v, want %v", tt.maxStaleness, got, tt.wantStatus.Seconds())
		}
		if got := c.progressLimit(snap); got != tt.wantProgress {
			t.Errorf("--health.max-staleness %v: progress limit %v, want %v", tt.maxStaleness, got, tt.wantProgress)
		}
	}
}
