package engine

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/internal/firstn"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// keyedSource is a source whose due calls depend on its own part and on a
// neighbour source's part of the space, as messaging health's do: the
// space's own call every ownEvery, and one call per key the neighbour
// names (its Data, an int) every keyEvery, a key never made being urgent.
// Its own part's Data is a map of key to last call, never changed once
// made.
type keyedSource struct{}

const (
	neighbour = "neighbour"
	ownEvery  = 10 * time.Minute
	keyEvery  = 30 * time.Minute
)

func (keyedSource) Name() string      { return "keyed" }
func (keyedSource) Operation() string { return "Keyed" }
func (keyedSource) Call(context.Context, Task) (any, error) {
	return nil, nil
}
func (keyedSource) Apply(string, *snapshot.SpacePart, []Done, *snapshot.Snapshot) *snapshot.SpacePart {
	return nil
}

func (keyedSource) Due(dst []Task, space string, part *snapshot.SpacePart, snap *snapshot.Snapshot, now time.Time) ([]Task, time.Time, float64) {
	var last map[string]time.Time
	if part != nil {
		last, _ = part.Data.(map[string]time.Time)
	}
	keys := 0
	if nb := snap.Source(neighbour); nb != nil {
		if p := nb.Part(space); p != nil {
			keys = p.Data.(int)
		}
	}
	var next time.Time
	calls := 0.0
	due := func(key string, every time.Duration) {
		calls += float64(ownEvery) / float64(every)
		at, made := last[key]
		if !made {
			dst = append(dst, Task{Space: space, Key: key, Urgent: key != ""})
			return
		}
		if come := at.Add(every); now.Before(come) {
			if next.IsZero() || come.Before(next) {
				next = come
			}
			return
		}
		dst = append(dst, Task{Space: space, Key: key, Last: at})
	}
	due("", ownEvery)
	for k := range keys {
		due(fmt.Sprintf("k%d", k), keyEvery)
	}
	return dst, next, calls
}

// fullScan is the order the index must give: every watched space's due
// calls not in flight, sorted by before, the first n kept; with turns,
// each call has its turn in its space, without (a runner across spaces)
// every call's turn is 0, so that age alone ranks them. It also returns
// the calls per interval of every space and the soonest call to come due.
func fullScan(r *Runner, ids []string, snap *snapshot.Snapshot, now time.Time, n int, turns bool) ([]Task, float64, time.Time) {
	var all []ranked
	var soonest time.Time
	calls := 0.0
	for _, id := range ids {
		tasks, next, c := r.cfg.Source.Due(nil, id, r.State().Part(id), snap, now)
		calls += c
		if !next.IsZero() && (soonest.IsZero() || next.Before(soonest)) {
			soonest = next
		}
		slices.SortStableFunc(tasks, func(a, b Task) int {
			if a.Urgent != b.Urgent {
				if a.Urgent {
					return -1
				}
				return 1
			}
			return a.Last.Compare(b.Last)
		})
		turn := 0
		for _, t := range tasks {
			if _, busy := r.inflight[t.key()]; !busy {
				all = append(all, ranked{Task: t, turn: turn})
				if turns {
					turn++
				}
			}
		}
	}
	slices.SortFunc(all, func(a, b ranked) int {
		if before(a, b) {
			return -1
		}
		if before(b, a) {
			return 1
		}
		return 0
	})
	return tasksOf(all[:min(n, len(all))]), calls, soonest
}

// TestDueIndexChoosesAsAFullScan runs a runner's looks through random
// changes of 10,000 spaces (calls made, a neighbour's data, the list, time,
// calls in flight) and checks after each that the calls it queues, its
// expected pass and its next due time are those a look at every space
// gives.
func TestDueIndexChoosesAsAFullScan(t *testing.T) {
	t0 := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	now := t0
	rng := rand.New(rand.NewPCG(18, 2))
	all := spaceIDs(10000)
	ids := slices.Clone(all[:9000])
	nb := snapshot.NewSourceState(neighbour, "Neighbour")
	nbParts := map[string]*snapshot.SpacePart{}
	for _, id := range all {
		nbParts[id] = &snapshot.SpacePart{Data: rng.IntN(4)}
	}
	nb = nb.WithParts(nbParts)
	snap := (&snapshot.Snapshot{}).WithSpaces(nil)
	r := NewRunner(Config{
		Source: keyedSource{}, Rate: 4, Interval: ownEvery, ForgetAfter: time.Hour,
		Watched:  NewWatched(func() []string { return ids }, nil),
		Snapshot: func() *snapshot.Snapshot { return snap.WithSources([]*snapshot.SourceState{nb}) },
		Now:      func() time.Time { return now },
	})
	for step := range 300 {
		snap := r.cfg.Snapshot()
		r.mu.Lock()
		r.scanLocked(now, false)
		want, calls, soonest := fullScan(r, ids, snap, now, r.queueLen(), true)
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
		now = now.Add(time.Duration(rng.IntN(120)) * time.Second)
		makeCalls(r, got[:len(got)/2], now)
		r.inflight = map[taskKey]struct{}{}
		for _, c := range got[len(got)/2:][:min(len(got)/2, rng.IntN(8))] {
			r.inflight[c.key()] = struct{}{}
		}
		changed := map[string]*snapshot.SpacePart{}
		for range rng.IntN(20) {
			changed[all[rng.IntN(len(all))]] = &snapshot.SpacePart{Data: rng.IntN(4)}
		}
		nb = nb.WithParts(changed)
		if step%25 == 24 {
			ids = slices.Clone(all[rng.IntN(1000) : 9000+rng.IntN(1000)])
		}
	}
}

// makeCalls applies calls made at now to r's state, as an Apply would.
func makeCalls(r *Runner, calls []Task, now time.Time) {
	state := r.State()
	changed := map[string]*snapshot.SpacePart{}
	for _, c := range calls {
		part := changed[c.Space]
		if part == nil {
			part = state.Part(c.Space)
		}
		last := map[string]time.Time{}
		if part != nil {
			last = mapsClone(part.Data.(map[string]time.Time))
		}
		last[c.Key] = now
		changed[c.Space] = &snapshot.SpacePart{Up: true, HasData: true, LastAttempt: now, LastSuccess: now, Data: last}
	}
	r.current.Store(state.WithParts(changed))
}

func mapsClone(m map[string]time.Time) map[string]time.Time {
	out := make(map[string]time.Time, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

func head(tasks []Task) []Task { return tasks[:min(3, len(tasks))] }

func absDuration(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// BenchmarkLook measures one look of a runner in the steady state of an
// account whose spaces are all due (at 200,000 spaces, every source's
// rate is below what its interval asks): with the index, the look asks
// Due of the spaces whose calls were applied since and of those chosen,
// beside a look that asks every space (the runner before the index).
func BenchmarkLook(b *testing.B) {
	for _, n := range []int{10000, 200000} {
		b.Run(fmt.Sprintf("spaces=%d/index", n), func(b *testing.B) { benchmarkLook(b, n, false) })
		b.Run(fmt.Sprintf("spaces=%d/every-space", n), func(b *testing.B) { benchmarkLook(b, n, true) })
	}
}

func benchmarkLook(b *testing.B, n int, everySpace bool) {
	t0 := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	now := t0
	ids := spaceIDs(n)
	nb := snapshot.NewSourceState(neighbour, "Neighbour")
	nbParts := map[string]*snapshot.SpacePart{}
	own := map[string]*snapshot.SpacePart{}
	for i, id := range ids {
		nbParts[id] = &snapshot.SpacePart{Data: 3}
		at := t0.Add(-keyEvery - time.Duration(i)*ownEvery/time.Duration(n))
		own[id] = &snapshot.SpacePart{Up: true, HasData: true, LastAttempt: at, Data: map[string]time.Time{"": at, "k0": at, "k1": at, "k2": at}}
	}
	nb = nb.WithParts(nbParts)
	snap := (&snapshot.Snapshot{}).WithSpaces(nil).WithSources([]*snapshot.SourceState{nb})
	r := NewRunner(Config{
		Source: keyedSource{}, Rate: 4, Interval: ownEvery,
		Watched:  NewWatched(func() []string { return ids }, nil),
		Snapshot: func() *snapshot.Snapshot { return snap },
		Now:      func() time.Time { return now },
	})
	r.Restore(own)
	r.mu.Lock()
	defer r.mu.Unlock()
	r.scanLocked(now, false)
	b.ResetTimer()
	for b.Loop() {
		// 15 s of calls at 4/s were applied since the last look.
		now = now.Add(15 * time.Second)
		makeCalls(r, r.queue[:min(60, len(r.queue))], now)
		if everySpace {
			everySpaceLook(r, ids, snap, now)
			continue
		}
		r.scanLocked(now, false)
	}
}

// everySpaceLook is the runner's look before the index: Due of every
// watched space, the first calls kept by a bounded heap.
func everySpaceLook(r *Runner, ids []string, snap *snapshot.Snapshot, now time.Time) {
	chosen := &firstn.Keeper[ranked]{Max: r.queueLen(), Before: before}
	var tasks []Task
	for _, id := range ids {
		tasks, _, _ = r.dueLocked(tasks[:0], id, r.State().Part(id), snap, now)
		r.offerLocked(chosen, tasks, false)
	}
	r.queue = tasksOf(chosen.Sorted())
}
