package refresh

import (
	"slices"
	"sort"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// isDocumentedStatus reports whether CAMS documents the flow status s.
func isDocumentedStatus(s string) bool {
	return s == client.FlowStatusDraft || s == client.FlowStatusPublished || s == client.FlowStatusDeprecated
}

// statusResult is the outcome of checking one flow.
type statusResult struct {
	space, flow string
	status      string              // as GetFlow answered; "" for not known
	checked     int64               // Unix seconds
	err         *snapshot.ErrorInfo // nil on success
}

// expand returns the statuses and check times of the flows, one string and
// one number a flow, to change and build a new FlowStatuses from.
func expand(fs *snapshot.FlowStatuses, n int) ([]string, []int64) {
	statuses, checked := make([]string, n), make([]int64, n)
	for i := range min(n, fs.Len()) {
		statuses[i], checked[i] = fs.Status(i), fs.Checked(i)
	}
	return statuses, checked
}

// withResults returns the statuses with results applied to the flows of ids (the
// space's sorted FlowIDs); a result for a flow no longer listed is
// dropped. A flow listed twice gets the result twice. fold bounds the
// status names. It returns fs itself when no result applies.
func withResults(fs *snapshot.FlowStatuses, ids []string, results []statusResult, fold func(string) string) *snapshot.FlowStatuses {
	statuses, checked := expand(fs, len(ids))
	lastError, applied := fs.LastErrorOrNil(), false
	for _, res := range results {
		i := sort.SearchStrings(ids, res.flow)
		if i == len(ids) || ids[i] != res.flow {
			continue // gone since: its failure is no failure of the space
		}
		for ; i < len(ids) && ids[i] == res.flow; i++ {
			checked[i] = res.checked
			if res.err == nil && res.status != "" {
				statuses[i] = fold(res.status)
			}
		}
		applied, lastError = true, res.err
	}
	if !applied {
		return fs
	}
	out, err := snapshot.NewFlowStatuses(statuses, checked, lastError)
	if err != nil {
		// Cannot happen: fold lets through at most the names a FlowStatuses holds.
		panic("refresh: " + err.Error())
	}
	return out
}

// realign returns the statuses of the flows of newIDs from those of
// oldIDs (both sorted): a flow still listed keeps its status and check
// time, a new flow is not known yet, a flow gone is forgotten. It returns
// fs itself when the ids are the same, and nil while nothing was checked.
func realign(fs *snapshot.FlowStatuses, oldIDs, newIDs []string) *snapshot.FlowStatuses {
	if fs == nil || slices.Equal(oldIDs, newIDs) {
		return fs
	}
	statuses, checked := make([]string, len(newIDs)), make([]int64, len(newIDs))
	i := 0
	for j, id := range newIDs {
		for i < len(oldIDs) && oldIDs[i] < id {
			i++
		}
		if i < len(oldIDs) && oldIDs[i] == id {
			statuses[j], checked[j] = fs.Status(i), fs.Checked(i)
			i++
		}
	}
	out, err := snapshot.NewFlowStatuses(statuses, checked, fs.LastError)
	if err != nil {
		panic("refresh: " + err.Error()) // a subset of fs's names
	}
	return out
}
