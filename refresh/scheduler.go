package refresh

import (
	"context"
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

func (f *fifo[T]) push(v T) { f.items = append(f.items, v) }

func (f *fifo[T]) pushAll(vs []T) { f.items = append(f.items, vs...) }

func (f *fifo[T]) len() int { return len(f.items) - f.head }

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

// pageCtx is the context of one page's call: with the slot the pacer gave
// when paced.
func pageCtx(ctx context.Context, paced bool) context.Context {
	if paced {
		return client.WithLimiterSlot(ctx)
	}
	return ctx
}

// pageResult is what a worker found fetching one page of a listing.
type pageResult struct {
	l    *listing
	done bool
	err  error
}

// report is a worker's word that it fetched a page and is free again: it
// waits for its next listing on next.
type report struct {
	next chan *listing
	res  pageResult
}

// listings fetches pages with Concurrency workers in the order the lanes
// give until ctx ends. With once, it lists the spaces given and returns when
// they are all listed; otherwise it starts the spaces as they come due.
func (r *Refresher) listings(ctx context.Context, initial []string, once bool) {
	s := &scheduler{r: r, q: lanes{maxYoung: r.cfg.Concurrency}, reports: make(chan report), once: once, refill: !once,
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
				done, err := l.pager.Next(pageCtx(ctx, r.cfg.Pacer != nil))
				s.reports <- report{next: next, res: pageResult{l: l, done: done, err: err}}
			}
		})
	}
	slots, stopPacing := r.pace(ctx)
	defer stopPacing()
	var wake <-chan struct{}
	if !once {
		wake = r.wake
	}
	for s.step(ctx, slots, wake) {
	}
	s.stop(ctx)
}

// scheduler is the state of one listings loop, owned by its goroutine.
type scheduler struct {
	r       *Refresher
	q       lanes
	reports chan report
	idle    []chan *listing // free workers
	busy    int             // workers fetching a page
	once    bool
	refill  bool // ask which spaces are due once the start lane is empty
	timer   *time.Timer
}

// step starts what it can and waits for one event: a pacer slot, a page
// fetched, a wake-up, the next space coming due. It reports false when the
// loop is over.
func (s *scheduler) step(ctx context.Context, slots <-chan struct{}, wake <-chan struct{}) bool {
	if s.refill && s.q.starts.len() == 0 {
		due, wait := s.r.due()
		s.q.starts.pushAll(due)
		if s.refill = len(due) > 0; !s.refill {
			s.timer.Reset(wait)
		}
	}
	for slots == nil && len(s.idle) > 0 && s.q.ready() {
		s.dispatch()
	}
	if s.once && s.busy == 0 && s.q.empty() {
		return false
	}
	var slot <-chan struct{}
	if len(s.idle) > 0 && s.q.ready() {
		slot = slots // nil without a pacer: nothing to wait for
	}
	select {
	case <-slot:
		s.dispatch()
	case rep := <-s.reports:
		s.busy--
		s.idle = append(s.idle, rep.next)
		s.r.finishPage(ctx, &s.q, rep.res)
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

// dispatch hands the next page to a free worker.
func (s *scheduler) dispatch() {
	s.idle[len(s.idle)-1] <- s.q.next(s.r.startListing)
	s.idle = s.idle[:len(s.idle)-1]
	s.busy++
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
		s.r.finishPage(ctx, &s.q, rep.res)
	}
	s.r.release(s.q.starts.drain()...)
	for _, l := range append(s.q.young.drain(), s.q.long.drain()...) {
		s.r.release(l.space)
	}
}

// pace returns a channel that yields a slot each time the pacer allows a
// call, until stop; nil without a pacer. Each slot is taken from the pacer
// before it is offered, so the calls never go faster than it allows.
func (r *Refresher) pace(ctx context.Context) (slots <-chan struct{}, stop func()) {
	if r.cfg.Pacer == nil {
		return nil, func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	ch, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		for r.cfg.Pacer.Wait(ctx) == nil {
			select {
			case ch <- struct{}{}:
			case <-ctx.Done():
				return
			}
		}
	}()
	return ch, func() { cancel(); <-done }
}

// startListing begins the listing of a space.
func (r *Refresher) startListing(space string) *listing {
	pager := client.NewPager(func(ctx context.Context, index, size int) ([]client.Flow, error) {
		return r.cfg.Lister.ListFlowPage(ctx, space, r.cfg.FlowName, index, size)
	}, r.cfg.PageSize, r.cfg.MaxPages)
	return &listing{space: space, pager: pager, start: r.cfg.Now()}
}

// finishPage records a listing that a page ended, or puts it back in its
// lane.
func (r *Refresher) finishPage(ctx context.Context, q *lanes, res pageResult) {
	l := res.l
	switch {
	case res.err != nil && ctx.Err() != nil:
		q.finished(l)
		r.release(l.space) // shutting down: not the space's failure
	case res.err != nil || res.done:
		q.finished(l)
		var flows []client.Flow
		if res.err == nil {
			flows = l.pager.Flows()
		}
		r.record(listResult{space: l.space, flows: flows, err: res.err, pages: l.pager.Pages(), start: l.start, finish: r.cfg.Now()})
	default:
		q.requeue(l)
	}
}
