package health

import (
	"time"

	"github.com/cams-exporter/cams_exporter/snapshot"
)

// FlowStatusConfig describes the flow-status checks (--collector.flow-status)
// for /status.
type FlowStatusConfig struct {
	Interval time.Duration
	// LimiterRate and LimiterMaxRate describe GetFlow's account limiter.
	LimiterRate    func() float64
	LimiterMaxRate float64
}

// FlowStatusSummary is /status's flow_status: the checks as a whole.
type FlowStatusSummary struct {
	Interval     float64       `json:"interval_seconds"`
	ExpectedPass float64       `json:"expected_pass_seconds"`
	Limiter      LimiterStatus `json:"limiter"`
	// Flows counts the flows of the spaces with data; Unknown those of
	// them whose status is not known (never checked, or every check
	// failed).
	Flows   int `json:"flows"`
	Unknown int `json:"flows_unknown"`
	// SpacesFailing counts the spaces whose last failed check is not
	// followed by a success: their flow_status.last_error says why.
	SpacesFailing int    `json:"spaces_failing"`
	Folded        uint64 `json:"statuses_folded"`
}

// SpaceFlowStatus is a space's flow_status in /status.
type SpaceFlowStatus struct {
	// ByStatus counts the space's flows by status: the documented
	// statuses always, snapshot.UnknownStatus for those not known; they
	// sum to the space's flows.
	ByStatus map[string]int `json:"flows_by_status"`
	// OldestCheck and LastCheck span the checks of the flows checked at
	// least once; NeverChecked counts the others.
	OldestCheck  *time.Time `json:"oldest_check,omitempty"`
	LastCheck    *time.Time `json:"last_check,omitempty"`
	NeverChecked int        `json:"never_checked"`
	// LastError is the last failed check, until a later one succeeds;
	// none once the space has no flow.
	// GetFlow's failures never take the space down.
	LastError *snapshot.ErrorInfo `json:"last_error,omitempty"`
}

func spaceFlowStatus(sp *snapshot.SpaceState) *SpaceFlowStatus {
	fs := sp.Statuses
	oldest, latest, never := fs.CheckSpan()
	out := &SpaceFlowStatus{ByStatus: fs.ByStatus(sp.Count), NeverChecked: never + max(sp.Count-fs.Len(), 0), LastError: fs.LastErrorOrNil()}
	if oldest != 0 {
		o, l := time.Unix(oldest, 0).UTC(), time.Unix(latest, 0).UTC()
		out.OldestCheck, out.LastCheck = &o, &l
	}
	return out
}

func (c *FlowStatusConfig) summary(snap *snapshot.Snapshot) *FlowStatusSummary {
	out := &FlowStatusSummary{Interval: c.Interval.Seconds(), ExpectedPass: snap.FlowStatus.ExpectedPass.Seconds(), Folded: snap.FlowStatus.Folded}
	if c.LimiterRate != nil {
		out.Limiter = LimiterStatus{Rate: c.LimiterRate(), MaxRate: c.LimiterMaxRate}
	}
	for _, sp := range snap.All() {
		if !sp.HasData {
			continue
		}
		out.Flows += sp.Count
		out.Unknown += max(sp.Count-sp.Statuses.Known(), 0)
		if sp.Statuses.LastErrorOrNil() != nil {
			out.SpacesFailing++
		}
	}
	return out
}
