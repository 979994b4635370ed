package check

import (
	"strings"
	"time"

	"github.com/cams-exporter/cams_exporter/refresh"
)

// CodeNotFinished is the error code of a space whose listing had not
// finished when --check.timeout expired.
const CodeNotFinished = "NotFinished"

// unfinished reports whether sp was never listed to the end in a run cut
// short by the timeout.
func (in Input) unfinished(sp *refresh.SpaceState) bool {
	return in.TimedOut > 0 && !sp.Up && sp.LastAttempt.IsZero()
}

// notFinished is the report line of a space left unfinished.
func notFinished(id string, timeout time.Duration) SpaceResult {
	return SpaceResult{Space: id, ByCategory: map[string]int{},
		Error:  &refresh.ErrorInfo{Code: CodeNotFinished, Message: "the listing had not finished when --check.timeout (" + timeout.String() + ") expired", Class: "timeout"},
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
