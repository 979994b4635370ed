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

// Full says when Max values are kept, and Worst is the last of them: a
// value offered after it is not kept, one before it is.
func TestFullAndWorst(t *testing.T) {
	k := &Keeper[int]{Max: 3, Before: func(a, b int) bool { return a < b }}
	for _, v := range []int{7, 2, 9} {
		if k.Full() {
			t.Fatalf("full before %d values", 3)
		}
		k.Offer(v)
	}
	if !k.Full() || k.Worst() != 9 {
		t.Fatalf("full %v, worst %d; want full, 9", k.Full(), k.Worst())
	}
	k.Offer(10)
	if k.Worst() != 9 {
		t.Errorf("10, after the worst, was kept: worst %d", k.Worst())
	}
	k.Offer(4)
	if k.Worst() != 7 {
		t.Errorf("after offering 4, worst %d, want 7", k.Worst())
	}
	if got := k.Sorted(); !slices.Equal(got, []int{2, 4, 7}) {
		t.Errorf("kept %v, want [2 4 7]", got)
	}
}
