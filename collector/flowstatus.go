package collector

import (
	"fmt"
	"slices"

	dto "github.com/prometheus/client_model/go"

	"github.com/cams-exporter/cams_exporter/snapshot"
)

// documentedStatuses is snapshot.DocumentedStatuses fixed at start-up.
var documentedStatuses = slices.Clone(snapshot.DocumentedStatuses)

// addStatusFamilies adds the families of the flow statuses
// (--collector.flow-status).
func (s *Schema) addStatusFamilies(add func(perSpace bool, typ dto.MetricType, name, help string, labels ...string) *Family) {
	gauge, counter := dto.MetricType_GAUGE, dto.MetricType_COUNTER
	iv := "--flow-status.interval"
	if s.opts.FlowStatusInterval > 0 {
		iv += " (" + formatInterval(s.opts.FlowStatusInterval) + ")"
	}
	s.statusPass = add(false, gauge, "cams_flow_status_expected_duration_seconds",
		"How long checking the status of every flow of the watched spaces takes at the configured GetFlow rate (--cams.getflow-rate-limit), one call a flow, from the last known flows. Above cams_flow_status_interval_seconds, flows are checked back to back, the stalest first, and each status gets as old as this.")
	if s.opts.FlowStatusInterval > 0 {
		s.statusInterval = add(false, gauge, "cams_flow_status_interval_seconds",
			"The configured --flow-status.interval: a flow's status is checked again once its last check is this old, when the GetFlow rate allows it (see cams_flow_status_expected_duration_seconds).")
	}
	s.statusesFolded = add(false, counter, "cams_flow_statuses_folded_total",
		fmt.Sprintf("Flow status checks whose answer was counted as status=%q of cams_flows_by_status and cams_flow_info because %d undocumented statuses, the first seen, were already exported.",
			snapshot.OtherStatus, snapshot.MaxUndocumentedStatuses))
	if s.opts.GetFlowLimiterRate != nil {
		s.statusRate = add(false, gauge, "cams_flow_status_rate_limit_requests_per_second",
			"Current rate of the account-wide GetFlow rate limiter in requests per second; it is lowered when the API throttles GetFlow and climbs back as calls succeed. GetFlow never waits on ListFlow's limiter, nor ListFlow on this one.")
	}
	s.flowsByStatus = add(true, gauge, "cams_flows_by_status",
		fmt.Sprintf("Number of flows in the space by status, as GetFlow last answered: checked in the background, never at scrape time, each flow once its last check is %s old, the stalest first. %s are always present, 0 when no flow has them; the first %d undocumented statuses seen appear under their own name, and flows with any other count under %s. %s counts the flows whose status is not known: not checked since they were listed, or every check failed (a flow keeps its last known status when a later check fails). The counts sum to cams_flows.",
			iv, joinList(documentedStatuses), snapshot.MaxUndocumentedStatuses, snapshot.OtherStatus, snapshot.UnknownStatus),
		labelSpace, labelStatus)
}

// appendStatusTotals appends the series of the flow statuses as a whole.
func (s *Schema) appendStatusTotals(dst []Series, snap *snapshot.Snapshot) []Series {
	dst = append(dst,
		series(s.statusPass, snap.FlowStatus.ExpectedPass.Seconds()),
		series(s.statusesFolded, float64(snap.FlowStatus.Folded)))
	if s.statusInterval != nil {
		dst = append(dst, series(s.statusInterval, s.opts.FlowStatusInterval.Seconds()))
	}
	if s.statusRate != nil {
		dst = append(dst, series(s.statusRate, s.opts.GetFlowLimiterRate()))
	}
	return dst
}

// appendFlowsByStatus appends a space's cams_flows_by_status: the
// documented statuses, the others it has, sorted, and the flows whose
// status is not known, so that the counts sum to the space's flows.
func (s *Schema) appendFlowsByStatus(dst []Series, space string, st *snapshot.SpaceState) []Series {
	fs := st.Statuses
	for _, status := range documentedStatuses {
		dst = append(dst, series(s.flowsByStatus, float64(fs.Count(status)), space, status))
	}
	for _, status := range fs.Names() {
		if !slices.Contains(documentedStatuses, status) {
			dst = append(dst, series(s.flowsByStatus, float64(fs.Count(status)), space, validUTF8(status)))
		}
	}
	return append(dst, series(s.flowsByStatus, float64(max(st.Count-fs.Known(), 0)), space, snapshot.UnknownStatus))
}

// flowStatus is the status label of a flow of st in cams_flow_info: as
// in cams_flows_by_status.
func flowStatus(st *snapshot.SpaceState, flowID string) string {
	if i, ok := slices.BinarySearch(st.FlowIDs, flowID); ok {
		if status := st.Statuses.Status(i); status != "" {
			return validUTF8(status)
		}
	}
	return snapshot.UnknownStatus
}

func joinList(values []string) string {
	out := ""
	for i, v := range values {
		switch {
		case i == len(values)-1 && i > 0:
			out += " and "
		case i > 0:
			out += ", "
		}
		out += v
	}
	return out
}
