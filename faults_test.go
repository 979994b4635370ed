package main

import (
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/simulator"
)

// faultData is two spaces: "cams-hit" takes the faults, "cams-calm" does not.
// cams-hit has 45 flows, three pages of 20.
func faultData() *simulator.Dataset {
	d := &simulator.Dataset{Spaces: []simulator.Space{{ID: "cams-hit"}, {ID: "cams-calm"}}}
	for i := range 45 {
		d.Spaces[0].Flows = append(d.Spaces[0].Flows, simulator.Flow{FlowId: fmt.Sprint(5000 + i), FlowName: "f", Categories: []string{"SURVEY"}})
	}
	for i := range 3 {
		d.Spaces[1].Flows = append(d.Spaces[1].Flows, simulator.Flow{FlowId: fmt.Sprint(9000 + i), FlowName: "g", Categories: []string{"OTHER"}})
	}
	return d
}

func ptr(s string) *string { return &s }

// TestFaultMatrix injects each fault into one space and shows that /metrics
// keeps answering, the space keeps its last good data, the up metrics and the
// last-success time tell the truth, the error counter counts the right code,
// the other space is untouched, and all recovers once the fault clears.
func TestFaultMatrix(t *testing.T) {
	// With one retry a transient failure makes two attempts; a permanent one
	// makes one.
	tests := []struct {
		name     string
		fault    simulator.Fault
		wantCode string
		attempts float64
	}{
		{"HTTP 500", simulator.Fault{Kind: "http", Status: 500}, "InternalError", 2},
		{"HTTP 503", simulator.Fault{Kind: "http", Status: 503}, "ServiceUnavailable", 2},
		{"reset connection", simulator.Fault{Kind: "reset"}, "NetworkError", 2},
		{"hang past the timeout", simulator.Fault{Kind: "hang"}, "Timeout", 2},
		{"truncated body", simulator.Fault{Kind: "truncated"}, "InvalidResponse", 2},
		{"malformed JSON", simulator.Fault{Kind: "malformed"}, "InvalidResponse", 2},
		{"HTTP 200 with an error Code", simulator.Fault{Kind: "ok-error", Code: "Product.Unsubscript"}, "Product.Unsubscript", 1},
		{"Throttling.User with HTTP 429", simulator.Fault{Kind: "error", Code: "Throttling.User", Status: 429}, "Throttling.User", 2},
		{"a page failing mid-pagination", simulator.Fault{Kind: "http", Status: 503, Page: 2}, "ServiceUnavailable", 2},
		{"permission denied", simulator.Fault{Kind: "error", Code: "Ram.PermissionDeny", Detail: "object"}, "Ram.PermissionDeny", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, faultData(), "--cams.space=cams-hit", "--cams.space=cams-calm", "--cams.timeout=1s", "--cams.max-retries=1")
			fault := tt.fault
			fault.Space = ptr("cams-hit")
			injectAndRecover(t, h, fault, tt.wantCode, tt.attempts)
		})
	}
}

// injectAndRecover runs the fault through a refresh and a recovery.
// attempts is how many HTTP attempts the failing listing makes.
func injectAndRecover(t *testing.T, h *harness, fault simulator.Fault, code string, attempts float64) {
	t.Helper()
	h.refresh()
	before := h.scrape()
	if before[`cams_up{}`] != 1 {
		t.Fatalf("not up before the fault: %v", before[`cams_up{}`])
	}
	if _, err := h.sim.Inject(fault); err != nil {
		t.Fatal(err)
	}
	time.Sleep(5 * time.Millisecond) // a later last-success time is visible
	h.refresh()
	during := h.scrape()
	errKey := fmt.Sprintf("cams_api_errors_total{code=%q,operation=\"ListFlow\"}", code)
	checkSeries(t, during, map[string]float64{
		`cams_flows{space="cams-hit"}`:                                45,
		`cams_flows_by_category{category="SURVEY",space="cams-hit"}`:  45,
		`cams_space_up{space="cams-hit"}`:                             0,
		`cams_space_up{space="cams-calm"}`:                            1,
		`cams_flows{space="cams-calm"}`:                               3,
		`cams_up{}`:                                                   0,
		`cams_space_last_success_timestamp_seconds{space="cams-hit"}`: before[`cams_space_last_success_timestamp_seconds{space="cams-hit"}`],
		errKey: before[errKey] + attempts,
	})
	if during[`cams_space_last_success_timestamp_seconds{space="cams-calm"}`] <= before[`cams_space_last_success_timestamp_seconds{space="cams-calm"}`] {
		t.Error("the calm space's last success did not move")
	}
	var status struct {
		Spaces []struct {
			Space     string
			LastError *struct{ Code string } `json:"last_error"`
		}
	}
	_, body := h.get("/status")
	if err := json.Unmarshal([]byte(body), &status); err != nil || status.Spaces[1].Space != "cams-hit" || status.Spaces[1].LastError == nil || status.Spaces[1].LastError.Code != code {
		t.Errorf("/status does not name %s for cams-hit: %s", code, body)
	}
	h.sim.ClearFaults()
	h.refresh()
	checkSeries(t, h.scrape(), map[string]float64{`cams_space_up{space="cams-hit"}`: 1, `cams_up{}`: 1, `cams_flows{space="cams-hit"}`: 45})
}

// TestTooManyPages makes a space page forever: its listing ends after
// --cams.max-pages pages, the space is down with TooManyPages in /status,
// keeps its last good data (its code in cams_space_error_info), and no API
// error is counted, since every call succeeded. The other space is untouched, and all recovers.
func TestTooManyPages(t *testing.T) {
	h := newHarness(t, faultData(), "--cams.space=cams-hit", "--cams.space=cams-calm", "--cams.max-pages=4")
	h.refresh()
	before := h.scrape()
	h.sim.SetSpaceEndless("cams-hit", true)
	calls := h.sim.Stats().ListFlow["cams-hit"]
	h.refresh()
	if n := h.sim.Stats().ListFlow["cams-hit"] - calls; n != 4 {
		t.Errorf("the endless listing made %d calls, want 4 (--cams.max-pages)", n)
	}
	got := h.scrape()
	checkSeries(t, got, map[string]float64{
		`cams_space_up{space="cams-hit"}`:                             0,
		`cams_flows{space="cams-hit"}`:                                45,
		`cams_space_last_success_timestamp_seconds{space="cams-hit"}`: before[`cams_space_last_success_timestamp_seconds{space="cams-hit"}`],
		`cams_space_up{space="cams-calm"}`:                            1,
		`cams_spaces{state="down"}`:                                   1,
		`cams_up{}`:                                                   0,
		`cams_space_error_info{code="TooManyPages",space="cams-hit"}`: 1,
	})
	for k := range got {
		if strings.HasPrefix(k, "cams_api_errors_total") && strings.Contains(k, "TooManyPages") {
			t.Errorf("%s: TooManyPages is a listing's outcome, not a failed call", k)
		}
	}
	_, body := h.get("/status")
	if !strings.Contains(body, `"code": "TooManyPages"`) || !strings.Contains(body, "within 4 pages of 20 flows") {
		t.Errorf("/status does not say TooManyPages and the limit:\n%s", body)
	}
	h.sim.SetSpaceEndless("cams-hit", false)
	h.refresh()
	checkSeries(t, h.scrape(), map[string]float64{`cams_space_up{space="cams-hit"}`: 1, `cams_up{}`: 1})
}

func TestSpaceDeletedBetweenRefreshes(t *testing.T) {
	h := newHarness(t, faultData(), "--cams.space=cams-hit", "--cams.space=cams-calm")
	h.refresh()
	h.sim.DeleteSpace("cams-hit")
	h.refresh()
	checkSeries(t, h.scrape(), map[string]float64{
		`cams_space_up{space="cams-hit"}`: 0, `cams_flows{space="cams-hit"}`: 45, `cams_space_up{space="cams-calm"}`: 1,
		`cams_api_errors_total{code="Unknown.ResourceOwnerId",operation="ListFlow"}`: 1,
	})
}

// TestLimitControlStorm answers System.LimitControl to every call for 3 s in
// CI and a full minute with STORM_DURATION=1m (make soak): the limiter backs
// off, data stays, /metrics keeps answering, and all recovers on its own.
func TestLimitControlStorm(t *testing.T) {
	sim, url := startSimulator(t, faultData(), -1)
	h := newHarnessWith(t, sim, client.StaticCredentials{AccessKeyID: testKeyID, AccessKeySecret: testKeySecret},
		"--cams.endpoint="+url, "--cams.space=cams-hit", "--cams.space=cams-calm", "--cams.max-retries=1", "--cams.rate-limit=40")
	h.refresh()
	if _, err := h.sim.Inject(simulator.Fault{Kind: "error", Code: "System.LimitControl"}); err != nil {
		t.Fatal(err)
	}
	stormEnd := time.Now().Add(envDuration(t, "STORM_DURATION", 3*time.Second))
	for time.Now().Before(stormEnd) {
		h.refresh()
		if status, _ := h.get("/metrics"); status != 200 {
			t.Fatalf("/metrics answered %d during the storm", status)
		}
	}
	during := h.scrape()
	checkSeries(t, during, map[string]float64{`cams_up{}`: 0, `cams_flows{space="cams-hit"}`: 45, `cams_flows{space="cams-calm"}`: 3})
	if during[`cams_api_errors_total{code="System.LimitControl",operation="ListFlow"}`] < 4 {
		t.Errorf("throttled attempts not counted: %v", during[`cams_api_errors_total{code="System.LimitControl",operation="ListFlow"}`])
	}
	if rate := during[`cams_api_rate_limit_requests_per_second{}`]; rate >= 40 {
		t.Errorf("limiter at %v during the storm, want it backed off below 40", rate)
	}
	h.sim.ClearFaults()
	for range 3 {
		h.refresh()
	}
	after := h.scrape()
	checkSeries(t, after, map[string]float64{`cams_up{}`: 1, `cams_space_up{space="cams-hit"}`: 1})
	if after[`cams_api_rate_limit_requests_per_second{}`] <= during[`cams_api_rate_limit_requests_per_second{}`] {
		t.Errorf("limiter did not climb back: %v then %v", during[`cams_api_rate_limit_requests_per_second{}`], after[`cams_api_rate_limit_requests_per_second{}`])
	}
}

// rotatingSTS is a credentials URI handing out the current STS credentials.
type rotatingSTS struct {
	mu  sync.Mutex
	cur simulator.Credential
}

func (s *rotatingSTS) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	_ = json.NewEncoder(w).Encode(map[string]string{"Code": "Success", "AccessKeyId": s.cur.AccessKeyID, "AccessKeySecret": s.cur.AccessKeySecret,
		"SecurityToken": s.cur.SecurityToken, "Expiration": time.Now().Add(100 * time.Second).UTC().Format("2006-01-02T15:04:05Z")})
}

func TestCredentialsExpireMidRun(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	for _, v := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_CONFIG_FILE", "ALIBABA_CLOUD_CREDENTIALS_FILE"} {
		t.Setenv(v, "")
	}
	old := simulator.Credential{AccessKeyID: "STS.old", AccessKeySecret: "oldSecret", SecurityToken: "oldToken"}
	fresh := simulator.Credential{AccessKeyID: "STS.new", AccessKeySecret: "newSecret", SecurityToken: "newToken"}
	sim, err := simulator.New(simulator.Config{Data: faultData(), RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	url, _ := sim.Start("127.0.0.1:0")
	t.Cleanup(func() { sim.Close() })
	sim.AddCredential(old)
	sts := &rotatingSTS{cur: old}
	stsSrv := httptest.NewServer(sts)
	defer stsSrv.Close()
	t.Setenv("ALIBABA_CLOUD_CREDENTIALS_URI", stsSrv.URL)

	h := newHarnessWith(t, sim, client.DefaultCredentials(), "--cams.endpoint="+url, "--cams.space=cams-hit", "--cams.space=cams-calm", "--cams.rate-limit=500")
	h.refresh()
	checkSeries(t, h.scrape(), map[string]float64{`cams_up{}`: 1})
	sim.ExpireCredential(old.AccessKeyID)
	h.refresh()
	checkSeries(t, h.scrape(), map[string]float64{`cams_up{}`: 0, `cams_flows{space="cams-hit"}`: 45,
		`cams_api_errors_total{code="InvalidSecurityToken.Expired",operation="ListFlow"}`: 2})
	sim.AddCredential(fresh)
	sts.mu.Lock()
	sts.cur = fresh
	sts.mu.Unlock()
	h.refresh()
	checkSeries(t, h.scrape(), map[string]float64{`cams_up{}`: 1, `cams_space_up{space="cams-hit"}`: 1})
}

// TestNoUnboundedMemoryGrowth runs many failing and recovering refreshes and
// compares the live heap early and late.
func TestNoUnboundedMemoryGrowth(t *testing.T) {
	h := newHarness(t, faultData(), "--cams.space=cams-hit", "--cams.space=cams-calm", "--cams.max-retries=0")
	// The least of three readings, each after two collections: the
	// second frees what sync.Pool's victim cache kept through the first
	// (buffers of rendering and writing, which a loaded machine's
	// scheduling leaves more or fewer of).
	heap := func() uint64 {
		least := uint64(math.MaxUint64)
		for range 3 {
			runtime.GC()
			runtime.GC()
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			least = min(least, m.HeapAlloc)
		}
		return least
	}
	cycle := func() {
		h.sim.Inject(simulator.Fault{Kind: "error", Code: "Ram.PermissionDeny", Space: ptr("cams-hit"), Count: 1})
		h.refresh()
		h.refresh()
		h.get("/metrics")
	}
	for range 50 {
		cycle()
	}
	early := heap()
	for range 250 {
		cycle()
	}
	late := heap()
	// The simulator shares the heap: its request log and nonces, bounded
	// (100,000 requests, 15 minutes), grow by about 2.5 KB a cycle here,
	// some 650 KB of the late reading.
	t.Logf("live heap after 50 cycles %d KB, after 300 %d KB", early/1024, late/1024)
	if late > early+2<<20 {
		t.Errorf("live heap grew by %d KB over 250 fault cycles", (late-early)/1024)
	}
}
