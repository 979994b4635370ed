package engine

import (
	"container/heap"
	"slices"
)

// ranked is a due call and its turn within its space (its place among
// the space's due calls, urgent first, then the stalest): a space's second
// call goes after every space's first, so that a space with many keys
// (numbers) cannot hold back the others.
type ranked struct {
	Task
	turn int
}

// before orders calls: by turn, then urgent first, then the stalest
// (never made is stalest), then by space and key so that the order is
// stable.
func before(a, b ranked) bool {
	switch {
	case a.turn != b.turn:
		return a.turn < b.turn
	case a.Urgent != b.Urgent:
		return a.Urgent
	case !a.Last.Equal(b.Last):
		return a.Last.Before(b.Last)
	case a.Space != b.Space:
		return a.Space < b.Space
	}
	return a.Key < b.Key
}

// firstCalls keeps the max first calls offered: a bounded max-heap, so
// that choosing among a million costs no more memory than the queue.
type firstCalls struct {
	max   int
	items []ranked
}

func (s *firstCalls) offer(t ranked) {
	if len(s.items) < s.max {
		heap.Push(s, t)
		return
	}
	if before(t, s.items[0]) {
		s.items[0] = t
		heap.Fix(s, 0)
	}
}

// sorted returns the calls kept, in order.
func (s *firstCalls) sorted() []Task {
	out := make([]Task, len(s.items))
	for i := len(out) - 1; i >= 0; i-- {
		out[i] = heap.Pop(s).(ranked).Task
	}
	return out
}

// byUrgency sorts a space's due calls: urgent first, then the stalest.
func byUrgency(tasks []Task) {
	slices.SortStableFunc(tasks, func(a, b Task) int {
		switch {
		case a.Urgent != b.Urgent && a.Urgent:
			return -1
		case a.Urgent != b.Urgent:
			return 1
		}
		return a.Last.Compare(b.Last)
	})
}

func (s *firstCalls) Len() int           { return len(s.items) }
func (s *firstCalls) Less(i, j int) bool { return before(s.items[j], s.items[i]) } // the last in order on top
func (s *firstCalls) Swap(i, j int)      { s.items[i], s.items[j] = s.items[j], s.items[i] }
func (s *firstCalls) Push(x any)         { s.items = append(s.items, x.(ranked)) }
func (s *firstCalls) Pop() any {
	last := s.items[len(s.items)-1]
	s.items = s.items[:len(s.items)-1]
	return last
}
