package collector

import (
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

func statuses(t *testing.T, s []string, checked []int64) *snapshot.FlowStatuses {
	t.Helper()
	fs, err := snapshot.NewFlowStatuses(s, checked, nil)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// flowStatusSnapshot: the own space with statuses partly known, cams-a
// listed but never checked, cams-d never listed.
func flowStatusSnapshot(t *testing.T) *snapshot.Snapshot {
	return snapshot.Snapshot{
		Completed: true, FlowStatus: snapshot.FlowStatusTotals{ExpectedPass: 1500 * time.Millisecond, Folded: 2},
	}.WithSpaces(map[string]*snapshot.SpaceState{
		"": {
			Count: 5, ByCategory: map[string]int{}, FlowIDs: []string{"f1", "f2", "f3", "f4", "f5"},
			Flows: snapshot.NewFlowList([]client.Flow{{FlowID: "f3", FlowName: "three"}, {FlowID: "f1", FlowName: "one"}, {FlowID: "f2", FlowName: "two"},
				{FlowID: "f4", FlowName: "four"}, {FlowID: "f5", FlowName: "five"}}),
			Statuses: statuses(t, []string{"PUBLISHED", "", "BLOCKED", "PUBLISHED", "_other"}, []int64{100, 0, 100, 100, 100}),
			HasData:  true, Up: true, LastSuccess: t0,
		},
		"cams-a": {
			ID: "cams-a", Count: 2, ByCategory: map[string]int{}, FlowIDs: []string{"x", "y"},
			Flows:   snapshot.NewFlowList([]client.Flow{{FlowID: "x", FlowName: "ex"}, {FlowID: "y", FlowName: "why"}}),
			HasData: true, Up: true, LastSuccess: t0,
		},
		"cams-d": {ID: "cams-d", LastAttempt: t0, LastError: &snapshot.ErrorInfo{Code: "Timeout", Class: "transient"}},
	})
}

func TestCollectorFlowStatus(t *testing.T) {
	three := func() float64 { return 3 }
	c := New(static(flowStatusSnapshot(t)), Options{FlowInfo: true, FlowStatus: true, FlowStatusInterval: time.Hour, GetFlowLimiterRate: three, RefreshInterval: 5 * time.Minute})
	err := testutil.CollectAndCompare(c, fixture(t, "collector_help_flow_status.prom", "collector_flow_status.prom"),
		"cams_flows_by_status", "cams_flow_info", "cams_flow_status_expected_duration_seconds", "cams_flow_status_interval_seconds",
		"cams_flow_statuses_folded_total", "cams_flow_status_rate_limit_requests_per_second")
	if err != nil {
		t.Error(err)
	}
	lint(t, c)
}

// Without --collector.flow-status nothing of the statuses is exported, even
// with statuses in the snapshot (a cache of a run that had it), and
// cams_flow_info keeps its four labels.
func TestCollectorFlowStatusOff(t *testing.T) {
	c := New(static(flowStatusSnapshot(t)), Options{FlowInfo: true, RefreshInterval: 5 * time.Minute})
	if n := testutil.CollectAndCount(c, "cams_flows_by_status", "cams_flow_status_expected_duration_seconds", "cams_flow_statuses_folded_total"); n != 0 {
		t.Errorf("%d status series without the flag", n)
	}
	if err := testutil.CollectAndCompare(c, fixture(t, "collector_help.prom", "collector_flow_status_off.prom"), "cams_flow_info"); err != nil {
		t.Error(err)
	}
}

// With statuses, a space with data has one series per documented status,
// one for the flows not known, and one per other status it has; the whole
// snapshot four more.
func TestCollectorFlowStatusSeriesCount(t *testing.T) {
	for _, spaces := range []int{1, 10} {
		states := map[string]*snapshot.SpaceState{}
		for s := range spaces {
			states["cams-"+strconv.Itoa(s)] = &snapshot.SpaceState{HasData: true, Up: true, Count: 3, FlowIDs: []string{"a", "b", "c"},
				Statuses: statuses(t, []string{"DRAFT", "THROTTLED", ""}, []int64{1, 1, 0})}
		}
		opts := Options{FlowStatus: true, FlowStatusInterval: time.Hour, GetFlowLimiterRate: func() float64 { return 4 }}
		got := testutil.CollectAndCount(New(static(snapshot.Snapshot{}.WithSpaces(states)), opts), "cams_flows_by_status", "cams_flow_status_expected_duration_seconds",
			"cams_flow_status_interval_seconds", "cams_flow_statuses_folded_total", "cams_flow_status_rate_limit_requests_per_second")
		if want := 4 + spaces*(3+1+1); got != want {
			t.Errorf("%d spaces: %d series, want %d", spaces, got, want)
		}
	}
}
