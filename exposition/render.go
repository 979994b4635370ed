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
	tables    []*table            // the flows', then each source's
	maxFams   int                 // the most families of a table
	scratch   sync.Pool           // of *scratch
}

// newRenderer returns the renderer of schema's series, for the sources
// named (the schema's, in the order their series are written).
func newRenderer(schema *collector.Schema, sources []string) *renderer {
	r := &renderer{schema: schema, tables: newTables(schema, sources)}
	for _, f := range schema.Families() {
		if f.PerSpace {
			r.spaceFams = append(r.spaceFams, f)
		}
	}
	for _, t := range r.tables {
		r.maxFams = max(r.maxFams, len(t.fams))
	}
	return r
}

// scratch is the working memory of one rendering.
type scratch struct {
	series []collector.Series
	fams   [][]byte // by position in the table's families
}

// render renders b's series of kind k into scratch buffers, one per family
// of its table, and returns what keep makes of them; keep must not retain
// them.
func (r *renderer) render(b *bucket, k kind, keep func(parts [][]byte) *segments) *segments {
	sc, _ := r.scratch.Get().(*scratch)
	if sc == nil {
		sc = &scratch{fams: make([][]byte, r.maxFams)}
	}
	fams := sc.fams[:len(b.tab.fams)]
	for i := range fams {
		fams[i] = fams[i][:0]
	}
	for _, m := range b.members {
		sc.series = b.tab.series(r.schema, sc.series[:0], m)
		for j := range sc.series {
			s := &sc.series[j]
			p := b.tab.pos[s.Family.Index]
			if k == kindProto {
				fams[p] = appendProtoMetric(fams[p], s)
			} else {
				fams[p] = appendSample(fams[p], s)
			}
		}
	}
	out := keep(fams)
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
