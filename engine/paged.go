package engine

import (
	"context"
	"errors"
	"math"
	"sync"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
)

// Listing is one space being listed a page at a time, as a paged source
// holds it: what its pages brought so far. *client.Pager is one.
type Listing interface {
	// Next fetches the next page; done when it ended the listing.
	Next(ctx context.Context) (done bool, err error)
	// Pages is how many pages it fetched.
	Pages() int
}

// Lister is a paged source: an operation that lists a space a page at a
// time (ListFlow; ListChatappTemplate next), run by RunPaged, which
// chooses the pages (see lanes). The lister keeps the spaces' state: which
// are due and claimed, and what their listings applied. Its methods are
// called from several goroutines.
type Lister[L Listing] interface {
	// Due claims the spaces due now, the stalest first; with none, it
	// returns how long until the next one is due.
	Due() (spaces []string, wait time.Duration)
	// Start begins the listing of a claimed space.
	Start(space string) L
	// Watching reports whether space is still watched: a listing goes on
	// only while its space is.
	Watching(space string) bool
	// Record applies a listing that ended: after its last page (err nil)
	// or a failed one. It runs on the worker that fetched the page, so that
	// recording and publishing never hold up the scheduler.
	Record(space string, l L, err error)
	// Answered notes a page of l, a listing under way, that the API
	// answered (progress, however long the listing runs), at its time.
	Answered(l L, at time.Time)
	// Release gives back claimed spaces that were not listed: cut short by
	// shutdown or by leaving the list, not failed.
	Release(spaces ...string)
	// Idle is told that nothing is to be listed until the next space comes
	// due, at until.
	Idle(until time.Time)
	// Changed is told that the spaces changed (a wake-up): the state counts
	// them at once.
	Changed()
}

// PagedConfig configures RunPaged.
type PagedConfig[L Listing] struct {
	Lister Lister[L]
	// Pacer is the source's limiter. With it, a worker waits on it before
	// each page and calls with the slot it got (client.WithLimiterSlot),
	// and only a few pages wait on it at once (pagesAhead): the next page is
	// chosen just before its call, so a listing's next page follows its
	// last one as soon as its turn comes. Without it, pages go to free
	// workers at once.
	Pacer Pacer
	// Rate is the pacer's rate in calls per second.
	Rate float64
	// Concurrency is how many pages are fetched at once (at least one);
	// it also bounds the young listings under way (see lanes).
	Concurrency int
	Now         func() time.Time // default time.Now
	// Wake tells that the spaces changed: new ones go first, removed ones
	// go.
	Wake <-chan struct{}
}

// errNotWatched ends the listing of a space no longer watched.
var errNotWatched = errors.New("the space is no longer watched")

// RunPaged fetches pages with Concurrency workers in the order the lanes
// give until ctx ends. With once, it lists the spaces given, claimed, and
// returns when they are all listed; otherwise it starts the spaces as they
// come due (Lister.Due).
func RunPaged[L Listing](ctx context.Context, cfg PagedConfig[L], initial []string, once bool) {
	cfg.Concurrency = max(cfg.Concurrency, 1)
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s := &pager[L]{cfg: cfg, q: lanes[L]{maxYoung: cfg.Concurrency}, reports: make(chan report[L]),
		started: make(chan struct{}, cfg.Concurrency), ahead: pagesAhead(cfg.Pacer != nil, cfg.Rate, cfg.Concurrency),
		once: once, refill: !once, timer: time.NewTimer(time.Hour)}
	s.timer.Stop()
	defer s.timer.Stop()
	s.q.starts.PushAll(initial)
	var wg sync.WaitGroup
	defer wg.Wait()
	for range cfg.Concurrency {
		next := make(chan *listing[L], 1)
		s.idle = append(s.idle, next)
		wg.Go(func() {
			for l := range next {
				done, err := s.fetch(ctx, l)
				s.reports <- report[L]{next: next, l: l, ended: s.settle(ctx, l, done, err)}
			}
		})
	}
	var wake <-chan struct{}
	if !once {
		wake = cfg.Wake
	}
	for s.step(ctx, wake) {
	}
	s.stop()
}

// pagesAhead is how many pages may wait on the pacer at once: half a second
// of calls at rate, at least two, at most concurrency. That keeps the pacer
// fed through the delays of a busy machine, and each page is chosen at most
// that far ahead of its call (two calls, half a second, at 4 calls/s), so a
// listing's next page follows its last one closely.
func pagesAhead(paced bool, rate float64, concurrency int) int {
	if !paced {
		return concurrency // nothing to wait on: every free worker
	}
	return int(min(max(math.Ceil(rate/2), 2), float64(concurrency)))
}

// report is a worker's word that it fetched a page of l and is free again:
// it waits for its next listing on next. ended says the page ended the
// listing, which the worker has recorded (or given back, at shutdown).
type report[L Listing] struct {
	next  chan *listing[L]
	l     *listing[L]
	ended bool
}

// pager is the state of one RunPaged loop, owned by its goroutine.
type pager[L Listing] struct {
	cfg     PagedConfig[L]
	q       lanes[L]
	reports chan report[L]
	started chan struct{}      // a page passed the pacer
	idle    []chan *listing[L] // free workers
	busy    int                // workers fetching a page
	waiting int                // of them, still waiting on the pacer
	ahead   int                // the most that may wait on the pacer
	once    bool
	refill  bool // ask which spaces are due once the start lane is empty
	timer   *time.Timer
	nextDue time.Time // when the timer fires: the next space comes due
	resting bool      // the lister was told it has nothing to list until nextDue
}

// fetch fetches the next page of l. With a pacer it first waits for its
// slot, tells started, and calls with that slot (client.WithLimiterSlot),
// so the scheduler chooses the next page only now and the limiter never
// holds more than a few pages. A space that left the list while its page
// waited is not called: errNotWatched (the slot is lost, once per listing).
func (s *pager[L]) fetch(ctx context.Context, l *listing[L]) (bool, error) {
	if s.cfg.Pacer == nil {
		return l.listing.Next(ctx)
	}
	err := s.cfg.Pacer.Wait(ctx)
	s.started <- struct{}{}
	if err != nil {
		return false, err
	}
	if !s.cfg.Lister.Watching(l.space) {
		return false, errNotWatched
	}
	return l.listing.Next(client.WithLimiterSlot(ctx))
}

// settle records a listing that a page ended, well or not, and reports
// whether it ended. A listing cut short by shutdown, or by its space leaving
// the list, is given back, not recorded: it is not the space's failure. It
// runs on the worker.
func (s *pager[L]) settle(ctx context.Context, l *listing[L], done bool, err error) (ended bool) {
	switch {
	case err != nil && ctx.Err() != nil, errors.Is(err, errNotWatched):
		s.cfg.Lister.Release(l.space)
	case err != nil || done:
		s.cfg.Lister.Record(l.space, l.listing, err)
	default:
		s.cfg.Lister.Answered(l.listing, s.cfg.Now())
		return false
	}
	return true
}

// step starts what it can and waits for one event: a page past the pacer or
// fetched, a wake-up, the next space coming due. It reports false when the
// loop is over.
func (s *pager[L]) step(ctx context.Context, wake <-chan struct{}) bool {
	if s.refill && s.q.starts.Len() == 0 {
		due, wait := s.cfg.Lister.Due()
		s.q.starts.PushAll(due)
		if s.refill = len(due) > 0; !s.refill {
			s.timer.Reset(wait)
			s.nextDue = s.cfg.Now().Add(wait)
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
			s.cfg.Lister.Idle(s.nextDue)
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
		// state counts them at once.
		s.cfg.Lister.Release(s.q.starts.Drain()...)
		s.timer.Stop()
		s.refill = true
		s.cfg.Lister.Changed()
	case <-s.timer.C:
		s.refill = true
	case <-ctx.Done():
	}
	return ctx.Err() == nil
}

// dispatch hands the next page to a free worker. The listing of a space no
// longer watched ends there, before its next page, and records nothing: the
// space keeps the state of its last listing.
func (s *pager[L]) dispatch() {
	var l *listing[L]
	for l == nil && s.q.ready() {
		l = s.q.next(s.cfg.Lister.Start)
		if !s.cfg.Lister.Watching(l.space) {
			s.q.finished(l)
			s.cfg.Lister.Release(l.space)
			l = nil
		}
	}
	if l == nil {
		return
	}
	s.idle[len(s.idle)-1] <- l
	s.idle = s.idle[:len(s.idle)-1]
	s.busy++
	if s.cfg.Pacer != nil {
		s.waiting++
	}
}

// stop ends the workers, records the pages they were fetching, and gives
// back the spaces not listed: cut short by shutdown, not failed.
func (s *pager[L]) stop() {
	for _, next := range s.idle {
		close(next)
	}
	for ; s.busy > 0; s.busy-- {
		rep := <-s.reports
		close(rep.next)
		s.q.settled(rep.l, rep.ended)
	}
	s.cfg.Lister.Release(s.q.starts.Drain()...)
	for _, l := range append(s.q.young.Drain(), s.q.long.Drain()...) {
		s.cfg.Lister.Release(l.space)
	}
}
