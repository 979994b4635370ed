package refresh

import (
	"context"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"

	"github.com/cams-exporter/cams_exporter/client"
)

// Lister lists every flow of a space; *client.Client is one.
type Lister interface {
	ListAllFlows(ctx context.Context, space, flowName string, pageSize int) ([]client.Flow, error)
}

// Config configures a Refresher.
type Config struct {
	Lister Lister
	Spaces func() []string // the spaces to refresh; asked before each pass
	// Interval is the target age of each space's data: a space is listed
	// again once its last listing is that old. When the account's rate
	// cannot list every space within it, spaces are listed back to back,
	// the stalest first.
	Interval time.Duration
	FlowName string // ListFlow's FlowName filter
	PageSize int
	// Rate is the account limiter's configured rate in calls per second,
	// for the expected duration of a pass and the default Concurrency.
	Rate float64
	// KeepFlows keeps each flow's name and categories for the flow info
	// metric; without it only counts and ids are kept.
	KeepFlows bool
	// Concurrency is how many spaces are listed at once so that the
	// limiter, which spaces the calls, never waits on a slow answer.
	// Default: half a second's worth of calls at Rate, between 2 and 64.
	Concurrency int
	// FirstDelay is the most the first pass waits after start-up, drawn at
	// random, so that restarted replicas do not call in step.
	FirstDelay time.Duration
	// PublishEvery bounds how often a new snapshot is published while a
	// pass runs (default 250ms); the end of a pass always publishes.
	PublishEvery time.Duration
	Logger       log.Logger
	Now          func() time.Time
}

// Refresher lists the flows of every configured space in the background and
// publishes what it knows as immutable Snapshots. Spaces are refreshed
// continuously within the account's budget, the stalest first; a scrape
// never calls the API and never waits for a listing.
type Refresher struct {
	cfg     Config
	current atomic.Pointer[Snapshot]
	wake    chan struct{}

	mu          sync.Mutex
	states      map[string]*SpaceState // the last state of every space listed
	inflight    map[string]bool
	pass        passState
	totals      Snapshot // the pass counters of the next snapshot
	lastPublish time.Time
	flushing    bool // a publish of results held back by PublishEvery is due
	warned      bool
	categories  categoryCap
}

// passState is the pass under way: it ends when every space configured when
// it opened, and still configured, has been listed since. pending holds
// those not listed yet; a zero start means no pass is open.
type passState struct {
	start   time.Time
	pending map[string]bool
	failed  bool
}

// New returns a refresher whose snapshot is empty and not yet
// complete.
func New(cfg Config) *Refresher {
	if cfg.Concurrency < 1 {
		cfg.Concurrency = defaultConcurrency(cfg.Rate)
	}
	if cfg.PublishEvery <= 0 {
		cfg.PublishEvery = 250 * time.Millisecond
	}
	if cfg.Logger == nil {
		cfg.Logger = log.NewNopLogger()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	r := &Refresher{cfg: cfg, wake: make(chan struct{}, 1), states: map[string]*SpaceState{}, inflight: map[string]bool{}}
	r.current.Store(&Snapshot{Spaces: map[string]*SpaceState{}})
	return r
}

func defaultConcurrency(rate float64) int {
	return int(min(max(math.Ceil(rate/2), 2), 64))
}

// Snapshot returns the last published snapshot. It never blocks.
func (r *Refresher) Snapshot() *Snapshot { return r.current.Load() }

// Wake asks the scheduler to look at the spaces again now, for example after
// the list of spaces changed.
func (r *Refresher) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Restore seeds the refresher with states saved by an earlier run, with
// their original timestamps, and publishes them; the stalest are then
// refreshed first. Call it before Run.
func (r *Refresher) Restore(states map[string]*SpaceState) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.categories.foldStates(states, &r.totals.CategoriesFolded)
	for id, st := range states {
		r.states[id] = st
	}
	r.totals.Completed = len(states) > 0
	r.publishLocked(r.cfg.Now())
}

// Run refreshes spaces as they come due until ctx ends.
func (r *Refresher) Run(ctx context.Context) {
	r.warnIfOutOfReach(len(r.cfg.Spaces()))
	if r.cfg.FirstDelay > 0 && !r.sleep(ctx, rand.N(r.cfg.FirstDelay)) {
		return
	}
	jobs := make(chan string)
	var wg sync.WaitGroup
	// Last, once every worker has stopped: publish what was held back, so
	// that a cache written at shutdown holds every listing.
	defer r.flush()
	for range r.cfg.Concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range jobs {
				r.refreshSpace(ctx, id)
			}
		}()
	}
	defer wg.Wait()
	defer close(jobs)
	for ctx.Err() == nil {
		batch, wait := r.due()
		if len(batch) == 0 {
			r.sleep(ctx, wait)
			continue
		}
		r.dispatch(ctx, jobs, batch)
	}
}

// dispatch hands the batch to the workers, and gives back what is left of it
// when ctx ends or the spaces change.
func (r *Refresher) dispatch(ctx context.Context, jobs chan<- string, batch []string) {
	for i, id := range batch {
		select {
		case jobs <- id:
		case <-ctx.Done():
			r.release(batch[i:]...)
			return
		case <-r.wake:
			r.release(batch[i:]...)
			return
		}
	}
}

// sleep waits d, or until a wake-up; it reports false when ctx ended.
func (r *Refresher) sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
	case <-r.wake:
	}
	return true
}

// Refresh lists every space once, now, and returns the snapshot published at
// the end of that pass. A pass cut short by ctx keeps what it listed.
func (r *Refresher) Refresh(ctx context.Context) *Snapshot {
	ids := r.claim(r.cfg.Spaces(), true)
	sem := make(chan struct{}, r.cfg.Concurrency)
	var wg sync.WaitGroup
	for _, id := range ids {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			r.refreshSpace(ctx, id)
		}()
	}
	wg.Wait()
	return r.Snapshot()
}

// due returns the spaces due now, the stalest first, marked in flight and
// added to the pass; with none due, how long until the next one is.
func (r *Refresher) due() ([]string, time.Duration) {
	now := r.cfg.Now()
	ids := r.cfg.Spaces()
	r.mu.Lock()
	var due []string
	next := r.cfg.Interval
	for _, id := range ids {
		if r.inflight[id] {
			continue
		}
		st := r.states[id]
		if st == nil || !st.LastAttempt.Add(r.cfg.Interval).After(now) {
			due = append(due, id)
		} else if wait := st.LastAttempt.Add(r.cfg.Interval).Sub(now); wait < next {
			next = wait
		}
	}
	r.mu.Unlock()
	return r.claim(stalestFirst(due, r.lastAttempts()), false), next
}

// claim marks ids in flight, leaving out those already in flight, and opens
// a pass if none is open; fresh opens a new one whatever is open (Refresh).
func (r *Refresher) claim(ids []string, fresh bool) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := ids[:0:0]
	for _, id := range ids {
		if !r.inflight[id] {
			r.inflight[id] = true
			out = append(out, id)
		}
	}
	if len(out) > 0 && (fresh || r.pass.start.IsZero()) {
		r.pass = passState{start: r.cfg.Now(), pending: map[string]bool{}}
		for _, id := range r.cfg.Spaces() {
			if st := r.states[id]; st == nil || st.LastAttempt.Before(r.pass.start) {
				r.pass.pending[id] = true
			}
		}
	}
	return out
}

// release gives back claimed spaces that were not listed.
func (r *Refresher) release(ids ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, id := range ids {
		delete(r.inflight, id)
	}
}

func (r *Refresher) lastAttempts() map[string]time.Time {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make(map[string]time.Time, len(r.states))
	for id, st := range r.states {
		out[id] = st.LastAttempt
	}
	return out
}

// refreshSpace lists one space and records the outcome.
func (r *Refresher) refreshSpace(ctx context.Context, id string) {
	start := r.cfg.Now()
	flows, err := r.cfg.Lister.ListAllFlows(ctx, id, r.cfg.FlowName, r.cfg.PageSize)
	if err != nil && ctx.Err() != nil {
		r.release(id) // shutting down: not the space's failure
		return
	}
	r.record(listResult{space: id, flows: flows, err: err, start: start, finish: r.cfg.Now()})
}

// record applies one listing, closes the pass when it was its last space,
// and publishes a snapshot when one is due.
func (r *Refresher) record(res listResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	res.flows = r.categories.fold(res.flows, &r.totals.CategoriesFolded)
	st := res.apply(r.states[res.space], r.cfg.KeepFlows)
	r.states[res.space] = st
	delete(r.inflight, res.space)
	if !st.Up {
		level.Debug(r.cfg.Logger).Log("msg", "refresh of space failed", "space", res.space, "code", st.LastError.Code, "err", st.LastError.Message)
	}
	passDone := false
	if r.pass.pending[res.space] {
		delete(r.pass.pending, res.space)
		r.pass.failed = r.pass.failed || !st.Up
		passDone = len(r.pass.pending) == 0
	}
	if passDone || res.finish.Sub(r.lastPublish) >= r.cfg.PublishEvery {
		r.publishLocked(res.finish)
	} else if !r.flushing {
		// Held back: publish it within PublishEvery even if no other
		// listing ends before the next is due, up to an interval away.
		r.flushing = true
		time.AfterFunc(r.cfg.PublishEvery, r.flush)
	}
}

// flush publishes the results that record held back.
func (r *Refresher) flush() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.flushing = false
	r.publishLocked(r.cfg.Now())
}

// closePassLocked counts the pass that ended; spaces are the configured
// ones, for the log.
func (r *Refresher) closePassLocked(end time.Time, spaces map[string]*SpaceState) {
	r.totals.Completed = true
	r.totals.Refreshes++
	if r.pass.failed {
		r.totals.RefreshFailures++
		level.Warn(r.cfg.Logger).Log("msg", "pass finished with failing spaces", "failed", failing(spaces), "spaces", len(spaces))
	}
	r.totals.LastRefreshEnd = end
	r.totals.LastRefreshDuration = end.Sub(r.pass.start)
	r.pass = passState{}
}

func failing(spaces map[string]*SpaceState) int {
	n := 0
	for _, st := range spaces {
		if !st.Up {
			n++
		}
	}
	return n
}

// publishLocked swaps in a snapshot of the configured spaces. A configured
// space never listed yet appears as not up and without data. Spaces no
// longer configured leave the snapshot and the open pass, which closes if
// they were all it waited for. Their states stay: a space that comes back,
// or one restored from the cache before discovery found it, keeps its data.
func (r *Refresher) publishLocked(now time.Time) {
	ids := r.cfg.Spaces()
	spaces := make(map[string]*SpaceState, len(ids))
	for _, id := range ids {
		if st := r.states[id]; st != nil {
			spaces[id] = st
		} else {
			spaces[id] = &SpaceState{ID: id}
		}
	}
	for id := range r.pass.pending {
		if spaces[id] == nil {
			delete(r.pass.pending, id)
		}
	}
	if !r.pass.start.IsZero() && len(r.pass.pending) == 0 {
		r.closePassLocked(now, spaces)
	}
	next := r.totals
	next.Spaces = spaces
	next.ExpectedPassDuration = r.expectedPass(next.Spaces)
	r.lastPublish = now
	r.current.Store(&next)
	if next.Completed && !r.warned && next.ExpectedPassDuration > r.cfg.Interval && r.cfg.Interval > 0 {
		r.warned = true
		r.warnOutOfReach(len(ids), next.ExpectedPassDuration)
	}
}

// expectedPass estimates how long listing every space takes at the
// configured rate: one call per full page plus the last, short one.
func (r *Refresher) expectedPass(spaces map[string]*SpaceState) time.Duration {
	if r.cfg.Rate <= 0 {
		return 0
	}
	calls := 0
	for _, st := range spaces {
		calls += 1 + st.Count/max(r.cfg.PageSize, 1)
	}
	return time.Duration(float64(calls) / r.cfg.Rate * float64(time.Second))
}

// warnIfOutOfReach warns at start-up when even one call per space cannot fit
// in the interval.
func (r *Refresher) warnIfOutOfReach(spaces int) {
	if r.cfg.Rate <= 0 || r.cfg.Interval <= 0 {
		return
	}
	if pass := time.Duration(float64(spaces) / r.cfg.Rate * float64(time.Second)); pass > r.cfg.Interval {
		r.mu.Lock()
		r.warned = true
		r.mu.Unlock()
		r.warnOutOfReach(spaces, pass)
	}
}

func (r *Refresher) warnOutOfReach(spaces int, pass time.Duration) {
	level.Warn(r.cfg.Logger).Log("msg", "the refresh interval is out of reach: listing every space takes longer at this rate; spaces are refreshed back to back, the stalest first",
		"spaces", spaces, "rate_per_second", r.cfg.Rate, "expected_pass", pass.Round(time.Second), "refresh_interval", r.cfg.Interval)
}
