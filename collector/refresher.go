package collector

import (
	"context"
	"math/rand/v2"
	"sort"
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

// RefresherConfig configures a Refresher.
type RefresherConfig struct {
	Lister   Lister
	Spaces   func() []string // the spaces to refresh, asked at the start of each refresh
	Interval time.Duration   // between the starts of two refreshes
	FlowName string          // ListFlow's FlowName filter
	PageSize int
	// KeepFlows keeps each flow's name and categories for the flow info
	// metric; without it only counts and ids are kept.
	KeepFlows bool
	// Concurrency is how many spaces are listed at once; the client's
	// account limiter still spaces their calls. Default 2.
	Concurrency int
	// FirstDelay is the most the first refresh waits after start-up, drawn
	// at random, so that restarted replicas do not call in step.
	FirstDelay time.Duration
	Logger     log.Logger
	Now        func() time.Time
}

// Refresher lists the flows of every configured space in the background and
// publishes the result as an immutable Snapshot. Refreshes never overlap and
// never run on behalf of a scrape.
type Refresher struct {
	cfg     RefresherConfig
	current atomic.Pointer[Snapshot]
	wake    chan struct{}
}

// NewRefresher returns a refresher whose snapshot is empty and not yet
// complete.
func NewRefresher(cfg RefresherConfig) *Refresher {
	if cfg.Concurrency < 1 {
		cfg.Concurrency = 2
	}
	if cfg.Logger == nil {
		cfg.Logger = log.NewNopLogger()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	r := &Refresher{cfg: cfg, wake: make(chan struct{}, 1)}
	r.current.Store(&Snapshot{Spaces: map[string]*SpaceState{}})
	return r
}

// Snapshot returns the last published snapshot. It never blocks.
func (r *Refresher) Snapshot() *Snapshot { return r.current.Load() }

// Wake asks for a refresh now, for example after the list of spaces changed.
func (r *Refresher) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run refreshes every Interval until ctx ends.
func (r *Refresher) Run(ctx context.Context) {
	wait := time.Duration(0)
	if r.cfg.FirstDelay > 0 {
		wait = rand.N(r.cfg.FirstDelay)
	}
	for {
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return
		case <-timer.C:
		case <-r.wake:
			timer.Stop()
		}
		start := time.Now()
		r.Refresh(ctx)
		wait = max(r.cfg.Interval-time.Since(start), 0)
	}
}

// Refresh lists every space once, publishes the new snapshot and returns it.
// A refresh cut short by ctx publishes nothing.
func (r *Refresher) Refresh(ctx context.Context) *Snapshot {
	prev := r.Snapshot()
	start := r.cfg.Now()
	spaces := r.cfg.Spaces()
	results := r.listAll(ctx, stalestFirst(spaces, prev))
	if ctx.Err() != nil {
		return prev
	}
	next := &Snapshot{
		Spaces:          make(map[string]*SpaceState, len(spaces)),
		Completed:       true,
		Refreshes:       prev.Refreshes + 1,
		RefreshFailures: prev.RefreshFailures,
	}
	failed := 0
	for _, res := range results {
		st := res.apply(prev.Spaces[res.space], r.cfg.KeepFlows)
		next.Spaces[res.space] = st
		if !st.Up {
			failed++
			level.Debug(r.cfg.Logger).Log("msg", "refresh of space failed", "space", res.space, "code", st.LastError.Code, "err", st.LastError.Message)
		}
	}
	if failed > 0 {
		next.RefreshFailures++
		level.Warn(r.cfg.Logger).Log("msg", "refresh finished with failing spaces", "failed", failed, "spaces", len(spaces))
	}
	next.LastRefreshEnd = r.cfg.Now()
	next.LastRefreshDuration = next.LastRefreshEnd.Sub(start)
	r.current.Store(next)
	return next
}

// listResult is the outcome of listing one space.
type listResult struct {
	space         string
	flows         []client.Flow
	err           error
	start, finish time.Time
}

func (r *Refresher) listAll(ctx context.Context, spaces []string) []listResult {
	results := make([]listResult, len(spaces))
	sem := make(chan struct{}, r.cfg.Concurrency)
	var wg sync.WaitGroup
	for i, space := range spaces {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			start := r.cfg.Now()
			flows, err := r.cfg.Lister.ListAllFlows(ctx, space, r.cfg.FlowName, r.cfg.PageSize)
			results[i] = listResult{space: space, flows: flows, err: err, start: start, finish: r.cfg.Now()}
		}()
	}
	wg.Wait()
	return results
}

// stalestFirst orders spaces by their last attempt, never-tried ones first.
func stalestFirst(spaces []string, prev *Snapshot) []string {
	out := append([]string(nil), spaces...)
	last := func(s string) time.Time {
		if st := prev.Spaces[s]; st != nil {
			return st.LastAttempt
		}
		return time.Time{}
	}
	sort.SliceStable(out, func(i, j int) bool { return last(out[i]).Before(last(out[j])) })
	return out
}

// apply returns the new state of a space from its previous state (nil if
// none) and this listing. A failure keeps the previous data.
func (res listResult) apply(prev *SpaceState, keepFlows bool) *SpaceState {
	st := &SpaceState{ID: res.space, LastAttempt: res.finish, LastDuration: res.finish.Sub(res.start)}
	if prev != nil {
		kept := *prev
		kept.LastAttempt, kept.LastDuration = st.LastAttempt, st.LastDuration
		st = &kept
	}
	if res.err != nil {
		st.Up = false
		st.LastError = NewErrorInfo(res.err)
		return st
	}
	ids := flowIDs(res.flows)
	if st.HasData {
		added, removed := diffSorted(st.FlowIDs, ids)
		st.Added += uint64(added)
		st.Removed += uint64(removed)
	}
	st.HasData, st.Up, st.LastError = true, true, nil
	st.LastSuccess = res.finish
	st.Count = len(res.flows)
	st.ByCategory = countCategories(res.flows)
	st.FlowIDs = ids
	st.Flows = nil
	if keepFlows {
		st.Flows = res.flows
	}
	return st
}

func flowIDs(flows []client.Flow) []string {
	ids := make([]string, len(flows))
	for i, f := range flows {
		ids[i] = f.FlowID
	}
	sort.Strings(ids)
	return ids
}

// countCategories counts the flows carrying each category; a flow with a
// category listed twice counts once.
func countCategories(flows []client.Flow) map[string]int {
	counts := map[string]int{}
	for _, f := range flows {
		for i, c := range f.Categories {
			if !containsBefore(f.Categories, i, c) {
				counts[c]++
			}
		}
	}
	return counts
}

func containsBefore(list []string, i int, s string) bool {
	for _, x := range list[:i] {
		if x == s {
			return true
		}
	}
	return false
}

// diffSorted counts the ids in b and not in a (added) and in a and not in b
// (removed); both are sorted.
func diffSorted(a, b []string) (added, removed int) {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			i++
			j++
		case a[i] < b[j]:
			removed++
			i++
		default:
			added++
			j++
		}
	}
	return added + len(b) - j, removed + len(a) - i
}
