package check

import (
	"slices"
	"strings"
	"time"

	"github.com/cams-exporter/cams_exporter/snapshot"
)

// CodeNotFinished is the error code of a space whose listing had not
// finished when --check.timeout expired.
const CodeNotFinished = "NotFinished"

// unfinished reports whether a space whose state is sp (nil for none) was
// never listed to the end: it has no state, or the run was cut short by the
// timeout before its first listing ended.
func (in Input) unfinished(sp *snapshot.SpaceState) bool {
	return sp == nil || (in.TimedOut > 0 && !sp.Up && sp.LastAttempt.IsZero())
}

// spaceIDs returns the spaces to report, sorted: the watched ones and any
// other the snapshot holds.
func (in Input) spaceIDs() []string {
	ids := in.Snapshot.SpaceIDs()
	for _, id := range in.Watched {
		if in.Snapshot.Space(id) == nil {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids)
}

// notFinished is the report line of a space left unfinished.
func notFinished(id string, timeout time.Duration) SpaceResult {
	return SpaceResult{Space: id, ByCategory: map[string]int{},
		Error:  &snapshot.ErrorInfo{Code: CodeNotFinished, Message: "the listing had not finished when --check.timeout (" + timeout.String() + ") expired", Class: "timeout"},
		Remedy: "raise --check.timeout, or look at why this space lists slowly (many pages, throttling, a server that pages without end)"}
}

// notFinishedSummary names the first spaces left unfinished.
func notFinishedSummary(timeout time.Duration, ids []string, total int) string {
	names := make([]string, 0, min(len(ids), 10))
	for _, id := range ids[:min(len(ids), 10)] {
		if id == "" {
			id = "(own space)"
		}
		names = append(names, id)
	}
	s := "--check.timeout " + timeout.String() + " expired: " + plural(len(ids), "space") + " of " + plural(total, "") + " not finished: " + strings.Join(names, ", ")
	if len(ids) > len(names) {
		s += " and " + itoa(len(ids)-len(names)) + " more"
	}
	return s
}
