package refresh

import (
	"sort"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// listResult is the outcome of listing one space.
type listResult struct {
	space         string
	flows         []client.Flow
	err           error
	pages         int  // pages fetched
	answered      bool // the last call succeeded, whatever the pager made of its page
	start, finish time.Time
}

// apply returns the new state of a space from its previous state (nil if
// none) and this listing. A failure keeps the previous data. With
// keepFlows, the flows are kept too, packed by packer, sorted by id as
// FlowIDs is (whose ids are theirs): the i-th flow is the one FlowIDs[i]
// and Statuses' i-th entry describe.
func (res listResult) apply(prev *snapshot.SpaceState, keepFlows bool, packer *snapshot.FlowPacker) *snapshot.SpaceState {
	st := &snapshot.SpaceState{ID: res.space, LastAttempt: res.finish, LastDuration: res.finish.Sub(res.start), Pages: res.pages}
	if prev != nil {
		kept := *prev
		kept.LastAttempt, kept.LastDuration, kept.Pages = st.LastAttempt, st.LastDuration, st.Pages
		st = &kept
	}
	if res.err != nil {
		st.Up = false
		st.LastError = snapshot.NewErrorInfo(res.err)
		return st
	}
	var flows *snapshot.FlowList
	var ids []string
	if keepFlows {
		flows = packer.PackSorted(res.flows)
		ids = flows.IDs()
	} else {
		ids = flowIDs(res.flows)
	}
	if st.HasData {
		added, removed := diffSorted(st.FlowIDs, ids)
		st.Added += uint64(added)
		st.Removed += uint64(removed)
	}
	st.HasData, st.Up, st.LastError = true, true, nil
	st.LastSuccess = res.finish
	st.Count = len(res.flows)
	st.ByCategory = countCategories(res.flows)
	st.Statuses = realign(st.Statuses, st.FlowIDs, ids)
	st.FlowIDs, st.Flows = ids, flows
	return st
}

func idsOf(flows []client.Flow) []string {
	ids := make([]string, len(flows))
	for i, f := range flows {
		ids[i] = f.FlowID
	}
	return ids
}

// flowIDs returns the ids of flows, sorted.
func flowIDs(flows []client.Flow) []string {
	ids := idsOf(flows)
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
