package firstn

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestKeepsTheFirstN(t *testing.T) {
	for _, tc := range []struct{ n, max int }{{0, 5}, {3, 5}, {5, 5}, {1000, 10}, {1000, 0}} {
		r := rand.New(rand.NewPCG(uint64(tc.n), uint64(tc.max)))
		values := r.Perm(tc.n)
		k := &Keeper[int]{Max: tc.max, Before: func(a, b int) bool { return a < b }}
		for _, v := range values {
			k.Offer(v)
		}
		sorted := slices.Sorted(slices.Values(values))
		want := sorted[:min(tc.max, tc.n)]
		if got := k.Sorted(); !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
			t.Errorf("n %d max %d: kept %v, want %v", tc.n, tc.max, got, want)
		}
	}
}
