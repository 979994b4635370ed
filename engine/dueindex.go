package engine

import (
	"math"
	"time"

	"github.com/cams-exporter/cams_exporter/snapshot"
)

// dueIndex keeps, for each watched space, what Source.Due last said of it,
// so that a look at the spaces costs what changed and the calls chosen,
// not the number of spaces. A space is asked again only when its own part,
// another source's part of it or the flows' state of it changed, when it
// joined the list, or when the time it said its next call comes due has
// come: Due depends on nothing else (see Source.Due).
type dueIndex struct {
	entries map[string]*dueEntry
	due     entryHeap // spaces with due calls, the first call's rank first
	later   entryHeap // spaces with a call not due yet, the soonest first
	calls   float64   // the sum of the spaces' calls per interval

	list  []string              // the list the entries follow
	own   *snapshot.SourceState // the source's state last read
	snap  *snapshot.Snapshot    // the engine's snapshot last read
	stale map[string]struct{}   // spaces to ask again
}

// dueEntry is what Due last said of a space: the rank of its first due
// call (when it has one), when its next call comes due (zero: none) and
// its calls per interval.
type dueEntry struct {
	space   string
	last    int64 // the first due call's Last, in Unix nanoseconds
	next    int64 // zero: no call to come due
	calls   float64
	urgent  bool
	hasDue  bool
	atDue   int32 // place in due, -1 when out
	atLater int32 // place in later, -1 when out
}

func newDueIndex() *dueIndex {
	return &dueIndex{
		entries: map[string]*dueEntry{},
		due:     entryHeap{less: rankedBefore, at: func(e *dueEntry) *int32 { return &e.atDue }},
		later:   entryHeap{less: func(a, b *dueEntry) bool { return a.next < b.next }, at: func(e *dueEntry) *int32 { return &e.atLater }},
		stale:   map[string]struct{}{},
	}
}

// rankedBefore orders spaces as before orders their first due calls.
func rankedBefore(a, b *dueEntry) bool {
	switch {
	case a.urgent != b.urgent:
		return a.urgent
	case a.last != b.last:
		return a.last < b.last
	}
	return a.space < b.space
}

// unixNano is t in Unix nanoseconds, zero for the zero time, so that a
// call never made ranks before every call made.
func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return math.MinInt64
	}
	return t.UnixNano()
}

// follow marks the spaces whose Due may have changed since the last look:
// those that joined or left the list, those whose part changed in own or
// in another source's state or the flows' of snap, and those whose next
// call has come due.
func (x *dueIndex) follow(ids []string, watched func(string) bool, own *snapshot.SourceState, snap *snapshot.Snapshot, now time.Time) {
	if !sameSlice(ids, x.list) {
		x.list = ids
		for _, id := range ids {
			if _, known := x.entries[id]; !known {
				x.stale[id] = struct{}{}
			}
		}
		for id := range x.entries {
			if !watched(id) {
				x.stale[id] = struct{}{}
			}
		}
	}
	for id := range own.Changes(x.own) {
		x.stale[id] = struct{}{}
	}
	x.own = own
	x.followSnapshot(own.Name, snap)
	for x.later.len() > 0 && x.later.top().next <= now.UnixNano() {
		x.stale[x.later.pop().space] = struct{}{}
	}
}

// followSnapshot marks the spaces whose part changed in the other sources'
// states or the flows' state of snap since the last snapshot read.
func (x *dueIndex) followSnapshot(own string, snap *snapshot.Snapshot) {
	if snap == nil {
		return
	}
	prev := x.snap
	x.snap = snap
	if prev == snap {
		return
	}
	for id := range snap.Changes(prev) {
		x.stale[id] = struct{}{}
	}
	for _, st := range snap.Sources() {
		if st.Name == own {
			continue
		}
		var since *snapshot.SourceState
		if prev != nil {
			since = prev.Source(st.Name)
		}
		for id := range st.Changes(since) {
			x.stale[id] = struct{}{}
		}
	}
}

// set records what Due said of space: tasks (sorted by byUrgency), next
// and calls.
func (x *dueIndex) set(space string, tasks []Task, next time.Time, calls float64) {
	e := x.entries[space]
	if e == nil {
		e = &dueEntry{space: space, atDue: -1, atLater: -1}
		x.entries[space] = e
	}
	x.calls += calls - e.calls
	e.calls = calls
	e.hasDue = len(tasks) > 0
	if e.hasDue {
		e.urgent, e.last = tasks[0].Urgent, unixNano(tasks[0].Last)
		x.due.upsert(e)
	} else {
		x.due.remove(e)
	}
	e.next = 0
	if !next.IsZero() {
		e.next = next.UnixNano()
		x.later.upsert(e)
	} else {
		x.later.remove(e)
	}
}

// drop forgets space.
func (x *dueIndex) drop(space string) {
	e := x.entries[space]
	if e == nil {
		return
	}
	x.calls -= e.calls
	x.due.remove(e)
	x.later.remove(e)
	delete(x.entries, space)
}

// soonest returns when the next call not due yet comes due, zero for none.
func (x *dueIndex) soonest() time.Time {
	if x.later.len() == 0 {
		return time.Time{}
	}
	return time.Unix(0, x.later.top().next)
}

// entryHeap is a binary heap of entries that knows each entry's place in
// it, so that an entry is moved or removed in log(n).
type entryHeap struct {
	items []*dueEntry
	less  func(a, b *dueEntry) bool
	at    func(*dueEntry) *int32
}

func (h *entryHeap) len() int             { return len(h.items) }
func (h *entryHeap) top() *dueEntry       { return h.items[0] }
func (h *entryHeap) place(i int)          { *h.at(h.items[i]) = int32(i) }
func (h *entryHeap) lessAt(i, j int) bool { return h.less(h.items[i], h.items[j]) }

func (h *entryHeap) swap(i, j int) {
	h.items[i], h.items[j] = h.items[j], h.items[i]
	h.place(i)
	h.place(j)
}

// upsert puts e in the heap, or moves it to its place after its key
// changed.
func (h *entryHeap) upsert(e *dueEntry) {
	i := int(*h.at(e))
	if i < 0 {
		h.items = append(h.items, e)
		i = len(h.items) - 1
		h.place(i)
	}
	if !h.down(i) {
		h.up(i)
	}
}

// remove takes e out of the heap, if it is in.
func (h *entryHeap) remove(e *dueEntry) {
	i := int(*h.at(e))
	if i < 0 {
		return
	}
	last := len(h.items) - 1
	if i != last {
		h.swap(i, last)
	}
	h.items[last] = nil
	h.items = h.items[:last]
	*h.at(e) = -1
	if i != last && !h.down(i) {
		h.up(i)
	}
}

// pop removes and returns the first entry.
func (h *entryHeap) pop() *dueEntry {
	e := h.items[0]
	h.remove(e)
	return e
}

func (h *entryHeap) up(i int) {
	for i > 0 {
		parent := (i - 1) / 2
		if !h.lessAt(i, parent) {
			return
		}
		h.swap(i, parent)
		i = parent
	}
}

// down moves the entry at i down to its place; false if it did not move.
func (h *entryHeap) down(i int) bool {
	start := i
	for {
		child := 2*i + 1
		if child >= len(h.items) {
			break
		}
		if right := child + 1; right < len(h.items) && h.lessAt(right, child) {
			child = right
		}
		if !h.lessAt(child, i) {
			break
		}
		h.swap(i, child)
		i = child
	}
	return i > start
}
