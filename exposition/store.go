package exposition

import (
	"slices"
	"sync"
	"sync/atomic"

	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/snapshot"
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
	snap    *snapshot.Snapshot
	buckets []*bucket
	plans   [numFormats][2]lazyPlan
}

type lazyPlan struct {
	once sync.Once
	p    *plan
}

// view returns the view of snap, built from the last one: buckets whose
// spaces kept their *SpaceState are shared, with whatever they rendered.
func (s *store) view(snap *snapshot.Snapshot) *view {
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

// update returns the view of snap, sharing prev's unchanged buckets: only
// the buckets of the spaces that changed between prev's snapshot and snap
// (Snapshot.Changes) are made again, so that it costs what changed, not the
// number of spaces. A view of another number of buckets is made from every
// space.
func update(prev *view, snap *snapshot.Snapshot) *view {
	n := bucketCount(snap.Len(), prev)
	if prev == nil || len(prev.buckets) != n {
		return regroup(snap, n)
	}
	var changes map[int][]member
	for id, st := range snap.Changes(prev.snap) {
		if changes == nil {
			changes = map[int][]member{}
		}
		b := bucketOf(id, n)
		changes[b] = append(changes[b], member{id, st})
	}
	v := &view{snap: snap, buckets: prev.buckets}
	if changes == nil {
		return v
	}
	v.buckets = slices.Clone(prev.buckets)
	for b, ch := range changes {
		v.buckets[b] = prev.buckets[b].with(ch)
	}
	return v
}

// regroup returns the view of snap in n buckets, made from every space.
func regroup(snap *snapshot.Snapshot, n int) *view {
	groups := make([][]member, n)
	for id, st := range snap.All() {
		b := bucketOf(id, n)
		groups[b] = append(groups[b], member{id, st})
	}
	v := &view{snap: snap, buckets: make([]*bucket, n)}
	for i, g := range groups {
		v.buckets[i] = newBucket(g)
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
