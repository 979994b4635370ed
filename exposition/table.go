package exposition

import (
	"iter"

	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// table is one table of a snapshot whose spaces are rendered in buckets of
// their own: the flows' space states (Snapshot.All), or one source's parts
// (Snapshot.Source(name).All). Each table's buckets are made again only on
// its own changes, so that a change of one source's part of a space costs
// that space's bucket of that source, whatever the others did.
type table struct {
	source string              // the source's name; "" for the flows
	fams   []*collector.Family // the per-space families it has series of, in the schema's order
	pos    []int               // by Family.Index: position in fams, -1 for none
}

// newTables returns the tables of schema: the flows', then each source's,
// in the order of sources.
func newTables(schema *collector.Schema, sources []string) []*table {
	ofSource := map[*collector.Family]bool{}
	var tables []*table
	for _, name := range sources {
		fams := schema.PartFamilies(name)
		if fams == nil || sourceIn(tables, name) {
			continue // not the schema's, or twice
		}
		for _, f := range fams {
			ofSource[f] = true
		}
		tables = append(tables, newTable(schema, name, fams))
	}
	var flows []*collector.Family
	for _, f := range schema.Families() {
		if f.PerSpace && !ofSource[f] {
			flows = append(flows, f)
		}
	}
	return append([]*table{newTable(schema, "", flows)}, tables...)
}

func newTable(schema *collector.Schema, source string, fams []*collector.Family) *table {
	t := &table{source: source, fams: fams, pos: make([]int, len(schema.Families()))}
	for i := range t.pos {
		t.pos[i] = -1
	}
	for i, f := range fams {
		t.pos[f.Index] = i
	}
	return t
}

func sourceIn(tables []*table, name string) bool {
	for _, t := range tables {
		if t.source == name {
			return true
		}
	}
	return false
}

// series appends the series of m, a space of t: those of the status
// families alone (collector.Family.Status) if statusOnly.
func (t *table) series(schema *collector.Schema, dst []collector.Series, m member, statusOnly bool) []collector.Series {
	switch {
	case t.source == "" && statusOnly:
		return schema.SpaceStatusSeries(dst, m.id, m.state)
	case t.source == "":
		return schema.SpaceSeries(dst, m.id, m.state)
	case statusOnly:
		return schema.PartStatusSeries(dst, t.source, m.id, m.part)
	}
	return schema.PartSeries(dst, t.source, m.id, m.part)
}

// statusOnly reports whether the families of t that keep marks (by
// position) are all status families.
func (t *table) statusOnly(keep []bool) bool {
	for p, f := range t.fams {
		if keep[p] && !f.Status {
			return false
		}
	}
	return true
}

// bucketSet is one table of a snapshot in buckets, and the state of the
// table they hold: the next snapshot's buckets are made from them and what
// changed since that state.
type bucketSet struct {
	flows   *snapshot.Snapshot    // the flows' table: the snapshot whose spaces they hold
	source  *snapshot.SourceState // a source's table: its state
	buckets []*bucket
}

// update returns the buckets of t in snap, made from last (nil for none):
// nil when snap has no such table (a source that is off).
func (t *table) update(last *bucketSet, snap *snapshot.Snapshot) *bucketSet {
	if t.source == "" {
		return t.updateFlows(last, snap)
	}
	return t.updateSource(last, snap.Source(t.source))
}

func (t *table) updateFlows(last *bucketSet, snap *snapshot.Snapshot) *bucketSet {
	set := &bucketSet{flows: snap}
	if n := bucketCount(snap.Len(), size(last)); n != size(last) {
		set.buckets = t.group(n, flowMembers(snap.All()))
	} else {
		set.buckets = t.apply(last.buckets, flowMembers(snap.Changes(last.flows)))
	}
	return set
}

func (t *table) updateSource(last *bucketSet, st *snapshot.SourceState) *bucketSet {
	switch {
	case st == nil:
		return nil
	case last != nil && last.source == st:
		return last
	}
	set := &bucketSet{source: st}
	if n := bucketCount(st.Len(), size(last)); n != size(last) {
		set.buckets = t.group(n, partMembers(st.All()))
	} else {
		set.buckets = t.apply(last.buckets, partMembers(st.Changes(last.source)))
	}
	return set
}

// size is the number of buckets of set; 0 for none.
func size(set *bucketSet) int {
	if set == nil {
		return 0
	}
	return len(set.buckets)
}

// group returns members in n buckets of t.
func (t *table) group(n int, members iter.Seq[member]) []*bucket {
	groups := make([][]member, n)
	for m := range members {
		b := bucketOf(m.id, n)
		groups[b] = append(groups[b], m)
	}
	buckets := make([]*bucket, n)
	for i, g := range groups {
		buckets[i] = newBucket(t, g)
	}
	return buckets
}

// apply returns buckets with changes applied, each the new state of a
// space (none if it left): a new bucket for each bucket a change falls in,
// buckets itself if none does, so that it costs what changed, not the
// number of spaces.
func (t *table) apply(buckets []*bucket, changes iter.Seq[member]) []*bucket {
	var byBucket map[int][]member
	for m := range changes {
		if byBucket == nil {
			byBucket = map[int][]member{}
		}
		b := bucketOf(m.id, len(buckets))
		byBucket[b] = append(byBucket[b], m)
	}
	if byBucket == nil {
		return buckets
	}
	out := make([]*bucket, len(buckets))
	copy(out, buckets)
	for b, ch := range byBucket {
		out[b] = buckets[b].with(ch)
	}
	return out
}

// flowMembers yields the spaces of the flows' table as members.
func flowMembers(spaces iter.Seq2[string, *snapshot.SpaceState]) iter.Seq[member] {
	return func(yield func(member) bool) {
		for id, st := range spaces {
			if !yield(member{id: id, state: st}) {
				return
			}
		}
	}
}

// partMembers yields the spaces of a source's table as members.
func partMembers(parts iter.Seq2[string, *snapshot.SpacePart]) iter.Seq[member] {
	return func(yield func(member) bool) {
		for id, p := range parts {
			if !yield(member{id: id, part: p}) {
				return
			}
		}
	}
}
