package refresh

import (
	"sort"
	"time"
	"unique"

	"github.com/cams-exporter/cams_exporter/client"
)

// listResult is the outcome of listing one space.
type listResult struct {
	space         string
	flows         []client.Flow
	err           error
	pages         int // pages fetched
	start, finish time.Time
}

// apply returns the new state of a space from its previous state (nil if
// none) and this listing. A failure keeps the previous data.
func (res listResult) apply(prev *SpaceState, keepFlows bool) *SpaceState {
	st := &SpaceState{ID: res.space, LastAttempt: res.finish, LastDuration: res.finish.Sub(res.start), Pages: res.pages}
	if prev != nil {
		kept := *prev
		kept.LastAttempt, kept.LastDuration, kept.Pages = st.LastAttempt, st.LastDuration, st.Pages
		st = &kept
	}
	if res.err != nil {
		st.Up = false
		st.LastError = NewErrorInfo(res.err)
		return st
	}
	ids := flowIDs(res.flows)
	if st.HasData {
		added, removed := diffSorted(st.FlowIDs, ids)
		st.Added += uint64(added)
		st.Removed += uint64(removed)
	}
	st.HasData, st.Up, st.LastError = true, true, nil
	st.LastSuccess = res.finish
	st.Count = len(res.flows)
	st.ByCategory = countCategories(res.flows)
	st.Statuses = st.Statuses.realign(st.FlowIDs, ids)
	st.FlowIDs = ids
	st.Flows = nil
	if keepFlows {
		st.Flows = compactFlows(res.flows)
	}
	return st
}

// compactFlows copies flows, kept until the space's next listing, into
// memory of their exact size: decoded pages leave slack in the slices, and
// every flow's categories in an allocation and strings of their own. The
// categories of all flows share one array, and each distinct category one
// string (unique.Make); about a fifth less memory with flow info.
func compactFlows(flows []client.Flow) []client.Flow {
	n := 0
	for _, f := range flows {
		n += len(f.Categories)
	}
	out := make([]client.Flow, len(flows))
	cats := make([]string, 0, n)
	for i, f := range flows {
		out[i] = f
		if len(f.Categories) > 0 {
			start := len(cats)
			for _, c := range f.Categories {
				cats = append(cats, unique.Make(c).Value())
			}
			out[i].Categories = cats[start:len(cats):len(cats)]
		}
	}
	return out
}

func flowIDs(flows []client.Flow) []string {
	ids := make([]string, len(flows))
	for i, f := range flows {
		ids[i] = f.FlowID
	}
	sort.Strings(ids)
	return ids
}

// countCategories counts the flows carrying each category; a flow with a
// category listed twice counts once.
func countCategories(flows []client.Flow) map[string]int {
	counts := map[string]int{}
	for _, f := range flows {
		for i, c := range f.Categories {
			if !containsBefore(f.Categories, i, c) {
				counts[c]++
			}
		}
	}
	return counts
}

func containsBefore(list []string, i int, s string) bool {
	for _, x := range list[:i] {
		if x == s {
			return true
		}
	}
	return false
}

// diffSorted counts the ids in b and not in a (added) and in a and not in b
// (removed); both are sorted.
func diffSorted(a, b []string) (added, removed int) {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			i++
			j++
		case a[i] < b[j]:
			removed++
			i++
		default:
			added++
			j++
		}
	}
	return added + len(b) - j, removed + len(a) - i
}
