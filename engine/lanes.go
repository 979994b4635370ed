package engine

import "github.com/cams-exporter/cams_exporter/internal/fifo"

// longListingPages is how many pages a listing fetches before it counts as
// long. Most spaces take one page; a long listing (a huge space, or one whose
// paging never ends) then shares a lane of its own with the other long ones
// and can no longer hold back the rest.
const longListingPages = 10

// Lanes of the page scheduler, served in this rotation.
const (
	laneStart = iota // due spaces not started yet, the stalest first
	laneYoung        // listings under longListingPages pages
	laneLong         // listings of longListingPages pages or more
	laneCount
)

// listing is one space being listed, a page at a time: the paged source's
// listing, and where the lanes hold it.
type listing[L Listing] struct {
	space   string
	listing L
	young   bool // counted in lanes.youngLive
}

// lanes orders the pages to fetch. Each page goes, in rotation, to a new
// listing of the next due space, to the young listing that has waited
// longest, and to the long listing that has waited longest; a lane with
// nothing ready is skipped. A listing is in at most one place at a time
// (a lane, or a worker fetching its page), so one space never occupies two
// workers; new listings get at least a third of the calls however many long
// or endless listings run, and young listings at least a third too. At most
// maxYoung young listings run at once, so that listings finish rather than
// all start; long ones are bounded by the page limit.
type lanes[L Listing] struct {
	starts    fifo.Queue[string]
	young     fifo.Queue[*listing[L]]
	long      fifo.Queue[*listing[L]]
	youngLive int
	maxYoung  int
	turn      int
}

// next returns the listing whose page is to be fetched next, starting one
// with start when its lane's turn comes; nil when nothing is ready.
func (q *lanes[L]) next(start func(space string) L) *listing[L] {
	for i := range laneCount {
		lane := (q.turn + i) % laneCount
		var l *listing[L]
		switch lane {
		case laneStart:
			if q.youngLive < q.maxYoung {
				if space, ok := q.starts.Pop(); ok {
					l = &listing[L]{space: space, listing: start(space), young: true}
					q.youngLive++
				}
			}
		case laneYoung:
			l, _ = q.young.Pop()
		case laneLong:
			l, _ = q.long.Pop()
		}
		if l != nil {
			q.turn = (lane + 1) % laneCount
			return l
		}
	}
	return nil
}

// requeue puts back a listing whose page did not end it.
func (q *lanes[L]) requeue(l *listing[L]) {
	if l.young && l.listing.Pages() >= longListingPages {
		l.young = false
		q.youngLive--
	}
	if l.young {
		q.young.Push(l)
	} else {
		q.long.Push(l)
	}
}

// settled puts a listing back after a page, or accounts for its end.
func (q *lanes[L]) settled(l *listing[L], ended bool) {
	if ended {
		q.finished(l)
	} else {
		q.requeue(l)
	}
}

// finished accounts for a listing that ended, well or not.
func (q *lanes[L]) finished(l *listing[L]) {
	if l.young {
		l.young = false
		q.youngLive--
	}
}

// ready reports whether next would return a listing.
func (q *lanes[L]) ready() bool {
	return (q.starts.Len() > 0 && q.youngLive < q.maxYoung) || q.young.Len() > 0 || q.long.Len() > 0
}

// empty reports whether no listing is ready or waiting to start.
func (q *lanes[L]) empty() bool {
	return q.starts.Len() == 0 && q.young.Len() == 0 && q.long.Len() == 0
}
