package engine

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/cams-exporter/cams_exporter/snapshot"
)

// PagedSource is an operation that lists a space a page at a time (as
// ListFlow does), whose part the engine keeps like any Source's: a Runner
// made by NewPagedRunner runs it (RunPaged chooses the pages), with the
// Runner's due index, retention, restore, publishing and expected pass.
// Its methods are called from several goroutines.
type PagedSource[L Listing] interface {
	// Name is the collector name, as in --collector.<name>.
	Name() string
	// Operation is the CAMS action the source calls.
	Operation() string
	// Due as Source.Due, with one task per space, its Key empty
	// (DueEvery): a space is listed whole, or not. calls is the pages its
	// last listing took (at least 1), so that the expected pass counts
	// pages.
	Due(dst []Task, space string, part *snapshot.SpacePart, snap *snapshot.Snapshot, now time.Time) ([]Task, time.Time, float64)
	// Start begins the listing of space.
	Start(space string) L
	// Apply as Source.Apply: each Done's Value is a listing that ended (L),
	// after its last page (Err nil) or a failed one (Err its error). A
	// failed listing keeps prev's data (Applied).
	Apply(space string, prev *snapshot.SpacePart, done []Done, snap *snapshot.Snapshot) *snapshot.SpacePart
}

// NewPagedRunner returns a Runner of src, configured by cfg (whose Source
// it sets): its Run and RunOnce run RunPaged over the runner's own state,
// so that a paged source's spaces come due, are retained, restored and
// published as any source's. Its Source is an adapter whose Call is never
// made.
func NewPagedRunner[L Listing](cfg Config, src PagedSource[L]) *Runner {
	cfg.Source = pagedSource[L]{src}
	if d, ok := src.(Decoder); ok {
		cfg.Source = decodingPagedSource[L]{pagedSource[L]{src}, d}
	}
	r := NewRunner(cfg)
	r.paged = func(ctx context.Context, once bool) { runPagedRunner(ctx, r, src, once) }
	return r
}

// AddPaged adds a paged source to e, as Engine.Add adds a Source (a
// function: methods cannot have type parameters).
func AddPaged[L Listing](e *Engine, cfg Config, src PagedSource[L]) *Runner {
	cfg.Watched = e.watched
	cfg.Snapshot = e.Snapshot
	cfg.OnPublish = func() { e.version.Add(1) }
	r := NewPagedRunner(cfg, src)
	e.runners = append(e.runners, r)
	return r
}

// runPagedRunner runs RunPaged over r until ctx ends or, once, until every
// watched space was listed. Ended listings go to the runner's collect,
// which applies and publishes them as it does calls' results.
func runPagedRunner[L Listing](ctx context.Context, r *Runner, src PagedSource[L], once bool) {
	results := make(chan Done, r.cfg.Concurrency)
	collected := make(chan struct{})
	go func() { r.collect(results, once); close(collected) }()
	l := &runnerLister[L]{r: r, src: src, results: results}
	var initial []string
	if once {
		initial = l.claimAll()
	}
	RunPaged(ctx, PagedConfig[L]{Lister: l, Pacer: r.cfg.Pacer, Rate: r.cfg.Rate, Concurrency: r.cfg.Concurrency, Now: r.cfg.Now, Wake: r.wake}, initial, once)
	close(results)
	<-collected
	if once {
		r.passOfPartsNow()
	}
}

// runnerLister is the Lister of a paged runner: the Runner's state.
type runnerLister[L Listing] struct {
	r       *Runner
	src     PagedSource[L]
	results chan<- Done
}

// Due claims the spaces the Runner's next gives (each marked in flight),
// in its order, until it has none due.
func (l *runnerLister[L]) Due() ([]string, time.Duration) {
	var spaces []string
	for {
		t, wait, ok := l.r.next(false)
		if !ok {
			return spaces, wait
		}
		spaces = append(spaces, t.Space)
	}
}

// claimAll claims, for a once run, every watched space that has a listing
// (Due with no part: the account's own space has none) and is not in
// flight, in the list's order, and sets the expected pass of the spaces'
// parts so far.
func (l *runnerLister[L]) claimAll() []string {
	r := l.r
	r.mu.Lock()
	defer r.mu.Unlock()
	now, snap, state := r.cfg.Now(), r.cfg.Snapshot(), r.current.Load()
	ids, _ := r.cfg.Watched.List()
	var spaces []string
	var tasks []Task
	calls := 0.0
	for _, id := range ids {
		tasks, _, _ = r.cfg.Source.Due(tasks[:0], id, nil, snap, now)
		if len(tasks) == 0 || r.busyLocked(tasks[0], false) {
			continue
		}
		r.inflight[tasks[0].key()] = struct{}{}
		spaces = append(spaces, id)
		_, _, n := r.cfg.Source.Due(tasks[:0], id, state.Part(id), snap, now)
		calls += n
	}
	r.setPassLocked(calls)
	return spaces
}

func (l *runnerLister[L]) Start(space string) L { return l.src.Start(space) }

func (l *runnerLister[L]) Watching(space string) bool {
	_, watched := l.r.cfg.Watched.List()
	return watched(space)
}

// Record hands the ended listing to the runner's collect, which applies
// it with the batch and frees the space's in-flight mark.
func (l *runnerLister[L]) Record(space string, listing L, err error) {
	l.results <- Done{Task: Task{Space: space}, At: l.r.cfg.Now(), Value: listing, Err: err}
}

// Answered: the Runner keeps no progress stamp (a part is stamped when its
// listing ends).
func (l *runnerLister[L]) Answered(L, time.Time) {}

// Release frees claimed spaces that were not listed, so that the next look
// may give them again.
func (l *runnerLister[L]) Release(spaces ...string) {
	if len(spaces) == 0 {
		return
	}
	l.r.mu.Lock()
	defer l.r.mu.Unlock()
	for _, space := range spaces {
		delete(l.r.inflight, Task{Space: space}.key())
	}
	l.r.dirty = true
}

// Idle and Changed: the Runner's next already waits for the next space due
// and follows the list at each wake.
func (l *runnerLister[L]) Idle(time.Time) {}
func (l *runnerLister[L]) Changed()       {}

// passOfPartsNow sets the expected pass from the watched spaces' parts
// (the pages their last listings took) and publishes it: after a once run,
// whose claim knew only the parts from before it.
func (r *Runner) passOfPartsNow() {
	r.mu.Lock()
	defer r.mu.Unlock()
	now, snap, state := r.cfg.Now(), r.cfg.Snapshot(), r.current.Load()
	ids, _ := r.cfg.Watched.List()
	calls := 0.0
	var tasks []Task
	for _, id := range ids {
		var n float64
		tasks, _, n = r.cfg.Source.Due(tasks[:0], id, state.Part(id), snap, now)
		calls += n
	}
	r.setPassLocked(calls)
	r.publishLocked(state, nil)
}

// errPagedCall is what a paged source's adapter answers a Call: never
// made, the pages are RunPaged's.
var errPagedCall = errors.New("engine: a paged source is listed by RunPaged, not called")

// pagedSource is a PagedSource as a Source, so that the Runner's Source,
// Engine.Runner, failure logging and publishing work unchanged.
type pagedSource[L Listing] struct{ src PagedSource[L] }

func (p pagedSource[L]) Name() string      { return p.src.Name() }
func (p pagedSource[L]) Operation() string { return p.src.Operation() }

func (p pagedSource[L]) Due(dst []Task, space string, part *snapshot.SpacePart, snap *snapshot.Snapshot, now time.Time) ([]Task, time.Time, float64) {
	return p.src.Due(dst, space, part, snap, now)
}

func (p pagedSource[L]) Call(context.Context, Task) (any, error) { return nil, errPagedCall }

func (p pagedSource[L]) Apply(space string, prev *snapshot.SpacePart, done []Done, snap *snapshot.Snapshot) *snapshot.SpacePart {
	return p.src.Apply(space, prev, done, snap)
}

// Folded forwards the source's folded count (0 when it folds nothing, as
// a state that never had a Folder).
func (p pagedSource[L]) Folded() uint64 {
	if f, ok := p.src.(Folder); ok {
		return f.Folded()
	}
	return 0
}

// Needs forwards what the source reads of other sources (nil for none).
func (p pagedSource[L]) Needs() []string {
	if n, ok := p.src.(Needer); ok {
		return n.Needs()
	}
	return nil
}

// Enter forwards the parts entering the state to a Holder source (see
// Holder); other sources' parts enter as they are.
func (p pagedSource[L]) Enter(parts map[string]*snapshot.SpacePart) {
	if h, ok := p.src.(Holder); ok {
		h.Enter(parts)
	}
}

// Leave forwards the spaces whose part left the state to a Holder source.
func (p pagedSource[L]) Leave(spaces []string) {
	if h, ok := p.src.(Holder); ok {
		h.Leave(spaces)
	}
}

// Totals forwards the source's figures across its spaces (nil when it has
// none, as a state that never had a Totaler).
func (p pagedSource[L]) Totals() any {
	if t, ok := p.src.(Totaler); ok {
		return t.Totals()
	}
	return nil
}

// decodingPagedSource is the pagedSource of a source that is a Decoder,
// and is one too, so that the wiring finds the codec of a paged source on
// its Runner's Source as it does any source's. (pagedSource cannot have
// Decode itself: every paged source would seem to have a codec.)
type decodingPagedSource[L Listing] struct {
	pagedSource[L]
	decoder Decoder
}

func (p decodingPagedSource[L]) Decode(raw json.RawMessage) (any, error) {
	return p.decoder.Decode(raw)
}
