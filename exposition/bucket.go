package exposition

import (
	"hash/crc32"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/refresh"
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
	members   []member // sorted by id
	completed bool     // the snapshot's Completed

	mu   sync.Mutex // serialises rendering
	segs [numKinds][2]atomic.Pointer[segments]
}

// segments are a bucket's rendering of one kind, in one encoding: for each
// per-space family, in the order of the schema, its series' bytes (a
// segment), possibly compressed (see gzip.go).
type segments struct {
	data []byte   // the segments, one after the other
	ends []int    // where each family's segment ends in data
	raw  []int    // the uncompressed length of each segment
	crc  []uint32 // the CRC-32 of each uncompressed segment, if compressed
}

func (s *segments) segment(i int) []byte {
	start := 0
	if i > 0 {
		start = s.ends[i-1]
	}
	return s.data[start:s.ends[i]]
}

// member is a space of a bucket.
type member struct {
	id    string
	state *refresh.SpaceState
}

func compareMembers(x, y member) int { return strings.Compare(x.id, y.id) }

// newBucket returns a bucket of members, which it sorts.
func newBucket(members []member, completed bool) *bucket {
	slices.SortFunc(members, compareMembers)
	return &bucket{members: members, completed: completed}
}

// state returns the state of the space id in b, or nil.
func (b *bucket) state(id string) *refresh.SpaceState {
	i, ok := slices.BinarySearchFunc(b.members, member{id: id}, compareMembers)
	if !ok {
		return nil
	}
	return b.members[i].state
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
	var s *segments
	if gz {
		s = compressed(b.segs[k][0].Load(), func() *segments { return r.render(b, k) })
	} else {
		s = r.render(b, k)
	}
	b.segs[k][index(gz)].Store(s)
	return s
}

// compressed compresses each segment of plain, or of a rendering made for
// the purpose and dropped after.
func compressed(plain *segments, render func() *segments) *segments {
	if plain == nil {
		plain = render()
	}
	n := len(plain.ends)
	out := &segments{ends: make([]int, n), raw: make([]int, n), crc: make([]uint32, n)}
	for i := range n {
		seg := plain.segment(i)
		out.data = appendDeflate(out.data, seg)
		out.ends[i], out.raw[i], out.crc[i] = len(out.data), len(seg), crc32.ChecksumIEEE(seg)
	}
	out.data = slices.Clip(out.data)
	if cap(out.data) > len(out.data)+len(out.data)/8 {
		out.data = slices.Clone(out.data) // kept as long as the bucket: no slack
	}
	return out
}

func index(gz bool) int {
	if gz {
		return 1
	}
	return 0
}

// renderer renders buckets for one schema.
type renderer struct {
	schema    *collector.Schema
	spaceFams []*collector.Family // the per-space families, in order
	pos       []int               // by Family.Index: position in spaceFams
	scratch   sync.Pool           // of *scratch
}

func newRenderer(schema *collector.Schema) *renderer {
	r := &renderer{schema: schema}
	for _, f := range schema.Families() {
		r.pos = append(r.pos, len(r.spaceFams))
		if f.PerSpace {
			r.spaceFams = append(r.spaceFams, f)
		}
	}
	return r
}

// scratch is the working memory of one rendering.
type scratch struct {
	series []collector.Series
	fams   [][]byte // by position in spaceFams
}

// render renders b's series of kind k, completed as the view's snapshot.
func (r *renderer) render(b *bucket, k kind) *segments {
	sc, _ := r.scratch.Get().(*scratch)
	if sc == nil {
		sc = &scratch{fams: make([][]byte, len(r.spaceFams))}
	}
	for i := range sc.fams {
		sc.fams[i] = sc.fams[i][:0]
	}
	for _, m := range b.members {
		sc.series = r.schema.SpaceSeries(sc.series[:0], m.id, m.state, b.completed)
		for j := range sc.series {
			s := &sc.series[j]
			p := r.pos[s.Family.Index]
			if k == kindProto {
				sc.fams[p] = appendProtoMetric(sc.fams[p], s)
			} else {
				sc.fams[p] = appendSample(sc.fams[p], s)
			}
		}
	}
	size := 0
	for _, f := range sc.fams {
		size += len(f)
	}
	out := &segments{data: make([]byte, 0, size), ends: make([]int, len(sc.fams)), raw: make([]int, len(sc.fams))}
	for i, f := range sc.fams {
		out.data = append(out.data, f...)
		out.ends[i], out.raw[i] = len(out.data), len(f)
	}
	clear(sc.series) // drop references to label values
	r.scratch.Put(sc)
	return out
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
