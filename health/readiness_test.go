package health

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/internal/fakeclock"
	"github.com/cams-exporter/cams_exporter/refresh"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// fakeAccount answers ListFlow like CAMS: one empty page per space, except the
// spaces denied (Ram.PermissionDeny, for good), every space while down (a
// network failure), and nothing at all while held: calls then wait until
// released.
type fakeAccount struct {
	mu      sync.Mutex
	denied  map[string]bool
	down    bool
	hold    chan struct{} // non-nil while held
	waiting int           // calls held
}

func (a *fakeAccount) ListFlowPage(ctx context.Context, space, _ string, _, _ int) ([]client.Flow, error) {
	a.mu.Lock()
	hold := a.hold
	if hold != nil {
		a.waiting++
	}
	a.mu.Unlock()
	if hold != nil {
		defer func() { a.mu.Lock(); a.waiting--; a.mu.Unlock() }()
		select {
		case <-hold:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	switch {
	case a.down:
		return nil, &client.Error{Operation: client.OperationListFlow, Code: client.CodeNetworkError, Message: "connection refused", Class: client.ClassTransient}
	case a.denied[space]:
		return nil, &client.Error{Operation: client.OperationListFlow, Code: "Ram.PermissionDeny", Message: "denied", Class: client.ClassPermanent}
	}
	return nil, nil
}

func (a *fakeAccount) set(f func(a *fakeAccount)) {
	a.mu.Lock()
	defer a.mu.Unlock()
	f(a)
}

func (a *fakeAccount) held() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.waiting
}

// watchList is a list of spaces the test changes.
type watchList struct {
	mu  sync.Mutex
	ids []string
}

func (w *watchList) list() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ids
}

func (w *watchList) set(ids []string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.ids = ids
}

func numberedSpaces(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("cams-%05d", i)
	}
	return ids
}

// refresherRun is a refresher run with a clock, and the checker of its
// snapshots at that clock.
type refresherRun struct {
	r     *refresh.Refresher
	clock *fakeclock.Clock
	c     Checker
}

// runRefresher starts a refresher of spaces from a on a clock, with interval and
// limit (--health.max-staleness, 0 for the default), after restoring
// cached states (none when nil), until the test ends.
func runRefresher(t *testing.T, a *fakeAccount, spaces *watchList, interval, limit time.Duration, cached map[string]*snapshot.SpaceState) *refresherRun {
	clk := fakeclock.New(t0)
	r := refresh.New(refresh.Config{Lister: a, Spaces: spaces.list, Interval: interval, Now: clk.Now})
	if n := r.Restore(cached); n != len(cached) {
		t.Fatalf("restored %d of %d cached states", n, len(cached))
	}
	c := Checker{Snapshot: r.Snapshot, RefreshInterval: interval, MaxStaleness: limit, Started: t0, Now: clk.Now}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	t.Cleanup(func() { a.set(func(a *fakeAccount) { a.hold = nil }); cancel(); <-done })
	return &refresherRun{r: r, clock: clk, c: c}
}

// pass waits for the refresher's pass number n to end and the refresher to
// have nothing left to list.
func (rr *refresherRun) pass(t *testing.T, n uint64) {
	t.Helper()
	waitForState(t, fmt.Sprintf("pass %d", n), func() bool {
		s := rr.r.Snapshot()
		return s.Refreshes >= n && s.IdleUntil.After(rr.clock.Now())
	})
}

// nextPass moves the clock on by d, to when every space is due, and wakes
// the refresher (its own timer runs on real time), then waits for pass n.
func (rr *refresherRun) nextPass(t *testing.T, d time.Duration, n uint64) {
	t.Helper()
	rr.clock.Advance(d)
	rr.r.Wake()
	rr.pass(t, n)
}

func waitForState(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 30 s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// The case: spaces denied for good, among many listed well, never
// make the exporter unready, pass after pass, right after a pass and just
// before the next, at the interval and limit (10s, 3 × 10s) and at
// a limit far below the interval.
func TestDeniedSpacesNeverMakeItUnready(t *testing.T) {
	tests := []struct {
		name            string
		spaces, denied  int
		interval, limit time.Duration
		cachedDeniedAge time.Duration // the denied spaces' cached data is this old at start; 0 for none
	}{
		{"1 of 20 denied, interval 10s, default limit (30s)", 20, 1, 10 * time.Second, 0, 0},
		{"1 of 20 denied with cached data, interval 10s, default limit (30s)", 20, 1, 10 * time.Second, 0, time.Minute},
		{"1,000 of 10,000 denied, interval 1h, --health.max-staleness=30s", 10000, 1000, time.Hour, 30 * time.Second, 0},
		{"1,000 of 10,000 denied with cached data, interval 1h, default limit (3h)", 10000, 1000, time.Hour, 0, 2 * time.Hour},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids := numberedSpaces(tt.spaces)
			a := &fakeAccount{denied: map[string]bool{}}
			for _, id := range ids[:tt.denied] {
				a.denied[id] = true
			}
			var cached map[string]*snapshot.SpaceState
			if tt.cachedDeniedAge > 0 {
				cached = map[string]*snapshot.SpaceState{}
				for _, id := range ids[:tt.denied] {
					at := t0.Add(-tt.cachedDeniedAge)
					cached[id] = &snapshot.SpaceState{ID: id, HasData: true, Up: true, Count: 3, LastSuccess: at, LastAttempt: at}
				}
			}
			rr := runRefresher(t, a, &watchList{ids: ids}, tt.interval, tt.limit, cached)
			want := fmt.Sprintf("ready: %d space(s): %d up, %d failing their last refresh, 0 pending", tt.spaces, tt.spaces-tt.denied, tt.denied)
			rr.pass(t, 1)
			for n := uint64(2); n <= 6; n++ {
				checkReadyz(t, rr.c, true, want)
				rr.clock.Advance(tt.interval - time.Second) // idle, the next pass a second away
				checkReadyz(t, rr.c, true, want)
				rr.nextPass(t, time.Second, n)
			}
			checkReadyz(t, rr.c, true, want)
		})
	}
}

// Each reason /readyz gives for 503 is reached, and left again, with a
// refresher at work: interval 1h, --health.max-staleness=10m.
func TestReadinessReasonsComeAndGo(t *testing.T) {
	const interval, limit = time.Hour, 10 * time.Minute
	a := &fakeAccount{denied: map[string]bool{}}
	spaces := &watchList{}
	rr := runRefresher(t, a, spaces, interval, limit, nil)
	var release chan struct{}
	hold := func() {
		release = make(chan struct{})
		a.set(func(a *fakeAccount) { a.hold = release })
	}
	letGo := func() {
		a.set(func(a *fakeAccount) { a.hold = nil })
		close(release)
	}
	steps := []struct {
		name      string
		do        func()
		wantReady bool
		wantWhy   string
	}{
		{"nothing to watch", func() {
			waitForState(t, "idle with no space", func() bool { return !rr.r.Snapshot().IdleUntil.IsZero() })
		},
			false, "no space to watch"},
		{"spaces to watch, their first listings under way", func() {
			hold()
			spaces.set([]string{"a", "b", "c"})
			rr.r.Wake()
			waitForState(t, "three calls held", func() bool { return a.held() == 3 })
		}, false, "no data yet: the first listing has not ended (3 space(s) pending)"},
		{"listed", func() { letGo(); rr.pass(t, 1) }, true, "ready: 3 space(s): 3 up, 0 failing their last refresh, 0 pending"},
		{"idle for longer than the limit", func() { rr.clock.Advance(interval - time.Second) }, true, "ready: 3 space(s): 3 up"},
		{"every space failing", func() { a.set(func(a *fakeAccount) { a.down = true }); rr.nextPass(t, time.Second, 2) },
			false, "every space refreshed so far (3) failed its last refresh; 0 pending"},
		{"one recovers", func() {
			a.set(func(a *fakeAccount) { a.down, a.denied["b"], a.denied["c"] = false, true, true })
			rr.nextPass(t, interval, 3)
		}, true, "ready: 3 space(s): 1 up, 2 failing their last refresh, 0 pending"},
		{"all recover", func() { a.set(func(a *fakeAccount) { a.denied = map[string]bool{} }); rr.nextPass(t, interval, 4) },
			true, "ready: 3 space(s): 3 up, 0 failing"},
		{"calls hang while spaces are due, within the limit", func() {
			hold()
			rr.clock.Advance(interval)
			rr.r.Wake()
			waitForState(t, "three calls held", func() bool { return a.held() == 3 })
			rr.clock.Advance(limit)
		}, true, "ready: 3 space(s): 3 up"},
		{"calls hang while spaces are due, past the limit", func() { rr.clock.Advance(time.Second) }, false,
			"no progress: no ListFlow call has succeeded for 10m1s while spaces were due (last success: 2026-11-26T15:00:00Z), longer than --health.max-staleness (10m0s)"},
		{"calls answered again", func() { letGo(); rr.pass(t, 5) }, true, "ready: 3 space(s): 3 up"},
		{"a new space wakes the refresher early, its call hangs", func() {
			rr.clock.Advance(30 * time.Minute)
			hold()
			spaces.set([]string{"a", "b", "c", "d"})
			rr.r.Wake()
			waitForState(t, "d's call held", func() bool { return a.held() == 1 })
			rr.clock.Advance(limit + time.Second)
		}, false, "no progress: no ListFlow call has succeeded for 10m1s while spaces were due (last success: 2026-11-26T16:10:01Z)"},
		{"d listed", func() {
			letGo()
			waitForState(t, "d listed", func() bool { st := rr.r.Snapshot().Space("d"); return st != nil && st.HasData })
		},
			true, "ready: 4 space(s): 4 up"},
		{"no space to watch again", func() {
			spaces.set(nil)
			rr.r.Wake()
			waitForState(t, "no space", func() bool { return rr.r.Snapshot().Len() == 0 })
		},
			false, "no space to watch"},
		{"spaces back, with their data", func() {
			spaces.set([]string{"a", "b"})
			rr.r.Wake()
			waitForState(t, "a and b back", func() bool { return rr.r.Snapshot().Len() == 2 })
		}, true, "ready: 2 space(s): 2 up"},
	}
	for _, s := range steps {
		s.do()
		t.Run(s.name, func(t *testing.T) { checkReadyz(t, rr.c, s.wantReady, s.wantWhy) })
	}
}

// failingEverywhere returns the three sources with a part of every space of
// snap, each failing its last call (messaging health denied by RAM), with
// data a month old or none.
func failingEverywhere(snap *snapshot.Snapshot, withData bool) []*snapshot.SourceState {
	codes := map[string]string{phoneNumbers: "System.LimitControl", wabas: "Timeout", messagingHealth: "Ram.PermissionDeny"}
	var out []*snapshot.SourceState
	for _, name := range []string{phoneNumbers, wabas, messagingHealth} {
		parts := map[string]*snapshot.SpacePart{}
		for id := range snap.All() {
			p := downPart(codes[name], nil)
			if withData {
				p.HasData, p.LastSuccess, p.Data = true, t0.Add(-30*24*time.Hour), numbersOf(0, 1)
			}
			parts[id] = p
		}
		out = append(out, sourceState(name, time.Hour, time.Hour, 0, parts))
	}
	return out
}

// /readyz reads the flows' state only: a source failing for every space
// (messaging health denied by RAM, a throttled or unreachable operation),
// with or without old data, or not called yet, is data shown in its
// metrics and /status, never the exporter's readiness; nor do the sources
// make ready an exporter whose listings all fail.
func TestReadyzIgnoresSources(t *testing.T) {
	fine := lastCall(snapOf(space("a", true, time.Minute), space("b", true, time.Minute)), time.Minute)
	allDown := lastCall(snapOf(space("a", false, time.Minute), space("b", false, time.Minute)), time.Minute)
	big := accountSnapshot(10000, 10000, 0, func(i int) time.Duration { return time.Duration(i) * time.Second / 4 })
	const fineWhy = "ready: 2 space(s): 2 up, 0 failing their last refresh, 0 pending"
	tests := []struct {
		name      string
		snap      *snapshot.Snapshot
		sources   []*snapshot.SourceState
		wantReady bool
		wantWhy   string
	}{
		{"every source failing everywhere, no data", fine, failingEverywhere(fine, false), true, fineWhy},
		{"every source failing everywhere, data a month old", fine, failingEverywhere(fine, true), true, fineWhy},
		{"sources on, nothing called yet", fine, []*snapshot.SourceState{sourceState(phoneNumbers, time.Minute, 0, 0, nil), sourceState(messagingHealth, time.Minute, 0, 0, nil)}, true, fineWhy},
		{"10,000 spaces, every source failing everywhere", big, failingEverywhere(big, false), true, "ready: 10000 space(s): 10000 up, 0 failing their last refresh, 0 pending"},
		{"every listing failed, every source up", allDown, []*snapshot.SourceState{sourceState(phoneNumbers, time.Minute, 0, 0,
			map[string]*snapshot.SpacePart{"a": upPart(0, numbersOf(0, 1)), "b": upPart(0, numbersOf(1, 1))})}, false, "every space refreshed so far (2) failed its last refresh; 0 pending"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := tt.snap.WithSources(tt.sources)
			if len(snap.Sources()) != len(tt.sources) {
				t.Fatalf("%d sources in the snapshot", len(snap.Sources()))
			}
			c := Checker{Snapshot: func() *snapshot.Snapshot { return snap }, RefreshInterval: 5 * time.Minute, Started: t0.Add(-time.Hour), Now: func() time.Time { return t0 }}
			checkReadyz(t, c, tt.wantReady, tt.wantWhy)
			if st := c.Status(); st.Ready != tt.wantReady || st.Reason != tt.wantWhy {
				t.Errorf("/status says ready %v: %q", st.Ready, st.Reason)
			}
		})
	}
}
