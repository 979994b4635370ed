package engine

import "slices"

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

// tasksOf returns the calls of ranked, in its order.
func tasksOf(ranked []ranked) []Task {
	out := make([]Task, len(ranked))
	for i, r := range ranked {
		out[i] = r.Task
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
