package refresh

import (
	"context"
	"errors"
	"math"
	"sync"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
)

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

// listing is one space being listed, a page at a time.
type listing struct {
	space string
	pager *client.Pager
	start time.Time
	young bool // counted in lanes.youngLive
	// answered is set when the call of the page being fetched succeeded.
	answered bool
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
type lanes struct {
	starts    fifo[string]
	young     fifo[*listing]
	long      fifo[*listing]
	youngLive int
	maxYoung  int
	turn      int
}

// next returns the listing whose page is to be fetched next, starting one
// with start when its lane's turn comes; nil when nothing is ready.
func (q *lanes) next(start func(space string) *listing) *listing {
	for i := range laneCount {
		lane := (q.turn + i) % laneCount
		var l *listing
		switch lane {
		case laneStart:
			if q.youngLive < q.maxYoung {
				if space, ok := q.starts.pop(); ok {
					l = start(space)
					l.young = true
					q.youngLive++
				}
			}
		case laneYoung:
			l, _ = q.young.pop()
		case laneLong:
			l, _ = q.long.pop()
		}
		if l != nil {
			q.turn = (lane + 1) % laneCount
			return l
		}
	}
	return nil
}

// requeue puts back a listing whose page did not end it.
func (q *lanes) requeue(l *listing) {
	if l.young && l.pager.Pages() >= longListingPages {
		l.young = false
		q.youngLive--
	}
	if l.young {
		q.young.push(l)
	} else {
		q.long.push(l)
	}
}

// settled puts a listing back after a page, or accounts for its end.
func (q *lanes) settled(l *listing, ended bool) {
	if ended {
		q.finished(l)
	} else {
		q.requeue(l)
	}
}

// finished accounts for a listing that ended, well or not.
func (q *lanes) finished(l *listing) {
	if l.young {
		l.young = false
		q.youngLive--
	}
}

// ready reports whether next would return a listing.
func (q *lanes) ready() bool {
	return (q.starts.len() > 0 && q.youngLive < q.maxYoung) || q.young.len() > 0 || q.long.len() > 0
}

// empty reports whether no listing is ready or waiting to start.
func (q *lanes) empty() bool {
	return q.starts.len() == 0 && q.young.len() == 0 && q.long.len() == 0
}

// fifo is a first-in, first-out queue.
type fifo[T any] struct {
	items []T
	head  int
}

func (f *fifo[T]) push(v T) {
	f.slide(1)
	f.items = append(f.items, v)
}

func (f *fifo[T]) pushAll(vs []T) {
	f.slide(len(vs))
	f.items = append(f.items, vs...)
}

// slide moves the items to the front of their array when n more would not
// fit and at least half of it is taken by items popped: a queue that never
// empties must not grow with every item it ever held.
func (f *fifo[T]) slide(n int) {
	if len(f.items)+n <= cap(f.items) || f.head < len(f.items)/2 {
		return
	}
	live := copy(f.items, f.items[f.head:])
	clear(f.items[live:])
	f.items, f.head = f.items[:live], 0
}

func (f *fifo[T]) len() int { return len(f.items) - f.head }

func (f *fifo[T]) peek() (T, bool) {
	var zero T
	if f.head == len(f.items) {
		return zero, false
	}
	return f.items[f.head], true
}

func (f *fifo[T]) pop() (T, bool) {
	var zero T
	if f.head == len(f.items) {
		return zero, false
	}
	v := f.items[f.head]
	f.items[f.head] = zero
	f.head++
	if f.head == len(f.items) {
		f.items, f.head = f.items[:0], 0
	}
	return v, true
}

// drain empties the queue and returns what it held.
func (f *fifo[T]) drain() []T {
	out := append([]T(nil), f.items[f.head:]...)
	f.items, f.head = nil, 0
	return out
}

// report is a worker's word that it fetched a page of l and is free again:
// it waits for its next listing on next. ended says the page ended the
// listing, which the worker has recorded (or given back, at shutdown).
type report struct {
	next  chan *listing
	l     *listing
	ended bool
}

// listings fetches pages with Concurrency workers in the order the lanes
// give until ctx ends. With once, it lists the spaces given and returns when
// they are all listed; otherwise it starts the spaces as they come due.
func (r *Refresher) listings(ctx context.Context, initial []string, once bool) {
	s := &scheduler{r: r, q: lanes{maxYoung: r.cfg.Concurrency}, reports: make(chan report),
		started: make(chan struct{}, r.cfg.Concurrency), ahead: r.pagesAhead(), once: once, refill: !once,
		timer: time.NewTimer(time.Hour)}
	s.timer.Stop()
	defer s.timer.Stop()
	s.q.starts.pushAll(initial)
	var wg sync.WaitGroup
	defer wg.Wait()
	for range r.cfg.Concurrency {
		next := make(chan *listing, 1)
		s.idle = append(s.idle, next)
		wg.Go(func() {
			for l := range next {
				done, err := r.fetchPage(ctx, l, s.started)
				s.reports <- report{next: next, l: l, ended: r.settle(ctx, l, done, err)}
			}
		})
	}
	var wake <-chan struct{}
	if !once {
		wake = r.wake
	}
	for s.step(ctx, wake) {
	}
	s.stop(ctx)
}

// pagesAhead is how many pages may wait on the pacer at once: half a second
// of calls at Rate, at least two, at most Concurrency. That keeps the pacer
// fed through the delays of a busy machine, and each page is chosen at most
// that far ahead of its call (two calls, half a second, at 4 calls/s), so a
// listing's next page follows its last one closely.
func (r *Refresher) pagesAhead() int {
	if r.cfg.Pacer == nil {
		return r.cfg.Concurrency // nothing to wait on: every free worker
	}
	return int(min(max(math.Ceil(r.cfg.Rate/2), 2), float64(r.cfg.Concurrency)))
}

// fetchPage fetches the next page of l. With a pacer it first waits for its
// slot, tells started, and calls with that slot (client.WithLimiterSlot), so
// the scheduler chooses the next page only now and the limiter never holds
// more than a few pages. A space that left the list while its page waited
// is not called: errNotWatched (the slot is lost, once per listing).
func (r *Refresher) fetchPage(ctx context.Context, l *listing, started chan<- struct{}) (bool, error) {
	if r.cfg.Pacer == nil {
		return l.pager.Next(ctx)
	}
	err := r.cfg.Pacer.Wait(ctx)
	started <- struct{}{}
	if err != nil {
		return false, err
	}
	if !r.watching(l.space) {
		return false, errNotWatched
	}
	return l.pager.Next(client.WithLimiterSlot(ctx))
}

// errNotWatched ends the listing of a space no longer watched.
var errNotWatched = errors.New("the space is no longer watched")

// scheduler is the state of one listings loop, owned by its goroutine.
type scheduler struct {
	r       *Refresher
	q       lanes
	reports chan report
	started chan struct{}   // a page passed the pacer
	idle    []chan *listing // free workers
	busy    int             // workers fetching a page
	waiting int             // of them, still waiting on the pacer
	ahead   int             // the most that may wait on the pacer
	once    bool
	refill  bool // ask which spaces are due once the start lane is empty
	timer   *time.Timer
	nextDue time.Time // when the timer fires: the next space comes due
	resting bool      // the refresher was told it has nothing to list until nextDue
}

// step starts what it can and waits for one event: a page past the pacer or
// fetched, a wake-up, the next space coming due. It reports false when the
// loop is over.
func (s *scheduler) step(ctx context.Context, wake <-chan struct{}) bool {
	if s.refill && s.q.starts.len() == 0 {
		due, wait := s.r.due()
		s.q.starts.pushAll(due)
		if s.refill = len(due) > 0; !s.refill {
			s.timer.Reset(wait)
			s.nextDue = s.r.cfg.Now().Add(wait)
		}
		s.resting = false
	}
	for s.waiting < s.ahead && len(s.idle) > 0 && s.q.ready() {
		s.dispatch()
	}
	if s.busy == 0 && s.q.empty() {
		if s.once {
			return false
		}
		if !s.refill && !s.resting {
			s.resting = true
			s.r.idle(s.nextDue)
		}
	}
	select {
	case <-s.started:
		s.waiting--
	case rep := <-s.reports:
		s.busy--
		s.idle = append(s.idle, rep.next)
		s.q.settled(rep.l, rep.ended)
	case <-wake:
		// The spaces changed: new ones go first, removed ones go, and the
		// snapshot counts them at once.
		s.r.release(s.q.starts.drain()...)
		s.timer.Stop()
		s.refill = true
		s.r.flush()
	case <-s.timer.C:
		s.refill = true
	case <-ctx.Done():
	}
	return ctx.Err() == nil
}

// dispatch hands the next page to a free worker. The listing of a space no
// longer watched ends there, before its next page, and records nothing: the
// space keeps the state of its last listing.
func (s *scheduler) dispatch() {
	var l *listing
	for l == nil && s.q.ready() {
		l = s.q.next(s.r.startListing)
		if !s.r.watching(l.space) {
			s.q.finished(l)
			s.r.release(l.space)
			l = nil
		}
	}
	if l == nil {
		return
	}
	s.idle[len(s.idle)-1] <- l
	s.idle = s.idle[:len(s.idle)-1]
	s.busy++
	if s.r.cfg.Pacer != nil {
		s.waiting++
	}
}

// stop ends the workers, records the pages they were fetching, and gives
// back the spaces not listed: cut short by shutdown, not failed.
func (s *scheduler) stop(ctx context.Context) {
	for _, next := range s.idle {
		close(next)
	}
	for ; s.busy > 0; s.busy-- {
		rep := <-s.reports
		close(rep.next)
		s.q.settled(rep.l, rep.ended)
	}
	s.r.release(s.q.starts.drain()...)
	for _, l := range append(s.q.young.drain(), s.q.long.drain()...) {
		s.r.release(l.space)
	}
}

// startListing begins the listing of a space.
func (r *Refresher) startListing(space string) *listing {
	l := &listing{space: space, start: r.cfg.Now()}
	l.pager = client.NewPager(func(ctx context.Context, index, size int) ([]client.Flow, error) {
		flows, err := r.cfg.Lister.ListFlowPage(ctx, space, r.cfg.FlowName, index, size)
		l.answered = err == nil
		return flows, err
	}, r.cfg.PageSize, r.cfg.MaxPages)
	return l
}

// settle records a listing that a page ended, well or not, and reports
// whether it ended. A listing cut short by shutdown, or by its space leaving
// the list, is given back, not recorded: it is not the space's failure. It
// runs on the worker, so that recording and publishing never hold up the
// scheduler.
func (r *Refresher) settle(ctx context.Context, l *listing, done bool, err error) (ended bool) {
	answered := l.answered
	l.answered = false
	switch {
	case err != nil && ctx.Err() != nil, errors.Is(err, errNotWatched):
		r.release(l.space)
	case err != nil || done:
		var flows []client.Flow
		if err == nil {
			flows = l.pager.Flows()
		}
		r.record(listResult{space: l.space, flows: flows, err: err, pages: l.pager.Pages(), answered: answered, start: l.start, finish: r.cfg.Now()})
	default:
		r.answered(r.cfg.Now())
		return false
	}
	return true
}
