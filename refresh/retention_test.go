package refresh

import (
	"fmt"
	"maps"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/internal/fakeclock"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// watchList is a list of spaces a test changes as the spaces file and
// discovery do (a new slice each time), and whether it is complete.
type watchList struct {
	mu         sync.Mutex
	ids        []string
	incomplete bool
}

func (w *watchList) spaces() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.ids
}

func (w *watchList) complete() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return !w.incomplete
}

func (w *watchList) set(ids ...string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.ids = slices.Clone(ids)
}

func (w *watchList) setComplete(ids ...string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.ids, w.incomplete = slices.Clone(ids), false
}

// held counts the entries of every collection of a refresher that holds
// spaces: none may grow with the spaces ever seen.
type held struct {
	states, inflight, pending, table, retained, gone, goneOrder int
}

func heldBy(r *Refresher) held {
	r.mu.Lock()
	defer r.mu.Unlock()
	return held{states: len(r.states), inflight: len(r.inflight), pending: len(r.pass.pending), table: r.table.Len(),
		retained: r.retained.Len(), gone: len(r.gone.since), goneOrder: r.gone.order.Len()}
}

// listAt records a successful listing of each space at now, with flows
// and categories, as the scheduler would.
func listAt(r *Refresher, now time.Time, ids ...string) {
	flows := make([]client.Flow, 10)
	for i := range flows {
		flows[i] = client.Flow{FlowID: fmt.Sprintf("flow-%02d", i), Categories: []string{"SIGN_UP", "SURVEY"}}
	}
	for _, id := range ids {
		r.record(listResult{space: id, flows: flows, pages: 1, start: now, finish: now})
	}
}

func churnIDs(from, n int) []string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("cams-%06d", from+i)
	}
	return ids
}

func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// The spaces file churns: 300 spaces watched at a time, a new 300 every 30
// seconds, 60,000 ids seen over 100 minutes. What the refresher holds stays
// that of the 300 watched and of the most recently gone, at most
// minGoneKept of them (they all went within the grace, an hour): no
// collection grows with the ids ever seen, and neither does the live heap
// (which kept about 1 KB per id seen before).
func TestChurnKeepsStatesBounded(t *testing.T) {
	const watched, steps = 300, 200
	clock := fakeclock.New(time.Unix(1_800_000_000, 0))
	list := &watchList{}
	r := New(Config{Lister: &fakeLister{}, Spaces: list.spaces, Interval: time.Minute, PageSize: 100, Rate: 4,
		PublishEvery: time.Hour, Now: clock.Now})
	var heapEarly uint64
	for step := range steps {
		ids := churnIDs(step*watched, watched)
		list.set(ids...)
		r.flush()
		listAt(r, clock.Now(), ids...)
		r.flush()
		clock.Advance(30 * time.Second)
		if step == 19 {
			heapEarly = liveHeap()
		}
	}
	heapLate := liveHeap()
	h := heldBy(r)
	t.Logf("after %d ids: %+v; live heap %.1f MB after 6,000 ids, %.1f MB after 60,000", steps*watched, h, float64(heapEarly)/(1<<20), float64(heapLate)/(1<<20))
	want := held{states: watched + minGoneKept, table: watched, retained: minGoneKept, gone: minGoneKept}
	if h.goneOrder > 2*minGoneKept+1024 {
		t.Errorf("the log of gone spaces holds %d entries for %d spaces gone", h.goneOrder, h.gone)
	}
	h.goneOrder = 0
	if h != want {
		t.Errorf("held %+v, want %+v", h, want)
	}
	// The ones kept are the last gone: the 900 that went in the last three
	// steps, and 100 of the 300 that went together the step before.
	snap := r.Snapshot()
	lastThree, fourth := churnIDs((steps-4)*watched, 3*watched), churnIDs((steps-5)*watched, watched)
	retained := maps.Collect(snap.Retained())
	fromFourth := 0
	for _, id := range fourth {
		if retained[id] != nil {
			fromFourth++
		}
	}
	for _, id := range lastThree {
		if retained[id] == nil {
			t.Fatalf("%s, among the last gone, was forgotten before older ones", id)
		}
	}
	if fromFourth != minGoneKept-3*watched {
		t.Errorf("%d kept of the spaces gone four steps ago, want %d", fromFourth, minGoneKept-3*watched)
	}
	if snap.Len() != watched || snap.Counts() != (snapshot.SpaceCounts{Up: watched}) {
		t.Errorf("snapshot: %d spaces, counts %+v; want the %d watched, up", snap.Len(), snap.Counts(), watched)
	}
	// Kept, 1,300 states take about 1 MB; the 60,000 ids seen took 57 MB.
	if grew := int64(heapLate) - int64(heapEarly); grew > 8<<20 {
		t.Errorf("the live heap grew by %.1f MB from 6,000 ids seen to 60,000", float64(grew)/(1<<20))
	}
}

func first(ids []string) string {
	if len(ids) == 0 {
		return "none"
	}
	return ids[0]
}

// Spaces leave the list slowly (10 every 5 minutes): each is kept exactly
// while it has been gone less than the grace, an hour, and forgotten at
// the first publish after.
func TestGoneSpacesAreKeptForTheGrace(t *testing.T) {
	clock := fakeclock.New(time.Unix(1_800_000_000, 0))
	list := &watchList{}
	r := New(Config{Lister: &fakeLister{}, Spaces: list.spaces, Interval: time.Minute, PublishEvery: time.Hour, Now: clock.Now})
	const watched, leave = 300, 10
	leftAt := map[string]time.Time{}
	for step := range 40 {
		ids := churnIDs(step*leave, watched)
		for _, id := range churnIDs((step-1)*leave, leave) {
			if step > 0 {
				leftAt[id] = clock.Now()
			}
		}
		list.set(ids...)
		r.flush()
		if step == 0 {
			listAt(r, clock.Now(), ids...)
		} else {
			listAt(r, clock.Now(), ids[watched-leave:]...) // the new ones
		}
		r.flush()
		want := []string{}
		for id, at := range leftAt {
			if clock.Now().Sub(at) < DefaultForgetAfter {
				want = append(want, id)
			}
		}
		slices.Sort(want)
		if got := slices.Sorted(maps.Keys(maps.Collect(r.Snapshot().Retained()))); !slices.Equal(got, want) {
			t.Fatalf("step %d: %d retained from %s, want %d from %s", step, len(got), first(got), len(want), first(want))
		}
		clock.Advance(5 * time.Minute)
	}
}

// A space removed and re-added within the grace keeps its data (the very
// state, counters and all); removed for the whole grace, it is forgotten
// and pending again when it comes back, listed before the others.
func TestReaddedSpaceKeepsItsDataWithinTheGrace(t *testing.T) {
	clock := fakeclock.New(time.Unix(1_800_000_000, 0))
	list := &watchList{}
	list.set("a", "x")
	r := New(Config{Lister: &fakeLister{}, Spaces: list.spaces, Interval: time.Minute, PublishEvery: time.Hour, Now: clock.Now})
	listAt(r, clock.Now(), "a", "x")
	r.flush()
	kept := r.Snapshot().Space("x")

	list.set("a")
	r.flush()
	snap := r.Snapshot()
	if snap.Space("x") != nil || snap.Len() != 1 || snap.Counts() != (snapshot.SpaceCounts{Up: 1}) {
		t.Fatalf("removed: x in the snapshot (%v), %d spaces, counts %+v; want it out of every count", snap.Space("x") != nil, snap.Len(), snap.Counts())
	}
	if got := maps.Collect(snap.Retained()); len(got) != 1 || got["x"] != kept {
		t.Fatalf("removed: retained %v, want x's state", got)
	}
	clock.Advance(DefaultForgetAfter - time.Second)
	r.flush()
	list.set("a", "x")
	r.flush()
	snap = r.Snapshot()
	if snap.Space("x") != kept || snap.Pending != 0 || maps.Collect(snap.Retained())["x"] != nil {
		t.Fatalf("re-added within the grace: state %p (want %p), %d pending, retained %v", snap.Space("x"), kept, snap.Pending, maps.Collect(snap.Retained()))
	}

	list.set("a")
	r.flush()
	clock.Advance(DefaultForgetAfter)
	list.set("a", "x")
	r.flush()
	snap = r.Snapshot()
	if snap.Space("x") != nil || snap.Pending != 1 || heldBy(r).states != 1 {
		t.Fatalf("re-added after the grace: state %v, %d pending, %d states held; want pending, forgotten", snap.Space("x"), snap.Pending, heldBy(r).states)
	}
	clock.Advance(time.Minute) // a is due again too
	if due, _ := r.due(); !slices.Equal(due, []string{"x", "a"}) {
		t.Errorf("due %v, want x (never listed) first", due)
	}
}

// Until the list is complete (discovery has not answered), a space missing
// from it may be one not found yet: restored states of spaces not in it
// are kept however long that takes, and saved. Once it is complete, a
// space absent from it is gone, and its grace starts then.
func TestIncompleteListKeepsRestoredStates(t *testing.T) {
	clock := fakeclock.New(time.Unix(1_800_000_000, 0))
	list := &watchList{incomplete: true}
	list.set("explicit")
	r := New(Config{Lister: &fakeLister{}, Spaces: list.spaces, SpacesComplete: list.complete, Interval: time.Minute,
		PublishEvery: time.Hour, Now: clock.Now})
	at := clock.Now().Add(-time.Minute)
	restored := map[string]*snapshot.SpaceState{}
	for _, id := range []string{"explicit", "found", "departed"} {
		restored[id] = &snapshot.SpaceState{ID: id, HasData: true, Up: true, Count: 3, LastSuccess: at, LastAttempt: at}
	}
	r.Restore(restored)
	check := func(what string, all, retained []string) {
		t.Helper()
		snap := r.Snapshot()
		if got := snap.SpaceIDs(); !slices.Equal(got, all) {
			t.Errorf("%s: spaces %v, want %v", what, got, all)
		}
		if got := slices.Sorted(maps.Keys(maps.Collect(snap.Retained()))); !slices.Equal(got, retained) {
			t.Errorf("%s: retained %v, want %v", what, got, retained)
		}
		for id, st := range snap.Kept() {
			if st != restored[id] {
				t.Errorf("%s: %s's state is not the restored one", what, id)
			}
		}
	}
	check("restored, list incomplete", []string{"explicit"}, []string{"departed", "found"})
	clock.Advance(100 * DefaultForgetAfter)
	r.flush()
	check("a long discovery outage", []string{"explicit"}, []string{"departed", "found"})

	list.setComplete("explicit", "found")
	r.flush()
	check("discovery answered", []string{"explicit", "found"}, []string{"departed"})
	clock.Advance(DefaultForgetAfter - time.Second)
	r.flush()
	check("within the grace", []string{"explicit", "found"}, []string{"departed"})
	clock.Advance(time.Second)
	r.flush()
	check("after the grace", []string{"explicit", "found"}, []string{})
	if h := heldBy(r); h.states != 2 || h.gone != 0 || h.retained != 0 {
		t.Errorf("held %+v after the grace, want the 2 watched only", h)
	}
}

// A start-up list shorter than the cache (a spaces file read while it was
// rewritten, 300 of 5,000 ids) keeps the other cached spaces for their
// grace, not only the most gone spaces a list of 300 would keep: when the
// whole list comes back, every space has its data, none is pending.
func TestRestoreKeepsTheCachedSpacesForTheirGrace(t *testing.T) {
	clock := fakeclock.New(time.Unix(1_800_000_000, 0))
	list := &watchList{}
	list.set(churnIDs(0, 300)...)
	r := New(Config{Lister: &fakeLister{}, Spaces: list.spaces, Interval: time.Minute, PublishEvery: time.Hour, Now: clock.Now})
	at := clock.Now().Add(-time.Minute)
	restored := map[string]*snapshot.SpaceState{}
	for _, id := range churnIDs(0, 5000) {
		restored[id] = &snapshot.SpaceState{ID: id, HasData: true, Up: true, LastSuccess: at, LastAttempt: at}
	}
	r.Restore(restored)
	snap := r.Snapshot()
	if n := len(maps.Collect(snap.Retained())); snap.Len() != 300 || n != 4700 {
		t.Errorf("restored 5,000 spaces with 300 watched: %d in the snapshot, %d retained; want 300 and 4,700", snap.Len(), n)
	}
	clock.Advance(time.Minute)
	list.set(churnIDs(0, 5000)...)
	r.flush()
	if snap := r.Snapshot(); snap.Len() != 5000 || snap.Pending != 0 {
		t.Errorf("the whole list back: %d spaces with data, %d pending; want 5,000 and 0", snap.Len(), snap.Pending)
	}
}

// A space that leaves and comes back again and again within its grace
// keeps its data each time, and the log of gone spaces does not grow with
// the times it went, though a space gone for good heads it (y, which
// leaves first and stays away).
func TestFlappingSpaceKeepsItsDataAndTheLogStaysSmall(t *testing.T) {
	clock := fakeclock.New(time.Unix(1_800_000_000, 0))
	list := &watchList{}
	list.set("a", "x", "y")
	r := New(Config{Lister: &fakeLister{}, Spaces: list.spaces, Interval: time.Minute, PublishEvery: time.Hour, Now: clock.Now})
	listAt(r, clock.Now(), "a", "x", "y")
	r.flush()
	kept := r.Snapshot().Space("x")
	list.set("a", "x")
	r.flush()
	const flaps = 3000 // a second each: all within y's grace
	for flap := range flaps {
		list.set("a")
		r.flush()
		clock.Advance(time.Second)
		list.set("a", "x")
		r.flush()
		if r.Snapshot().Space("x") != kept {
			t.Fatalf("flap %d: x lost its data", flap)
		}
	}
	if h := heldBy(r); h.goneOrder > 2+1024 || h.gone != 1 || h.states != 3 {
		t.Errorf("after %d flaps: %+v; want y gone, and a log of a few entries", flaps, h)
	}
	if got := maps.Collect(r.Snapshot().Retained()); len(got) != 1 || got["y"] == nil {
		t.Errorf("retained %v, want y", got)
	}
}
