package refresh

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-kit/log"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/internal/fakeclock"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// progressLister answers ListFlow by space: a space in fail answers its
// error; one in endless answers full pages of new flows, so that its
// listing never ends; the others one empty page. A call of a space with a
// gate first takes a token from it (or ends with ctx).
type progressLister struct {
	mu      sync.Mutex
	gates   map[string]chan struct{}
	fail    map[string]error
	endless map[string]bool
	calls   map[string]int
}

func newProgressLister() *progressLister {
	return &progressLister{gates: map[string]chan struct{}{}, fail: map[string]error{}, endless: map[string]bool{}, calls: map[string]int{}}
}

func (p *progressLister) ListFlowPage(ctx context.Context, space, _ string, index, size int) ([]client.Flow, error) {
	p.mu.Lock()
	gate := p.gates[space]
	p.calls[space]++
	p.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.fail[space]; err != nil {
		return nil, err
	}
	if !p.endless[space] {
		return nil, nil
	}
	out := make([]client.Flow, size)
	for i := range out {
		out[i] = client.Flow{FlowID: fmt.Sprint(index, "-", i)}
	}
	return out, nil
}

func (p *progressLister) gate(space string) chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	g := make(chan struct{})
	p.gates[space] = g
	return g
}

func (p *progressLister) callsOf(space string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[space]
}

var permissionDenied = &client.Error{Operation: client.OperationListFlow, Code: "Ram.PermissionDeny", Message: "denied", Class: client.ClassPermanent}

// runRefresher runs r until the test ends.
func runRefresher(t *testing.T, r *Refresher) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

// The snapshot says when a ListFlow call last succeeded, and until when the
// refresher has nothing to list: after a pass, until the next space comes
// due; woken early by a new space, the idle time ends then.
func TestSnapshotTellsProgressAndIdleTime(t *testing.T) {
	clock := fakeclock.New(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
	t0 := clock.Now()
	lister := newProgressLister()
	lister.fail["d"] = permissionDenied
	var mu sync.Mutex
	ids := []string{"a", "d"}
	r := New(Config{Lister: lister, Spaces: func() []string { mu.Lock(); defer mu.Unlock(); return ids }, Interval: time.Hour, Now: clock.Now})
	if s := r.Snapshot(); !s.LastListCall.IsZero() || !s.IdleUntil.IsZero() {
		t.Fatalf("before Run: last call %v, idle until %v; want neither", s.LastListCall, s.IdleUntil)
	}
	runRefresher(t, r)
	waitFor(t, func() bool { return !r.Snapshot().IdleUntil.IsZero() })
	if s := r.Snapshot(); !s.LastListCall.Equal(t0) || !s.IdleUntil.Equal(t0.Add(time.Hour)) || s.Refreshes != 1 {
		t.Errorf("after the first pass: last call %v, idle until %v, %d passes; want %v, %v (a pass, then nothing due for the interval), 1",
			s.LastListCall, s.IdleUntil, s.Refreshes, t0, t0.Add(time.Hour))
	}

	clock.Advance(5 * time.Minute)
	gate := lister.gate("c")
	mu.Lock()
	ids = []string{"a", "d", "c"}
	mu.Unlock()
	r.Wake()
	waitFor(t, func() bool { return lister.callsOf("c") == 1 && r.Snapshot().IdleUntil.Equal(t0.Add(5*time.Minute)) })
	if s := r.Snapshot(); !s.LastListCall.Equal(t0) {
		t.Errorf("c's call not answered yet: last call %v, want %v", s.LastListCall, t0)
	}

	clock.Advance(time.Minute)
	gate <- struct{}{}
	waitFor(t, func() bool { st := r.Snapshot().Space("c"); return st != nil && st.HasData })
	waitFor(t, func() bool { return r.Snapshot().IdleUntil.Equal(t0.Add(time.Hour)) })
	if s := r.Snapshot(); !s.LastListCall.Equal(t0.Add(6 * time.Minute)) {
		t.Errorf("after c's listing: last call %v, want %v", s.LastListCall, t0.Add(6*time.Minute))
	}
}

// A long listing is progress: each answered page moves LastListCall, though
// the listing has not ended.
func TestLongListingIsProgress(t *testing.T) {
	clock := fakeclock.New(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
	lister := newProgressLister()
	lister.endless["long"] = true
	gate := lister.gate("long")
	r := New(Config{Lister: lister, Spaces: spacesFunc("long"), Interval: time.Hour, PageSize: 10, Now: clock.Now})
	runRefresher(t, r)
	for page := 1; page <= 3; page++ {
		clock.Advance(time.Minute)
		gate <- struct{}{}
		waitFor(t, func() bool { return r.Snapshot().LastListCall.Equal(clock.Now()) })
	}
	if s := r.Snapshot(); s.Space("long") != nil || s.Pending != 1 || !s.IdleUntil.IsZero() {
		t.Errorf("during the listing: state %+v, %d pending, idle until %v; want it pending, never idle", s.Space("long"), s.Pending, s.IdleUntil)
	}
}

// A call the API answered is progress whatever the listing made of it; a
// failed call is not.
func TestWhichCallsAreProgress(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		fail     error
		endless  bool
		wantCall bool
	}{
		{"a listing that succeeds", nil, false, true},
		{"denied", permissionDenied, false, false},
		{"a network error", fmt.Errorf("dial tcp: connection refused"), false, false},
		{"cut at --cams.max-pages after its one page: down, but the API answered", nil, true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lister := newProgressLister()
			lister.fail["s"], lister.endless["s"] = tt.fail, tt.endless
			r := New(Config{Lister: lister, Spaces: spacesFunc("s"), PageSize: 10, MaxPages: 1, Now: func() time.Time { return t0 }})
			snap := r.Refresh(context.Background())
			if got := !snap.LastListCall.IsZero(); got != tt.wantCall || got && !snap.LastListCall.Equal(t0) {
				t.Errorf("last call %v after a listing (up %v); want a call at %v: %v", snap.LastListCall, snap.Space("s").Up, t0, tt.wantCall)
			}
		})
	}
}

// A restart with a full cache has nothing due: the refresher is idle at
// once, until the stalest space comes due, and makes no call.
func TestRestoreWithAFullCacheIsIdle(t *testing.T) {
	clock := fakeclock.New(time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC))
	t0 := clock.Now()
	lister := newProgressLister()
	states := map[string]*snapshot.SpaceState{}
	for i, ago := range []time.Duration{10 * time.Minute, 25 * time.Minute, time.Minute} {
		id := fmt.Sprint("s", i)
		states[id] = &snapshot.SpaceState{ID: id, HasData: true, Up: true, LastSuccess: t0.Add(-ago), LastAttempt: t0.Add(-ago)}
	}
	r := New(Config{Lister: lister, Spaces: spacesFunc("s0", "s1", "s2"), Interval: time.Hour, Now: clock.Now})
	if n := r.Restore(states); n != 3 {
		t.Errorf("Restore returned %d, want 3", n)
	}
	runRefresher(t, r)
	waitFor(t, func() bool { return !r.Snapshot().IdleUntil.IsZero() })
	if s := r.Snapshot(); !s.IdleUntil.Equal(t0.Add(35*time.Minute)) || !s.LastListCall.IsZero() {
		t.Errorf("idle until %v, last call %v; want %v (s1, listed 25m ago, due in 35m) and none", s.IdleUntil, s.LastListCall, t0.Add(35*time.Minute))
	}
	for _, id := range []string{"s0", "s1", "s2"} {
		if n := lister.callsOf(id); n != 0 {
			t.Errorf("%s listed %d times, want none (fresh)", id, n)
		}
	}
}

// The warning at the end of a pass counts the spaces whose listing in the
// pass failed, and the spaces the pass listed, whatever became of them
// since (a failed space removed before the pass ended is still counted).
func TestPassLogCountsItsFailures(t *testing.T) {
	tests := []struct {
		name     string
		spaces   int
		denied   int // the first denied spaces fail
		removeID string
		wantLog  string // "" for no warning
	}{
		{"no failure", 20, 0, "", ""},
		{"one of 20 denied", 20, 1, "", "failed=1 spaces=20"},
		{"1,000 of 10,000 denied", 10000, 1000, "", "failed=1000 spaces=10000"},
		{"the failed space removed before the pass ends", 2, 1, "s00000", "failed=1 spaces=2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var logs bytes.Buffer
			lister := newProgressLister()
			var mu sync.Mutex
			ids := make([]string, tt.spaces)
			for i := range ids {
				ids[i] = fmt.Sprintf("s%05d", i)
				if i < tt.denied {
					lister.fail[ids[i]] = permissionDenied
				}
			}
			last := ids[len(ids)-1]
			gate := lister.gate(last) // the pass ends with the last space
			r := New(Config{Lister: lister, Spaces: func() []string { mu.Lock(); defer mu.Unlock(); return ids }, Concurrency: 4,
				Logger: log.NewLogfmtLogger(&syncWriter{w: &logs})})
			done := make(chan *snapshot.Snapshot)
			go func() { done <- r.Refresh(context.Background()) }()
			waitFor(t, func() bool { return r.Snapshot().Len() == tt.spaces-1 && lister.callsOf(last) == 1 })
			if tt.removeID != "" {
				mu.Lock()
				ids = []string{last}
				mu.Unlock()
				r.flush() // a publish sees the new list
			}
			close(gate)
			snap := <-done
			if snap.Refreshes != 1 {
				t.Fatalf("%d passes, want 1", snap.Refreshes)
			}
			var warning string
			for l := range strings.Lines(logs.String()) {
				if strings.Contains(l, "pass finished with failing spaces") {
					warning = l
				}
			}
			if tt.wantLog == "" && warning != "" || !strings.Contains(warning, tt.wantLog) {
				t.Errorf("warning %q, want one containing %q", warning, tt.wantLog)
			}
		})
	}
}
