// Package firstn keeps the first n of many values offered, in an order:
// a bounded max-heap, so that choosing the first n among a million costs
// no more memory than n.
package firstn

import "container/heap"

// Keeper keeps the Max first values offered by Before.
type Keeper[T any] struct {
	Max    int
	Before func(a, b T) bool
	items  []T
}

// Offer keeps v if it is among the Max first so far.
func (k *Keeper[T]) Offer(v T) {
	if len(k.items) < k.Max {
		heap.Push((*byLast[T])(k), v)
		return
	}
	if k.Max > 0 && k.Before(v, k.items[0]) {
		k.items[0] = v
		heap.Fix((*byLast[T])(k), 0)
	}
}

// Full reports whether Max values are kept: a value is kept from now on
// only if it is before Worst.
func (k *Keeper[T]) Full() bool { return len(k.items) >= k.Max }

// Worst returns the last of the values kept; there must be one.
func (k *Keeper[T]) Worst() T { return k.items[0] }

// Sorted returns the values kept, first first, and empties the keeper.
func (k *Keeper[T]) Sorted() []T {
	out := make([]T, len(k.items))
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop((*byLast[T])(k)).(T)
	}
	return out
}

// byLast is the heap of a Keeper: the last in order on top.
type byLast[T any] Keeper[T]

func (h *byLast[T]) Len() int           { return len(h.items) }
func (h *byLast[T]) Less(i, j int) bool { return h.Before(h.items[j], h.items[i]) }
func (h *byLast[T]) Swap(i, j int)      { h.items[i], h.items[j] = h.items[j], h.items[i] }
func (h *byLast[T]) Push(x any)         { h.items = append(h.items, x.(T)) }
func (h *byLast[T]) Pop() any {
	last := h.items[len(h.items)-1]
	h.items = h.items[:len(h.items)-1]
	return last
}
