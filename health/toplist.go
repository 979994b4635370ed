package health

import "slices"

// topList keeps the first limit items of those added in cmp's order, and
// counts them all: a table of the worst at 200,000 spaces holds 2×limit
// items at most, not one per candidate.
type topList[T any] struct {
	limit int
	cmp   func(a, b T) int
	items []T
	total int
}

func newTopList[T any](limit int, cmp func(a, b T) int) *topList[T] {
	return &topList[T]{limit: limit, cmp: cmp}
}

func (l *topList[T]) add(v T) {
	l.total++
	l.items = append(l.items, v)
	if len(l.items) >= 2*l.limit {
		l.trim()
	}
}

func (l *topList[T]) trim() {
	slices.SortStableFunc(l.items, l.cmp)
	l.items = l.items[:min(len(l.items), l.limit)]
}

// result returns the first items, sorted, and how many others were added.
func (l *topList[T]) result() ([]T, int) {
	l.trim()
	return l.items, l.total - len(l.items)
}
