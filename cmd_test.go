package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/check"
	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/internal/loopback"
	"github.com/cams-exporter/cams_exporter/internal/officialsdk"
	"github.com/cams-exporter/cams_exporter/simulator"
)

// captureStderr runs f with os.Stderr redirected and returns what it wrote.
func captureStderr(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = w
	f()
	os.Stderr = saved
	w.Close()
	b, _ := io.ReadAll(r)
	return string(b)
}

func TestBadInputIsAOneLineErrorAndANonZeroExit(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	dir := t.TempDir()
	dup := filepath.Join(dir, "dup.txt")
	os.WriteFile(dup, []byte("cams-a\ncams-a\n"), 0o644)
	badWeb := filepath.Join(dir, "web.yml")
	os.WriteFile(badWeb, []byte("tls_server_config: [not a map\n"), 0o644)
	tests := []struct {
		args     []string
		wantCode int
		wantText string
	}{
		{[]string{"--cams.page-size=0"}, 1, "--cams.page-size must be between 1 and 100"},
		{[]string{"--cams.page-size=1000"}, 1, "--cams.page-size must be between 1 and 100"},
		{[]string{"--cams.max-pages=0"}, 1, "--cams.max-pages must be between 1 and 10000, got 0"},
		{[]string{"--cams.max-pages=10001"}, 1, "--cams.max-pages must be between 1 and 10000"},
		{[]string{"check", "--cams.max-pages=-5"}, 3, "--cams.max-pages"},
		{[]string{"--cams.rate-limit=-1"}, 1, "--cams.rate-limit must be above 0"},
		{[]string{"--refresh.interval=1s"}, 1, "--refresh.interval must be at least 10s"},
		{[]string{"--cams.timeout=0s"}, 1, "--cams.timeout must be between 1s and 5m"},
		{[]string{"--cams.max-retries=99"}, 1, "--cams.max-retries must be between 0 and 10"},
		{[]string{"--cams.endpoint=http://10.1.2.3:80"}, 1, "non-loopback"},
		{[]string{"--cams.endpoint=ftp://x"}, 1, "scheme must be http or https"},
		{[]string{"--cams.spaces-file=" + filepath.Join(dir, "missing")}, 1, "cannot read spaces file"},
		{[]string{"--cams.spaces-file=" + dup, "--cams.endpoint=http://127.0.0.1:1"}, 1, "listed twice"},
		{[]string{"--cams.space="}, 1, "empty space id"},
		{[]string{"--web.config.file=" + badWeb}, 1, "--web.config.file"},
		{[]string{"--log.level=loud"}, 1, `--log.level: "loud" is not one of debug, info, warn, error`},
		{[]string{"--log.level=verbose"}, 1, `--log.level: "verbose" is not one of debug, info, warn, error`},
		{[]string{"--refresh.interval=5"}, 1, `--refresh.interval: "5" is not a duration; give a number and a unit, such as 30s, 5m or 1h`},
		{[]string{"--refresh.interval"}, 1, "--refresh.interval needs a value, such as --refresh.interval=5m"},
		{[]string{"--cams.page-size=twenty"}, 1, `--cams.page-size: "twenty" is not a number`},
		{[]string{"--demo=true"}, 1, "--demo takes no value"},
		{[]string{"--no-such-flag"}, 1, "unknown long flag"},
		{[]string{"--web.telemetry-path=/healthz"}, 1, "--web.telemetry-path must be a path"},
		{[]string{"--web.telemetry-path=/metrics{"}, 1, "--web.telemetry-path must be a path"},
		{[]string{"--web.telemetry-path=/a b"}, 1, "--web.telemetry-path must be a path"},
		{[]string{"--web.telemetry-path=/"}, 1, "--web.telemetry-path must be a path"},
		{[]string{"--refresh.interval=1000000h"}, 1, "--refresh.interval must be at most 24h"},
		{[]string{"--web.max-requests=-1"}, 1, "--web.max-requests must be 0 (no limit) or more"},
		{[]string{"--cams.getflow-rate-limit=0"}, 1, "--cams.getflow-rate-limit must be above 0 and at most 1000"},
		{[]string{"--cams.getflow-rate-limit=5000"}, 1, "--cams.getflow-rate-limit must be above 0 and at most 1000"},
		{[]string{"--collector.flow-status", "--flow-status.interval=30s"}, 1, "--flow-status.interval must be between 1m and 720h, got 30s"},
		{[]string{"--flow-status.interval=1000h"}, 1, "--flow-status.interval must be between 1m and 720h"},
		{[]string{"--flow-status.interval=1"}, 1, `--flow-status.interval: "1" is not a duration`},
		{[]string{"check", "--flow-status.interval=1s"}, 3, "--flow-status.interval"},
		{[]string{"--cams.phone-numbers-rate-limit=0"}, 1, "--cams.phone-numbers-rate-limit must be above 0 and at most 1000 calls per second, got 0"},
		{[]string{"--cams.waba-rate-limit=1001"}, 1, "--cams.waba-rate-limit must be above 0 and at most 1000"},
		{[]string{"--cams.messaging-health-rate-limit=NaN"}, 1, "--cams.messaging-health-rate-limit must be above 0"},
		{[]string{"--phone-numbers.interval=30s"}, 1, "--phone-numbers.interval must be between 1m and 720h, got 30s"},
		{[]string{"--waba.interval=721h"}, 1, "--waba.interval must be between 1m and 720h"},
		{[]string{"--messaging-health.phone-interval=0s"}, 1, "--messaging-health.phone-interval must be between 1m and 720h"},
		{[]string{"--templates.interval=59s"}, 1, "--templates.interval must be between 1m and 720h, got 59s"},
		{[]string{"--templates.page-size=0"}, 1, "--templates.page-size must be between 1 and 250, got 0"},
		{[]string{"--templates.page-size=251"}, 1, "--templates.page-size must be between 1 and 250, got 251"},
		{[]string{"--templates.max-problem-series=-1"}, 1, "--templates.max-problem-series must be between 0 and 1000000, got -1"},
		{[]string{"--cams.templates-rate-limit=0"}, 1, "--cams.templates-rate-limit must be above 0 and at most 1000 calls per second, got 0"},
		{[]string{"--collector.template-info"}, 1, "--collector.template-info needs --collector.templates: turn it on too"},
		{[]string{"--collector.messaging-health"}, 1, "--collector.messaging-health needs --collector.waba: turn it on too"},
		{[]string{"check", "--collector.messaging-health"}, 3, "--collector.messaging-health needs --collector.waba"},
		{[]string{"check", "--waba.interval=1h"}, 3, "--waba.interval"},
		{[]string{"check", "--check.slow=-1s"}, 3, "--check.slow must be positive"},
		{[]string{"check", "--cams.page-size=0"}, 3, "--cams.page-size"},
		{[]string{"check", "--output=xml"}, 3, `--output: "xml" is not one of text, json`},
		{[]string{"check", "--check.slow=3"}, 3, `--check.slow: "3" is not a duration`},
		{[]string{"simulate", "--simulator.rate-limit=0"}, 1, "--simulator.rate-limit must be above 0"},
		{[]string{"simulate", "--simulator.data=" + filepath.Join(dir, "missing.json")}, 1, "--simulator.data"},
		{[]string{"simulate", "--simulator.operation-rate-limit=ListInstance=3"}, 1, `--simulator.operation-rate-limit: "ListInstance" has no limit of its own`},
		{[]string{"simulate", "--simulator.operation-rate-limit=GetFlow=0"}, 1, "--simulator.operation-rate-limit: the rate of GetFlow must be a number above 0"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var code int
			out := captureStderr(t, func() { code = run(tt.args) })
			if code != tt.wantCode {
				t.Errorf("exit code %d, want %d (%s)", code, tt.wantCode, out)
			}
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if len(lines) != 1 || !strings.Contains(out, tt.wantText) || strings.Contains(out, "goroutine") {
				t.Errorf("stderr %q, want one line containing %q", out, tt.wantText)
			}
		})
	}
}

func TestCheckExitCodes(t *testing.T) {
	data := &simulator.Dataset{Spaces: []simulator.Space{
		{ID: "cams-ok", Flows: []simulator.Flow{{FlowId: "1", FlowName: "a", Categories: []string{"SIGN_UP", "SURVEY"}}, {FlowId: "2", FlowName: "b", Categories: []string{"SURVEY"}}}},
		{ID: "cams-denied", Error: "Ram.PermissionDeny"},
		{ID: "cams-endless", Endless: true},
	}}
	sim, url := startSimulator(t, data, -1)
	// --check.slow is an hour but where slowness is the case: a loaded
	// machine makes no listing a WARNING.
	good := client.StaticCredentials{AccessKeyID: testKeyID, AccessKeySecret: testKeySecret}
	tests := []struct {
		name      string
		args      []string
		creds     client.CredentialsProvider
		setup     func()
		slow      time.Duration
		want      check.Status
		wantTexts []string
	}{
		{"ok", []string{"--cams.space=cams-ok"}, good, func() {}, time.Hour, check.OK,
			[]string{"CAMS OK - 1 space, 2 flows", "cams-ok", "SIGN_UP=1 SURVEY=2"}},
		{"throttled but complete", []string{"--cams.space=cams-ok"}, good,
			func() { sim.Inject(simulator.Fault{Kind: "error", Code: "System.LimitControl", Count: 1}) }, time.Hour, check.Warning,
			[]string{"CAMS WARNING - complete, but CAMS throttled 1 call"}},
		{"slow but complete", []string{"--cams.space=cams-ok"}, good,
			func() {
				sim.Inject(simulator.Fault{Kind: "latency", Latency: simulator.Duration(50 * time.Millisecond), Count: 1})
			}, 10 * time.Millisecond, check.Warning,
			[]string{"slower than 10ms"}},
		{"a space failed", []string{"--cams.space=cams-ok", "--cams.space=cams-denied"}, good, func() {}, time.Hour, check.Critical,
			[]string{"CAMS CRITICAL - 1 space of 2 failed", "Ram.PermissionDeny (RequestId ", "grant cams:ListFlow"}},
		{"a listing that never ends", []string{"--cams.space=cams-ok", "--cams.space=cams-endless", "--cams.max-pages=3"}, good, func() {}, time.Hour, check.Critical,
			[]string{"CAMS CRITICAL - 1 space of 2 failed", "cams-endless", "TooManyPages", "raise --cams.max-pages"}},
		{"unknown space", []string{"--cams.space=cams-nobody"}, good, func() {}, time.Hour, check.Critical,
			[]string{"Unknown.ResourceOwnerId", "does not belong to this account"}},
		{"no credentials", []string{"--cams.space=cams-ok"}, client.StaticCredentials{}, func() {}, time.Hour, check.Unknown,
			[]string{"CAMS UNKNOWN - no usable credentials", "ALIBABA_CLOUD_ACCESS_KEY_ID"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim.ClearFaults()
			tt.setup()
			o := parseFlags(t, append([]string{"--cams.endpoint=" + url, "--cams.rate-limit=500"}, tt.args...)...)
			c := &checkCommand{output: "text", slowAfter: tt.slow}
			res, err := c.evaluate(context.Background(), o, tt.creds)
			if err != nil {
				t.Fatal(err)
			}
			var text bytes.Buffer
			res.WriteText(&text)
			if res.Status != tt.want {
				t.Errorf("status %v, want %v\n%s", res.Status, tt.want, text.String())
			}
			for _, s := range tt.wantTexts {
				if !strings.Contains(text.String(), s) {
					t.Errorf("report lacks %q:\n%s", s, text.String())
				}
			}
			var js bytes.Buffer
			res.WriteJSON(&js)
			var decoded map[string]any
			if err := json.Unmarshal(js.Bytes(), &decoded); err != nil || decoded["status"] != tt.want.String() {
				t.Errorf("JSON report %s: %v", js.String(), err)
			}
		})
	}
}

// buildBinary builds the exporter once for the tests that run it as a
// process.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "cams_exporter")
	out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestDemoAndGracefulShutdown runs the binary as a user would: --demo serves
// the metrics within seconds, and SIGTERM ends it cleanly with exit code 0.
func TestDemoAndGracefulShutdown(t *testing.T) {
	bin := buildBinary(t)
	addr := loopback.FreeAddr(t)
	cmd := exec.Command(bin, "--demo", "--web.listen-address="+addr)
	cmd.Env = append(os.Environ(), "ALIBABA_CLOUD_ECS_METADATA_DISABLED=true")
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	want := []string{"cams_flows{", "cams_flows_by_category{", "cams_space_up{", "\ncams_up 1\n", "cams_api_requests_total{", "cams_api_request_duration_seconds_bucket{", "cams_api_rate_limit_requests_per_second", "cams_exporter_build_info{", "cams_flow_changes_total{", "cams_space_last_success_timestamp_seconds{", "cams_refresh_duration_seconds", "cams_refreshes_total", "cams_refresh_failures_total", "cams_api_errors_total{",
		// The demo turns the flow statuses on.
		`cams_api_requests_total{operation="GetFlow"}`, "cams_flow_status_expected_duration_seconds", "cams_flow_status_interval_seconds 60\n",
		// And the templates, with a paused one from the first listing.
		"cams_templates{", `cams_api_requests_total{operation="ListChatappTemplate"}`}
	// A status read: the demo's data has published flows in every space.
	published := regexp.MustCompile(`\ncams_flows_by_status\{space="cams-[a-z0-9]+",status="PUBLISHED"\} [1-9]`)
	paused := regexp.MustCompile(`\ncams_template_problem_info\{audit_status="paused",`)
	var body string
	hasAll := func() bool {
		for _, w := range want {
			if !strings.Contains(body, w) {
				return false
			}
		}
		return published.MatchString(body) && paused.MatchString(body)
	}
	// cams_up is 1 from the first listing on; cams_refresh_duration_seconds
	// comes with the first complete pass.
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) && !hasAll() {
		if resp, err := http.Get("http://" + addr + "/metrics"); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			body = string(b)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("demo /metrics lacks %s", w)
		}
	}
	if !published.MatchString(body) {
		t.Error("demo /metrics has no published flow: no status was read")
	}
	if !paused.MatchString(body) {
		t.Error("demo /metrics has no paused template")
	}
	if !strings.Contains(stderr.String(), "DEMO MODE") {
		t.Errorf("the log does not say it is a demo:\n%s", stderr.String())
	}
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v\n%s", err, stderr.String())
		}
	case <-time.After(time.Minute):
		t.Fatal("the exporter did not stop within a minute of SIGTERM")
	}
	if !strings.Contains(stderr.String(), "shutting down") {
		t.Errorf("no shutdown in the log:\n%s", stderr.String())
	}
}

// lockedBuffer is a bytes.Buffer safe for the writer goroutine of exec and
// the test reading it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestSimulateCommand runs `cams_exporter simulate` as documented and calls
// it with the official generic client. Its rate limit is one call in any
// 100 s, so that the calls after the first are throttled however slowly
// the machine makes them.
func TestSimulateCommand(t *testing.T) {
	bin := buildBinary(t)
	addr := loopback.FreeAddr(t)
	cmd := exec.Command(bin, "simulate", "--simulator.listen-address="+addr, "--simulator.access-key-id=LTAIsimCmd",
		"--simulator.access-key-secret=simCmdSecret", "--simulator.spaces=3", "--simulator.flows-per-space=10", "--simulator.rate-limit=0.01",
		"--simulator.operation-rate-limit=QueryChatappPhoneNumbers=0.01", "--simulator.templates-per-space=5")
	stdout := &lockedBuffer{}
	cmd.Stdout = stdout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Signal(syscall.SIGTERM); cmd.Wait() }()
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(stdout.String(), "listening on") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	out := stdout.String()
	if !strings.Contains(out, "http://"+addr) || !strings.Contains(out, "ALIBABA_CLOUD_ACCESS_KEY_ID=LTAIsimCmd") || strings.Contains(out, "simCmdSecret") {
		t.Fatalf("simulate printed:\n%s\nwant its endpoint and key id, and never the secret", out)
	}
	good, err := officialsdk.New("http://"+addr, "LTAIsimCmd", "simCmdSecret", "")
	if err != nil {
		t.Fatal(err)
	}
	bad, _ := officialsdk.New("http://"+addr, "LTAIsimCmd", "wrong", "")
	body, err := officialsdk.ListFlow(good, "", 1, 20, nil)
	if err != nil || body["Code"] != "OK" {
		t.Fatalf("with the right credentials: %v, %v", body, err)
	}
	if _, err := officialsdk.ListFlow(bad, "", 1, 20, nil); err == nil || !strings.Contains(err.Error(), "SignatureDoesNotMatch") {
		t.Errorf("with a wrong secret: %v, want SignatureDoesNotMatch", err)
	}
	throttled := 0
	for range 7 {
		if _, err := officialsdk.ListFlow(good, "", 1, 20, nil); err != nil && strings.Contains(err.Error(), "System.LimitControl") {
			throttled++
		}
	}
	if throttled != 7 {
		t.Errorf("7 calls after the one allowed in 100 s: %d throttled, want every one", throttled)
	}
	// QueryChatappPhoneNumbers has the rate it was given, one call in 100 s;
	// QueryChatappBindWaba its own bucket at the documented 10 calls/s,
	// which ListFlow's throttling leaves alone.
	if body, err := officialsdk.QueryPhoneNumbers(good, "", nil); err != nil || body["Code"] != "OK" {
		t.Fatalf("QueryChatappPhoneNumbers: %v, %v", body, err)
	}
	if _, err := officialsdk.QueryPhoneNumbers(good, "", nil); err == nil || !strings.Contains(err.Error(), "System.LimitControl") {
		t.Errorf("a second QueryChatappPhoneNumbers within 100 s: %v, want System.LimitControl", err)
	}
	if body, err := officialsdk.QueryBindWaba(good, "", nil); err != nil || body["Code"] != "OK" {
		t.Errorf("QueryChatappBindWaba with ListFlow throttled: %v, %v", body, err)
	}
	// --simulator.templates-per-space gives the own space (it has a WABA)
	// its templates.
	body, err = officialsdk.ListTemplates(good, "", nil, nil, nil)
	if list, _ := body["ListTemplate"].([]any); err != nil || fmt.Sprint(body["Total"]) != "5" || len(list) != 5 {
		t.Errorf("ListChatappTemplate with 5 templates per space: %v, %v", body, err)
	}
}

func TestCheckDemo(t *testing.T) {
	var code int
	out := captureStdout(t, func() { code = run([]string{"check", "--demo"}) })
	if code != 0 || !strings.Contains(out, "CAMS OK - 6 spaces") {
		t.Errorf("check --demo: exit %d\n%s", code, out)
	}
}

// captureStdout runs f with os.Stdout redirected and returns what it wrote.
func captureStdout(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stdout
	os.Stdout = w
	done := make(chan string)
	go func() { b, _ := io.ReadAll(r); done <- string(b) }()
	f()
	os.Stdout = saved
	w.Close()
	return <-done
}
