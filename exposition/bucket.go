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
	switch plain := b.segs[k][0].Load(); {
	case !gz:
		s = r.render(b, k, copySegments)
	case plain != nil:
		s = compressSegments(plain.parts())
	default:
		// Compressed from the scratch rendering: a bucket's text is not
		// allocated unless a scrape asks for it uncompressed.
		s = r.render(b, k, compressSegments)
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

// copySegments keeps parts, one per family, in one allocation.
func copySegments(parts [][]byte) *segments {
	size := 0
	for _, p := range parts {
		size += len(p)
	}
	out := &segments{data: make([]byte, 0, size), ends: make([]int, len(parts)), raw: make([]int, len(parts))}
	for i, p := range parts {
		out.data = append(out.data, p...)
		out.ends[i], out.raw[i] = len(out.data), len(p)
	}
	return out
}

// compressSegments compresses parts, one per family, into a pooled buffer
// and keeps the result in one allocation of its size.
func compressSegments(parts [][]byte) *segments {
	buf, _ := compressBufs.Get().(*[]byte)
	if buf == nil {
		buf = new([]byte)
	}
	data := (*buf)[:0]
	out := &segments{ends: make([]int, len(parts)), raw: make([]int, len(parts)), crc: make([]uint32, len(parts))}
	for i, p := range parts {
		data = appendDeflate(data, p)
		out.ends[i], out.raw[i], out.crc[i] = len(data), len(p), crc32.ChecksumIEEE(p)
	}
	out.data = slices.Clone(data)
	*buf = data
	compressBufs.Put(buf)
	return out
}

var compressBufs sync.Pool // of *[]byte

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

// render renders b's series of kind k into scratch buffers, one per
// per-space family, and returns what keep makes of them; keep must not
// retain them.
func (r *renderer) render(b *bucket, k kind, keep func(parts [][]byte) *segments) *segments {
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
	out := keep(sc.fams)
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
