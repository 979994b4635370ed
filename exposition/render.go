package exposition

import (
	"bytes"
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
	old    [][]byte // the same, of a space's state before a change
}

func (r *renderer) getScratch() *scratch {
	sc, _ := r.scratch.Get().(*scratch)
	if sc == nil {
		sc = &scratch{fams: make([][]byte, r.maxFams), old: make([][]byte, r.maxFams)}
	}
	return sc
}

func (r *renderer) putScratch(sc *scratch) {
	clear(sc.series) // drop references to label values
	r.scratch.Put(sc)
}

// emptied returns the first n of fams, each emptied.
func emptied(fams [][]byte, n int) [][]byte {
	fams = fams[:n]
	for i := range fams {
		fams[i] = fams[i][:0]
	}
	return fams
}

// appendMember appends the series of m, a space of t, of kind k to fams, by
// position in t's families, those of the families keep lets through (all
// for nil).
func (r *renderer) appendMember(sc *scratch, fams [][]byte, t *table, m member, k kind, keep []bool) {
	if m.gone() {
		return
	}
	sc.series = t.series(r.schema, sc.series[:0], m, keep != nil && t.statusOnly(keep))
	for j := range sc.series {
		s := &sc.series[j]
		p := t.pos[s.Family.Index]
		if keep != nil && !keep[p] {
			continue
		}
		if k == kindProto {
			fams[p] = appendProtoMetric(fams[p], s)
		} else {
			fams[p] = appendSample(fams[p], s)
		}
	}
}

// render renders b's series of kind k, compressed if gz: every family, or
// with prev (a rendering of the same kind and encoding of the bucket b was
// made from) the families changed marks, the others' segments taken from
// prev.
func (r *renderer) render(b *bucket, k kind, gz bool, prev *segments, changed []bool) *segments {
	sc := r.getScratch()
	defer r.putScratch(sc)
	fams := emptied(sc.fams, len(b.tab.fams))
	for _, m := range b.members {
		r.appendMember(sc, fams, b.tab, m, k, changed)
	}
	return buildSegments(fams, gz, prev, changed)
}

// renderChanged renders b from prev, the rendering of the same kind and
// encoding of a bucket of the same table whose members were old: the spaces
// whose state differs are rendered both ways, and a family whose series
// they left as they were keeps its segment. prev itself is b's rendering
// when no family changed. When most of its spaces differ (a change shared
// by many spaces), comparing would cost more than it saves: b is rendered
// whole.
func (r *renderer) renderChanged(b *bucket, old []member, prev *segments, k kind, gz bool) *segments {
	differing := 0
	for range differingMembers(old, b.members) {
		differing++
	}
	if 2*differing > len(b.members) {
		return r.render(b, k, gz, nil, nil)
	}
	changed := r.changedFamilies(b.tab, old, b.members, k)
	if !slices.Contains(changed, true) {
		return prev
	}
	return r.render(b, k, gz, prev, changed)
}

// changedFamilies returns, by position in t's families, whether a family's
// series of kind k differ between members old and cur, both sorted by id.
func (r *renderer) changedFamilies(t *table, old, cur []member, k kind) []bool {
	changed := make([]bool, len(t.fams))
	sc := r.getScratch()
	defer r.putScratch(sc)
	for o, c := range differingMembers(old, cur) {
		before, after := emptied(sc.old, len(t.fams)), emptied(sc.fams, len(t.fams))
		r.appendMember(sc, before, t, o, k, nil)
		r.appendMember(sc, after, t, c, k, nil)
		for p := range changed {
			changed[p] = changed[p] || !bytes.Equal(before[p], after[p])
		}
	}
	return changed
}

// differingMembers yields the members of old and cur (both sorted by id)
// whose state differs, paired by id: the zero member for a space that is
// in one of them only.
func differingMembers(old, cur []member) func(yield func(member, member) bool) {
	return func(yield func(member, member) bool) {
		i, j := 0, 0
		for i < len(old) || j < len(cur) {
			var o, c member
			switch {
			case j == len(cur) || i < len(old) && old[i].id < cur[j].id:
				o, i = old[i], i+1
			case i == len(old) || cur[j].id < old[i].id:
				c, j = cur[j], j+1
			default:
				o, c, i, j = old[i], cur[j], i+1, j+1
				if o.state == c.state && o.part == c.part {
					continue
				}
			}
			if !yield(o, c) {
				return
			}
		}
	}
}

// buildSegments keeps fams, one part per family of a table, compressed if
// gz, in one allocation; a family that changed does not mark (with a nil
// changed, every family is kept from fams) has prev's segment instead.
func buildSegments(fams [][]byte, gz bool, prev *segments, changed []bool) *segments {
	buf, _ := segmentBufs.Get().(*[]byte)
	if buf == nil {
		buf = new([]byte)
	}
	data := (*buf)[:0]
	out := &segments{ends: make([]int, len(fams)), raw: make([]int, len(fams))}
	if gz {
		out.sums = make([]crcSum, len(fams))
	}
	for i, p := range fams {
		switch {
		case changed != nil && !changed[i]:
			data = append(data, prev.segment(i)...)
			out.raw[i] = prev.raw[i]
			if gz {
				out.sums[i] = prev.sums[i]
			}
		case gz:
			data = appendDeflate(data, p)
			out.raw[i], out.sums[i] = len(p), crcSumOf(p)
		default:
			data = append(data, p...)
			out.raw[i] = len(p)
		}
		out.ends[i] = len(data)
	}
	out.data = slices.Clone(data)
	*buf = data
	segmentBufs.Put(buf)
	return out
}

var segmentBufs sync.Pool // of *[]byte
