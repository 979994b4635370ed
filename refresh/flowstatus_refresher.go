package refresh

import (
	"sort"
	"time"

	"github.com/cams-exporter/cams_exporter/snapshot"
)

// The refresher's side of the flow-status checks: the checker reads the
// flows to check in the snapshots and hands its results to
// applyFlowStatuses; a listing carries the statuses of the flows it finds
// again (FlowStatuses.realign, in listResult.apply).

// statusCap bounds the status names that enter the snapshot, as
// categoryCap bounds categories: the documented statuses, OtherStatus and
// the first MaxUndocumentedStatuses others pass; the rest count as
// OtherStatus. The zero value is ready; the refresher's mutex guards it.
type statusCap struct {
	kept map[string]struct{}
}

// fold returns the name s is kept under, adding to *folded when that is
// OtherStatus for another status. UnknownStatus as an answer is taken for
// an undocumented status like any other, never for "not known".
func (sc *statusCap) fold(s string, folded *uint64) string {
	switch {
	case s == "" || s == snapshot.OtherStatus || isDocumentedStatus(s):
		return s
	case s != snapshot.UnknownStatus && admitCapped(&sc.kept, s, snapshot.MaxUndocumentedStatuses):
		return s
	}
	*folded++
	return snapshot.OtherStatus
}

// applyFlowStatuses applies checks to the spaces' current states, sets
// the expected pass of the checks, and publishes at once when anything
// changed: the checker's next look reads the published snapshot
// (statusStore). A result for a space without data, or for a flow its last
// listing did not find, is dropped.
func (r *Refresher) applyFlowStatuses(results []statusResult, pass time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	sort.SliceStable(results, func(i, j int) bool { return results[i].space < results[j].space })
	fold := func(s string) string { return r.statusCap.fold(s, &r.totals.FlowStatus.Folded) }
	changed := r.totals.FlowStatus.ExpectedPass != pass
	for start := 0; start < len(results); {
		space, end := results[start].space, start+1
		for end < len(results) && results[end].space == space {
			end++
		}
		if st := r.states[space]; st != nil && st.HasData {
			if fs := withResults(st.Statuses, st.FlowIDs, results[start:end], fold); fs != st.Statuses {
				next := *st
				next.Statuses = fs
				r.states[space] = &next
				r.changed = append(r.changed, space)
				changed = true
			}
		}
		start = end
	}
	if changed {
		r.totals.FlowStatus.ExpectedPass = pass
		r.publishLocked(r.cfg.Now())
	}
}

// foldRestoredStatuses applies the status cap to states restored from a
// cache, in the order of their ids so that the same file keeps the same
// statuses, and drops statuses that do not describe the space's flows.
func (r *Refresher) foldRestoredStatuses(states map[string]*snapshot.SpaceState) {
	ids := make([]string, 0, len(states))
	for id, st := range states {
		if st.Statuses != nil {
			ids = append(ids, id)
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		st := states[id]
		if st.Statuses.Len() != len(st.FlowIDs) {
			st.Statuses = nil
			continue
		}
		statuses, checked := expand(st.Statuses, len(st.FlowIDs))
		for i, s := range statuses {
			statuses[i] = r.statusCap.fold(s, &r.totals.FlowStatus.Folded)
		}
		st.Statuses, _ = snapshot.NewFlowStatuses(statuses, checked, st.Statuses.LastError)
	}
}
