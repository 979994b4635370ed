package fifo

import "testing"

// A queue that never empties (the gone spaces, a lane of long listings)
// holds an array of the size of what it holds, not of everything it ever
// held.
func TestFifoDoesNotGrowWithItemsEverHeld(t *testing.T) {
	var f Queue[int]
	const live = 1000
	for i := range live {
		f.Push(i)
	}
	next := 0
	for i := live; i < 100*live; i++ {
		if v, _ := f.Pop(); v != next {
			t.Fatalf("popped %d, want %d: first in, first out", v, next)
		}
		next++
		if i%2 == 0 {
			f.Push(i)
		} else {
			f.PushAll([]int{i})
		}
	}
	if f.Len() != live || cap(f.items) > 4*live {
		t.Errorf("%d items in an array of %d after %d pushed, want %d in at most %d", f.Len(), cap(f.items), 100*live, live, 4*live)
	}
}
