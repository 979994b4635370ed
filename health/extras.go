package health

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cams-exporter/cams_exporter/snapshot"
)

// headerExtras adds details to the status page's header, and spaceExtras
// to a space's row, shown under its categories: where data a collector
// adds beside the flow counts is shown to people. /status's JSON gains such
// data as fields of Status and SpaceStatus. The sources of the engine have
// a section each (collectorpage.go) and a line each in a space's row.
func (c Checker) headerExtras(snap *snapshot.Snapshot) []Detail {
	if c.FlowStatus == nil {
		return nil
	}
	value := fmt.Sprintf("each flow checked with GetFlow every %s; a pass over every flow takes %s",
		approx(c.FlowStatus.Interval), approx(snap.FlowStatus.ExpectedPass))
	if c.FlowStatus.LimiterRate != nil {
		value += fmt.Sprintf(" at %.3g of %.3g calls/s", c.FlowStatus.LimiterRate(), c.FlowStatus.LimiterMaxRate)
	}
	return []Detail{{Label: "Flow statuses", Value: value}}
}

// spaceExtras shows a space's flows by status, documented statuses first,
// and its last failed status check; then its part of each source.
func (c Checker) spaceExtras(snap *snapshot.Snapshot, sp *snapshot.SpaceState) []Detail {
	return append(c.flowStatusExtras(sp), spaceCollectorDetails(snap, sp.ID)...)
}

func (c Checker) flowStatusExtras(sp *snapshot.SpaceState) []Detail {
	if c.FlowStatus == nil || !sp.HasData {
		return nil
	}
	fs := spaceFlowStatus(sp)
	parts := make([]string, 0, len(fs.ByStatus))
	for _, st := range snapshot.DocumentedStatuses {
		parts = append(parts, fmt.Sprintf("%s=%d", st, fs.ByStatus[st]))
	}
	var others []string
	for st := range fs.ByStatus {
		if !slices.Contains(snapshot.DocumentedStatuses, st) {
			others = append(others, st)
		}
	}
	slices.Sort(others)
	for _, st := range others {
		parts = append(parts, fmt.Sprintf("%s=%d", st, fs.ByStatus[st]))
	}
	out := []Detail{{Label: "Statuses", Value: strings.Join(parts, " ")}}
	if fs.LastError != nil {
		out = append(out, Detail{Label: "Status check failed", Value: fs.LastError.Code + ": " + fs.LastError.Message})
	}
	return out
}
