package exposition

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cams-exporter/cams_exporter/snapshot"
)

// kind is what a segment holds: text lines (for the text format and
// OpenMetrics alike) or protobuf metric entries.
type kind int

const (
	kindText kind = iota
	kindProto
	numKinds
)

// bucket is a group of spaces, sorted by id, whose series are rendered
// together, lazily, once per kind and encoding. A bucket never changes: when
// one of its spaces changes state, the next view gets a new bucket and keeps
// the others as they are.
type bucket struct {
	tab     *table   // the table the members are of
	members []member // sorted by id

	mu   sync.Mutex // serialises rendering
	segs [numKinds][2]atomic.Pointer[segments]
	// base, guarded by mu, is the rendered bucket this one was made from,
	// until this one renders: a rendering takes the segments of the
	// families its changed spaces left as they were (most calls change
	// only a last success time) from base's rendering of the same kind and
	// encoding. A bucket that renders drops it, so that a bucket keeps at
	// most one older bucket alive, and none once scraped: views are made
	// by scrapes, each rendering every bucket of its view in its format.
	base *bucket
}

// segments are a bucket's rendering of one kind, in one encoding: for each
// per-space family, in the order of the schema, its series' bytes (a
// segment), possibly compressed (see gzip.go).
type segments struct {
	data []byte   // the segments, one after the other
	ends []int    // where each family's segment ends in data
	raw  []int    // the uncompressed length of each segment
	sums []crcSum // the CRC-32 of each uncompressed segment, if compressed
}

func (s *segments) segment(i int) []byte {
	start := 0
	if i > 0 {
		start = s.ends[i-1]
	}
	return s.data[start:s.ends[i]]
}

// member is a space of a bucket: its state in the bucket's table, the
// flows' (state) or a source's (part); neither in a change for a space that
// left.
type member struct {
	id    string
	state *snapshot.SpaceState
	part  *snapshot.SpacePart
}

func (m member) gone() bool { return m.state == nil && m.part == nil }

func compareMembers(x, y member) int { return strings.Compare(x.id, y.id) }

// newBucket returns a bucket of t of members, which it sorts.
func newBucket(t *table, members []member) *bucket {
	slices.SortFunc(members, compareMembers)
	return &bucket{tab: t, members: members}
}

// with returns a new bucket: b's members with changes applied, each the new
// state of a space, none if it left.
func (b *bucket) with(changes []member) *bucket {
	members := make([]member, 0, len(b.members)+len(changes))
	gone := make(map[string]bool, len(changes))
	for _, c := range changes {
		gone[c.id] = true
		if !c.gone() {
			members = append(members, c)
		}
	}
	for _, m := range b.members {
		if !gone[m.id] {
			members = append(members, m)
		}
	}
	nb := newBucket(b.tab, members)
	nb.base = b.renderedSelfOrBase()
	return nb
}

// renderedSelfOrBase returns b if it has rendered anything, else its base.
func (b *bucket) renderedSelfOrBase() *bucket {
	b.mu.Lock()
	defer b.mu.Unlock()
	for k := range b.segs {
		for gz := range b.segs[k] {
			if b.segs[k][gz].Load() != nil {
				return b
			}
		}
	}
	return b.base
}

// segments returns b's rendering of kind k, compressed if gz, rendering it
// if need be.
func (b *bucket) segments(r *renderer, k kind, gz bool) *segments {
	if s := b.segs[k][index(gz)].Load(); s != nil {
		return s
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if s := b.segs[k][index(gz)].Load(); s != nil {
		return s
	}
	base := b.base
	b.base = nil
	var prev *segments
	if base != nil {
		prev = base.segs[k][index(gz)].Load()
	}
	var s *segments
	switch plain := b.segs[k][0].Load(); {
	case prev != nil:
		s = r.renderChanged(b, base.members, prev, k, gz)
	case plain != nil && gz:
		s = buildSegments(plain.parts(), true, nil, nil)
	default:
		// A compressed rendering is compressed from the scratch rendering:
		// a bucket's text is not allocated unless a scrape asks for it
		// uncompressed.
		s = r.render(b, k, gz, nil, nil)
	}
	b.segs[k][index(gz)].Store(s)
	return s
}

// parts returns the segments of s, one per family.
func (s *segments) parts() [][]byte {
	parts := make([][]byte, len(s.ends))
	for i := range parts {
		parts[i] = s.segment(i)
	}
	return parts
}

func index(gz bool) int {
	if gz {
		return 1
	}
	return 0
}

// bucketOf returns the bucket of the space id among n buckets (a power of
// two): FNV-1a, so that the order of the output is the same from one run to
// the next.
func bucketOf(id string, n int) int {
	h := uint32(2166136261)
	for i := 0; i < len(id); i++ {
		h ^= uint32(id[i])
		h *= 16777619
	}
	return int(h & uint32(n-1))
}
