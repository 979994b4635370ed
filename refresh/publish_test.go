package refresh

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// publishModel is what the test knows of a refresher it drives: the spaces
// it recorded or restored, and the list of spaces watched.
type publishModel struct {
	r        *Refresher
	mu       sync.Mutex
	watched  []string
	most     int             // the most spaces watched at once
	known    map[string]bool // recorded in this run, or restored
	pageSize int
	rate     float64
}

func (m *publishModel) spaces() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.watched
}

// setWatched replaces the list, as the spaces file and discovery do: a new
// slice.
func (m *publishModel) setWatched(ids []string) {
	m.mu.Lock()
	m.watched = slices.Clone(ids)
	m.most = max(m.most, len(ids))
	m.mu.Unlock()
}

// want is the snapshot a publish must make now, from scratch: every watched
// space known, with its last state; the watched spaces not known pending;
// the counts; the expected pass at one call per full page plus one, or the
// pages of the last listing if more, and a call per pending space.
//
// The known spaces not watched are retained, with their last state: none
// is gone for the grace (an hour) in the test, nor are there more than the
// most spaces watched at once.
func (m *publishModel) want() (states, retained map[string]*snapshot.SpaceState, c snapshot.SpaceCounts, pass time.Duration) {
	m.r.mu.Lock()
	defer m.r.mu.Unlock()
	states, retained = map[string]*snapshot.SpaceState{}, map[string]*snapshot.SpaceState{}
	watched := map[string]bool{}
	calls := 0
	for _, id := range m.spaces() {
		watched[id] = true
		if !m.known[id] {
			continue
		}
		st := m.r.states[id]
		states[id] = st
		if st.Up {
			c.Up++
		} else {
			c.Down++
		}
		calls += max(st.Count/m.pageSize+1, st.Pages)
	}
	for id := range m.known {
		if !watched[id] {
			retained[id] = m.r.states[id]
		}
	}
	c.Pending = len(watched) - len(states)
	calls += c.Pending
	return states, retained, c, time.Duration(float64(calls) / m.rate * float64(time.Second))
}

// checkSnapshot checks that snap holds exactly states and counts c,
// through every accessor.
func checkSnapshot(t *testing.T, what string, snap *snapshot.Snapshot, states map[string]*snapshot.SpaceState, c snapshot.SpaceCounts) {
	t.Helper()
	got := maps.Collect(snap.All())
	if !maps.Equal(got, states) {
		t.Fatalf("%s: %d spaces, want %d (or other states)", what, len(got), len(states))
	}
	if snap.Len() != len(states) || snap.Counts() != c {
		t.Fatalf("%s: %d spaces, counts %+v; want %d and %+v", what, snap.Len(), snap.Counts(), len(states), c)
	}
	noData := 0
	for id, st := range states {
		if snap.Space(id) != st {
			t.Fatalf("%s: Space(%q) is not its state", what, id)
		}
		if !st.HasData {
			noData++
		}
	}
	if snap.WithoutData() != noData {
		t.Fatalf("%s: %d without data, want %d", what, snap.WithoutData(), noData)
	}
}

// consistent reports whether a snapshot agrees with itself: its counts
// with its spaces. Readers call it while snapshots are published.
func consistent(snap *snapshot.Snapshot) bool {
	var c snapshot.SpaceCounts
	for id, st := range snap.All() {
		if snap.Space(id) != st {
			return false
		}
		if st.Up {
			c.Up++
		} else {
			c.Down++
		}
	}
	c.Pending = snap.Pending
	return c == snap.Counts() && c.Up+c.Down == snap.Len()
}

// TestPublishMatchesFromScratch drives a refresher through a restore
// (watched and unwatched spaces), listings that succeed and fail, and
// spaces joining and leaving the list, publishing at random: every
// snapshot holds what one made from scratch holds, while readers read
// snapshots concurrently (race detector), and no published snapshot
// changes afterwards.
func TestPublishMatchesFromScratch(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	universe := make([]string, 3000)
	for i := range universe {
		universe[i] = fmt.Sprintf("cams-%d", i)
	}
	m := &publishModel{known: map[string]bool{}, pageSize: 10, rate: 4}
	m.setWatched(universe[:2000])
	m.r = New(Config{Lister: &fakeLister{}, Spaces: m.spaces, PageSize: m.pageSize, Rate: m.rate, PublishEvery: time.Hour, Interval: time.Minute})
	r := m.r
	now := time.Now().Add(-time.Hour)
	restored := map[string]*snapshot.SpaceState{}
	for _, i := range rng.Perm(len(universe))[:800] {
		id := universe[i]
		at := now.Add(-time.Duration(rng.IntN(3600)) * time.Second)
		restored[id] = &snapshot.SpaceState{ID: id, HasData: true, Up: rng.IntN(4) > 0, Count: rng.IntN(40), LastSuccess: at, LastAttempt: at}
		m.known[id] = true
	}
	r.Restore(restored)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var inconsistent sync.Once
	bad := false
	for range 3 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				if !consistent(r.Snapshot()) {
					inconsistent.Do(func() { bad = true })
				}
			}
		})
	}
	type published struct {
		snap   *snapshot.Snapshot
		states map[string]*snapshot.SpaceState
		counts snapshot.SpaceCounts
	}
	var kept []published
	check := func(what string) {
		snap := r.Snapshot()
		states, retained, counts, pass := m.want()
		checkSnapshot(t, what, snap, states, counts)
		if snap.Pending != counts.Pending || snap.ExpectedPassDuration != pass {
			t.Fatalf("%s: %d pending, expected pass %s; want %d and %s", what, snap.Pending, snap.ExpectedPassDuration, counts.Pending, pass)
		}
		if got := maps.Collect(snap.Retained()); !maps.Equal(got, retained) {
			t.Fatalf("%s: %d spaces retained, want %d (or other states)", what, len(got), len(retained))
		}
		if len(retained) > max(m.most, minGoneKept) {
			t.Fatalf("%s: %d spaces gone, more than the most watched at once (%d): the model does not follow the refresher's cap; churn less", what, len(retained), m.most)
		}
		if len(kept) < 50 {
			kept = append(kept, published{snap, states, counts})
		}
	}
	check("after the restore")
	for step := range 400 {
		switch op := rng.IntN(10); {
		case op < 7:
			for range 1 + rng.IntN(20) {
				id := universe[rng.IntN(len(universe))]
				at := now.Add(time.Duration(rng.IntN(3600)) * time.Second)
				res := listResult{space: id, pages: 1 + rng.IntN(3), start: at, finish: at.Add(time.Second)}
				if rng.IntN(5) == 0 {
					res.err = errors.New("boom")
				} else {
					for f := range rng.IntN(30) {
						res.flows = append(res.flows, client.Flow{FlowID: fmt.Sprint(f)})
					}
				}
				r.record(res)
				m.known[id] = true
			}
		case op < 9:
			// Some spaces leave, others join (some of them known).
			next := slices.DeleteFunc(slices.Clone(m.spaces()), func(string) bool { return rng.IntN(8) == 0 })
			for range rng.IntN(150) {
				if id := universe[rng.IntN(len(universe))]; !slices.Contains(next, id) {
					next = append(next, id)
				}
			}
			m.setWatched(next)
			if rng.IntN(2) == 0 {
				r.Wake() // nothing runs: only what a publish sees counts
			}
		}
		if rng.IntN(3) == 0 {
			r.flush()
			check(fmt.Sprintf("step %d", step))
		}
	}
	r.flush()
	check("at the end")
	close(stop)
	wg.Wait()
	if bad {
		t.Error("a reader saw a snapshot whose counts disagree with its spaces")
	}
	for i, p := range kept {
		checkSnapshot(t, fmt.Sprintf("published snapshot %d, at the end", i), p.snap, p.states, p.counts)
	}
}

// restoredRefresher is a refresher of n spaces, all restored.
func restoredRefresher(n int) (*Refresher, []string) {
	ids := make([]string, n)
	states := make(map[string]*snapshot.SpaceState, n)
	at := time.Now().Add(-time.Hour)
	for i := range ids {
		ids[i] = fmt.Sprintf("cams-%07d", i)
		states[ids[i]] = &snapshot.SpaceState{ID: ids[i], HasData: true, Up: true, Count: 5, LastSuccess: at, LastAttempt: at}
	}
	r := New(Config{Lister: &fakeLister{}, Spaces: func() []string { return ids }, PageSize: 100, Rate: 4, PublishEvery: time.Hour})
	r.Restore(states)
	return r, ids
}

// recordAndPublish records a listing of ids[i] and publishes it.
func recordAndPublish(r *Refresher, ids []string, i int, flows []client.Flow) {
	at := time.Now()
	r.record(listResult{space: ids[i%len(ids)], flows: flows, pages: 1, start: at, finish: at})
	r.flush()
}

// TestPublishCostIsFlat: publishing one listing allocates about the same
// at 200,000 spaces as at 1,000 (a path of the table, the snapshot), not a
// map of every space. Allocations are counted, not timed: the machine is
// shared.
func TestPublishCostIsFlat(t *testing.T) {
	flows := []client.Flow{{FlowID: "a"}, {FlowID: "b"}}
	measure := func(n int) (allocs, bytes float64) {
		r, ids := restoredRefresher(n)
		i := 0
		recordAndPublish(r, ids, i, flows) // warm
		var before, after runtime.MemStats
		const runs = 200
		runtime.ReadMemStats(&before)
		for range runs {
			i += 7919
			recordAndPublish(r, ids, i, flows)
		}
		runtime.ReadMemStats(&after)
		return float64(after.Mallocs-before.Mallocs) / runs, float64(after.TotalAlloc-before.TotalAlloc) / runs
	}
	smallAllocs, smallBytes := measure(1000)
	bigAllocs, bigBytes := measure(200000)
	t.Logf("per listing published: %.1f allocations, %.0f bytes at 1,000 spaces; %.1f, %.0f at 200,000", smallAllocs, smallBytes, bigAllocs, bigBytes)
	// Two more levels of the table at most: two nodes, each with its slice.
	if bigAllocs > smallAllocs+6 || bigBytes > 2*smallBytes+2048 {
		t.Errorf("a publish at 200,000 spaces allocates %.1f times, %.0f bytes; at 1,000, %.1f and %.0f: not flat",
			bigAllocs, bigBytes, smallAllocs, smallBytes)
	}
}

// BenchmarkPublish records one listing and publishes it, at several numbers
// of spaces: the cost is flat in the number of spaces.
func BenchmarkPublish(b *testing.B) {
	flows := []client.Flow{{FlowID: "a"}, {FlowID: "b"}}
	for _, n := range []int{1000, 10000, 100000, 200000} {
		b.Run(fmt.Sprintf("spaces=%d", n), func(b *testing.B) {
			r, ids := restoredRefresher(n)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				i += 7919
				recordAndPublish(r, ids, i, flows)
			}
		})
	}
}
