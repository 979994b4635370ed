package engine

import (
	"context"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/cams-exporter/cams_exporter/snapshot"
)

// Flows is the flows' part of the state: the ListFlow refresher, which
// GetFlow's checker applies to (package refresh).
type Flows interface {
	Snapshot() *snapshot.Snapshot
	Run(ctx context.Context)
	Wake()
}

// Engine keeps the exporter's state: the flows' and each source's, which
// it composes into the one snapshot every reader reads.
type Engine struct {
	flows   Flows
	workers []func(context.Context) // run beside the flows: GetFlow's checker
	runners []*Runner
	watched *Watched
	version atomic.Uint64 // counts the runners' publishes
	cur     atomic.Pointer[composed]
}

// composed is the last snapshot made and what it was made of.
type composed struct {
	flows   *snapshot.Snapshot
	version uint64
	snap    *snapshot.Snapshot
}

// New returns an engine over flows, watching the spaces of watched.
func New(flows Flows, watched *Watched) *Engine {
	return &Engine{flows: flows, watched: watched}
}

// Also runs work beside the flows' refresher for the engine's life: a
// worker that applies to the flows' state, such as GetFlow's checker (a
// Runner whose parts are in the flows' state, Config.Store: not added with
// Add, so that the snapshot has no source state of its own for it).
func (e *Engine) Also(work func(context.Context)) { e.workers = append(e.workers, work) }

// Add adds a source, run by a runner of cfg: its Watched, Snapshot and
// OnPublish are the engine's. Add sources before Run.
func (e *Engine) Add(cfg Config) *Runner {
	cfg.Watched = e.watched
	cfg.Snapshot = e.Snapshot
	cfg.OnPublish = func() { e.version.Add(1) }
	r := NewRunner(cfg)
	e.runners = append(e.runners, r)
	return r
}

// Runners returns the sources' runners, in the order they were added.
func (e *Engine) Runners() []*Runner { return e.runners }

// Runner returns the runner of the source named name, or nil.
func (e *Engine) Runner(name string) *Runner {
	for _, r := range e.runners {
		if r.Source().Name() == name {
			return r
		}
	}
	return nil
}

// Snapshot returns the state as of now: the flows' last snapshot with
// each source's last state. It is made again only when one of them
// changed.
func (e *Engine) Snapshot() *snapshot.Snapshot {
	flows, version := e.flows.Snapshot(), e.version.Load()
	if len(e.runners) == 0 {
		return flows
	}
	if c := e.cur.Load(); c != nil && c.flows == flows && c.version == version {
		return c.snap
	}
	states := make([]*snapshot.SourceState, len(e.runners))
	for i, r := range e.runners {
		states[i] = r.State()
	}
	snap := flows.WithSources(states)
	e.cur.Store(&composed{flows: flows, version: version, snap: snap})
	return snap
}

// Run runs the flows' refresher, the workers and every source until ctx
// ends, and returns when all have stopped, their last results published.
func (e *Engine) Run(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Go(func() { e.flows.Run(ctx) })
	for _, w := range e.workers {
		wg.Go(func() { w(ctx) })
	}
	for _, r := range e.runners {
		wg.Go(func() { r.Run(ctx) })
	}
	wg.Wait()
}

// Wake tells the refresher and every source that spaces were added.
func (e *Engine) Wake() {
	e.flows.Wake()
	for _, r := range e.runners {
		r.Wake()
	}
}

// Needer is a source that reads what other sources know (Source.Due's
// snapshot): in a RunOnce it runs after them.
type Needer interface {
	Needs() []string
}

// RunOnce makes every call of every source once (see Runner.RunOnce), a
// source after those it needs, and returns the snapshot at the end.
func (e *Engine) RunOnce(ctx context.Context) *snapshot.Snapshot {
	done := map[string]bool{}
	for len(done) < len(e.runners) && ctx.Err() == nil {
		var stage []*Runner
		for _, r := range e.runners {
			if !done[r.Source().Name()] && e.ready(r, done) {
				stage = append(stage, r)
			}
		}
		if len(stage) == 0 {
			break // a cycle, or a need that is not wired: the rest cannot run
		}
		var wg sync.WaitGroup
		for _, r := range stage {
			wg.Go(func() { r.RunOnce(ctx) })
		}
		wg.Wait()
		for _, r := range stage {
			done[r.Source().Name()] = true
		}
	}
	return e.Snapshot()
}

// ready reports whether every source r needs that is wired has run.
func (e *Engine) ready(r *Runner, done map[string]bool) bool {
	n, ok := r.Source().(Needer)
	if !ok {
		return true
	}
	return !slices.ContainsFunc(n.Needs(), func(name string) bool { return e.Runner(name) != nil && !done[name] })
}
