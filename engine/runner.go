package engine

import (
	"cmp"
	"context"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/internal/failurelog"
	"github.com/cams-exporter/cams_exporter/internal/firstn"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// Pacer spaces a source's calls: its account limiter, *client.Limiter.
type Pacer interface {
	Wait(ctx context.Context) error
}

// Defaults of Config.
const (
	defaultPollEvery  = 5 * time.Second
	defaultApplyEvery = time.Second
	// queueSeconds is how many seconds of calls one look at the spaces
	// chooses: a new space waits at most that long behind the chosen.
	queueSeconds = 15
)

// Config configures a Runner.
type Config struct {
	Source Source
	// Pacer is the source's own limiter: the runner waits for a slot, then
	// chooses the call and makes it with that slot
	// (client.WithLimiterSlot). Without it, calls go as fast as
	// Concurrency allows.
	Pacer Pacer
	// Rate is the pacer's configured rate in calls per second, for the
	// expected pass and the default Concurrency.
	Rate float64
	// Interval is the source's target age, as its flag says; the source's
	// Due applies it.
	Interval time.Duration
	Watched  *Watched
	// Snapshot returns the engine's last snapshot, which Source.Due reads
	// for what other sources know; nil for none.
	Snapshot func() *snapshot.Snapshot
	// ForgetAfter is how long the part of a space no longer watched is
	// kept, out of the state, so that a space re-added meanwhile keeps its
	// data.
	ForgetAfter time.Duration
	// Concurrency is how many calls may be under way at once. Default: two
	// seconds of calls at Rate, between 2 and 32.
	Concurrency int
	// PollEvery is how often an idle runner looks for calls come due;
	// ApplyEvery how often results are applied and published.
	PollEvery, ApplyEvery time.Duration
	// OnPublish is told after each new state is published.
	OnPublish func()
	// Store, when set, keeps the source's parts instead of the runner's
	// own state, and is the runner's Snapshot (see Store).
	Store Store
	// AcrossSpaces ranks the due calls by age alone, whatever their space:
	// the stalest call first, so that a space's second call may go before
	// another space's first. Without it a space's second call goes after
	// every space's first (see ranked).
	AcrossSpaces bool
	Logger       log.Logger
	Now          func() time.Time
}

// Runner calls a source's due work until its context ends: the urgent
// calls first, then the stalest, fair between spaces, on the source's own
// pacer, and publishes the source's state (snapshot.SourceState) as
// results come in. It never waits on another source's pacer.
type Runner struct {
	cfg     Config
	current atomic.Pointer[snapshot.SourceState]
	wake    chan struct{}

	mu       sync.Mutex
	queue    []Task // chosen by the last look, in order
	scanned  time.Time
	dirty    bool      // results came in, or a wake: look again once the queue is empty
	nextDue  time.Time // when the next call not due yet comes due
	pass     time.Duration
	inflight map[taskKey]struct{}
	once     map[taskKey]struct{} // in a RunOnce: the calls made so far
	lastList []string             // the list the retained parts follow
	index    *dueIndex
	warned   bool
	failures failurelog.Log

	// mostWatched is the most spaces watched at once, or restored: as
	// many parts as that are retained at most (boundRetainedLocked).
	mostWatched int

	// paged, when set (NewPagedRunner), runs instead of run: a paged
	// source's listings instead of calls.
	paged func(ctx context.Context, once bool)
}

// NewRunner returns a runner of cfg.Source with no state.
func NewRunner(cfg Config) *Runner {
	if cfg.Concurrency < 1 {
		cfg.Concurrency = int(min(max(math.Ceil(cfg.Rate*2), 2), 32))
	}
	if cfg.PollEvery <= 0 {
		cfg.PollEvery = defaultPollEvery
	}
	if cfg.ApplyEvery <= 0 {
		cfg.ApplyEvery = defaultApplyEvery
	}
	if cfg.Logger == nil {
		cfg.Logger = log.NewNopLogger()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Store != nil {
		cfg.Snapshot = cfg.Store.Snapshot
	}
	if cfg.Snapshot == nil {
		cfg.Snapshot = func() *snapshot.Snapshot { return nil }
	}
	if cfg.OnPublish == nil {
		cfg.OnPublish = func() {}
	}
	r := &Runner{cfg: cfg, wake: make(chan struct{}, 1), inflight: map[taskKey]struct{}{}, index: newDueIndex()}
	st := snapshot.NewSourceState(cfg.Source.Name(), cfg.Source.Operation())
	st.Interval = cfg.Interval
	r.current.Store(st)
	return r
}

// State returns the source's last published state.
func (r *Runner) State() *snapshot.SourceState { return r.current.Load() }

// Source returns the runner's source.
func (r *Runner) Source() Source { return r.cfg.Source }

// Restore sets the parts of a cache's spaces, before Run: each space's
// next call comes due from its restored times. The part of a space not
// watched now is retained, not known gone until the first look at the list
// (see followListLocked, and RestoreRetained).
func (r *Runner) Restore(parts map[string]*snapshot.SpacePart) { r.restore(parts, nil) }

// Wake makes the runner look for due calls now: a space was added. A
// space re-added within its grace has its part back at once.
func (r *Runner) Wake() {
	r.mu.Lock()
	r.dirty = true
	r.followNowLocked()
	r.mu.Unlock()
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run calls due work until ctx ends. The results in at the end are
// published before it returns, so that a cache written after it holds them.
func (r *Runner) Run(ctx context.Context) {
	level.Info(r.cfg.Logger).Log("msg", "calling "+r.cfg.Source.Operation()+" in the background, the stalest first",
		"collector", r.cfg.Source.Name(), "interval", r.cfg.Interval, "rate_per_second", r.cfg.Rate)
	r.run(ctx, false)
}

// RunOnce makes every call of every watched space once, whatever its last
// call, and returns the state published at the end. A run cut short by ctx
// keeps what it made.
func (r *Runner) RunOnce(ctx context.Context) *snapshot.SourceState {
	r.mu.Lock()
	r.once = map[taskKey]struct{}{}
	r.mu.Unlock()
	r.run(ctx, true)
	r.mu.Lock()
	r.once = nil
	r.mu.Unlock()
	return r.State()
}

// run calls until ctx ends or, once, until every call was made in this run.
func (r *Runner) run(ctx context.Context, once bool) {
	if r.paged != nil {
		r.paged(ctx, once)
		return
	}
	results := make(chan Done, r.cfg.Concurrency)
	collected := make(chan struct{})
	go func() { r.collect(results, once); close(collected) }()
	slots := make(chan struct{}, r.cfg.Concurrency)
	var wg sync.WaitGroup
	for r.acquire(ctx, slots) {
		t, wait, ok := r.next(once)
		if !ok {
			<-slots
			if wait < 0 || !r.sleep(ctx, wait) {
				break
			}
			continue
		}
		wg.Go(func() {
			defer func() { <-slots }()
			results <- r.call(ctx, t)
		})
	}
	wg.Wait()
	close(results)
	<-collected
}

// acquire takes a worker slot and, with a pacer, waits for the next call's
// turn; false when ctx ended.
func (r *Runner) acquire(ctx context.Context, slots chan struct{}) bool {
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return false
	}
	if r.cfg.Pacer != nil {
		if err := r.cfg.Pacer.Wait(ctx); err != nil {
			<-slots
			return false
		}
	}
	return true
}

// sleep waits d, or until a wake; false when ctx ended first.
func (r *Runner) sleep(ctx context.Context, d time.Duration) bool {
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

// next returns the next call, marked in flight; without one, how long to
// wait before looking again, negative when a once run has nothing left.
func (r *Runner) next(once bool) (Task, time.Duration, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.cfg.Now()
	if now.Sub(r.scanned) >= r.lookEvery() || (len(r.queue) == 0 && (once || r.dirty || !now.Before(r.nextDue))) {
		r.scanLocked(now, once)
	}
	for len(r.queue) > 0 {
		t := r.queue[0]
		r.queue = r.queue[1:]
		if _, busy := r.inflight[t.key()]; !busy {
			r.inflight[t.key()] = struct{}{}
			return t, 0, true
		}
	}
	if once {
		if len(r.inflight) > 0 {
			return Task{}, r.cfg.ApplyEvery, false // calls whose results may bring more
		}
		return Task{}, -1, false
	}
	return Task{}, min(max(r.nextDue.Sub(now), 0), r.cfg.PollEvery), false
}

// lookEvery is how long a queue is worth: queueSeconds of calls, or
// PollEvery when it was empty.
func (r *Runner) lookEvery() time.Duration {
	if len(r.queue) == 0 {
		return r.cfg.PollEvery
	}
	return queueSeconds * time.Second
}

// queueLen is how many calls one look chooses.
func (r *Runner) queueLen() int {
	return int(min(max(r.cfg.Rate*queueSeconds, 8), 10000))
}

// scanLocked chooses the next calls: the first of the watched spaces' due
// calls in order (see before), notes when the next call comes due and the
// expected pass, and starts or ends the grace of spaces that left the
// list. A look asks Due only of the spaces whose answer may have changed
// (dueIndex); a once run asks every space, a call being due when not made
// in this run.
func (r *Runner) scanLocked(now time.Time, once bool) {
	r.scanned, r.dirty = now, false
	ids, watched := r.cfg.Watched.List()
	if once {
		r.scanAllLocked(now, ids)
		return
	}
	r.followListLocked(now, ids, watched)
	r.lookLocked(now, ids, watched)
	r.warnOutOfReachLocked(r.index.calls)
}

// lookLocked brings the index up to date and queues the first due calls.
// The spaces are taken from the index in the order of their first due
// call until queueLen of them offered that call (it was not in flight): a
// space's later calls rank after every space's first, and a space's first
// call not in flight ranks no earlier than its index rank, so no space
// left in the index has a call before those chosen.
func (r *Runner) lookLocked(now time.Time, ids []string, watched func(string) bool) {
	state, snap, x := r.current.Load(), r.cfg.Snapshot(), r.index
	x.follow(ids, watched, state, snap, now)
	var tasks []Task
	for id := range x.stale {
		delete(x.stale, id)
		if !watched(id) {
			x.drop(id)
			continue
		}
		var next time.Time
		var calls float64
		tasks, next, calls = r.dueLocked(tasks[:0], id, state.Part(id), snap, now)
		x.set(id, tasks, next, calls)
	}
	chosen := &firstn.Keeper[ranked]{Max: r.queueLen(), Before: before}
	var taken []*dueEntry
	for given := 0; x.due.len() > 0 && r.moreLocked(chosen, given, x.due.top()); {
		e := x.due.pop()
		taken = append(taken, e)
		tasks, _, _ = r.dueLocked(tasks[:0], e.space, state.Part(e.space), snap, now)
		if len(tasks) > 0 && !r.busyLocked(tasks[0], false) {
			given++ // its first call ranks where the index put it
		}
		r.offerLocked(chosen, tasks, false)
	}
	for _, e := range taken {
		x.due.upsert(e)
	}
	r.queue = tasksOf(chosen.Sorted())
	r.nextDue = x.soonest()
	if r.nextDue.IsZero() {
		r.nextDue = now.Add(r.cfg.PollEvery)
	}
	r.setPassLocked(x.calls)
}

// scanAllLocked asks the source for the due calls of every watched space,
// as if none had been made, and queues the first of those not made in this
// run.
func (r *Runner) scanAllLocked(now time.Time, ids []string) {
	snap := r.cfg.Snapshot()
	chosen := &firstn.Keeper[ranked]{Max: r.queueLen(), Before: before}
	calls := 0.0
	var tasks []Task
	for _, id := range ids {
		var n float64
		tasks, n = r.everyCallLocked(tasks[:0], id, snap, now)
		calls += n
		r.offerLocked(chosen, tasks, true)
	}
	r.queue = tasksOf(chosen.Sorted())
	r.nextDue = now.Add(r.cfg.PollEvery)
	r.setPassLocked(calls)
}

// dueLocked asks the source for space's due calls, sorted by byUrgency.
func (r *Runner) dueLocked(dst []Task, space string, part *snapshot.SpacePart, snap *snapshot.Snapshot, now time.Time) ([]Task, time.Time, float64) {
	tasks, next, calls := r.cfg.Source.Due(dst, space, part, snap, now)
	byUrgency(tasks)
	return tasks, next, calls
}

// offerLocked offers chosen a space's due calls that are not busy, each
// with its turn.
func (r *Runner) offerLocked(chosen *firstn.Keeper[ranked], tasks []Task, once bool) {
	turn := 0
	for _, t := range tasks {
		if !r.busyLocked(t, once) {
			chosen.Offer(ranked{Task: t, turn: turn})
			if !r.cfg.AcrossSpaces {
				turn++
			}
		}
	}
}

// busyLocked reports whether t is in flight or, once, made in this run.
func (r *Runner) busyLocked(t Task, once bool) bool {
	if _, busy := r.inflight[t.key()]; busy {
		return true
	}
	_, made := r.once[t.key()]
	return once && made
}

// setPassLocked sets the expected pass: calls per interval at the rate.
func (r *Runner) setPassLocked(calls float64) {
	if r.cfg.Rate > 0 {
		r.pass = time.Duration(calls / r.cfg.Rate * float64(time.Second))
	}
}

// warnOutOfReachLocked warns once when a pass takes longer than the
// interval at the configured rate.
func (r *Runner) warnOutOfReachLocked(calls float64) {
	if r.warned || r.cfg.Interval <= 0 || r.pass <= r.cfg.Interval {
		return
	}
	r.warned = true
	if w, ok := r.cfg.Source.(ReachWarner); ok {
		w.WarnOutOfReach(r.cfg.Logger, calls, r.cfg.Rate, r.pass, r.cfg.Interval)
		return
	}
	level.Warn(r.cfg.Logger).Log("msg", "the interval is out of reach: a pass takes longer at this rate; calls are made back to back, the stalest first, and the data gets as old as a pass",
		"collector", r.cfg.Source.Name(), "calls", math.Round(calls), "rate_per_second", r.cfg.Rate, "expected_pass", r.pass.Round(time.Second), "interval", r.cfg.Interval)
}

// call makes t with the slot its caller waited for. A call cut short by
// ctx is no call: its result is dropped.
func (r *Runner) call(ctx context.Context, t Task) Done {
	callCtx := ctx
	if r.cfg.Pacer != nil {
		callCtx = client.WithLimiterSlot(ctx)
	}
	value, err := r.cfg.Source.Call(callCtx, t)
	d := Done{Task: t, At: r.cfg.Now(), Value: value, Err: err}
	if err != nil && ctx.Err() != nil {
		d.At = time.Time{}
	}
	return d
}

// collect applies the results every ApplyEvery, and what is left when
// results closes, then frees their calls for the next look. A once run
// applies them as they come and wakes the run, so that it ends as soon as
// the last call returns instead of an ApplyEvery later.
func (r *Runner) collect(results <-chan Done, once bool) {
	tick := time.NewTicker(r.cfg.ApplyEvery)
	defer tick.Stop()
	var batch []Done
	apply := func() {
		r.apply(batch)
		clear(batch) // applied: a paged source's listing holds every page's answer until overwritten
		batch = batch[:0]
	}
	for {
		select {
		case d, ok := <-results:
			if !ok {
				apply()
				return
			}
			batch = append(batch, d)
			if once {
				apply()
				r.Wake()
			}
		case <-tick.C:
			apply()
		}
	}
}

// apply hands each space's results to the source and publishes the state
// when anything changed. Results of spaces no longer watched are dropped.
func (r *Runner) apply(batch []Done) {
	r.mu.Lock()
	defer r.mu.Unlock()
	_, watched := r.cfg.Watched.List()
	bySpace := map[string][]Done{}
	for _, d := range batch {
		delete(r.inflight, d.key())
		if d.At.IsZero() || !watched(d.Space) {
			continue
		}
		if r.once != nil {
			r.once[d.key()] = struct{}{}
		}
		bySpace[d.Space] = append(bySpace[d.Space], d)
	}
	r.dirty = r.dirty || len(batch) > 0
	if r.cfg.Store != nil {
		r.cfg.Store.Apply(bySpace, r.pass)
		return
	}
	state, snap := r.current.Load(), r.cfg.Snapshot()
	changed := make(map[string]*snapshot.SpacePart, len(bySpace))
	for space, done := range bySpace {
		prev := state.Part(space)
		if next := r.cfg.Source.Apply(space, prev, done, snap); next != prev {
			changed[space] = next
		}
		noteFailures(&r.failures, r.cfg.Logger, r.cfg.Source, r.cfg.Now(), done)
	}
	r.publishLocked(state, changed)
}

// publishLocked publishes state with changed applied and the expected pass
// of the last look, if any of them differs from the state published.
func (r *Runner) publishLocked(state *snapshot.SourceState, changed map[string]*snapshot.SpacePart) {
	folded, totals := state.Folded, r.totalsLocked(state)
	if f, ok := r.cfg.Source.(Folder); ok {
		folded = f.Folded()
	}
	if len(changed) == 0 && state == r.current.Load() && state.ExpectedPass == r.pass && state.Folded == folded && state.Totals == totals {
		return
	}
	next := state.WithParts(changed)
	next.ExpectedPass, next.Folded, next.Totals = r.pass, folded, totals
	r.current.Store(next)
	r.cfg.OnPublish()
}

// totalsLocked returns the source's figures across its spaces (Totaler),
// state's when it has none.
func (r *Runner) totalsLocked(state *snapshot.SourceState) any {
	if t, ok := r.cfg.Source.(Totaler); ok {
		return t.Totals()
	}
	return state.Totals
}

// handOverLocked tells a Holder source of the parts changed moves out of
// the state (nil) and into it, those first, so that what the leaving held
// goes to the entering; the entering parts it grants anew replace theirs
// in changed.
func (r *Runner) handOverLocked(changed map[string]*snapshot.SpacePart) {
	h, ok := r.cfg.Source.(Holder)
	if !ok || len(changed) == 0 {
		return
	}
	var leaving []string
	entering := make(map[string]*snapshot.SpacePart, len(changed))
	for id, p := range changed {
		if p == nil {
			leaving = append(leaving, id)
		} else {
			entering[id] = p
		}
	}
	if len(leaving) > 0 {
		slices.Sort(leaving)
		h.Leave(leaving)
	}
	if len(entering) > 0 {
		h.Enter(entering)
		maps.Copy(changed, entering)
	}
}

// followListLocked moves the parts of spaces that left the list out of
// the state, into its retained parts, and back when they return. A part
// retained is forgotten ForgetAfter after its space is known to be gone:
// when it left, or, if the list was not complete then (a space missing
// from it may be one not found yet), when the list became complete; until
// then its RetainedSince is zero. The state so holds only watched spaces.
func (r *Runner) followListLocked(now time.Time, ids []string, watched func(string) bool) {
	state := r.current.Load()
	complete := r.cfg.Watched.Complete()
	changed := map[string]*snapshot.SpacePart{}
	retained := map[string]*snapshot.KeptPart{}
	if !sameSlice(ids, r.lastList) {
		r.lastList = ids
		for id, kept := range state.Retained() {
			if watched(id) {
				changed[id], retained[id] = kept.Part, nil
			}
		}
		if state.Len() > 0 {
			for id, part := range state.All() {
				if !watched(id) {
					changed[id], retained[id] = nil, r.retain(part, time.Time{}, now, complete)
				}
			}
		}
	}
	if complete {
		for id, kept := range state.Retained() {
			if _, moved := retained[id]; !moved && (kept.RetainedSince.IsZero() || r.forgotten(kept.RetainedSince, now)) {
				retained[id] = r.retain(kept.Part, kept.RetainedSince, now, complete)
			}
		}
		r.mostWatched = max(r.mostWatched, len(ids))
		r.boundRetainedLocked(state, retained)
	}
	r.handOverLocked(changed)
	if len(changed) > 0 || len(retained) > 0 {
		r.publishLocked(state.WithRetained(retained), changed)
	}
}

// followNowLocked follows the list as it is now (see followListLocked).
func (r *Runner) followNowLocked() {
	ids, watched := r.cfg.Watched.List()
	r.followListLocked(r.cfg.Now(), ids, watched)
}

// retain returns the retained part of part, whose space is known to be
// gone since since (zero: not known): with a complete list, one not known
// gone is gone from now; nil when its grace is over.
func (r *Runner) retain(part *snapshot.SpacePart, since, now time.Time, complete bool) *snapshot.KeptPart {
	if complete && since.IsZero() {
		since = now
	}
	if complete && r.forgotten(since, now) {
		return nil
	}
	return &snapshot.KeptPart{Part: part, RetainedSince: since}
}

// minRetained is the least of the most parts retained at once, as the
// flows keep the states of as many spaces gone (refresh's minGoneKept).
const minRetained = 1000

// boundRetainedLocked forgets, in retained (the changes to state's
// retained parts about to be published), the parts retained the longest
// beyond the most kept: as many as the most spaces watched at once (or
// restored), at least minRetained. A list that churns faster than the
// grace so never has more kept. It costs nothing below the bound.
func (r *Runner) boundRetainedLocked(state *snapshot.SourceState, retained map[string]*snapshot.KeptPart) {
	limit := max(r.mostWatched, minRetained)
	if state.RetainedLen()+len(retained) <= limit {
		return
	}
	type gone struct {
		id    string
		since time.Time
	}
	var kept []gone
	for id, k := range state.Retained() {
		if _, changed := retained[id]; !changed {
			kept = append(kept, gone{id, k.RetainedSince})
		}
	}
	for id, k := range retained {
		if k != nil {
			kept = append(kept, gone{id, k.RetainedSince})
		}
	}
	if len(kept) <= limit {
		return
	}
	slices.SortFunc(kept, func(a, b gone) int { return cmp.Or(a.since.Compare(b.since), strings.Compare(a.id, b.id)) })
	for _, g := range kept[:len(kept)-limit] {
		retained[g.id] = nil
	}
}

// forgotten reports whether the grace of a part retained since since is
// over at now.
func (r *Runner) forgotten(since, now time.Time) bool { return now.Sub(since) >= r.cfg.ForgetAfter }

// RestoreRetained sets the parts a cache kept of spaces not watched when
// it was written, each retained since its space was known to be gone (see
// followListLocked), so that a restart does not start their grace again.
// Call it before Run, after Restore. A space watched now has its part back
// in the state at once (it is not called for as a new space would be);
// one that has a part already keeps that one. A time later than the
// clock's (a clock set back) is taken for now.
func (r *Runner) RestoreRetained(parts map[string]*snapshot.KeptPart) { r.restore(nil, parts) }

// restore sets restored parts (see Restore and RestoreRetained), each in
// the state if its space is watched now, retained otherwise.
func (r *Runner) restore(parts map[string]*snapshot.SpacePart, retainedParts map[string]*snapshot.KeptPart) {
	if len(parts) == 0 && len(retainedParts) == 0 {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.cfg.Now()
	_, watched := r.cfg.Watched.List()
	state := r.current.Load()
	// The run that saved them watched or kept that many: a list shorter
	// at start-up keeps the others for their grace.
	r.mostWatched = max(r.mostWatched, state.Len()+state.RetainedLen()+len(parts)+len(retainedParts))
	retained := map[string]*snapshot.KeptPart{}
	for id, part := range parts {
		if !watched(id) {
			retained[id] = &snapshot.KeptPart{Part: part} // not known gone until the first look
		}
	}
	watchedParts := parts // most often, every part restored is watched
	if len(retained) > 0 || len(retainedParts) > 0 {
		watchedParts = make(map[string]*snapshot.SpacePart, len(parts)-len(retained))
		for id, part := range parts {
			if watched(id) {
				watchedParts[id] = part
			}
		}
	}
	for id, kept := range retainedParts {
		_, given := parts[id]
		switch {
		case kept == nil || kept.Part == nil || given || state.Part(id) != nil:
		case watched(id):
			watchedParts[id] = kept.Part
		default:
			since := kept.RetainedSince
			if since.After(now) {
				since = now
			}
			retained[id] = &snapshot.KeptPart{Part: kept.Part, RetainedSince: since}
		}
	}
	if state.RetainedLen() > 0 {
		for id := range watchedParts {
			if state.RetainedPart(id) != nil {
				retained[id] = nil // watched: in the state alone
			}
		}
	}
	if h, ok := r.cfg.Source.(Holder); ok && len(watchedParts) > 0 {
		watchedParts = maps.Clone(watchedParts) // the caller's map stays as given
		h.Enter(watchedParts)
	}
	next := state.WithParts(watchedParts).WithRetained(retained)
	next.Totals = r.totalsLocked(state)
	r.current.Store(next)
	r.cfg.OnPublish()
}

// moreLocked reports whether a look takes another space, next, from the
// index, given the calls chosen so far and how many spaces offered their
// first call. With turns, until a queue's worth of spaces did; across
// spaces, until the chosen are a queue's worth and next's first call ranks
// after every one of them: no space left in the index has a call before.
func (r *Runner) moreLocked(chosen *firstn.Keeper[ranked], given int, next *dueEntry) bool {
	if !r.cfg.AcrossSpaces {
		return given < chosen.Max
	}
	if !chosen.Full() {
		return true
	}
	worst := chosen.Worst()
	return !rankedBefore(&dueEntry{space: worst.Space, urgent: worst.Urgent, last: unixNano(worst.Last)}, next)
}

// everyCallLocked returns every call of space, as if none had been made,
// and its calls per interval: for a once run.
func (r *Runner) everyCallLocked(dst []Task, space string, snap *snapshot.Snapshot, now time.Time) ([]Task, float64) {
	if o, ok := r.cfg.Source.(Oncer); ok {
		tasks, calls := o.Once(dst, space, snap, now)
		byUrgency(tasks)
		return tasks, calls
	}
	tasks, _, calls := r.dueLocked(dst, space, nil, snap, now)
	return tasks, calls
}
