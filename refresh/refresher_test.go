package refresh

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/go-kit/log"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// fakeLister records the order in which it starts listing spaces (their
// first pages) and answers pages from a table; a space in fail answers that
// error on every page.
type fakeLister struct {
	mu    sync.Mutex
	order []string
	flows map[string][]client.Flow
	fail  map[string]error
	delay time.Duration
}

func (f *fakeLister) ListFlowPage(ctx context.Context, space, _ string, index, size int) ([]client.Flow, error) {
	if f.delay > 0 {
		select {
		case <-time.After(f.delay):
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if index == 1 {
		f.order = append(f.order, space)
	}
	if err := f.fail[space]; err != nil {
		return nil, err
	}
	all := f.flows[space]
	from := min((index-1)*size, len(all))
	return all[from:min(from+size, len(all))], nil
}

func (f *fakeLister) calls() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.order...)
}

func (f *fakeLister) count(space string) int {
	n := 0
	for _, s := range f.calls() {
		if s == space {
			n++
		}
	}
	return n
}

func spacesFunc(ids ...string) func() []string { return func() []string { return ids } }

func TestStalestFirst(t *testing.T) {
	now := time.Now()
	lister := &fakeLister{}
	r := New(Config{Lister: lister, Spaces: spacesFunc("fresh", "old", "new", "older"),
		Interval: time.Hour, Concurrency: 1})
	r.Restore(map[string]*snapshot.SpaceState{
		"fresh": {ID: "fresh", HasData: true, Up: true, LastAttempt: now.Add(-2 * time.Minute), LastSuccess: now.Add(-2 * time.Minute)},
		"old":   {ID: "old", HasData: true, Up: true, LastAttempt: now.Add(-2 * time.Hour), LastSuccess: now.Add(-2 * time.Hour)},
		"older": {ID: "older", HasData: true, Up: true, LastAttempt: now.Add(-5 * time.Hour), LastSuccess: now.Add(-5 * time.Hour)},
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	waitFor(t, func() bool { return len(lister.calls()) >= 3 })
	time.Sleep(50 * time.Millisecond) // "fresh" is not due for an hour: nothing else may come
	cancel()
	<-done
	if got := strings.Join(lister.calls(), ","); got != "new,older,old" {
		t.Errorf("listing order %s, want new,older,old: never listed first, then the stalest; fresh not at all", got)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met within a minute")
		}
		time.Sleep(2 * time.Millisecond)
	}
}

func TestIntervalIsTheTargetAgeOfEachSpace(t *testing.T) {
	synctest.Test(t, testIntervalIsTheTargetAgeOfEachSpace)
}

// testIntervalIsTheTargetAgeOfEachSpace runs on synctest's clock: 1.1 s
// pass in no time, whatever the machine.
func testIntervalIsTheTargetAgeOfEachSpace(t *testing.T) {
	lister := &fakeLister{}
	r := New(Config{Lister: lister, Spaces: spacesFunc("a", "b"), Interval: 200 * time.Millisecond, Concurrency: 2})
	ctx, cancel := context.WithTimeout(context.Background(), 1100*time.Millisecond)
	defer cancel()
	r.Run(ctx)
	// Listed at 0, 200, 400, 600, 800, 1000 ms: about six times each, and
	// never back to back.
	for _, id := range []string{"a", "b"} {
		if n := lister.count(id); n < 4 || n > 7 {
			t.Errorf("space %s listed %d times in 1.1 s at a 200 ms interval, want about 6", id, n)
		}
	}
	snap := r.Snapshot()
	if snap.Refreshes < 4 || !snap.Completed || !snap.Up() {
		t.Errorf("snapshot after 1.1 s: %d passes, completed %v, up %v", snap.Refreshes, snap.Completed, snap.Up())
	}
}

func TestOutOfReachIntervalStillRefreshesEverySpaceInTurn(t *testing.T) {
	synctest.Test(t, testOutOfReachIntervalStillRefreshesEverySpaceInTurn)
}

// testOutOfReachIntervalStillRefreshesEverySpaceInTurn runs on synctest's
// clock: the 300 ms hold as many listings on any machine.
func testOutOfReachIntervalStillRefreshesEverySpaceInTurn(t *testing.T) {
	var logs bytes.Buffer
	ids := make([]string, 20)
	for i := range ids {
		ids[i] = fmt.Sprintf("cams-%02d", i)
	}
	lister := &fakeLister{delay: 5 * time.Millisecond}
	r := New(Config{Lister: lister, Spaces: spacesFunc(ids...), Interval: 10 * time.Millisecond, Rate: 1,
		Concurrency: 2, Logger: log.NewLogfmtLogger(&syncWriter{w: &logs})})
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	r.Run(ctx)
	if !strings.Contains(logs.String(), "out of reach") || !strings.Contains(logs.String(), "expected_pass=20s") {
		t.Errorf("no start-up warning about the interval:\n%s", logs.String())
	}
	// Every space in turn: between two listings of a space, every other
	// space is listed once.
	calls := lister.calls()
	if len(calls) < 40 {
		t.Fatalf("only %d listings", len(calls))
	}
	for _, id := range ids {
		if n := lister.count(id); n < len(calls)/20-1 || n > len(calls)/20+1 {
			t.Errorf("space %s listed %d times of %d, want an even share", id, n, len(calls))
		}
	}
	snap := r.Snapshot()
	if snap.Refreshes < 2 {
		t.Errorf("%d passes completed under continuous load, want at least 2", snap.Refreshes)
	}
	if want := 20 * time.Second; snap.ExpectedPassDuration != want {
		t.Errorf("expected pass %v, want %v (20 spaces of one page at 1 call/s)", snap.ExpectedPassDuration, want)
	}
}

// syncWriter serialises the writes of a logger used from several goroutines.
type syncWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}

func TestExpectedPassCountsPages(t *testing.T) {
	flows := func(n int) []client.Flow {
		out := make([]client.Flow, n)
		for i := range out {
			out[i] = client.Flow{FlowID: fmt.Sprint(i)}
		}
		return out
	}
	lister := &fakeLister{flows: map[string][]client.Flow{"a": flows(45), "b": flows(20), "c": nil}}
	r := New(Config{Lister: lister, Spaces: spacesFunc("a", "b", "c"), PageSize: 20, Rate: 2})
	snap := r.Refresh(context.Background())
	// a: 3 pages (20, 20, 5); b: 2 (20, then empty); c: 1. 6 calls at 2/s.
	if want := 3 * time.Second; snap.ExpectedPassDuration != want {
		t.Errorf("expected pass %v, want %v", snap.ExpectedPassDuration, want)
	}
}

func TestPassCountersAndFailures(t *testing.T) {
	lister := &fakeLister{fail: map[string]error{"bad": errors.New("boom")}}
	r := New(Config{Lister: lister, Spaces: spacesFunc("good", "bad")})
	before := r.Snapshot()
	if before.Completed || before.Len() != 0 {
		t.Fatalf("initial snapshot %+v", before)
	}
	s1 := r.Refresh(context.Background())
	s2 := r.Refresh(context.Background())
	if s1.Refreshes != 1 || s1.RefreshFailures != 1 || s2.Refreshes != 2 || s2.RefreshFailures != 2 {
		t.Errorf("passes %d/%d failures %d/%d, want 1/2 and 1/2", s1.Refreshes, s2.Refreshes, s1.RefreshFailures, s2.RefreshFailures)
	}
	if s2.Space("bad").Up || !s2.Space("good").Up || s2.Space("bad").LastError.Code != client.CodeNetworkError {
		t.Errorf("states %+v %+v", s2.Space("bad"), s2.Space("good"))
	}
	if s1 == s2 || s1.Space("good") == s2.Space("good") {
		t.Error("a published snapshot or state was reused: snapshots must be immutable")
	}
}

func TestNewSpaceAppearsAtOnceAndRemovedSpaceGoes(t *testing.T) {
	lister := &fakeLister{}
	var mu sync.Mutex
	ids := []string{"a"}
	spaces := func() []string { mu.Lock(); defer mu.Unlock(); return ids }
	r := New(Config{Lister: lister, Spaces: spaces, Interval: time.Hour})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	waitFor(t, func() bool { return r.Snapshot().Completed })
	mu.Lock()
	ids = []string{"b"}
	mu.Unlock()
	r.Wake()
	waitFor(t, func() bool { st := r.Snapshot().Space("b"); return st != nil && st.HasData })
	if r.Snapshot().Space("a") != nil {
		t.Error("a space removed from the configuration is still in the snapshot")
	}
	if lister.count("a") != 1 {
		t.Errorf("space a listed %d times, want once (interval 1h)", lister.count("a"))
	}
}

func TestShutdownIsNotAFailure(t *testing.T) {
	lister := &fakeLister{delay: time.Hour}
	r := New(Config{Lister: lister, Spaces: spacesFunc("a"), Interval: time.Hour})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	r.Run(ctx)
	if st := r.Snapshot().Space("a"); st != nil && st.LastError != nil {
		t.Errorf("a listing cut short by shutdown was recorded as a failure: %+v", st.LastError)
	}
}

// gatedLister holds each space's listing until the test releases it.
type gatedLister struct {
	gates map[string]chan struct{}
}

func (g *gatedLister) ListFlowPage(ctx context.Context, space, _ string, _, _ int) ([]client.Flow, error) {
	select {
	case <-g.gates[space]:
		return nil, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// A space removed while it is being listed must not count twice: the pass
// still waits for the spaces it has not listed.
func TestPassWaitsForEverySpaceWhenOneIsRemovedMidListing(t *testing.T) {
	g := &gatedLister{gates: map[string]chan struct{}{"a": make(chan struct{}), "b": make(chan struct{}), "c": make(chan struct{})}}
	var mu sync.Mutex
	ids := []string{"a", "b", "c"}
	r := New(Config{Lister: g, Spaces: func() []string { mu.Lock(); defer mu.Unlock(); return ids }, Concurrency: 3})
	done := make(chan *snapshot.Snapshot)
	go func() { done <- r.Refresh(context.Background()) }()
	close(g.gates["b"])
	waitFor(t, func() bool { st := r.Snapshot().Space("b"); return st != nil && st.HasData })
	mu.Lock()
	ids = []string{"b", "c"}
	mu.Unlock()
	r.flush() // a publish sees the new list
	close(g.gates["a"])
	time.Sleep(20 * time.Millisecond)
	r.flush()
	if snap := r.Snapshot(); snap.Refreshes != 0 || snap.Completed {
		t.Fatalf("the pass closed with c still unlisted: %d passes, completed %v", snap.Refreshes, snap.Completed)
	}
	close(g.gates["c"])
	snap := <-done
	if snap.Refreshes != 1 || !snap.Up() || snap.Len() != 2 {
		t.Errorf("after c: %d passes, up %v, %d spaces; want 1, true, 2", snap.Refreshes, snap.Up(), snap.Len())
	}
}

// The list changes during the first delay (discovery's first answer comes
// at once): its wake-up ends the delay, and the snapshot follows the list
// then, though nothing is due.
func TestListChangedDuringTheFirstDelayIsPublished(t *testing.T) {
	list := &watchList{}
	list.set("a")
	r := New(Config{Lister: &fakeLister{}, Spaces: list.spaces, Interval: time.Hour, FirstDelay: time.Hour})
	at := time.Now().Add(-time.Minute)
	r.Restore(map[string]*snapshot.SpaceState{
		"a": {ID: "a", HasData: true, Up: true, LastSuccess: at, LastAttempt: at},
		"b": {ID: "b", HasData: true, Up: true, LastSuccess: at, LastAttempt: at},
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	list.set("a", "b")
	r.Wake()
	waitFor(t, func() bool { return r.Snapshot().Space("b") != nil })
}
