package refresh

import (
	"time"

	"github.com/cams-exporter/cams_exporter/internal/fifo"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// The states of spaces no longer watched. A space that leaves the list
// keeps its state for Config.ForgetAfter (Snapshot.Retained), so that one
// re-added meanwhile (an edit undone, a discovery answer that missed it)
// keeps its data, counters and flow statuses; then it is forgotten, and a
// space re-added later is pending again. While the list is not complete
// (Config.SpacesComplete: discovery has not answered), a space missing from
// it may be one not found yet: nothing is known to be gone, and a state
// restored from the cache is kept however long that takes.

// DefaultForgetAfter is the least default of Config.ForgetAfter.
const DefaultForgetAfter = time.Hour

// minGoneKept is the least of the most gone spaces kept at once: the most
// spaces watched at once, or this many if fewer. A list that churns faster
// than the grace forgets the longest gone first, so the gone spaces kept
// never outnumber the largest list (or this many).
const minGoneKept = 1000

// defaultForgetAfter is Config.ForgetAfter's default for interval:
// DefaultForgetAfter, or two intervals if longer (a space re-added within
// an interval would not even be due).
func defaultForgetAfter(interval time.Duration) time.Duration {
	return max(DefaultForgetAfter, 2*interval)
}

// goneLog holds the spaces not watched whose state is kept: since when each
// is known to be gone (zero while the list is not complete) and, in the
// order they went, those known gone, so that forgetting costs the spaces
// forgotten, not the spaces kept.
type goneLog struct {
	since map[string]time.Time
	order fifo.Queue[goneEntry] // may hold entries of spaces since re-added, or gone again
	known int                   // entries of since with a time
}

type goneEntry struct {
	id string
	at time.Time
}

// holds reports whether id is a space not watched whose state is kept.
func (g *goneLog) holds(id string) bool {
	_, ok := g.since[id]
	return ok
}

// keep notes id, not known to be gone yet.
func (g *goneLog) keep(id string) {
	if g.since == nil {
		g.since = map[string]time.Time{}
	}
	g.since[id] = time.Time{}
}

// went notes that id, not known to be gone until now, is gone since at.
func (g *goneLog) went(id string, at time.Time) {
	g.keep(id)
	g.since[id] = at
	g.known++
	g.order.Push(goneEntry{id, at})
	if g.order.Len() > 2*g.known+1024 {
		g.compact()
	}
}

// drop forgets id.
func (g *goneLog) drop(id string) {
	if at, ok := g.since[id]; ok {
		if !at.IsZero() {
			g.known--
		}
		delete(g.since, id)
	}
}

// live reports whether e still says when its space went.
func (g *goneLog) live(e goneEntry) bool {
	at, ok := g.since[e.id]
	return ok && !at.IsZero() && at.Equal(e.at)
}

// oldest returns the space gone the longest, discarding the entries that
// no longer say when their space went.
func (g *goneLog) oldest() (goneEntry, bool) {
	for {
		e, ok := g.order.Peek()
		if !ok || g.live(e) {
			return e, ok
		}
		g.order.Pop()
	}
}

// compact discards the entries that no longer say when their space went:
// a space that comes and goes many times within its grace leaves one each
// time.
func (g *goneLog) compact() {
	var kept fifo.Queue[goneEntry]
	for e, ok := g.order.Pop(); ok; e, ok = g.order.Pop() {
		if g.live(e) {
			kept.Push(e)
		}
	}
	g.order = kept
}

// retainLocked keeps st, the state of id, a space not watched. A space new
// to the log is gone from now on if the list is complete, and not known to
// be gone otherwise.
func (r *Refresher) retainLocked(id string, st *snapshot.SpaceState, now time.Time) {
	r.retained.Put(id, st)
	switch {
	case r.gone.holds(id):
	case r.complete:
		r.gone.went(id, now)
	default:
		r.gone.keep(id)
	}
}

// unretainLocked takes id, watched again, out of the spaces not watched.
func (r *Refresher) unretainLocked(id string) {
	if r.gone.holds(id) {
		r.gone.drop(id)
		r.retained.Remove(id)
	}
}

// markGoneLocked, when the list has just become complete, takes every
// space kept but missing from it for gone from now on. It costs the spaces
// kept, once.
func (r *Refresher) markGoneLocked(now time.Time) {
	var unknown []string
	for id, at := range r.gone.since {
		if at.IsZero() {
			unknown = append(unknown, id)
		}
	}
	for _, id := range unknown {
		r.gone.went(id, now)
	}
}

// forgetLocked drops the states of the spaces gone for ForgetAfter, and of
// the longest gone beyond the most kept (minGoneKept). It costs the spaces
// it drops.
func (r *Refresher) forgetLocked(now time.Time) {
	limit := max(r.mostWatched, minGoneKept)
	for {
		e, ok := r.gone.oldest()
		if !ok || (now.Sub(e.at) < r.cfg.ForgetAfter && r.gone.known <= limit) {
			return
		}
		r.gone.order.Pop()
		r.gone.drop(e.id)
		r.retained.Remove(e.id)
		delete(r.states, e.id)
	}
}
