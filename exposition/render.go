package exposition

import (
	"hash/crc32"
	"slices"
	"sync"

	"github.com/cams-exporter/cams_exporter/collector"
)

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
		sc.series = r.schema.SpaceSeries(sc.series[:0], m.id, m.state)
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
