package templates

import (
	"iter"
	"slices"
	"strings"
)

// tally counts a space's templates by the value of one label: each
// documented value (documentedStatuses or documentedCategories) in its
// place in known, the others under their name, sorted. It lives inline in
// Templates: two slices of counts cost a space 288 bytes more.
type tally struct {
	known [maxDocumented]int32
	other []Count // nil when none; never a zero count
}

// maxDocumented is the most documented values of a label.
const maxDocumented = 6

// add adds n templates of value, whose documented values are documented.
func (t *tally) add(documented []string, value string, n int) {
	if i := slices.Index(documented, value); i >= 0 {
		t.known[i] += int32(n)
		return
	}
	t.other = addCount(t.other, value, n)
}

// of returns how many templates are of value.
func (t tally) of(documented []string, value string) int {
	if i := slices.Index(documented, value); i >= 0 {
		return int(t.known[i])
	}
	if i, found := countOf(t.other, value); found {
		return t.other[i].N
	}
	return 0
}

// all yields each documented value with its count (0 when none), in the
// documented order, then each other value counted, sorted.
func (t tally) all(documented []string) iter.Seq2[string, int] {
	return func(yield func(string, int) bool) {
		for i, v := range documented {
			if !yield(v, int(t.known[i])) {
				return
			}
		}
		for _, c := range t.other {
			if !yield(c.Value, c.N) {
				return
			}
		}
	}
}

// counts returns the values counted, with their counts, sorted by value:
// the shape of the cache file's by_status and by_category.
func (t tally) counts(documented []string) []Count {
	out := []Count{}
	for v, n := range t.all(documented) {
		if n > 0 {
			out = append(out, Count{Value: v, N: n})
		}
	}
	slices.SortFunc(out, func(a, b Count) int { return strings.Compare(a.Value, b.Value) })
	return out
}

// addCount adds n to the count of v in counts, sorted by value.
func addCount(counts []Count, v string, n int) []Count {
	i, found := countOf(counts, v)
	if !found {
		counts = slices.Insert(counts, i, Count{Value: v})
	}
	counts[i].N += n
	return counts
}

// countOf returns where the count of v is in counts, sorted by value, or
// would be.
func countOf(counts []Count, v string) (int, bool) {
	return slices.BinarySearchFunc(counts, v, func(c Count, v string) int { return strings.Compare(c.Value, v) })
}
