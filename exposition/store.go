package exposition

import (
	"sync"
	"sync/atomic"

	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/refresh"
)

// Spaces are spread over a power-of-two number of buckets by a hash of
// their id, about spacesPerBucket a bucket: when a space changes, its bucket
// is rendered again, not the others. The count follows the number of spaces
// within a factor of regroupFactor either way before every space is
// regrouped.
const (
	spacesPerBucket = 64
	regroupFactor   = 4
	maxBuckets      = 1 << 14
)

// store keeps the view of the last snapshot it was asked for, and builds the
// view of the next from it.
type store struct {
	r   *renderer
	mu  sync.Mutex // serialises building views
	cur atomic.Pointer[view]
}

func newStore(schema *collector.Schema) *store {
	return &store{r: newRenderer(schema)}
}

// view is the exposition of one snapshot: its buckets, and the plans of the
// formats asked for so far.
type view struct {
	snap    *refresh.Snapshot
	buckets []*bucket
	plans   [numFormats][2]lazyPlan
}

type lazyPlan struct {
	once sync.Once
	p    *plan
}

// view returns the view of snap, built from the last one: buckets whose
// spaces kept their *SpaceState are shared, with whatever they rendered.
func (s *store) view(snap *refresh.Snapshot) *view {
	if v := s.cur.Load(); v != nil && v.snap == snap {
		return v
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	prev := s.cur.Load()
	if prev != nil && prev.snap == snap {
		return prev
	}
	v := update(prev, snap)
	s.cur.Store(v)
	return v
}

// update returns the view of snap, sharing prev's unchanged buckets. It
// reads every space of snap; the refresher telling which changed would save
// that (issue 11, item 2).
func update(prev *view, snap *refresh.Snapshot) *view {
	n := bucketCount(len(snap.Spaces), prev)
	v := &view{snap: snap, buckets: make([]*bucket, n)}
	if prev == nil || len(prev.buckets) != n {
		groups := make([][]member, n)
		for id, st := range snap.Spaces {
			if st != nil {
				b := bucketOf(id, n)
				groups[b] = append(groups[b], member{id, st})
			}
		}
		for i, g := range groups {
			v.buckets[i] = newBucket(g)
		}
		return v
	}
	// A bucket changed if it holds another number of spaces, or a space
	// with another state (or none).
	count := make([]int, n)
	dirty := make([]bool, n)
	for id, st := range snap.Spaces {
		if st == nil {
			continue
		}
		b := bucketOf(id, n)
		count[b]++
		if !dirty[b] && prev.buckets[b].state(id) != st {
			dirty[b] = true
		}
	}
	var groups map[int][]member
	for b := range n {
		if count[b] != len(prev.buckets[b].members) {
			dirty[b] = true
		}
		if !dirty[b] {
			v.buckets[b] = prev.buckets[b]
		} else if groups == nil {
			groups = map[int][]member{}
		}
	}
	if groups == nil {
		return v
	}
	for id, st := range snap.Spaces {
		if b := bucketOf(id, n); st != nil && dirty[b] {
			groups[b] = append(groups[b], member{id, st})
		}
	}
	for b := range n {
		if dirty[b] {
			v.buckets[b] = newBucket(groups[b])
		}
	}
	return v
}

// bucketCount is the number of buckets for n spaces: prev's if it is within
// regroupFactor of the ideal, about spacesPerBucket a bucket.
func bucketCount(n int, prev *view) int {
	ideal := 1
	for ideal*2*spacesPerBucket <= n && ideal < maxBuckets {
		ideal *= 2
	}
	if prev != nil {
		if have := len(prev.buckets); have*regroupFactor >= ideal && have <= ideal*regroupFactor {
			return have
		}
	}
	return ideal
}
