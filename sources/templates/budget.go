package templates

import "sync"

// DefaultMaxProblemSeries is --templates.max-problem-series's default: the
// most cams_template_problem_info series across the exporter. One problem
// template a space at 10,000 spaces; 10,000 series is what an exporter
// whose templates mostly fail review or are paused would add, well within
// what a Prometheus ingests.
const DefaultMaxProblemSeries = 10000

// Budget is how the source's budget of problem series is used: its figures
// across spaces (engine.Totaler, snapshot.SourceState.Totals).
type Budget struct {
	// Max is the most problem series (--templates.max-problem-series).
	Max int
	// Series is how many problem templates of the spaces in the state have
	// their cams_template_problem_info; Folded how many have none: the
	// budget was spent when their space's listing asked for it
	// (cams_template_problem_series_folded).
	Series, Folded int
}

// budget grants the problem series, first come first served: a space's
// complete listing (Apply) gives its problem templates a series each, in
// the order of its List, while the budget lasts; it releases what its last
// listing held first. The series a space gives back (a better listing, a
// space that leaves the state) go to the next listings that ask. It is
// safe for concurrent use.
type budget struct {
	max int

	mu   sync.Mutex
	held map[string]holding // by space, those with problems
	// series and problems are the sums of held's.
	series, problems int
}

// holding is what a space holds: how many of its problem templates have
// a series.
type holding struct{ series, problems int }

func newBudget(max int) *budget {
	return &budget{max: max, held: map[string]holding{}}
}

// grant releases what space held, and grants its problems series, as many
// as the budget has left; it returns how many.
func (b *budget) grant(space string, problems int) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.releaseLocked(space)
	b.holdLocked(space, problems)
	return b.growLocked(space, problems)
}

// request is a space entering the state with its part (Enter): its
// problems, and the series it claims first (what it held before).
type request struct {
	space            string
	problems, claims int
}

// enter grants the spaces of reqs, which release what they held first:
// each the series it claims, in their order, then, while the budget
// lasts, the rest of its problems. It returns how many each has.
func (b *budget) enter(reqs []request) []int {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, r := range reqs {
		b.releaseLocked(r.space)
	}
	got := make([]int, len(reqs))
	for i, r := range reqs {
		b.holdLocked(r.space, r.problems)
		got[i] = b.growLocked(r.space, r.claims)
	}
	for i, r := range reqs {
		got[i] = b.growLocked(r.space, r.problems)
	}
	return got
}

// release releases what spaces held.
func (b *budget) release(spaces []string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	for _, space := range spaces {
		b.releaseLocked(space)
	}
}

// totals returns the budget's figures.
func (b *budget) totals() Budget {
	b.mu.Lock()
	defer b.mu.Unlock()
	return Budget{Max: b.max, Series: b.series, Folded: b.problems - b.series}
}

func (b *budget) releaseLocked(space string) {
	h, ok := b.held[space]
	if !ok {
		return
	}
	delete(b.held, space)
	b.series -= h.series
	b.problems -= h.problems
}

// holdLocked notes space's problems, none with a series yet; space holds
// nothing.
func (b *budget) holdLocked(space string, problems int) {
	if problems <= 0 {
		return
	}
	b.held[space] = holding{problems: problems}
	b.problems += problems
}

// growLocked grants space series until it has upTo (at most its problems)
// or the budget is spent, and returns how many it has.
func (b *budget) growLocked(space string, upTo int) int {
	h, ok := b.held[space]
	if !ok {
		return 0
	}
	n := max(min(upTo, h.problems)-h.series, 0)
	n = min(n, max(b.max-b.series, 0))
	h.series += n
	b.held[space] = h
	b.series += n
	return h.series
}
