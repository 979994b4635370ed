package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	neturl "net/url"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/go-kit/log"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/cams-exporter/cams_exporter/cache"
	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/internal/tooltest"
	"github.com/cams-exporter/cams_exporter/simulator"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

const testKeyID, testKeySecret = "LTAIexporterTestId", "exporterTestSecretValue42"

var documentedCategories = []string{"SIGN_UP", "SIGN_IN", "APPOINTMENT_BOOKING", "LEAD_GENERATION", "CONTACT_US", "CUSTOMER_SUPPORT", "SURVEY", "OTHER"}

// harness is an exporter wired to an in-process simulator, refreshed by hand.
type harness struct {
	t    *testing.T
	sim  *simulator.Server
	exp  *exporter
	opts *exporterOptions
	srv  *httptest.Server
}

// parseFlags parses exporter flags the way the command line does.
func parseFlags(t *testing.T, args ...string) *exporterOptions {
	t.Helper()
	app := kingpin.New("test", "")
	o := addExporterFlags(app)
	if _, err := app.Parse(args); err != nil {
		t.Fatalf("flags %v: %v", args, err)
	}
	if err := o.validate(); err != nil {
		t.Fatalf("flags %v: %v", args, err)
	}
	return o
}

func newHarness(t *testing.T, data *simulator.Dataset, args ...string) *harness {
	t.Helper()
	sim, url := startSimulator(t, data, -1)
	return newHarnessWith(t, sim, client.StaticCredentials{AccessKeyID: testKeyID, AccessKeySecret: testKeySecret},
		append([]string{"--cams.endpoint=" + url, "--cams.rate-limit=500", "--refresh.interval=1m"}, args...)...)
}

// startSimulator starts a simulator on loopback that accepts the test
// credentials, and closes it when the test ends. rateLimit -1 means none.
func startSimulator(t *testing.T, data *simulator.Dataset, rateLimit float64) (*simulator.Server, string) {
	t.Helper()
	sim, err := simulator.New(simulator.Config{AccessKeyID: testKeyID, AccessKeySecret: testKeySecret, Data: data, RateLimit: rateLimit})
	if err != nil {
		t.Fatal(err)
	}
	url, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	return sim, url
}

// newHarnessWith wires an exporter with creds and flags to a running
// simulator.
func newHarnessWith(t *testing.T, sim *simulator.Server, creds client.CredentialsProvider, args ...string) *harness {
	t.Helper()
	o := parseFlags(t, args...)
	e, err := newExporter(o, creds, log.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.client.Close)
	return &harness{t: t, sim: sim, exp: e, opts: o, srv: httptestServer(t, e)}
}

func httptestServer(t *testing.T, e *exporter) *httptest.Server {
	srv := httptest.NewServer(e.handler(nil))
	t.Cleanup(srv.Close)
	return srv
}

func (h *harness) refresh() { h.exp.refresher.Refresh(context.Background()) }

// get returns the status and body of a path.
func (h *harness) get(path string) (int, string) {
	h.t.Helper()
	resp, err := http.Get(h.srv.URL + path)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// scrape returns every sample of /metrics keyed as name{a="x",b="y"} with
// labels sorted.
func (h *harness) scrape() map[string]float64 {
	h.t.Helper()
	status, body := h.get("/metrics")
	if status != 200 {
		h.t.Fatalf("/metrics answered %d", status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		h.t.Fatalf("parse /metrics: %v", err)
	}
	out := map[string]float64{}
	for name, mf := range families {
		for _, m := range mf.Metric {
			var labels []string
			for _, l := range m.Label {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			sort.Strings(labels)
			key := name + "{" + strings.Join(labels, ",") + "}"
			switch {
			case m.Gauge != nil:
				out[key] = m.Gauge.GetValue()
			case m.Counter != nil:
				out[key] = m.Counter.GetValue()
			case m.Histogram != nil:
				out[name+"_count{"+strings.Join(labels, ",")+"}"] = float64(m.Histogram.GetSampleCount())
			}
		}
	}
	return out
}

// expected computes, from the data set alone, the flow series the exporter
// must show for the given spaces.
func expected(data *simulator.Dataset, spaces ...string) map[string]float64 {
	want := map[string]float64{}
	for _, sp := range data.Spaces {
		if !contains(spaces, sp.ID) {
			continue
		}
		want[fmt.Sprintf("cams_flows{space=%q}", sp.ID)] = float64(len(sp.Flows))
		for _, c := range documentedCategories {
			want[fmt.Sprintf("cams_flows_by_category{category=%q,space=%q}", c, sp.ID)] = 0
		}
		for _, f := range sp.Flows {
			seen := map[string]bool{}
			for _, c := range f.Categories {
				if !seen[c] {
					seen[c] = true
					want[fmt.Sprintf("cams_flows_by_category{category=%q,space=%q}", c, sp.ID)]++
				}
			}
		}
	}
	return want
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func checkSeries(t *testing.T, got, want map[string]float64) {
	t.Helper()
	for k, v := range want {
		if g, ok := got[k]; !ok || g != v {
			t.Errorf("%s = %v (present %v), want %v", k, g, ok, v)
		}
	}
}

func testData() *simulator.Dataset { return simulator.Generate(7, 4, 25) }

func TestMetricsMatchTheDataSet(t *testing.T) {
	data := testData()
	var ids []string
	for _, sp := range data.Spaces {
		if sp.ID != "" {
			ids = append(ids, sp.ID)
		}
	}
	args := []string{}
	for _, id := range ids {
		args = append(args, "--cams.space="+id)
	}
	h := newHarness(t, data, args...)
	before := time.Now()
	h.refresh()
	got := h.scrape()
	checkSeries(t, got, expected(data, ids...))

	var pages float64
	for _, sp := range data.Spaces {
		if contains(ids, sp.ID) {
			pages += float64(len(sp.Flows)/20 + 1)
		}
	}
	checkSeries(t, got, map[string]float64{
		`cams_up{}`:                                     1,
		`cams_refreshes_total{}`:                        1,
		`cams_refresh_failures_total{}`:                 0,
		`cams_api_requests_total{operation="ListFlow"}`: pages,
		`cams_api_request_duration_seconds_count{operation="ListFlow"}`:          pages,
		`cams_api_errors_total{code="System.LimitControl",operation="ListFlow"}`: 0,
		`cams_api_rate_limit_requests_per_second{}`:                              500,
		`cams_refresh_expected_duration_seconds{}`:                               pages / 500,
	})
	for _, id := range ids {
		checkSeries(t, got, map[string]float64{
			fmt.Sprintf("cams_space_up{space=%q}", id):                              1,
			fmt.Sprintf("cams_flow_changes_total{change=\"added\",space=%q}", id):   0,
			fmt.Sprintf("cams_flow_changes_total{change=\"removed\",space=%q}", id): 0,
		})
		ts := got[fmt.Sprintf("cams_space_last_success_timestamp_seconds{space=%q}", id)]
		if ts < float64(before.Unix()) || ts > float64(time.Now().Unix()+1) {
			t.Errorf("last success of %s = %v, want about now", id, ts)
		}
	}
	if _, ok := got[`cams_flows{space=""}`]; ok {
		t.Error("the own space is exported though only sub-customer spaces are configured")
	}
	for k := range got {
		if strings.HasPrefix(k, "cams_flow_info") {
			t.Errorf("flow info exported without --collector.flow-info: %s", k)
		}
	}
	if got[`cams_refresh_duration_seconds{}`] <= 0 {
		t.Error("cams_refresh_duration_seconds not set")
	}
	found := false
	for k := range got {
		found = found || (strings.HasPrefix(k, "cams_exporter_build_info{") && strings.Contains(k, `version="dev"`))
	}
	if !found {
		t.Error("cams_exporter_build_info{version=\"dev\"} missing")
	}
}

func TestOwnSpaceByDefaultAndFlowInfo(t *testing.T) {
	data := &simulator.Dataset{Spaces: []simulator.Space{{ID: "", Flows: []simulator.Flow{
		{FlowId: "1", FlowName: "sign up", Categories: []string{"SIGN_UP", "SHOPPING"}},
		{FlowId: "2", FlowName: "book", Categories: []string{"APPOINTMENT_BOOKING"}},
	}}}}
	h := newHarness(t, data, "--collector.flow-info")
	h.refresh()
	got := h.scrape()
	checkSeries(t, got, expected(data, ""))
	checkSeries(t, got, map[string]float64{
		`cams_flows_by_category{category="SHOPPING",space=""}`:                                   1,
		`cams_flow_info{categories="SHOPPING,SIGN_UP",flow_id="1",flow_name="sign up",space=""}`: 1,
		`cams_flow_info{categories="APPOINTMENT_BOOKING",flow_id="2",flow_name="book",space=""}`: 1,
	})
}

func TestFailingSpaceKeepsItsLastData(t *testing.T) {
	data := testData()
	a, b := data.Spaces[1].ID, data.Spaces[2].ID
	h := newHarness(t, data, "--cams.space="+a, "--cams.space="+b, "--cams.max-retries=1")
	h.refresh()
	first := h.scrape()
	lastSuccessA := first[fmt.Sprintf("cams_space_last_success_timestamp_seconds{space=%q}", a)]

	h.sim.SetSpaceError(a, "Ram.PermissionDeny")
	if err := h.sim.AddFlow(a, simulator.Flow{FlowId: "new-1", FlowName: "x", Categories: []string{"OTHER"}}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	h.refresh()
	got := h.scrape()
	checkSeries(t, got, expected(data, a, b)) // a's flows as before the failure
	checkSeries(t, got, map[string]float64{
		fmt.Sprintf("cams_space_up{space=%q}", a):                             0,
		fmt.Sprintf("cams_space_up{space=%q}", b):                             1,
		fmt.Sprintf("cams_space_last_success_timestamp_seconds{space=%q}", a): lastSuccessA,
		`cams_up{}`:                     0,
		`cams_refreshes_total{}`:        2,
		`cams_refresh_failures_total{}`: 1,
		`cams_api_errors_total{code="Ram.PermissionDeny",operation="ListFlow"}`: 1,
	})
	if got[fmt.Sprintf("cams_space_last_success_timestamp_seconds{space=%q}", b)] <= first[fmt.Sprintf("cams_space_last_success_timestamp_seconds{space=%q}", b)] {
		t.Error("the healthy space's last success did not move")
	}
	status, body := h.get("/status")
	if status != 200 || !strings.Contains(body, `"code": "Ram.PermissionDeny"`) || !strings.Contains(body, `"request_id"`) {
		t.Errorf("/status = %d %s", status, body)
	}

	// Recovery: the fault clears, the space comes back with its new flow.
	h.sim.SetSpaceError(a, "")
	h.refresh()
	got = h.scrape()
	checkSeries(t, got, map[string]float64{
		fmt.Sprintf("cams_space_up{space=%q}", a):                            1,
		fmt.Sprintf("cams_flows{space=%q}", a):                               float64(len(data.Spaces[1].Flows) + 1),
		fmt.Sprintf("cams_flow_changes_total{change=\"added\",space=%q}", a): 1,
		`cams_up{}`: 1,
	})
}

func TestFailingPageNeverReplacesAFullList(t *testing.T) {
	data := &simulator.Dataset{Spaces: []simulator.Space{{ID: "cams-paged", Flows: nil}}}
	for i := range 45 {
		data.Spaces[0].Flows = append(data.Spaces[0].Flows, simulator.Flow{FlowId: fmt.Sprint(1000 + i), FlowName: "f", Categories: []string{"SURVEY"}})
	}
	h := newHarness(t, data, "--cams.space=cams-paged", "--cams.max-retries=1")
	h.refresh()
	// The first page answers, the next ones fail: a partial list.
	if _, err := h.sim.Inject(simulator.Fault{Kind: "http", Status: 503}); err != nil {
		t.Fatal(err)
	}
	h.refresh()
	got := h.scrape()
	checkSeries(t, got, map[string]float64{`cams_flows{space="cams-paged"}`: 45, `cams_space_up{space="cams-paged"}`: 0,
		`cams_flows_by_category{category="SURVEY",space="cams-paged"}`:          45,
		`cams_api_errors_total{code="ServiceUnavailable",operation="ListFlow"}`: 2})
}

func TestFlowChangesAreCounted(t *testing.T) {
	data := testData()
	id := data.Spaces[1].ID
	h := newHarness(t, data, "--cams.space="+id)
	h.refresh()
	for i := range 3 {
		if err := h.sim.AddFlow(id, simulator.Flow{FlowId: fmt.Sprint("added-", i), FlowName: "n", Categories: []string{"SURVEY"}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range data.Spaces[1].Flows[:2] {
		if err := h.sim.RemoveFlow(id, f.FlowId); err != nil {
			t.Fatal(err)
		}
	}
	h.refresh()
	checkSeries(t, h.scrape(), map[string]float64{
		fmt.Sprintf("cams_flow_changes_total{change=\"added\",space=%q}", id):   3,
		fmt.Sprintf("cams_flow_changes_total{change=\"removed\",space=%q}", id): 2,
		fmt.Sprintf("cams_flows{space=%q}", id):                                 float64(len(data.Spaces[1].Flows) + 1),
	})
}

func TestSpacesFileReload(t *testing.T) {
	data := testData()
	path := filepath.Join(t.TempDir(), "spaces.txt")
	os.WriteFile(path, []byte("# watched\n"+data.Spaces[1].ID+"\n"+data.Spaces[2].ID+"\n"), 0o644)
	h := newHarness(t, data, "--cams.spaces-file="+path)
	h.refresh()
	if got := h.scrape(); len(got) == 0 || got[fmt.Sprintf("cams_space_up{space=%q}", data.Spaces[1].ID)] != 1 {
		t.Fatal("the space of the file is not watched")
	}
	os.WriteFile(path, []byte(data.Spaces[2].ID+"\n"+data.Spaces[3].ID+"\n"), 0o644)
	if changed, err := h.exp.spaces.Reload(); !changed || err != nil {
		t.Fatalf("Reload = %v, %v", changed, err)
	}
	h.refresh()
	got := h.scrape()
	checkSeries(t, got, expected(data, data.Spaces[2].ID, data.Spaces[3].ID))
	if _, ok := got[fmt.Sprintf("cams_space_up{space=%q}", data.Spaces[1].ID)]; ok {
		t.Error("a space removed from the file is still exported")
	}
	os.WriteFile(path, []byte(data.Spaces[2].ID+"\n"+data.Spaces[2].ID+"\n"), 0o644)
	if _, err := h.exp.spaces.Reload(); err == nil {
		t.Fatal("a file with a duplicate was accepted on reload")
	}
	if list := h.exp.spaces.List(); len(list) != 2 {
		t.Errorf("after a bad reload the list is %v, want the previous two spaces", list)
	}
}

// A scrape while a refresh waits on CAMS serves the previous snapshot: the
// refresh's call is held at a proxy until the test has scraped.
func TestScrapeDuringRefreshSeesThePreviousSnapshot(t *testing.T) {
	data := testData()
	id := data.Spaces[1].ID
	sim, url := startSimulator(t, data, -1)
	proxy := newGatedProxy(t, url)
	h := newHarnessWith(t, sim, client.StaticCredentials{AccessKeyID: testKeyID, AccessKeySecret: testKeySecret},
		"--cams.endpoint="+proxy.url, "--cams.rate-limit=500", "--refresh.interval=1m", "--cams.space="+id)
	h.refresh()
	h.sim.AddFlow(id, simulator.Flow{FlowId: "late", FlowName: "late", Categories: []string{"OTHER"}})
	release := proxy.hold()
	done := make(chan struct{})
	go func() { h.refresh(); close(done) }()
	<-proxy.arrived // the refresh now waits on its call
	during := h.scrape()
	checkSeries(t, during, map[string]float64{fmt.Sprintf("cams_flows{space=%q}", id): float64(len(data.Spaces[1].Flows)), `cams_refreshes_total{}`: 1})
	release()
	<-done
	checkSeries(t, h.scrape(), map[string]float64{fmt.Sprintf("cams_flows{space=%q}", id): float64(len(data.Spaces[1].Flows) + 1), `cams_refreshes_total{}`: 2})
}

// gatedProxy passes calls on to a simulator, and holds them, once hold is
// called, until the release it returns: a test knows a call is under way
// without guessing how long it takes.
type gatedProxy struct {
	url     string
	arrived chan struct{} // a call reached a held gate
	mu      sync.Mutex
	gate    chan struct{} // nil: calls pass
}

func newGatedProxy(t *testing.T, target string) *gatedProxy {
	t.Helper()
	u, err := neturl.Parse(target)
	if err != nil {
		t.Fatal(err)
	}
	p := &gatedProxy{arrived: make(chan struct{}, 1)}
	forward := httputil.NewSingleHostReverseProxy(u) // keeps the Host header the client signed
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p.mu.Lock()
		gate := p.gate
		p.mu.Unlock()
		if gate != nil {
			select {
			case p.arrived <- struct{}{}:
			default:
			}
			<-gate
		}
		forward.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	p.url = srv.URL
	return p
}

func (p *gatedProxy) hold() (release func()) {
	gate := make(chan struct{})
	p.mu.Lock()
	p.gate = gate
	p.mu.Unlock()
	return func() {
		p.mu.Lock()
		p.gate = nil
		p.mu.Unlock()
		close(gate)
	}
}

func TestThousandScrapesMakeNoAPICall(t *testing.T) {
	h := newHarness(t, testData())
	h.refresh()
	before := h.sim.Stats().Calls
	for range 1000 {
		if status, _ := h.get("/metrics"); status != 200 {
			t.Fatalf("/metrics answered %d", status)
		}
	}
	if after := h.sim.Stats().Calls; after != before {
		t.Errorf("1000 scrapes made %d API calls, want 0", after-before)
	}
}

func TestReadyz(t *testing.T) {
	data := testData()
	a, b := data.Spaces[1].ID, data.Spaces[2].ID
	h := newHarness(t, data, "--cams.space="+a, "--cams.space="+b, "--cams.max-retries=1")
	steps := []struct {
		name    string
		setup   func()
		want    int
		wantWhy string
	}{
		{"before the first refresh", func() {}, 503, "no data yet: the first listing has not ended (2 space(s) pending)"},
		{"after it", h.refresh, 200, "ready"},
		{"one space failing", func() { h.sim.SetSpaceError(a, "Ram.PermissionDeny"); h.refresh() }, 200, "1 failing"},
		{"one space failing, two passes later", func() { h.refresh(); h.refresh() }, 200, "ready: 2 space(s): 1 up, 1 failing"},
		{"every space failing", func() { h.sim.SetSpaceError(b, "Product.Unsubscript"); h.refresh() }, 503, "every space refreshed so far (2) failed"},
		{"recovered", func() { h.sim.SetSpaceError(a, ""); h.sim.SetSpaceError(b, ""); h.refresh() }, 200, "ready"},
	}
	for _, s := range steps {
		s.setup()
		status, body := h.get("/readyz")
		if status != s.want || !strings.Contains(body, s.wantWhy) {
			t.Errorf("%s: /readyz = %d %q, want %d containing %q", s.name, status, body, s.want, s.wantWhy)
		}
	}
	if status, _ := h.get("/healthz"); status != 200 {
		t.Errorf("/healthz = %d", status)
	}
}

// The case with the exporter at work: of 20 spaces listed every
// 10 s, one is denied for good. /readyz stays 200 pass after pass, long
// after the denied space's missing data is older than
// --health.max-staleness (10 s), which once made it 503 for good; /status
// counts the space as failing.
func TestReadyzThroughPassesWithADeniedSpace(t *testing.T) {
	t.Parallel()
	data := simulator.Generate(17, 20, 3)
	sim, url := startSimulator(t, data, -1)
	args := []string{"--cams.endpoint=" + url, "--cams.rate-limit=500", "--refresh.interval=10s", "--health.max-staleness=10s"}
	var ids []string
	for _, sp := range data.Spaces {
		if sp.ID != "" {
			ids = append(ids, sp.ID)
			args = append(args, "--cams.space="+sp.ID)
		}
	}
	sim.SetSpaceError(ids[0], "Ram.PermissionDeny")
	h := newHarnessWith(t, sim, client.StaticCredentials{AccessKeyID: testKeyID, AccessKeySecret: testKeySecret}, args...)
	ctx, cancel := context.WithCancel(context.Background())
	wait := h.exp.start(ctx)
	defer func() { cancel(); wait() }()
	waitFor(t, 30*time.Second, "the first pass", func() bool { return h.exp.refresher.Snapshot().Refreshes >= 1 })
	want := fmt.Sprintf("ready: %d space(s): %d up, 1 failing their last refresh, 0 pending", len(ids), len(ids)-1)
	for polls := 1; ; polls++ {
		passes := h.exp.refresher.Snapshot().Refreshes
		if status, body := h.get("/readyz"); status != 200 || strings.TrimSpace(body) != want {
			t.Fatalf("/readyz after %d pass(es) = %d %q, want 200 %q", passes, status, body, want)
		}
		if passes >= 3 {
			t.Logf("/readyz 200 in %d polls through %d passes", polls, passes)
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	var st struct {
		Ready         bool           `json:"ready"`
		SpacesByState map[string]int `json:"spaces_by_state"`
	}
	if status, body := h.get("/status"); status != 200 || json.Unmarshal([]byte(body), &st) != nil || !st.Ready || st.SpacesByState["down"] != 1 {
		t.Errorf("/status = %d, ready %v, spaces by state %v; want ready with 1 down", status, st.Ready, st.SpacesByState)
	}
}

// The start-up log counts the cached spaces it serves: not those dated
// later than the clock, which are left out and listed at once.
func TestRestoreLogCountsTheSpacesServed(t *testing.T) {
	data := testData()
	a, b := data.Spaces[1].ID, data.Spaces[2].ID
	path := filepath.Join(t.TempDir(), "cache.json")
	args := []string{"--cams.space=" + a, "--cams.space=" + b, "--cache.file=" + path}
	h := newHarness(t, data, args...)
	h.refresh()
	listed := h.exp.refresher.Snapshot()
	tests := []struct {
		name    string
		future  []string
		wantLog string // "" for no such line
	}{
		{"both cached spaces served", nil, "spaces=2"},
		{"one dated later than the clock", []string{b}, "spaces=1"},
		{"both dated later than the clock", []string{a, b}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			changed := map[string]*snapshot.SpaceState{}
			for _, id := range tt.future {
				st := *listed.Space(id)
				st.LastSuccess, st.LastAttempt = time.Now().Add(time.Hour), time.Now().Add(time.Hour)
				changed[id] = &st
			}
			if err := cache.Save(path, h.exp.cacheMeta(), listed.WithChanged(changed), time.Now()); err != nil {
				t.Fatal(err)
			}
			var logs lockedBuffer
			o := parseFlags(t, append([]string{"--cams.endpoint=" + h.opts.endpoint}, args...)...)
			e, err := newExporter(o, client.StaticCredentials{AccessKeyID: testKeyID, AccessKeySecret: testKeySecret}, log.NewLogfmtLogger(&logs))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(e.client.Close)
			var line string
			for l := range strings.Lines(logs.String()) {
				if strings.Contains(l, "serving cached data") {
					line = l
				}
			}
			if tt.wantLog == "" && line != "" || !strings.Contains(line, tt.wantLog) {
				t.Errorf("log line %q, want one containing %q", line, tt.wantLog)
			}
			if got, want := e.refresher.Snapshot().Len(), 2-len(tt.future); got != want {
				t.Errorf("%d spaces served from the cache, want %d", got, want)
			}
		})
	}
}

func TestMetricsPassPromtool(t *testing.T) {
	promtool := tooltest.Debian(t, "promtool", "prometheus")
	data := testData()
	simulator.AddTemplates(7, data, 10)
	args := append([]string{"--collector.flow-info", "--collector.template-info", "--cams.space=" + data.Spaces[1].ID, "--cams.space=" + data.Spaces[2].ID}, allSources...)
	h := newHarness(t, data, append(args, sourceRateFlags()...)...)
	h.sim.SetSpaceError(data.Spaces[2].ID, "Ram.PermissionDeny")
	paused, tpl := "paused", data.Spaces[1].Templates[0]
	if err := h.sim.SetTemplate(data.Spaces[1].ID, tpl.TemplateCode, tpl.Language, simulator.TemplateChange{AuditStatus: &paused}); err != nil {
		t.Fatal(err)
	}
	h.refresh()
	h.exp.engine.RunOnce(context.Background())
	_, body := h.get("/metrics")
	for _, family := range []string{"cams_phone_number_state", "cams_waba_info", "cams_messaging_health", "cams_collector_space_error_info",
		"cams_templates", "cams_template_problem_info", "cams_template_info"} {
		if !strings.Contains(body, "\n"+family+"{") {
			t.Errorf("/metrics has no %s series: promtool would check nothing of it", family)
		}
	}
	out, err := runWithStdin(promtool, body, "check", "metrics")
	if err != nil || strings.TrimSpace(out) != "" {
		t.Errorf("promtool check metrics: %v\n%s", err, out)
	}
	if !strings.Contains(body, "cams_flows_by_category") || !strings.Contains(body, "refreshed in the background every 1m") {
		t.Errorf("HELP does not say the data is cached and how often:\n%s", body[:min(len(body), 2000)])
	}
}

// TestMaxRequestsFlag checks --web.max-requests' default, node_exporter's.
func TestMaxRequestsFlag(t *testing.T) {
	if got := parseFlags(t).maxRequests; got != 40 {
		t.Errorf("--web.max-requests defaults to %d, want 40", got)
	}
	if got := parseFlags(t, "--web.max-requests=0").maxRequests; got != 0 {
		t.Errorf("--web.max-requests=0 gives %d", got)
	}
}

// The snapshot restored from the cache, and what was read of the file, are
// let go when the exporter starts, whether the cache is written (the writer
// takes them) or its directory cannot be written: held, they would keep
// every restored state for the process's life.
func TestStartLetsGoOfTheRestoredStates(t *testing.T) {
	data := testData()
	path := filepath.Join(t.TempDir(), "cache.json")
	args := []string{"--cams.space=" + data.Spaces[1].ID, "--cache.file=" + path}
	h := newHarness(t, data, args...)
	h.refresh()
	if err := cache.Save(path, h.exp.cacheMeta(), h.exp.refresher.Snapshot(), time.Now()); err != nil {
		t.Fatal(err)
	}
	for _, readOnly := range []bool{false, true} {
		o := parseFlags(t, append([]string{"--cams.endpoint=" + h.opts.endpoint}, args...)...)
		e, err := newExporter(o, client.StaticCredentials{AccessKeyID: testKeyID, AccessKeySecret: testKeySecret}, log.NewNopLogger())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(e.client.Close)
		if e.restored == nil || e.cacheContents == nil {
			t.Fatalf("read-only %v: nothing restored from the cache", readOnly)
		}
		e.cacheReadOnly = readOnly
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		e.start(ctx)()
		if e.restored != nil || e.cacheContents != nil {
			t.Errorf("read-only %v: the exporter still holds what it restored after start", readOnly)
		}
	}
}
