package snapshot

import (
	"fmt"
	"slices"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
)

// Flow statuses (--collector.flow-status): what GetFlow last said of each
// flow of a space.
const (
	// MaxUndocumentedStatuses is how many distinct flow statuses outside
	// DocumentedStatuses the exporter keeps under their own name, across
	// all spaces, the first seen first kept, for as long as it runs.
	MaxUndocumentedStatuses = 10
	// OtherStatus stands for every status past those: a flow with any of
	// them counts under OtherStatus.
	OtherStatus = "_other"
	// UnknownStatus stands for a flow whose status is not known: never
	// checked yet, or every check of it failed. A flow keeps its last known
	// status when a later check fails.
	UnknownStatus = "_unknown"
)

// DocumentedStatuses are the flow statuses CAMS documents, in the order
// the metrics show them.
var DocumentedStatuses = []string{client.FlowStatusDraft, client.FlowStatusPublished, client.FlowStatusDeprecated}

// FlowStatuses is what GetFlow said of the flows of a space, flow by flow
// in the order of the space's SpaceState.FlowIDs. It is immutable once
// published: a check or a listing builds a new one. A space whose flows
// were never checked has none (nil), and every method of a nil
// *FlowStatuses answers as for flows never checked.
//
// It takes 9 bytes a flow, a one-byte index into the space's few status
// names and the Unix second of the flow's last check, and about 180 bytes a
// space: 12.6 bytes a flow at 50 flows a space, against 44.6 for a string
// and a time.Time a flow (BenchmarkStatusMemory).
type FlowStatuses struct {
	names   []string // sorted; names[0] is "", the unknown status
	codes   []uint8  // per flow: its status, an index into names
	checked []int64  // per flow: Unix seconds of its last check, failed or not; 0 for never
	// LastError is the last failed check of a flow of the space; nil once
	// a later check succeeded, and for a space without flows.
	LastError *ErrorInfo
}

// maxStatusNames bounds the names of one space: the unknown status, the
// documented ones, the undocumented ones kept and OtherStatus.
const maxStatusNames = 1 + 3 + MaxUndocumentedStatuses + 1

// NewFlowStatuses returns the statuses of n flows: statuses[i] ("" for not
// known) and checked[i] (Unix seconds of the last check, 0 for never) are
// those of the space's FlowIDs[i]. Both must have the same length, and at
// most maxStatusNames distinct statuses ("" included) can be held: more
// is an error, as is a negative time. Statuses of no flow have no
// lastError: no check of the space can fail any more, nor clear it.
func NewFlowStatuses(statuses []string, checked []int64, lastError *ErrorInfo) (*FlowStatuses, error) {
	if len(statuses) != len(checked) {
		return nil, fmt.Errorf("%d statuses for %d check times", len(statuses), len(checked))
	}
	if len(statuses) == 0 {
		lastError = nil
	}
	names := []string{""}
	for _, s := range statuses {
		if !slices.Contains(names, s) {
			if len(names) == maxStatusNames {
				return nil, fmt.Errorf("more than %d distinct flow statuses", maxStatusNames-1)
			}
			names = append(names, s)
		}
	}
	slices.Sort(names)
	fs := &FlowStatuses{names: slices.Clip(names), codes: make([]uint8, len(statuses)), checked: slices.Clone(checked), LastError: lastError}
	for i, s := range statuses {
		code, _ := slices.BinarySearch(names, s)
		fs.codes[i] = uint8(code)
		if checked[i] < 0 {
			return nil, fmt.Errorf("check time %d is negative", checked[i])
		}
	}
	return fs, nil
}

// Len is the number of flows described.
func (fs *FlowStatuses) Len() int {
	if fs == nil {
		return 0
	}
	return len(fs.codes)
}

// Status returns the status of flow i, "" when not known.
func (fs *FlowStatuses) Status(i int) string {
	if fs == nil || i >= len(fs.codes) {
		return ""
	}
	return fs.names[fs.codes[i]]
}

// Checked returns when flow i was last checked, in Unix seconds; 0 for
// never.
func (fs *FlowStatuses) Checked(i int) int64 {
	if fs == nil || i >= len(fs.checked) {
		return 0
	}
	return fs.checked[i]
}

// Known returns how many flows have a status (every flow described but
// those whose status is not known).
func (fs *FlowStatuses) Known() int {
	return fs.Len() - fs.Count("")
}

// Count returns how many flows have status s; s == "" counts the flows
// whose status is not known among those described. It reads every flow:
// a space's few statuses are counted when the space is rendered, once per
// change, which costs less than keeping the counts.
func (fs *FlowStatuses) Count(s string) int {
	if fs == nil {
		return 0
	}
	i, ok := slices.BinarySearch(fs.names, s)
	if !ok {
		return 0
	}
	n := 0
	for _, c := range fs.codes {
		if c == uint8(i) {
			n++
		}
	}
	return n
}

// Names returns the statuses some flow has, sorted, "" (not known) left
// out. The caller must not change the slice.
func (fs *FlowStatuses) Names() []string {
	if fs == nil {
		return nil
	}
	return fs.names[1:]
}

// ByStatus returns the flows of each known status, documented statuses
// included at 0, and UnknownStatus for count minus the known ones: the
// counts sum to count, the space's flows.
func (fs *FlowStatuses) ByStatus(count int) map[string]int {
	out := make(map[string]int, len(DocumentedStatuses)+1+max(fs.Len()-1, 0))
	for _, s := range DocumentedStatuses {
		out[s] = 0
	}
	for _, s := range fs.Names() {
		out[s] = fs.Count(s)
	}
	out[UnknownStatus] = max(count-fs.Known(), 0)
	return out
}

// CheckSpan returns the oldest and the latest check of the flows checked
// at least once, in Unix seconds, and how many were never checked; 0 for
// both times when none was.
func (fs *FlowStatuses) CheckSpan() (oldest, latest int64, never int) {
	for i := range fs.Len() {
		c := fs.checked[i]
		switch {
		case c == 0:
			never++
			continue
		case oldest == 0 || c < oldest:
			oldest = c
		}
		latest = max(latest, c)
	}
	return oldest, latest, never
}

// LastErrorOrNil is LastError, nil for a nil FlowStatuses.
func (fs *FlowStatuses) LastErrorOrNil() *ErrorInfo {
	if fs == nil {
		return nil
	}
	return fs.LastError
}

// FlowStatusTotals sums up the flow-status checks for a snapshot.
type FlowStatusTotals struct {
	// ExpectedPass is how long checking every flow of the watched spaces
	// takes at the configured GetFlow rate, from the last known flows.
	ExpectedPass time.Duration
	// Folded counts the checks whose status was counted as OtherStatus
	// because MaxUndocumentedStatuses others were kept already.
	Folded uint64
}
