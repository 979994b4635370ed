package refresh

import (
	"maps"
	"slices"
	"sort"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// categoryCap bounds the category values that enter the snapshot, and so
// the cache, /status and every label: the documented categories, OtherCategory
// and the first MaxUndocumentedCategories others pass; the rest are folded
// into OtherCategory. The zero value is ready; the refresher's mutex guards it.
type categoryCap struct {
	kept map[string]struct{}
}

// admit reports whether c passes under its own name, taking one of the free
// places if it is new.
func (cc *categoryCap) admit(c string) bool {
	if c == snapshot.OtherCategory || client.IsDocumentedCategory(c) {
		return true
	}
	return admitCapped(&cc.kept, c, snapshot.MaxUndocumentedCategories)
}

// admitCapped reports whether the undocumented value v passes under its own
// name: it is in *kept, or *kept holds fewer than limit values and v takes
// one of the free places.
func admitCapped(kept *map[string]struct{}, v string, limit int) bool {
	if _, ok := (*kept)[v]; ok {
		return true
	}
	if len(*kept) >= limit {
		return false
	}
	if *kept == nil {
		*kept = make(map[string]struct{}, limit)
	}
	(*kept)[v] = struct{}{}
	return true
}

// fold returns flows with the categories beyond the cap replaced by
// OtherCategory, and adds to *folded the number of distinct values it
// replaced. flows is never modified: flows that change are copied, and
// without any change flows itself is returned.
func (cc *categoryCap) fold(flows []client.Flow, folded *uint64) []client.Flow {
	var out []client.Flow // nil until a flow changes
	var values map[string]struct{}
	for i, f := range flows {
		cats, changed := cc.foldOne(f.Categories, &values)
		if changed && out == nil {
			out = append(make([]client.Flow, 0, len(flows)), flows[:i]...)
		}
		if out != nil {
			f.Categories = cats
			out = append(out, f)
		}
	}
	*folded += uint64(len(values))
	if out == nil {
		return flows
	}
	return out
}

// foldOne returns cats with the values beyond the cap replaced by one
// OtherCategory, recording them in *values, and whether anything changed.
func (cc *categoryCap) foldOne(cats []string, values *map[string]struct{}) ([]string, bool) {
	var out []string // nil until a value is folded
	other := false
	for i, c := range cats {
		if cc.admit(c) {
			other = other || c == snapshot.OtherCategory
			if out != nil {
				out = append(out, c)
			}
			continue
		}
		if *values == nil {
			*values = map[string]struct{}{}
		}
		(*values)[c] = struct{}{}
		if out == nil {
			out = append(make([]string, 0, len(cats)), cats[:i]...)
		}
		if !other {
			out = append(out, snapshot.OtherCategory)
			other = true
		}
	}
	if out == nil {
		return cats, false
	}
	return out, true
}

// foldStates applies the cap to states restored from a cache, in the order
// of their ids so that the same file keeps the same categories, and adds the
// values it folded to *folded. Counts of folded categories go to
// OtherCategory, at most the space's flow count: a flow may have carried
// several of them. Kept flows are packed again by packer, sorted by id as
// the refresher keeps them; FlowIDs becomes theirs when it names the same
// ids.
func (cc *categoryCap) foldStates(states map[string]*snapshot.SpaceState, folded *uint64, packer *snapshot.FlowPacker) {
	ids := make([]string, 0, len(states))
	for id := range states {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		st := states[id]
		st.ByCategory = cc.foldCounts(st.ByCategory, st.Count, folded)
		if st.Flows.Len() > 0 {
			st.Flows = packer.PackSorted(cc.fold(st.Flows.Flows(), folded))
			if kept := st.Flows.IDs(); slices.Equal(kept, st.FlowIDs) {
				st.FlowIDs = kept // one copy of the ids
			}
		}
	}
}

// foldCounts returns counts with the categories beyond the cap summed into
// OtherCategory, capped at total: counts itself when that changes nothing
// (a restore of 200,000 spaces would otherwise copy every map).
func (cc *categoryCap) foldCounts(counts map[string]int, total int, folded *uint64) map[string]int {
	if counts == nil {
		return nil
	}
	var buf [16]string // on the stack for most spaces
	cats := buf[:0]
	for c := range counts {
		cats = append(cats, c)
	}
	slices.Sort(cats)
	var out map[string]int // nil while every count stays as it is
	other := 0
	for i, c := range cats {
		switch {
		case c == snapshot.OtherCategory:
			other += counts[c]
		case cc.admit(c):
			if out != nil {
				out[c] = counts[c]
			}
		default:
			if out == nil {
				out = make(map[string]int, min(len(counts), len(client.DocumentedCategories)+snapshot.MaxUndocumentedCategories+1))
				for _, kept := range cats[:i] {
					if kept != snapshot.OtherCategory {
						out[kept] = counts[kept]
					}
				}
			}
			other += counts[c]
			*folded++
		}
	}
	if out == nil {
		if n, ok := counts[snapshot.OtherCategory]; !ok || n > 0 && n <= max(total, 0) {
			return counts
		}
		out = maps.Clone(counts)
		delete(out, snapshot.OtherCategory)
	}
	if other > 0 {
		out[snapshot.OtherCategory] = min(other, max(total, 0))
	}
	return out
}
