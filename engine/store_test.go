package engine

import (
	"context"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/internal/firstn"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// checkEvery is how often flowsSource calls each flow.
const checkEvery = 30 * time.Minute

// flowsSource is a source whose parts live in a Store, as GetFlow's do:
// one call per flow of the space's state in the store's snapshot (Key:
// the flow), due once its check (Statuses.Checked) is checkEvery old, a
// flow never checked or checked later than now first. It records its
// calls.
type flowsSource struct {
	mu    sync.Mutex
	calls []taskKey
}

func (*flowsSource) Name() string      { return "flows" }
func (*flowsSource) Operation() string { return "GetFlows" }
func (s *flowsSource) Call(_ context.Context, t Task) (any, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls = append(s.calls, t.key())
	return nil, nil
}
func (*flowsSource) Apply(string, *snapshot.SpacePart, []Done, *snapshot.Snapshot) *snapshot.SpacePart {
	panic("a source with a Store is never asked to apply")
}

func (*flowsSource) Due(dst []Task, space string, part *snapshot.SpacePart, snap *snapshot.Snapshot, now time.Time) ([]Task, time.Time, float64) {
	if part != nil {
		panic("a source with a Store has no part")
	}
	st := snap.Space(space)
	if st == nil {
		return dst, time.Time{}, 0
	}
	next := int64(math.MaxInt64)
	for i, id := range st.FlowIDs {
		switch checked := st.Statuses.Checked(i); {
		case checked == 0 || checked > now.Unix():
			dst = append(dst, Task{Space: space, Key: id})
		case checked+int64(checkEvery/time.Second) <= now.Unix():
			dst = append(dst, Task{Space: space, Key: id, Last: time.Unix(checked, 0)})
		default:
			next = min(next, checked+int64(checkEvery/time.Second))
		}
	}
	if next == math.MaxInt64 {
		return dst, time.Time{}, float64(len(st.FlowIDs))
	}
	return dst, time.Unix(next, 0), float64(len(st.FlowIDs))
}

func (*flowsSource) Once(dst []Task, space string, snap *snapshot.Snapshot, now time.Time) ([]Task, float64) {
	st := snap.Space(space)
	if st == nil {
		return dst, 0
	}
	for i, id := range st.FlowIDs {
		t := Task{Space: space, Key: id}
		if checked := st.Statuses.Checked(i); checked != 0 && checked <= now.Unix() {
			t.Last = time.Unix(checked, 0)
		}
		dst = append(dst, t)
	}
	return dst, float64(len(st.FlowIDs))
}

// flowsStore keeps the flows of each space and when each was checked
// (model), and publishes them as the spaces' states of a snapshot, as the
// refresher keeps GetFlow's statuses.
type flowsStore struct {
	mu      sync.Mutex
	model   map[string]map[string]int64
	snap    *snapshot.Snapshot
	pass    time.Duration
	applied int // results applied
}

func newFlowsStore(model map[string]map[string]int64) *flowsStore {
	s := &flowsStore{model: model, snap: (&snapshot.Snapshot{}).WithSpaces(nil)}
	s.publish(slices.Collect(maps.Keys(model)))
	return s
}

func (s *flowsStore) Snapshot() *snapshot.Snapshot {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.snap
}

func (s *flowsStore) Apply(bySpace map[string][]Done, pass time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pass = pass
	var spaces []string
	for space, done := range bySpace {
		for _, d := range done {
			if _, listed := s.model[space][d.Key]; listed {
				s.model[space][d.Key] = d.At.Unix()
				s.applied++
			}
		}
		spaces = append(spaces, space)
	}
	s.publishLocked(spaces)
}

// list sets the flows of space, as a listing would: flows kept keep their
// checks, new ones were never checked.
func (s *flowsStore) list(space string, flows []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	next := map[string]int64{}
	for _, f := range flows {
		next[f] = s.model[space][f]
	}
	s.model[space] = next
	s.publishLocked([]string{space})
}

func (s *flowsStore) publish(spaces []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.publishLocked(spaces)
}

func (s *flowsStore) publishLocked(spaces []string) {
	changed := map[string]*snapshot.SpaceState{}
	for _, space := range spaces {
		ids := slices.Sorted(maps.Keys(s.model[space]))
		checked := make([]int64, len(ids))
		for i, id := range ids {
			checked[i] = s.model[space][id]
		}
		fs, err := snapshot.NewFlowStatuses(make([]string, len(ids)), checked, nil)
		if err != nil {
			panic(err)
		}
		changed[space] = &snapshot.SpaceState{ID: space, HasData: true, Up: true, Count: len(ids), FlowIDs: ids, Statuses: fs}
	}
	s.snap = s.snap.WithChanged(changed)
}

// A runner whose parts are in a Store, ranking across spaces, runs its
// looks through random changes of 3,000 spaces of 0 to 7 flows (checks
// applied through the store, listings that add and drop flows, the list,
// time, calls in flight): after each, the calls it queues are the stalest
// of every space's, whatever their space, its expected pass and next due
// time those a look at every space gives, a listing's new flows (the only
// ones never checked, with those checked later than now) are queued at the
// next look, and the runner's own state stays empty.
func TestStoreRunnerChoosesAcrossSpacesAsAFullScan(t *testing.T) {
	now := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	rng := rand.New(rand.NewPCG(18, 3))
	all := spaceIDs(3000)
	ids := slices.Clone(all[:2700])
	model := map[string]map[string]int64{}
	for _, id := range all {
		model[id] = map[string]int64{}
		for f := range rng.IntN(8) {
			// Checked up to two intervals ago, some later than now (not
			// trusted): the flows never checked are those listings add.
			model[id][fmt.Sprintf("f%d", f)] = now.Unix() + 60 - rng.Int64N(int64(2*checkEvery/time.Second))
		}
	}
	store := newFlowsStore(model)
	r := NewRunner(Config{
		Source: &flowsSource{}, Store: store, AcrossSpaces: true, Rate: 4, Interval: checkEvery, ForgetAfter: time.Hour,
		Watched: NewWatched(func() []string { return ids }, nil),
		Now:     func() time.Time { return now },
	})
	newFlow := 0
	var listed []taskKey // the flows a listing added since the last look
	for step := range 200 {
		snap := store.Snapshot()
		r.mu.Lock()
		r.scanLocked(now, false)
		want, calls, soonest := fullScan(r, ids, snap, now, r.queueLen(), false)
		got, pass, nextDue := slices.Clone(r.queue), r.pass, r.nextDue
		r.mu.Unlock()
		if !slices.EqualFunc(got, want, func(a, b Task) bool { return a.key() == b.key() }) {
			t.Fatalf("step %d: queued %d calls, first %v; a full scan queues %d, first %v", step, len(got), head(got), len(want), head(want))
		}
		if wantPass := time.Duration(calls / 4 * float64(time.Second)); absDuration(pass-wantPass) > time.Millisecond {
			t.Fatalf("step %d: expected pass %v, a full scan says %v", step, pass, wantPass)
		}
		if !soonest.IsZero() && !nextDue.Equal(soonest) {
			t.Fatalf("step %d: next due %v, a full scan says %v", step, nextDue, soonest)
		}
		for _, k := range listed {
			if slices.ContainsFunc(ids, func(id string) bool { return id == k.space }) && !slices.ContainsFunc(got, func(t Task) bool { return t.key() == k }) {
				t.Fatalf("step %d: flow %v, new in a listing, is not queued", step, k)
			}
		}
		if r.State().Len() != 0 {
			t.Fatalf("step %d: the runner's own state has %d parts; the store keeps them", step, r.State().Len())
		}
		now = now.Add(time.Duration(rng.IntN(120)) * time.Second)
		// Half the queue was called and comes back; a few calls stay in
		// flight.
		var batch []Done
		for _, c := range got[:len(got)/2] {
			batch = append(batch, Done{Task: c, At: now})
		}
		r.mu.Lock()
		r.inflight = map[taskKey]struct{}{}
		for _, c := range got {
			r.inflight[c.key()] = struct{}{}
		}
		r.mu.Unlock()
		r.apply(batch)
		r.mu.Lock()
		r.inflight = map[taskKey]struct{}{}
		for _, c := range got[len(got)/2:][:min(len(got)/2, rng.IntN(8))] {
			r.inflight[c.key()] = struct{}{}
		}
		r.mu.Unlock()
		// A few listings: a flow dropped, one added (never checked).
		listed = listed[:0]
		for range rng.IntN(4) {
			space := all[rng.IntN(len(all))]
			flows := slices.Sorted(maps.Keys(store.model[space]))
			if len(flows) > 0 {
				flows = slices.Delete(flows, 0, 1)
			}
			newFlow++
			added := fmt.Sprintf("new%d", newFlow)
			store.list(space, append(flows, added))
			listed = append(listed, taskKey{space, added})
		}
		if step%25 == 24 {
			ids = slices.Clone(all[rng.IntN(300) : 2700+rng.IntN(300)])
		}
	}
	if store.applied == 0 || store.pass == 0 {
		t.Errorf("the store applied %d results, pass %v", store.applied, store.pass)
	}
}

// RunOnce of a runner whose parts are in a Store calls every flow of every
// watched space once, those checked just now too (Oncer), and the store
// gets every result; it ends once the last call returns, not an
// ApplyEvery (here an hour) later.
func TestStoreRunOnceCallsEveryFlow(t *testing.T) {
	now := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	ids := spaceIDs(300)
	model := map[string]map[string]int64{}
	var want []taskKey
	for i, id := range ids {
		model[id] = map[string]int64{}
		for f := range i % 5 {
			model[id][fmt.Sprintf("f%d", f)] = now.Unix() - int64(f) // fresh: Due would not call them
			want = append(want, taskKey{id, fmt.Sprintf("f%d", f)})
		}
	}
	store := newFlowsStore(model)
	src := &flowsSource{}
	r := NewRunner(Config{Source: src, Store: store, AcrossSpaces: true, Rate: 50, Interval: checkEvery, ApplyEvery: time.Hour,
		Watched: NewWatched(func() []string { return ids }, nil), Now: func() time.Time { return now }})
	done := make(chan struct{})
	go func() { r.RunOnce(context.Background()); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Minute):
		t.Fatal("RunOnce did not end within a minute of its calls: it waits for ApplyEvery")
	}
	cmpKeys := func(a, b taskKey) int {
		if a.space != b.space {
			return compareStrings(a.space, b.space)
		}
		return compareStrings(a.key, b.key)
	}
	got := slices.SortedFunc(slices.Values(src.calls), cmpKeys)
	slices.SortFunc(want, cmpKeys)
	if !slices.Equal(got, want) {
		t.Errorf("%d calls, want each of the %d flows once", len(got), len(want))
	}
	if store.applied != len(want) {
		t.Errorf("the store applied %d results, want %d", store.applied, len(want))
	}
	if wantPass := time.Duration(float64(len(want)) / 50 * float64(time.Second)); store.pass != wantPass {
		t.Errorf("expected pass %v, want %v", store.pass, wantPass)
	}
}

func compareStrings(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// BenchmarkStoreLook measures one look of a runner whose parts are in a
// Store, ranking across spaces, as GetFlow's checker: an account whose
// checks spread over two intervals (a pass longer than the interval, so
// that flows are always due), 60 calls (15 s at 4/s) applied through the
// store since the last look. With the index, the look asks Due of the
// spaces whose flows' states changed and of those chosen, beside a look
// that asks every space (GetFlow's checker before the engine ran it).
func BenchmarkStoreLook(b *testing.B) {
	for _, size := range []struct{ spaces, flows int }{{10000, 50}, {200000, 5}} {
		name := fmt.Sprintf("%dx%d", size.spaces, size.flows)
		b.Run(name+"/index", func(b *testing.B) { benchmarkStoreLook(b, size.spaces, size.flows, false) })
		b.Run(name+"/every-space", func(b *testing.B) { benchmarkStoreLook(b, size.spaces, size.flows, true) })
	}
}

func benchmarkStoreLook(b *testing.B, spaces, flows int, everySpace bool) {
	now := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	ids := spaceIDs(spaces)
	rng := rand.New(rand.NewPCG(18, 4))
	model := make(map[string]map[string]int64, spaces)
	for _, id := range ids {
		model[id] = make(map[string]int64, flows)
		for f := range flows {
			model[id][fmt.Sprintf("%04d", f)] = now.Unix() - rng.Int64N(int64(2*checkEvery/time.Second))
		}
	}
	store := newFlowsStore(model)
	r := NewRunner(Config{
		Source: &flowsSource{}, Store: store, AcrossSpaces: true, Rate: 4, Interval: checkEvery,
		Watched: NewWatched(func() []string { return ids }, nil),
		Now:     func() time.Time { return now },
	})
	r.mu.Lock()
	r.scanLocked(now, false)
	r.mu.Unlock()
	b.ResetTimer()
	for b.Loop() {
		now = now.Add(15 * time.Second)
		var batch []Done
		for _, t := range r.queue[:min(60, len(r.queue))] {
			batch = append(batch, Done{Task: t, At: now})
		}
		r.apply(batch)
		r.mu.Lock()
		if everySpace {
			snap := store.Snapshot()
			chosen := &firstn.Keeper[ranked]{Max: r.queueLen(), Before: before}
			var tasks []Task
			for _, id := range ids {
				tasks, _, _ = r.dueLocked(tasks[:0], id, nil, snap, now)
				r.offerLocked(chosen, tasks, false)
			}
			r.queue = tasksOf(chosen.Sorted())
		} else {
			r.scanLocked(now, false)
		}
		r.mu.Unlock()
	}
}
