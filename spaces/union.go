package spaces

import "sync"

// Union returns a function that lists every space of configured, then the
// discovered ones it does not already list. It recomputes only when one of
// the two lists changed: the refresher asks often, and the lists are long
// for large accounts.
func Union(configured, discovered func() []string) func() []string {
	var (
		mu         sync.Mutex
		lastA      []string
		lastB      []string
		lastResult []string
	)
	return func() []string {
		a, b := configured(), discovered()
		mu.Lock()
		defer mu.Unlock()
		if lastResult != nil && sameSlice(a, lastA) && sameSlice(b, lastB) {
			return lastResult
		}
		seen := make(map[string]bool, len(a)+len(b))
		out := make([]string, 0, len(a)+len(b))
		for _, list := range [][]string{a, b} {
			for _, id := range list {
				if !seen[id] {
					seen[id] = true
					out = append(out, id)
				}
			}
		}
		lastA, lastB, lastResult = a, b, out
		return out
	}
}

// sameSlice reports whether a and b are the same slice (not merely equal):
// both lists are replaced whole when they change, never edited in place.
func sameSlice(a, b []string) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}
