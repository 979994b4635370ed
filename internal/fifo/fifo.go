// Package fifo holds a first-in, first-out queue that never grows with the
// items it ever held.
package fifo

// Queue is a first-in, first-out queue. The zero value is empty.
type Queue[T any] struct {
	items []T
	head  int
}

// Push adds v at the back.
func (f *Queue[T]) Push(v T) {
	f.slide(1)
	f.items = append(f.items, v)
}

// PushAll adds vs at the back, in order.
func (f *Queue[T]) PushAll(vs []T) {
	f.slide(len(vs))
	f.items = append(f.items, vs...)
}

// slide moves the items to the front of their array when n more would not
// fit and at least half of it is taken by items popped: a queue that never
// empties must not grow with every item it ever held.
func (f *Queue[T]) slide(n int) {
	if len(f.items)+n <= cap(f.items) || f.head < len(f.items)/2 {
		return
	}
	live := copy(f.items, f.items[f.head:])
	clear(f.items[live:])
	f.items, f.head = f.items[:live], 0
}

// Len is how many items the queue holds.
func (f *Queue[T]) Len() int { return len(f.items) - f.head }

// Peek returns the front item without taking it.
func (f *Queue[T]) Peek() (T, bool) {
	var zero T
	if f.head == len(f.items) {
		return zero, false
	}
	return f.items[f.head], true
}

// Pop takes the front item.
func (f *Queue[T]) Pop() (T, bool) {
	var zero T
	if f.head == len(f.items) {
		return zero, false
	}
	v := f.items[f.head]
	f.items[f.head] = zero
	f.head++
	if f.head == len(f.items) {
		f.items, f.head = f.items[:0], 0
	}
	return v, true
}

// Drain empties the queue and returns what it held.
func (f *Queue[T]) Drain() []T {
	out := append([]T(nil), f.items[f.head:]...)
	f.items, f.head = nil, 0
	return out
}
