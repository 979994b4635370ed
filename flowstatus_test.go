package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/cache"
	"github.com/cams-exporter/cams_exporter/check"
	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/health"
	"github.com/cams-exporter/cams_exporter/simulator"
)

var documentedStatuses = []string{"DRAFT", "PUBLISHED", "DEPRECATED"}

// statusData is a data set with every documented status, an undocumented
// one and a flow without a Status (GetFlow answers DRAFT for it), in two
// sub-customer spaces and the account's own.
func statusData() *simulator.Dataset {
	gen := simulator.Generate(11, 2, 12) // statuses of their own, ~70 % PUBLISHED
	flows := func(space int, n int) []simulator.Flow {
		fs := gen.Spaces[space].Flows
		for len(fs) < n {
			fs = append(fs, simulator.Flow{FlowId: fmt.Sprintf("%d%015d", space, len(fs)), FlowName: "padding", Status: "PUBLISHED"})
		}
		return fs[:n]
	}
	data := &simulator.Dataset{Spaces: []simulator.Space{
		{ID: "", Flows: flows(0, 3)},
		{ID: "cams-status-a", Flows: flows(1, 12)},
		{ID: "cams-status-b", Flows: flows(2, 9)},
	}}
	data.Spaces[1].Flows[0].Status = "BLOCKED"
	data.Spaces[2].Flows[1].Status = ""
	return data
}

// expectedStatuses computes, from the data set alone, cams_flows_by_status
// and the status of each flow for the given spaces.
func expectedStatuses(data *simulator.Dataset, spaces ...string) (series map[string]float64, byFlow map[string]string) {
	series, byFlow = map[string]float64{}, map[string]string{}
	for _, sp := range data.Spaces {
		if !contains(spaces, sp.ID) {
			continue
		}
		for _, s := range documentedStatuses {
			series[fmt.Sprintf("cams_flows_by_status{space=%q,status=%q}", sp.ID, s)] = 0
		}
		series[fmt.Sprintf("cams_flows_by_status{space=%q,status=%q}", sp.ID, "_unknown")] = 0
		for _, f := range sp.Flows {
			status := f.Status
			if status == "" {
				status = "DRAFT" // the simulator's answer for a flow without one
			}
			series[fmt.Sprintf("cams_flows_by_status{space=%q,status=%q}", sp.ID, status)]++
			byFlow[sp.ID+"/"+f.FlowId] = status
		}
	}
	return series, byFlow
}

func sumStatuses(got map[string]float64, space string) float64 {
	sum := 0.0
	for k, v := range got {
		if strings.HasPrefix(k, "cams_flows_by_status{") && strings.Contains(k, fmt.Sprintf("space=%q", space)) {
			sum += v
		}
	}
	return sum
}

// The statuses end to end: the exporter reads every flow's status from the
// simulator with GetFlow, once, and /metrics, flow info and /status say
// what the data set holds; a status changed in the simulator shows at the
// next check; the cache keeps them, and a restart serves them at once
// without calling GetFlow again within the interval.
func TestFlowStatusEndToEnd(t *testing.T) {
	data := statusData()
	ids := nonOwnSpaces(data)
	cacheFile := filepath.Join(t.TempDir(), "cache.json")
	args := []string{"--collector.flow-status", "--collector.flow-info", "--cams.getflow-rate-limit=500", "--cache.file=" + cacheFile}
	for _, id := range ids {
		args = append(args, "--cams.space="+id)
	}
	h := newHarness(t, data, args...)
	h.refresh()
	before := h.scrape()
	for _, id := range ids {
		if got := before[fmt.Sprintf("cams_flows_by_status{space=%q,status=\"_unknown\"}", id)]; got != before[fmt.Sprintf("cams_flows{space=%q}", id)] || got == 0 {
			t.Errorf("space %s before any check: %v unknown, want all its flows", id, got)
		}
	}
	h.checkStatuses()
	got := h.scrape()
	want, byFlow := expectedStatuses(data, ids...)
	checkSeries(t, got, want)
	flows := 0
	for _, sp := range data.Spaces {
		if contains(ids, sp.ID) {
			flows += len(sp.Flows)
			if s := sumStatuses(got, sp.ID); s != float64(len(sp.Flows)) {
				t.Errorf("space %s: statuses sum to %v, want its %d flows", sp.ID, s, len(sp.Flows))
			}
			for _, f := range sp.Flows {
				key := fmt.Sprintf("cams_flow_info{categories=%q,flow_id=%q,flow_name=%q,space=%q,status=%q}", joinSorted(f.Categories), f.FlowId, f.FlowName, sp.ID, byFlow[sp.ID+"/"+f.FlowId])
				if got[key] != 1 {
					t.Errorf("missing %s", key)
				}
			}
		}
	}
	checkSeries(t, got, map[string]float64{
		`cams_api_requests_total{operation="GetFlow"}`:                           float64(flows),
		`cams_api_errors_total{code="Ram.PermissionDeny",operation="GetFlow"}`:   0,
		`cams_flow_status_expected_duration_seconds{}`:                           float64(flows) / 500,
		`cams_flow_status_interval_seconds{}`:                                    3600,
		`cams_flow_status_rate_limit_requests_per_second{}`:                      500,
		`cams_flow_statuses_folded_total{}`:                                      0,
		fmt.Sprintf("cams_flows_by_status{space=%q,status=\"BLOCKED\"}", ids[0]): 1,
	})
	stats := h.sim.Stats()
	for _, sp := range data.Spaces {
		if contains(ids, sp.ID) && stats.GetFlow[sp.ID] != len(sp.Flows) {
			t.Errorf("space %s: %d GetFlow calls, want one per flow (%d)", sp.ID, stats.GetFlow[sp.ID], len(sp.Flows))
		}
	}
	var status health.Status
	if _, body := h.get("/status"); json.Unmarshal([]byte(body), &status) != nil || status.FlowStatus == nil ||
		status.FlowStatus.Flows != flows || status.FlowStatus.Unknown != 0 || status.Spaces[0].FlowStatus == nil {
		t.Errorf("/status flow_status %+v", status.FlowStatus)
	}

	// A status changes: the next check shows it.
	flow := data.Spaces[1].Flows[1]
	if err := h.sim.SetFlowStatus(data.Spaces[1].ID, flow.FlowId, "DEPRECATED"); err != nil {
		t.Fatal(err)
	}
	h.checkStatuses()
	after := h.scrape()
	key := func(status string) string {
		return fmt.Sprintf("cams_flows_by_status{space=%q,status=%q}", data.Spaces[1].ID, status)
	}
	old := byFlow[data.Spaces[1].ID+"/"+flow.FlowId]
	if after[key("DEPRECATED")] != want[key("DEPRECATED")]+1 || after[key(old)] != want[key(old)]-1 {
		t.Errorf("after %s went from %s to DEPRECATED: DEPRECATED %v (was %v), %s %v (was %v)", flow.FlowId, old,
			after[key("DEPRECATED")], want[key("DEPRECATED")], old, after[key(old)], want[key(old)])
	}

	// The cache keeps the statuses: a restart serves them before any call,
	// and checks nothing again within the interval.
	if err := cache.Save(cacheFile, h.exp.cacheMeta(), h.exp.refresher.Snapshot(), time.Now()); err != nil {
		t.Fatal(err)
	}
	calls := h.sim.Stats().GetFlow
	restarted := newHarnessWith(t, h.sim, client.StaticCredentials{AccessKeyID: testKeyID, AccessKeySecret: testKeySecret},
		append([]string{"--cams.endpoint=" + h.opts.endpoint, "--cams.rate-limit=500", "--refresh.interval=1m"}, args...)...)
	served := restarted.scrape()
	for k, v := range after {
		if strings.HasPrefix(k, "cams_flows_by_status{") || strings.HasPrefix(k, "cams_flow_info{") {
			if served[k] != v {
				t.Errorf("restarted: %s = %v, want %v from the cache", k, served[k], v)
			}
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { restarted.exp.statuses.Run(ctx); close(done) }()
	time.Sleep(300 * time.Millisecond)
	cancel()
	<-done
	for _, id := range ids {
		if n := h.sim.Stats().GetFlow[id]; n != calls[id] {
			t.Errorf("space %s: %d GetFlow calls after the restart, want none (checked within the interval)", id, n-calls[id])
		}
	}
}

func nonOwnSpaces(data *simulator.Dataset) []string {
	var ids []string
	for _, sp := range data.Spaces {
		if sp.ID != "" {
			ids = append(ids, sp.ID)
		}
	}
	return ids
}

func joinSorted(cats []string) string {
	seen := map[string]bool{}
	var out []string
	for _, c := range cats {
		if !seen[c] {
			seen[c] = true
			out = append(out, c)
		}
	}
	for i := range out {
		for j := i + 1; j < len(out); j++ {
			if out[j] < out[i] {
				out[i], out[j] = out[j], out[i]
			}
		}
	}
	return strings.Join(out, ",")
}

func (h *harness) checkStatuses() { h.exp.statuses.CheckAll(context.Background()) }

// GetFlow denied (Ram.PermissionDeny for cams:GetFlow): the spaces stay up
// with their flows, cams_up stays 1, the statuses are all unknown, the API
// error counter counts the denials under operation GetFlow, and /status
// says why per space.
func TestGetFlowDeniedKeepsSpacesUp(t *testing.T) {
	data := statusData()
	ids := nonOwnSpaces(data)
	h := newHarness(t, data, "--collector.flow-status", "--cams.getflow-rate-limit=500", "--cams.space="+ids[0], "--cams.space="+ids[1])
	if _, err := h.sim.Inject(simulator.Fault{Kind: "error", Code: "Ram.PermissionDeny", Action: "GetFlow"}); err != nil {
		t.Fatal(err)
	}
	h.refresh()
	h.checkStatuses()
	got := h.scrape()
	flows := len(data.Spaces[1].Flows) + len(data.Spaces[2].Flows)
	checkSeries(t, got, map[string]float64{
		`cams_up{}`: 1,
		fmt.Sprintf("cams_space_up{space=%q}", ids[0]):                             1,
		fmt.Sprintf("cams_flows{space=%q}", ids[0]):                                float64(len(data.Spaces[1].Flows)),
		fmt.Sprintf("cams_flows_by_status{space=%q,status=\"_unknown\"}", ids[0]):  float64(len(data.Spaces[1].Flows)),
		fmt.Sprintf("cams_flows_by_status{space=%q,status=\"PUBLISHED\"}", ids[0]): 0,
		`cams_api_errors_total{code="Ram.PermissionDeny",operation="GetFlow"}`:     float64(flows),
		`cams_api_errors_total{code="Ram.PermissionDeny",operation="ListFlow"}`:    0,
		`cams_spaces{state="down"}`:                                                0,
	})
	var status health.Status
	_, body := h.get("/status")
	if err := json.Unmarshal([]byte(body), &status); err != nil {
		t.Fatal(err)
	}
	for _, sp := range status.Spaces {
		if !sp.Up || sp.LastError != nil || sp.FlowStatus == nil || sp.FlowStatus.LastError == nil || sp.FlowStatus.LastError.Code != "Ram.PermissionDeny" {
			t.Errorf("/status space %s: up %v, error %+v, flow_status %+v", sp.Space, sp.Up, sp.LastError, sp.FlowStatus)
		}
	}
	if status.FlowStatus.SpacesFailing != 2 || status.FlowStatus.Unknown != flows {
		t.Errorf("/status flow_status %+v; want 2 spaces failing, %d flows not known", status.FlowStatus, flows)
	}
	if ready, why := h.exp.checker.Ready(); !ready {
		t.Errorf("not ready with GetFlow denied: %s", why)
	}
}

// check calls GetFlow only with --collector.flow-status: then it reports
// every flow's status, and a denied GetFlow is a WARNING naming
// cams:GetFlow, the listings being fine.
func TestCheckFlowStatus(t *testing.T) {
	data := statusData()
	ids := nonOwnSpaces(data)
	sim, url := startSimulator(t, data, -1)
	good := client.StaticCredentials{AccessKeyID: testKeyID, AccessKeySecret: testKeySecret}
	run := func(args ...string) (check.Result, string) {
		t.Helper()
		o := parseFlags(t, append([]string{"--cams.endpoint=" + url, "--cams.rate-limit=500", "--cams.getflow-rate-limit=500", "--cams.space=" + ids[0]}, args...)...)
		res, err := (&checkCommand{output: "text", slowAfter: 5 * time.Second, timeout: time.Minute}).evaluate(context.Background(), o, good)
		if err != nil {
			t.Fatal(err)
		}
		var text bytes.Buffer
		res.WriteText(&text)
		return res, text.String()
	}

	res, text := run()
	if res.Status != check.OK || strings.Contains(text, "STATUSES") || len(sim.Stats().GetFlow) != 0 {
		t.Errorf("without the flag: %v, %d GetFlow calls\n%s", res.Status, len(sim.Stats().GetFlow), text)
	}

	res, text = run("--collector.flow-status")
	want, _ := expectedStatuses(data, ids[0])
	for _, s := range append(documentedStatuses, "BLOCKED") {
		n := want[fmt.Sprintf("cams_flows_by_status{space=%q,status=%q}", ids[0], s)]
		if !strings.Contains(text, fmt.Sprintf("%s=%d", s, int(n))) || res.Spaces[0].FlowsByStatus[s] != int(n) {
			t.Errorf("report lacks %s=%d:\n%s", s, int(n), text)
		}
	}
	if res.Status != check.OK || sim.Stats().GetFlow[ids[0]] != len(data.Spaces[1].Flows) {
		t.Errorf("with the flag: %v, %d GetFlow calls for %d flows\n%s", res.Status, sim.Stats().GetFlow[ids[0]], len(data.Spaces[1].Flows), text)
	}

	sim.Inject(simulator.Fault{Kind: "error", Code: "Ram.PermissionDeny", Action: "GetFlow"})
	defer sim.ClearFaults()
	res, text = run("--collector.flow-status")
	if res.Status != check.Warning || !strings.Contains(res.Summary, "GetFlow failed") || !strings.Contains(text, "grant cams:GetFlow") || !res.Spaces[0].OK {
		t.Errorf("GetFlow denied: %v %q\n%s", res.Status, res.Summary, text)
	}
}

// The cache written at shutdown holds the statuses the checker read: the
// exporter running as serve runs it, stopped once every status is known.
func TestShutdownCacheHoldsTheStatuses(t *testing.T) {
	data := statusData()
	ids := nonOwnSpaces(data)
	cacheFile := filepath.Join(t.TempDir(), "cache.json")
	h := newHarness(t, data, "--collector.flow-status", "--cams.getflow-rate-limit=500", "--cache.file="+cacheFile, "--cams.space="+ids[0], "--cams.space="+ids[1])
	ctx, cancel := context.WithCancel(context.Background())
	wait := h.exp.start(ctx)
	deadline := time.Now().Add(20 * time.Second)
	known := func() bool {
		snap := h.exp.refresher.Snapshot()
		for _, id := range ids {
			if st := snap.Space(id); st == nil || st.Statuses.Known() != st.Count {
				return false
			}
		}
		return true
	}
	for !known() && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	cancel()
	wait()
	states, err := cache.Load(cacheFile, h.exp.cacheMeta())
	if err != nil {
		t.Fatal(err)
	}
	_, byFlow := expectedStatuses(data, ids...)
	for _, id := range ids {
		st := states[id]
		if st == nil || st.Statuses.Len() != len(st.FlowIDs) {
			t.Fatalf("space %s cached without its statuses: %+v", id, st)
		}
		for i, flow := range st.FlowIDs {
			if got, want := st.Statuses.Status(i), byFlow[id+"/"+flow]; got != want {
				t.Errorf("space %s flow %s cached as %q, want %q", id, flow, got, want)
			}
		}
	}
}
