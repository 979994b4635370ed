package refresh

import (
	"context"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// Lister lists one page of the flows of a space; *client.Client is one.
type Lister interface {
	ListFlowPage(ctx context.Context, space, flowName string, index, size int) ([]client.Flow, error)
}

// Pacer spaces the calls: the account limiter, *client.Limiter.
type Pacer interface {
	Wait(ctx context.Context) error
}

// DefaultMaxPages is the default of Config.MaxPages.
const DefaultMaxPages = 500

// Config configures a Refresher.
type Config struct {
	Lister Lister
	// Pacer is the Lister's account limiter. With it, a worker waits on it
	// before each page and calls with the slot it got
	// (client.WithLimiterSlot), and only a few pages wait on it at once
	// (engine.PagedConfig): the next page is chosen just before its call,
	// so a listing's next page follows its last one as soon as its turn
	// comes.
	// Without it, pages go to free workers at once.
	Pacer Pacer
	// Spaces lists the spaces to refresh; asked whenever due spaces are
	// sought and at each publish. A changed list must be a new slice, never
	// the same one edited in place: a publish takes the slice it saw last as
	// the same list, and goes over the whole list only when it changed.
	Spaces func() []string
	// SpacesComplete reports whether Spaces lists every space to watch;
	// nil means it always does. Until it does (discovery has not answered
	// yet), a space missing from the list may be one not found yet: its
	// state is kept (Snapshot.Retained) and its grace (ForgetAfter) does
	// not start.
	SpacesComplete func() bool
	// ForgetAfter is how long the state of a space no longer watched is
	// kept (Snapshot.Retained), so that a space re-added meanwhile keeps
	// its data: then it is forgotten, and pending if it comes back.
	// Default DefaultForgetAfter, or two Intervals if longer. No more gone
	// spaces are kept than the most spaces watched at once (at least
	// minGoneKept): beyond, the longest gone are forgotten first.
	ForgetAfter time.Duration
	// Interval is the target age of each space's data: a space is listed
	// again once its last listing is that old. When the account's rate
	// cannot list every space within it, spaces are listed back to back,
	// the stalest first.
	Interval time.Duration
	FlowName string // ListFlow's FlowName filter
	PageSize int
	// MaxPages ends a listing that has not reached a short page after that
	// many pages: the space is down with client.CodeTooManyPages and keeps
	// its last data. Default DefaultMaxPages; never above
	// client.MaxPagesLimit.
	MaxPages int
	// Rate is the account limiter's configured rate in calls per second,
	// for the expected duration of a pass and the default Concurrency.
	Rate float64
	// KeepFlows keeps each flow's name and categories for the flow info
	// metric; without it only counts and ids are kept.
	KeepFlows bool
	// Concurrency is how many pages are fetched at once, so that the
	// limiter, which spaces the calls, never waits on a slow answer, and a
	// few slow spaces (one page each at most) cannot hold every worker. It
	// also bounds the young listings under way (see engine.RunPaged).
	// Default: two seconds' worth of calls at Rate, between 4 and 64.
	Concurrency int
	// FirstDelay is the most the first pass waits after start-up, drawn at
	// random, so that restarted replicas do not call in step.
	FirstDelay time.Duration
	// PublishEvery bounds how often a new snapshot is published while
	// listings end (default 250ms): a listing's result is published within
	// it. The end of a pass always publishes at once.
	PublishEvery time.Duration
	Logger       log.Logger
	Now          func() time.Time
}

// Refresher lists the flows of every configured space in the background and
// publishes what it knows as immutable Snapshots. Spaces are refreshed
// continuously within the account's budget, the stalest first, a page at a
// time so that no space can starve the others (see engine.RunPaged); a
// space's data is published as soon as its listing ends. A scrape never calls the API and
// never waits for a listing.
type Refresher struct {
	cfg     Config
	current atomic.Pointer[snapshot.Snapshot]
	wake    chan struct{}

	mu sync.Mutex
	// The last state of every space listed or restored, watched or not:
	// of those not watched, retained and gone say which are kept and
	// since when (retention.go).
	states   map[string]*snapshot.SpaceState
	inflight map[string]bool
	// The spaces of the next snapshot: those watched with a state. Each
	// publish brings it up to date with the spaces recorded since the last
	// (changed, possibly twice) and, when the list of spaces changed, with
	// the list.
	table       *snapshot.SpaceTableBuilder
	changed     []string
	watched     []string                    // the list the table follows
	watch       map[string]struct{}         // its spaces
	complete    bool                        // the list is complete (Config.SpacesComplete)
	mostWatched int                         // the most spaces watched at once
	retained    *snapshot.SpaceTableBuilder // the states of the spaces not watched, kept
	gone        goneLog                     // since when those are gone
	calls       int                         // calls a pass takes over the spaces of table (see expectedPass)
	pass        passState
	totals      snapshot.Snapshot // the pass counters of the next snapshot
	lastPublish time.Time
	flushing    bool // a publish of results held back by PublishEvery is due
	warned      bool
	categories  categoryCap
	packer      snapshot.FlowPacker // of kept flows
	transitions *transitionLog      // logs each space's failure and recovery once
	statusCap   statusCap           // the flow statuses' names (flowstatus_refresher.go)
}

// passState is the pass under way: it ends when every space configured when
// it opened, and still configured, has been listed since. pending holds
// those not listed yet, listed counts those listed and failed those whose
// listing failed; a zero start means no pass is open.
type passState struct {
	start          time.Time
	pending        map[string]bool
	listed, failed int
}

// New returns a refresher whose snapshot has every configured space
// pending.
func New(cfg Config) *Refresher {
	if cfg.Concurrency < 1 {
		cfg.Concurrency = defaultConcurrency(cfg.Rate)
	}
	if cfg.MaxPages < 1 {
		cfg.MaxPages = DefaultMaxPages
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
	if cfg.ForgetAfter <= 0 {
		cfg.ForgetAfter = defaultForgetAfter(cfg.Interval)
	}
	r := &Refresher{cfg: cfg, wake: make(chan struct{}, 1), states: map[string]*snapshot.SpaceState{}, inflight: map[string]bool{},
		table: snapshot.NewSpaceTableBuilder(), retained: snapshot.NewSpaceTableBuilder(), transitions: newTransitionLog(cfg.Logger, cfg.Now())}
	r.followLocked(cfg.Now())
	r.current.Store(snapshot.Snapshot{Pending: len(r.watch)}.WithTables(r.table.Freeze(), snapshot.SpaceTable{}))
	return r
}

func defaultConcurrency(rate float64) int {
	return int(min(max(math.Ceil(rate*2), 4), 64))
}

// Snapshot returns the last published snapshot. It never blocks.
func (r *Refresher) Snapshot() *snapshot.Snapshot { return r.current.Load() }

// Wake asks the scheduler to look at the spaces again now, for example after
// the list of spaces changed.
func (r *Refresher) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Restore seeds the refresher with states saved by an earlier run, with
// their original timestamps, and publishes them: they are served at once,
// and listed again only when due, the stalest first. A state with a time
// later than the clock is not trusted (its data would pass for fresh and
// never be listed again): it is left out, so that its space is listed at
// once. Call it before Run. Restore takes states over: the caller must not
// use the map or the states any more (a copy of 200,000 would cost their
// memory twice at start-up). It returns how many states it restored.
func (r *Refresher) Restore(states map[string]*snapshot.SpaceState) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.cfg.Now()
	var future []string
	for id, st := range states {
		if st.LastAttempt.After(now) || st.LastSuccess.After(now) {
			future = append(future, id)
			delete(states, id)
		}
	}
	trusted := states
	r.categories.foldStates(trusted, &r.totals.CategoriesFolded, &r.packer)
	r.foldRestoredStatuses(trusted)
	if len(r.states) == 0 && trusted != nil {
		r.states = trusted
	} else {
		maps.Copy(r.states, trusted)
	}
	r.changed = slices.Grow(r.changed, len(trusted))
	for id := range trusted {
		r.changed = append(r.changed, id)
	}
	// The run that saved them watched or kept that many: a list shorter at
	// start-up (a spaces file read mid-rewrite, discovery not answered)
	// keeps the others for their grace, as a shorter list later would.
	r.mostWatched = max(r.mostWatched, len(r.states))
	if len(future) > 0 {
		sort.Strings(future)
		level.Warn(r.cfg.Logger).Log("msg", "ignoring cached spaces dated later than the clock (a clock set back, or a cache from another host); listing them at once",
			"spaces", len(future), "first", fmt.Sprintf("%q", future[0]))
	}
	r.publishLocked(now)
	return len(trusted)
}

// Run refreshes spaces as they come due until ctx ends.
func (r *Refresher) Run(ctx context.Context) {
	r.warnIfOutOfReach(len(r.cfg.Spaces()))
	// Last, once every listing has stopped: publish what was held back, so
	// that a cache written at shutdown holds every listing.
	defer r.flush()
	defer r.transitions.flush()
	if r.cfg.FirstDelay > 0 {
		if !r.sleep(ctx, rand.N(r.cfg.FirstDelay)) {
			return
		}
		r.flush() // the list may have changed meanwhile, its wake-up spent on the delay
	}
	r.listings(ctx, nil, false)
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
func (r *Refresher) Refresh(ctx context.Context) *snapshot.Snapshot {
	r.listings(ctx, r.claim(r.cfg.Spaces(), true), true)
	r.flush()
	return r.Snapshot()
}

// due returns the spaces due now, the stalest first (never listed ones
// first of all), marked in flight and added to the pass; with none due, how
// long until the next one is.
func (r *Refresher) due() ([]string, time.Duration) {
	type candidate struct {
		id   string
		last time.Time
	}
	now := r.cfg.Now()
	ids := r.cfg.Spaces()
	r.mu.Lock()
	var due []candidate
	next := r.cfg.Interval
	for _, id := range ids {
		if r.inflight[id] {
			continue
		}
		st := r.states[id]
		if st == nil {
			due = append(due, candidate{id: id})
		} else if at := st.LastAttempt.Add(r.cfg.Interval); !at.After(now) {
			due = append(due, candidate{id, st.LastAttempt})
		} else if wait := at.Sub(now); wait < next {
			next = wait
		}
	}
	r.mu.Unlock()
	sort.SliceStable(due, func(i, j int) bool { return due[i].last.Before(due[j].last) })
	out := make([]string, len(due))
	for i, c := range due {
		out[i] = c.id
	}
	return r.claim(out, false), next
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
	if now := r.cfg.Now(); len(out) > 0 && r.totals.IdleUntil.After(now) {
		// Woken before the next space came due: the idle time ends now.
		r.totals.IdleUntil = now
		r.publishLocked(now)
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

// record applies one listing, closes the pass when it was its last space,
// and publishes a snapshot when one is due.
func (r *Refresher) record(res listResult) {
	r.mu.Lock()
	defer r.mu.Unlock()
	res.flows = r.categories.fold(res.flows, &r.totals.CategoriesFolded)
	st := res.apply(r.states[res.space], r.cfg.KeepFlows, &r.packer)
	r.transitions.observe(r.states[res.space], st)
	r.states[res.space] = st
	r.changed = append(r.changed, res.space)
	delete(r.inflight, res.space)
	if res.answered {
		r.totals.LastListCall = res.finish
	}
	if !st.Up {
		level.Debug(r.cfg.Logger).Log("msg", "refresh of space failed", "space", res.space, "code", st.LastError.Code, "pages", res.pages, "err", st.LastError.Message)
	}
	passDone := false
	if r.pass.pending[res.space] {
		delete(r.pass.pending, res.space)
		r.pass.listed++
		if !st.Up {
			r.pass.failed++
		}
		passDone = len(r.pass.pending) == 0
	}
	r.publishSoonLocked(res.finish, passDone)
}

// answered notes a page of a listing under way that the API answered: the
// refresher makes progress however long the listing runs.
func (r *Refresher) answered(at time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.totals.LastListCall = at
	r.publishSoonLocked(at, false)
}

// idle publishes that nothing is to be listed until the next space comes
// due at until, unless a listing is under way (see Snapshot.IdleUntil).
func (r *Refresher) idle(until time.Time) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.inflight) > 0 {
		return
	}
	r.totals.IdleUntil = until
	r.publishLocked(r.cfg.Now())
}

// publishSoonLocked publishes at once when now is set or PublishEvery has
// passed since the last publish, and otherwise within PublishEvery.
func (r *Refresher) publishSoonLocked(at time.Time, now bool) {
	if now || at.Sub(r.lastPublish) >= r.cfg.PublishEvery {
		r.publishLocked(at)
	} else if !r.flushing {
		// Held back: publish it within PublishEvery even if nothing else
		// ends before the next listing is due, up to an interval away.
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

// closePassLocked counts the pass that ended; the log counts the spaces
// whose listing in the pass failed, whatever became of them since.
func (r *Refresher) closePassLocked(end time.Time) {
	r.totals.Completed = true
	r.totals.Refreshes++
	if r.pass.failed > 0 {
		r.totals.RefreshFailures++
		level.Warn(r.cfg.Logger).Log("msg", "pass finished with failing spaces", "failed", r.pass.failed, "spaces", r.pass.listed)
	}
	r.totals.LastRefreshEnd = end
	r.totals.LastRefreshDuration = end.Sub(r.pass.start)
	r.pass = passState{}
}

// publishLocked swaps in a snapshot of the watched spaces. A watched space
// without a state (never listed, nothing restored) is pending: it is
// counted, not listed. Spaces no longer watched leave the snapshot and the
// open pass, which closes if they were all it waited for. Their states are
// kept for a grace (Snapshot.Retained, retention.go): a space that comes
// back, or one restored from the cache before discovery found it, keeps its
// data. It costs what changed since the last publish: the spaces recorded
// since and those forgotten, and the whole list only when it changed.
func (r *Refresher) publishLocked(now time.Time) {
	r.forgetLocked(now) // before a space past its grace can come back with its data
	r.followLocked(now)
	for _, id := range r.changed {
		r.placeLocked(id, now)
	}
	r.forgetLocked(now) // the spaces gone just now beyond the most kept
	if cap(r.changed) > 1024 {
		r.changed = nil // after a restore: not kept for ever
	}
	r.changed = r.changed[:0]
	spaces := r.table.Freeze()
	if !r.pass.start.IsZero() && len(r.pass.pending) == 0 {
		r.closePassLocked(now)
	}
	next := r.totals.WithTables(spaces, r.retained.Freeze())
	next.Pending = len(r.watch) - spaces.Len()
	next.ExpectedPassDuration = r.expectedPass(next.Pending)
	r.lastPublish = now
	r.current.Store(next)
	if next.Completed && !r.warned && next.ExpectedPassDuration > r.cfg.Interval && r.cfg.Interval > 0 {
		r.warned = true
		r.warnOutOfReach(len(r.watch), next.ExpectedPassDuration)
	}
}

// followLocked brings the table up to date with the list of spaces if it
// changed since the last call, or became complete, and reports whether it
// did: every watched space with a state is in the table, no other is (their
// states are retained), and the open pass waits for none but watched
// spaces.
func (r *Refresher) followLocked(now time.Time) bool {
	ids := r.cfg.Spaces()
	complete := r.cfg.SpacesComplete == nil || r.cfg.SpacesComplete()
	if r.watch != nil && sameSlice(ids, r.watched) && complete == r.complete {
		return false
	}
	completed := complete && !r.complete
	r.complete = complete
	watch := make(map[string]struct{}, len(ids))
	for _, id := range ids {
		watch[id] = struct{}{}
		if st := r.states[id]; st != nil {
			r.unretainLocked(id)
			r.putLocked(id, st)
		}
	}
	var gone []string
	for id := range r.table.All() {
		if _, ok := watch[id]; !ok {
			gone = append(gone, id)
		}
	}
	for _, id := range gone {
		r.removeLocked(id)
		r.retainLocked(id, r.states[id], now)
	}
	if completed {
		r.markGoneLocked(now)
	}
	for id := range r.pass.pending {
		if _, ok := watch[id]; !ok {
			delete(r.pass.pending, id)
		}
	}
	r.watched, r.watch = ids, watch
	r.mostWatched = max(r.mostWatched, len(watch))
	return true
}

// placeLocked puts the state of id, recorded or restored, where it
// belongs: in the table if the space is watched, with the retained states
// otherwise.
func (r *Refresher) placeLocked(id string, now time.Time) {
	st := r.states[id]
	switch _, watched := r.watch[id]; {
	case st == nil: // forgotten since
	case watched:
		r.putLocked(id, st)
	default:
		r.retainLocked(id, st, now)
	}
}

// watching reports whether space is watched, following the list first if
// it changed: a listing goes on only while its space is.
func (r *Refresher) watching(space string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.cfg.Now()
	r.forgetLocked(now)
	r.followLocked(now)
	_, ok := r.watch[space]
	return ok
}

// sameSlice reports whether a and b are the same slice, not merely equal
// (see Config.Spaces).
func sameSlice(a, b []string) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}

// putLocked sets a space's state in the table, and the pass's calls.
func (r *Refresher) putLocked(id string, st *snapshot.SpaceState) {
	if old := r.table.Put(id, st); old != st {
		r.calls += r.passCalls(st) - r.passCalls(old)
	}
}

// removeLocked takes a space out of the table.
func (r *Refresher) removeLocked(id string) {
	r.calls -= r.passCalls(r.table.Remove(id))
}

// passCalls is how many calls listing a space takes, by its last listing:
// one per full page plus the last, short one, or as many as its last
// listing took if more (a listing cut at MaxPages); none without a state.
func (r *Refresher) passCalls(st *snapshot.SpaceState) int {
	if st == nil {
		return 0
	}
	return max(1+st.Count/max(r.cfg.PageSize, 1), st.Pages)
}

// expectedPass estimates how long listing every space takes at the
// configured rate: the calls of the spaces with a state (passCalls), one
// for each pending space.
func (r *Refresher) expectedPass(pending int) time.Duration {
	if r.cfg.Rate <= 0 {
		return 0
	}
	return time.Duration(float64(r.calls+pending) / r.cfg.Rate * float64(time.Second))
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
