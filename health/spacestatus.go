package health

import (
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/remedy"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// spaceStatus is /status's entry for one space at now.
func spaceStatus(sp *snapshot.SpaceState, now time.Time) SpaceStatus {
	ss := SpaceStatus{Space: sp.ID, Up: sp.Up, LastError: sp.LastError}
	if sp.HasData {
		age := now.Sub(sp.LastSuccess).Seconds()
		ss.Flows, ss.ByCategory, ss.LastSuccess, ss.AgeSeconds = &sp.Count, withDocumented(sp.ByCategory), &sp.LastSuccess, &age
	}
	if !sp.LastAttempt.IsZero() {
		ss.LastAttempt = &sp.LastAttempt
	}
	if sp.LastError != nil {
		ss.Cause, ss.Remedy = remedy.Explain(sp.LastError.Code, sp.LastError.Message)
	}
	return ss
}

// withDocumented returns counts with every documented category, 0 where
// counts has none, as cams_flows_by_category exports them. counts is not
// changed: it belongs to an immutable snapshot.
func withDocumented(counts map[string]int) map[string]int {
	out := make(map[string]int, len(client.DocumentedCategories)+len(counts))
	for _, c := range client.DocumentedCategories {
		out[c] = 0
	}
	for c, n := range counts {
		out[c] = n
	}
	return out
}
