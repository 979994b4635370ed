package exposition

import (
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

func newStore(schema *collector.Schema, sources []string) *store {
	return &store{r: newRenderer(schema, sources)}
}

// view is the exposition of one snapshot: each of its tables in buckets,
// and the plans of the formats asked for so far.
type view struct {
	snap  *snapshot.Snapshot
	sets  []*bucketSet // by table (renderer.tables); nil for a source the snapshot has not
	plans [numFormats][2]lazyPlan
}

type lazyPlan struct {
	once sync.Once
	p    *plan
}

// view returns the view of snap, built from the last one: buckets whose
// spaces kept their state (*SpaceState, *SpacePart) are shared, with
// whatever they rendered.
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
	v := update(s.r.tables, prev, snap)
	s.cur.Store(v)
	return v
}

// update returns the view of snap, sharing prev's unchanged buckets: each
// table's buckets are made from prev's and what changed in that table
// (Snapshot.Changes, SourceState.Changes), so that it costs what changed,
// not the number of spaces, and a table that did not change (a source's
// state prev had) costs nothing. A table of another number of buckets is
// made from every space.
func update(tables []*table, prev *view, snap *snapshot.Snapshot) *view {
	v := &view{snap: snap, sets: make([]*bucketSet, len(tables))}
	for i, t := range tables {
		var last *bucketSet
		if prev != nil {
			last = prev.sets[i]
		}
		v.sets[i] = t.update(last, snap)
	}
	return v
}

// bucketCount is the number of buckets for n spaces: have (the number
// before; 0 for none) if it is within regroupFactor of the ideal, about
// spacesPerBucket a bucket.
func bucketCount(n, have int) int {
	ideal := 1
	for ideal*2*spacesPerBucket <= n && ideal < maxBuckets {
		ideal *= 2
	}
	if have > 0 && have*regroupFactor >= ideal && have <= ideal*regroupFactor {
		return have
	}
	return ideal
}
