package engine

import (
	"sync"
	"sync/atomic"
)

// Watched is the list of watched spaces shared by the runners, with a set
// made once per change of the list, not once per runner or per look.
type Watched struct {
	list     func() []string
	complete func() bool
	mu       sync.Mutex
	cur      atomic.Pointer[watchedList]
}

type watchedList struct {
	ids []string
	set map[string]struct{}
}

// NewWatched returns the spaces list lists, which must return a new slice
// when the list changes (never the same one edited in place). complete
// reports whether the list names every space to watch (nil: always): until
// it does, a space missing from it may be one not found yet.
func NewWatched(list func() []string, complete func() bool) *Watched {
	return &Watched{list: list, complete: complete}
}

// List returns the current list and whether a space may be found in it.
func (w *Watched) List() ([]string, func(id string) bool) {
	ids := w.list()
	if cur := w.cur.Load(); cur != nil && sameSlice(cur.ids, ids) {
		return ids, cur.has
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if cur := w.cur.Load(); cur != nil && sameSlice(cur.ids, ids) {
		return ids, cur.has
	}
	next := &watchedList{ids: ids, set: make(map[string]struct{}, len(ids))}
	for _, id := range ids {
		next.set[id] = struct{}{}
	}
	w.cur.Store(next)
	return ids, next.has
}

// Complete reports whether the list names every space to watch.
func (w *Watched) Complete() bool { return w.complete == nil || w.complete() }

func (l *watchedList) has(id string) bool {
	_, ok := l.set[id]
	return ok
}

// sameSlice reports whether a and b are the same slice, not merely equal.
func sameSlice(a, b []string) bool {
	return len(a) == len(b) && (len(a) == 0 || &a[0] == &b[0])
}
