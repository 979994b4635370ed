package engine

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/internal/firstn"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// fakeSource is a source with one call per space (and keys[space] more),
// which records its calls and can fail or hang.
type fakeSource struct {
	name     string
	interval time.Duration
	keys     map[string][]string // extra calls per space, urgent
	needs    []string
	fail     func(space string) error
	hang     bool // calls block until their context ends

	mu    sync.Mutex
	calls []Task
	at    []time.Time
}

func (s *fakeSource) Name() string      { return s.name }
func (s *fakeSource) Operation() string { return "Fake" + s.name }
func (s *fakeSource) Needs() []string   { return s.needs }

func (s *fakeSource) Due(dst []Task, space string, part *snapshot.SpacePart, _ *snapshot.Snapshot, now time.Time) ([]Task, time.Time, float64) {
	if part != nil && part.Data != nil {
		return DueEvery(dst, space, part, s.interval, now)
	}
	dst = append(dst, Task{Space: space})
	for _, k := range s.keys[space] {
		dst = append(dst, Task{Space: space, Key: k, Urgent: true})
	}
	return dst, time.Time{}, float64(1 + len(s.keys[space]))
}

func (s *fakeSource) Call(ctx context.Context, t Task) (any, error) {
	s.mu.Lock()
	s.calls = append(s.calls, t)
	s.at = append(s.at, time.Now())
	s.mu.Unlock()
	if s.hang {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	if s.fail != nil {
		if err := s.fail(t.Space); err != nil {
			return nil, err
		}
	}
	return "data of " + t.Space, nil
}

func (s *fakeSource) Apply(_ string, prev *snapshot.SpacePart, done []Done, _ *snapshot.Snapshot) *snapshot.SpacePart {
	d := Last(done)
	return Applied(prev, d, d.Value)
}

func (s *fakeSource) callsBySpace() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]int{}
	for _, t := range s.calls {
		if t.Key == "" {
			out[t.Space]++
		}
	}
	return out
}

func (s *fakeSource) callCount() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.calls)
}

// fixedFlows is the flows' part of an engine whose flows never change.
type fixedFlows struct{ snap *snapshot.Snapshot }

func (f fixedFlows) Snapshot() *snapshot.Snapshot { return f.snap }
func (f fixedFlows) Run(ctx context.Context)      { <-ctx.Done() }
func (f fixedFlows) Wake()                        {}

func spaceIDs(n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("cs-%05d", i)
	}
	return ids
}

func newTestEngine(ids []string) *Engine {
	return New(fixedFlows{(&snapshot.Snapshot{}).WithSpaces(nil)}, NewWatched(func() []string { return ids }, nil))
}

// run runs e for d of the bubble's fake time, then stops it and waits.
func run(e *Engine, d time.Duration) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Run(ctx); close(done) }()
	time.Sleep(d)
	cancel()
	<-done
}

func TestRunnerCallsEverySpaceOncePerInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ids := spaceIDs(100)
		e := newTestEngine(ids)
		src := &fakeSource{name: "fake", interval: time.Minute}
		e.Add(Config{Source: src, Pacer: client.NewLimiter(100), Rate: 100, Interval: time.Minute, ForgetAfter: time.Hour})
		// 100 spaces at 100 calls/s take a second: each space is called
		// at about 0, 1, 2, 3, 4 and 5 minutes.
		run(e, 5*time.Minute+30*time.Second)
		counts := src.callsBySpace()
		for _, id := range ids {
			if n := counts[id]; n != 6 {
				t.Errorf("space %s called %d times in 5m30s at a 1m interval, want 6", id, n)
			}
		}
		st := e.Snapshot().Source("fake")
		if st.Len() != 100 || st.Up() != 100 {
			t.Errorf("source state holds %d parts, %d up; want 100 and 100", st.Len(), st.Up())
		}
		if p := st.Part("cs-00042"); p == nil || p.Data != "data of cs-00042" || !p.HasData {
			t.Errorf("part of cs-00042 = %+v, want its data", p)
		}
	})
}

// TestRunnerAtTenThousandSpaces runs a source over 10,000 spaces at 8 calls
// a second: the first pass takes 1,250 s, every space has a part at its
// end, and the calls keep to the rate.
func TestRunnerAtTenThousandSpaces(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ids := spaceIDs(10000)
		e := newTestEngine(ids)
		src := &fakeSource{name: "fake", interval: time.Hour}
		e.Add(Config{Source: src, Pacer: client.NewLimiter(8), Rate: 8, Interval: time.Hour, ForgetAfter: time.Hour})
		start := time.Now()
		run(e, 1260*time.Second)
		st := e.Snapshot().Source("fake")
		if st.Len() != 10000 {
			t.Fatalf("%d spaces have a part after 1,260 s at 8/s, want all 10,000", st.Len())
		}
		if want := 1250 * time.Second; st.ExpectedPass != want {
			t.Errorf("expected pass %v, want %v (10,000 calls at 8/s)", st.ExpectedPass, want)
		}
		src.mu.Lock()
		defer src.mu.Unlock()
		if len(src.calls) != 10000 {
			t.Errorf("%d calls, want 10,000: one per space, none again within the hour", len(src.calls))
		}
		// The limiter's burst is one: no second holds more than 8 calls.
		perSecond := map[int]int{}
		for _, at := range src.at {
			perSecond[int(at.Sub(start)/time.Second)]++
		}
		for s, n := range perSecond {
			if n > 9 {
				t.Errorf("%d calls in second %d, more than the rate of 8", n, s)
			}
		}
	})
}

func TestRunnerIsFairBetweenSpaces(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		// One space has 100 keys to call, nine others one call each: the
		// nine wait behind at most the big space's first call, not its 100.
		ids := spaceIDs(10)
		keys := map[string][]string{}
		for i := range 100 {
			keys[ids[0]] = append(keys[ids[0]], fmt.Sprint("key-", i))
		}
		e := newTestEngine(ids)
		src := &fakeSource{name: "fake", interval: time.Hour, keys: keys}
		e.Add(Config{Source: src, Pacer: client.NewLimiter(1), Rate: 1, Concurrency: 1, Interval: time.Hour, ForgetAfter: time.Hour})
		run(e, 25*time.Second)
		src.mu.Lock()
		defer src.mu.Unlock()
		first := map[string]int{}
		for i, c := range src.calls {
			if _, seen := first[c.Space]; !seen {
				first[c.Space] = i
			}
		}
		for _, id := range ids[1:] {
			if i, ok := first[id]; !ok || i > 10 {
				t.Errorf("space %s first called at call %d (called: %v), want among the first 11", id, i, ok)
			}
		}
		// The urgent keys go first, each space's first before any second.
		if len(src.calls) < 2 || src.calls[0].Key == "" {
			t.Errorf("first call %+v, want an urgent key", src.calls[0])
		}
	})
}

// TestHangingSourceNeverSlowsAnother runs two sources: one whose every call
// hangs, one that answers. The second makes its calls as if alone.
func TestHangingSourceNeverSlowsAnother(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ids := spaceIDs(50)
		e := newTestEngine(ids)
		hung := &fakeSource{name: "hung", interval: time.Minute, hang: true}
		healthy := &fakeSource{name: "healthy", interval: time.Minute}
		throttled := client.NewLimiter(10)
		for range 6 {
			throttled.Throttled()
		}
		e.Add(Config{Source: hung, Pacer: throttled, Rate: 10, Interval: time.Minute, ForgetAfter: time.Hour})
		e.Add(Config{Source: healthy, Pacer: client.NewLimiter(10), Rate: 10, Interval: time.Minute, ForgetAfter: time.Hour})
		run(e, 10*time.Second)
		if n := len(healthy.callsBySpace()); n != 50 {
			t.Errorf("the healthy source called %d spaces in 10 s at 10/s, want all 50 whatever the hung one does", n)
		}
		if st := e.Snapshot().Source("healthy"); st.Up() != 50 {
			t.Errorf("healthy source: %d spaces up, want 50", st.Up())
		}
		if st := e.Snapshot().Source("hung"); st.Len() != 0 {
			t.Errorf("hung source: %d parts, want none (no call answered)", st.Len())
		}
	})
}

func TestFailureKeepsTheLastData(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ids := spaceIDs(3)
		var mu sync.Mutex
		failing := false
		src := &fakeSource{name: "fake", interval: time.Minute, fail: func(space string) error {
			mu.Lock()
			defer mu.Unlock()
			if failing && space == ids[1] {
				return &client.Error{Code: "Ram.PermissionDeny", Message: "denied"}
			}
			return nil
		}}
		e := newTestEngine(ids)
		e.Add(Config{Source: src, Pacer: client.NewLimiter(10), Rate: 10, Interval: time.Minute, ForgetAfter: time.Hour})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { e.Run(ctx); close(done) }()
		time.Sleep(30 * time.Second)
		mu.Lock()
		failing = true
		mu.Unlock()
		time.Sleep(time.Minute)
		cancel()
		<-done
		st := e.Snapshot().Source("fake")
		p := st.Part(ids[1])
		if p == nil || p.Up || !p.HasData || p.Data != "data of "+ids[1] || p.LastError == nil || p.LastError.Code != "Ram.PermissionDeny" {
			t.Fatalf("failing space's part = %+v, want down with its last data and the error", p)
		}
		if !p.LastSuccess.Before(p.LastAttempt) {
			t.Errorf("last success %v not before last attempt %v", p.LastSuccess, p.LastAttempt)
		}
		if st.Up() != 2 {
			t.Errorf("%d spaces up, want the 2 others", st.Up())
		}
	})
}

func TestRemovedSpaceIsForgottenAfterItsGrace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		ids := spaceIDs(4)
		list := ids
		e := New(fixedFlows{(&snapshot.Snapshot{}).WithSpaces(nil)}, NewWatched(func() []string {
			mu.Lock()
			defer mu.Unlock()
			return list
		}, nil))
		src := &fakeSource{name: "fake", interval: time.Minute}
		r := e.Add(Config{Source: src, Pacer: client.NewLimiter(10), Rate: 10, Interval: time.Minute, ForgetAfter: 10 * time.Minute})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { e.Run(ctx); close(done) }()
		time.Sleep(10 * time.Second)
		mu.Lock()
		list = slices.Clone(ids[:2]) // cs-00002 and cs-00003 leave
		mu.Unlock()
		r.Wake()
		time.Sleep(5 * time.Minute)
		if st := r.State(); st.Len() != 2 {
			t.Errorf("%d parts 5 min after two spaces left, want the 2 watched", st.Len())
		}
		mu.Lock()
		list = slices.Clone(ids[:3]) // cs-00002 comes back within its grace
		mu.Unlock()
		r.Wake()
		time.Sleep(time.Second)
		if p := r.State().Part(ids[2]); p == nil || p.Data != "data of "+ids[2] {
			t.Errorf("cs-00002 back within its grace has part %+v, want its data kept", p)
		}
		calls := src.callsBySpace()[ids[2]]
		time.Sleep(10 * time.Minute)
		mu.Lock()
		list = slices.Clone(ids) // cs-00003 comes back after its grace
		mu.Unlock()
		r.Wake()
		time.Sleep(time.Second)
		cancel()
		<-done
		st := r.State()
		if got := src.callsBySpace()[ids[2]]; got-calls != 10 {
			t.Errorf("cs-00002 called %d times in the 10 min after its return, want 10 (its data was fresh)", got-calls)
		}
		if p := st.Part(ids[3]); p == nil || src.callsBySpace()[ids[3]] != 2 {
			t.Errorf("cs-00003 back after its grace: part %+v after %d calls; want it called afresh at once (2 calls in all)", p, src.callsBySpace()[ids[3]])
		}
	})
}

func TestRunOnceCallsEverySpaceOnceAfterWhatItNeeds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ids := spaceIDs(20)
		e := newTestEngine(ids)
		first := &fakeSource{name: "first", interval: time.Hour}
		second := &fakeSource{name: "second", interval: time.Hour, needs: []string{"first", "not-wired"}}
		e.Add(Config{Source: second, Pacer: client.NewLimiter(100), Rate: 100, Interval: time.Hour, ForgetAfter: time.Hour})
		e.Add(Config{Source: first, Pacer: client.NewLimiter(100), Rate: 100, Interval: time.Hour, ForgetAfter: time.Hour})
		snap := e.RunOnce(context.Background())
		for _, src := range []*fakeSource{first, second} {
			counts := src.callsBySpace()
			for _, id := range ids {
				if counts[id] != 1 {
					t.Errorf("%s called %s %d times, want once", src.name, id, counts[id])
				}
			}
			if st := snap.Source(src.name); st.Len() != 20 {
				t.Errorf("%s: %d parts in the snapshot RunOnce returned, want 20", src.name, st.Len())
			}
		}
		if last, firstOfSecond := first.at[len(first.at)-1], second.at[0]; firstOfSecond.Before(last) {
			t.Errorf("the second source called at %v, before the first ended at %v", firstOfSecond, last)
		}
	})
}

func TestEngineSnapshotIsMadeAgainOnlyOnChange(t *testing.T) {
	e := newTestEngine(spaceIDs(2))
	r := e.Add(Config{Source: &fakeSource{name: "fake", interval: time.Hour}, Rate: 1})
	a, b := e.Snapshot(), e.Snapshot()
	if a != b {
		t.Fatal("two snapshots without a change differ")
	}
	r.Restore(map[string]*snapshot.SpacePart{"cs-00000": {Up: true, HasData: true, Data: "x"}})
	c := e.Snapshot()
	if c == a || c.Source("fake").Part("cs-00000") == nil {
		t.Fatal("a restore did not make a new snapshot with the part")
	}
	if a.Source("fake").Part("cs-00000") != nil {
		t.Fatal("the earlier snapshot changed: snapshots must be immutable")
	}
}

func TestAppliedKeepsDataOnFailure(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	ok := Applied(nil, Done{Task: Task{Space: "a"}, At: t0, Value: 7}, 7)
	if !ok.Up || !ok.HasData || ok.Data != 7 || !ok.LastSuccess.Equal(t0) || ok.LastError != nil {
		t.Fatalf("success: %+v", ok)
	}
	t1 := t0.Add(time.Minute)
	bad := Applied(ok, Done{Task: Task{Space: "a"}, At: t1, Err: errors.New("boom")}, nil)
	if bad.Up || !bad.HasData || bad.Data != 7 || !bad.LastSuccess.Equal(t0) || !bad.LastAttempt.Equal(t1) || bad.LastError == nil {
		t.Fatalf("failure after success: %+v", bad)
	}
	if ok.LastError != nil || !ok.Up {
		t.Fatal("Applied changed prev")
	}
	never := Applied(nil, Done{Task: Task{Space: "a"}, At: t1, Err: errors.New("boom")}, nil)
	if never.Up || never.HasData || never.Data != nil {
		t.Fatalf("first attempt failed: %+v", never)
	}
}

func TestDueEvery(t *testing.T) {
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name     string
		attempt  time.Time
		wantDue  bool
		wantNext time.Time
	}{
		{"never", time.Time{}, true, time.Time{}},
		{"fresh", now.Add(-time.Minute), false, now.Add(14 * time.Minute)},
		{"exactly due", now.Add(-15 * time.Minute), true, time.Time{}},
		{"stale", now.Add(-time.Hour), true, time.Time{}},
		{"from the future", now.Add(time.Hour), true, time.Time{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var part *snapshot.SpacePart
			if !tc.attempt.IsZero() {
				part = &snapshot.SpacePart{LastAttempt: tc.attempt}
			}
			tasks, next, calls := DueEvery(nil, "s", part, 15*time.Minute, now)
			if (len(tasks) == 1) != tc.wantDue || !next.Equal(tc.wantNext) || calls != 1 {
				t.Errorf("due %v next %v calls %g; want due %v next %v calls 1", len(tasks) == 1, next, calls, tc.wantDue, tc.wantNext)
			}
		})
	}
}

func TestOwnSpaceHasNoCall(t *testing.T) {
	tasks, next, calls := DueEvery(nil, "", nil, time.Minute, time.Now())
	if len(tasks) != 0 || !next.IsZero() || calls != 0 {
		t.Errorf("own space: %d tasks, next %v, %g calls; want none (no CustSpaceId to send)", len(tasks), next, calls)
	}
}

func TestCallOrder(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	calls := []ranked{
		{Task: Task{Space: "b", Last: t0}, turn: 0},
		{Task: Task{Space: "a", Key: "2", Urgent: true}, turn: 1},
		{Task: Task{Space: "c"}, turn: 0},
		{Task: Task{Space: "a", Key: "1", Urgent: true}, turn: 0},
		{Task: Task{Space: "d", Last: t0.Add(time.Hour)}, turn: 0},
		{Task: Task{Space: "a", Last: t0}, turn: 2},
	}
	q := &firstn.Keeper[ranked]{Max: 5, Before: before}
	for _, c := range calls {
		q.Offer(c)
	}
	var got []string
	for _, c := range tasksOf(q.Sorted()) {
		got = append(got, c.Space+c.Key)
	}
	// By turn, urgent first within a turn, then the stalest (never
	// before t0 before t0+1h); a's third call is the one of the six that
	// does not fit in five.
	want := []string{"a1", "c", "b", "d", "a2"}
	if !slices.Equal(got, want) {
		t.Errorf("order %v, want %v", got, want)
	}
}
