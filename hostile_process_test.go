package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/cache"
	"github.com/cams-exporter/cams_exporter/internal/loopback"
	"github.com/cams-exporter/cams_exporter/internal/testfiles"
	"github.com/cams-exporter/cams_exporter/simulator"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// credentialEnv is an isolated environment holding the test credentials.
func credentialEnv(t *testing.T) []string {
	return isolatedEnv(t, "ALIBABA_CLOUD_ACCESS_KEY_ID="+testKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET="+testKeySecret)
}

// waitExit waits at most d for p to end and returns its exit code.
func waitExit(t *testing.T, p *exporterProcess, d time.Duration) int {
	t.Helper()
	select {
	case <-p.done:
	case <-time.After(d):
		t.Fatalf("still running %v after it should have ended\n%s", d, p.stderr.String())
	}
	if p.err == nil {
		return 0
	}
	if exit, ok := p.err.(*exec.ExitError); ok {
		return exit.ExitCode()
	}
	t.Fatalf("wait: %v", p.err)
	return -1
}

// TestOddFilesStopStartUpAtOnce gives the exporter and check a FIFO, a
// device or a directory where a file is expected: each stops at once with a
// one-line error naming the flag, instead of hanging or reading without end.
func TestOddFilesStopStartUpAtOnce(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	dir, fifo := t.TempDir(), testfiles.FIFO(t)
	env := credentialEnv(t)
	tests := []struct {
		args     []string
		wantCode int
		want     string
	}{
		{[]string{"--cams.spaces-file=" + fifo}, 1, "--cams.spaces-file: cannot read spaces file: " + fifo + " is not a regular file but a named pipe (FIFO)"},
		{[]string{"--cams.spaces-file=/dev/zero"}, 1, "--cams.spaces-file: cannot read spaces file: /dev/zero is not a regular file but a character device"},
		{[]string{"--cams.spaces-file=" + dir}, 1, "is not a regular file but a directory"},
		{[]string{"--cache.file=/dev/full"}, 1, "--cache.file: /dev/full is not a regular file but a character device"},
		{[]string{"--cache.file=" + fifo}, 1, "--cache.file: " + fifo + " is not a regular file"},
		{[]string{"--web.config.file=" + fifo}, 1, "--web.config.file: " + fifo + " is not a regular file"},
		{[]string{"check", "--cams.spaces-file=" + fifo}, 3, "is not a regular file but a named pipe (FIFO)"},
		{[]string{"check", "--cams.spaces-file=/dev/zero"}, 3, "is not a regular file but a character device"},
	}
	for _, tt := range tests {
		start := time.Now()
		args := tt.args
		if args[0] != "check" { // check listens on nothing
			args = append(args, "--web.listen-address="+loopback.FreeAddr(t))
		}
		code, out := runBinary(t, bin, env, args...)
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if code != tt.wantCode || len(lines) != 1 || !strings.Contains(out, tt.want) {
			t.Errorf("%v: exit %d after %v, output:\n%s\nwant exit %d and one line saying %q", tt.args, code, time.Since(start).Round(time.Millisecond), out, tt.wantCode, tt.want)
		}
	}
}

// TestSIGTERMDuringStartUp stops the exporter while start-up is stuck
// reading a file that never ends (a web config naming a FIFO as its
// certificate): it ends at once, exit 0, saying so.
func TestSIGTERMDuringStartUp(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	dir := t.TempDir()
	fifo := filepath.Join(dir, "tls.crt")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	config := filepath.Join(dir, "web.yml")
	os.WriteFile(config, []byte("tls_server_config:\n  cert_file: "+fifo+"\n  key_file: "+fifo+"\n"), 0o644)
	p := startExporter(t, bin, credentialEnv(t), "--web.config.file="+config, "--cams.space=cams-x")
	time.Sleep(time.Second) // reading the FIFO blocks for ever
	if p.exited() {
		t.Fatalf("start-up did not block on the FIFO:\n%s", p.stderr.String())
	}
	start := time.Now()
	p.cmd.Process.Signal(syscall.SIGTERM)
	code := waitExit(t, p, time.Minute)
	t.Logf("stopped %v after SIGTERM", time.Since(start).Round(time.Millisecond))
	if code != 0 || !strings.Contains(p.stderr.String(), "stopped during start-up") {
		t.Errorf("exit %d, output:\n%s\nwant exit 0 and \"stopped during start-up\"", code, p.stderr.String())
	}
}

// TestCheckTimeout runs check against a space that pages without end and a
// healthy one: --check.timeout ends the run in time with UNKNOWN (3),
// naming the space that was not finished, and reports the healthy one.
func TestCheckTimeout(t *testing.T) {
	t.Parallel()
	data := &simulator.Dataset{Spaces: []simulator.Space{
		{ID: "cams-ok", Flows: []simulator.Flow{{FlowId: "1", FlowName: "a", Categories: []string{"SURVEY"}}}},
		{ID: "cams-endless"},
	}}
	sim, url := startSimulator(t, data, -1)
	sim.Inject(simulator.Fault{Kind: simulator.FaultEndlessPages, Space: ptr("cams-endless")})
	bin := buildBinary(t)
	start := time.Now()
	code, out := runBinary(t, bin, credentialEnv(t), "check", "--cams.endpoint="+url, "--cams.space=cams-ok", "--cams.space=cams-endless",
		"--cams.rate-limit=50", "--check.timeout=3s")
	took := time.Since(start)
	t.Logf("check ended after %v, %d calls to the endless space:\n%s", took.Round(time.Millisecond), sim.Stats().ListFlow["cams-endless"], out)
	for _, want := range []string{"CAMS UNKNOWN - --check.timeout 3s expired: 1 space of 2 not finished: cams-endless", "cams-endless  UNFINISHED", "cams-ok       ok"} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
	// The output says the timeout ended it; a minute only catches a hang.
	if code != 3 || took > time.Minute {
		t.Errorf("exit %d after %v, want 3 once the 3 s timeout expired", code, took)
	}
}

// TestRepeatedFlowIDsEndToEnd serves, with `simulate --simulator.data`, a
// space whose listing shows a flow twice (as when it is created while the
// listing pages), and checks it with pages of two: the flow counts once.
func TestRepeatedFlowIDsEndToEnd(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	flows := []string{"a", "b", "c", "b", "d"}
	var items []string
	distinct := map[string]bool{}
	for _, id := range flows {
		items = append(items, fmt.Sprintf(`{"FlowId":%q,"FlowName":"flow %s","Categories":["SURVEY"]}`, id, id))
		distinct[id] = true
	}
	file := filepath.Join(t.TempDir(), "data.json")
	os.WriteFile(file, []byte(`{"spaces":[{"id":"cams-r","flows":[`+strings.Join(items, ",")+`]}]}`), 0o644)
	addr := loopback.FreeAddr(t)
	sim := startCommand(t, addr, isolatedEnv(t), bin, "simulate", "--simulator.data="+file, "--simulator.listen-address="+addr)
	waitFor(t, time.Minute, "the simulator", func() bool {
		code, _ := fetch(testHTTPClient, "http://"+addr+"/-/healthy")
		return code == 200 || sim.exited()
	})
	if sim.exited() {
		t.Fatalf("simulate refused the data file:\n%s", sim.stderr.String())
	}
	env := isolatedEnv(t, "ALIBABA_CLOUD_ACCESS_KEY_ID="+simulator.DefaultAccessKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET="+simulator.DefaultAccessKeySecret)
	code, out := runBinary(t, bin, env, "check", "--cams.endpoint=http://"+addr, "--cams.space=cams-r", "--cams.page-size=2", "--output=json")
	var report struct {
		Spaces []struct {
			Flows int            `json:"flows"`
			By    map[string]int `json:"flows_by_category"`
		}
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil || code != 0 || len(report.Spaces) != 1 {
		t.Fatalf("check: exit %d, %v:\n%s", code, err, out)
	}
	if got := report.Spaces[0]; got.Flows != len(distinct) || got.By["SURVEY"] != len(distinct) {
		t.Errorf("check counted %d flows (%v), want %d: the repeated flow once", got.Flows, got.By, len(distinct))
	}
}

// TestIdleConnectionsUnderAFileLimit runs the exporter with 256 file
// descriptors and opens 300 keep-alive connections that each make one
// request and then stay idle, more than it can accept: once the idle ones
// time out, /metrics answers again.
func TestIdleConnectionsUnderAFileLimit(t *testing.T) {
	t.Parallel()
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Fatalf("prlimit (util-linux) is needed: %v", err)
	}
	_, url := startSimulator(t, &simulator.Dataset{Spaces: []simulator.Space{{ID: "cams-x"}}}, -1)
	bin := buildBinary(t)
	addr := loopback.FreeAddr(t)
	p := startCommand(t, addr, credentialEnv(t), prlimit, "--nofile=256:256", bin, "--web.listen-address="+addr,
		"--cams.endpoint="+url, "--cams.space=cams-x", "--refresh.interval=1h", "--web.disable-exporter-metrics")
	scraper := &http.Client{Timeout: 2 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	waitFor(t, time.Minute, "the first refresh", func() bool {
		_, body := fetch(scraper, "http://"+addr+"/metrics")
		return strings.Contains(body, "\ncams_refreshes_total 1\n")
	})

	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	answered := 0
	for range 300 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatalf("connection %d: %v", len(conns)+1, err)
		}
		conns = append(conns, c)
		fmt.Fprintf(c, "GET /healthz HTTP/1.1\r\nHost: %s\r\n\r\n", addr)
		c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err == nil {
			resp.Body.Close()
			answered++
		}
	}
	exhausted := time.Now()
	code, _ := fetch(scraper, "http://"+addr+"/metrics")
	t.Logf("%d of 300 connections answered before the limit; /metrics then answered %d", answered, code)
	if answered >= 300 {
		t.Fatalf("all 300 connections were served: the file limit did not bite")
	}
	var recovered time.Duration
	waitFor(t, webIdleTimeout+30*time.Second, "/metrics to answer again", func() bool {
		code, body := fetch(scraper, "http://"+addr+"/metrics")
		recovered = time.Since(exhausted)
		return code == 200 && strings.Contains(body, "cams_space_up")
	})
	t.Logf("/metrics answered again %v after the descriptors ran out (idle timeout %v)", recovered.Round(100*time.Millisecond), webIdleTimeout)
	if p.exited() {
		t.Fatalf("the exporter ended:\n%s", p.stderr.String())
	}
}

// TestSIGTERMWithSlowScrapes stops the exporter while three scrapers that
// never read hold /metrics answers of several MB: it waits the shutdown
// timeout, cuts them, logs how many, and exits 0.
func TestSIGTERMWithSlowScrapes(t *testing.T) {
	t.Parallel()
	bin := buildBinary(t)
	dir := t.TempDir()
	const spaces = 20000
	const endpoint = "http://127.0.0.1:1" // nothing listens: listings fail, the cached data stays
	states := map[string]*snapshot.SpaceState{}
	var ids strings.Builder
	now := time.Now()
	for i := range spaces {
		id := fmt.Sprintf("cams-%06d", i)
		fmt.Fprintln(&ids, id)
		states[id] = &snapshot.SpaceState{ID: id, HasData: true, Up: true, Count: 3, ByCategory: map[string]int{"SURVEY": 3},
			FlowIDs: []string{"1", "2", "3"}, LastSuccess: now, LastAttempt: now}
	}
	snap := snapshot.Snapshot{Completed: true}.WithSpaces(states)
	cacheFile, spacesFile := filepath.Join(dir, "cache.json"), filepath.Join(dir, "spaces.txt")
	if err := cache.Save(cacheFile, cache.Meta{Endpoint: endpoint + "/"}, snap, now); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(spacesFile, []byte(ids.String()), 0o644)
	p := startExporter(t, bin, credentialEnv(t), "--cams.endpoint="+endpoint, "--cams.spaces-file="+spacesFile, "--cache.file="+cacheFile,
		"--refresh.interval=1h", "--web.disable-exporter-metrics")
	var size int
	waitFor(t, 30*time.Second, "the cached data", func() bool {
		_, body := fetch(testHTTPClient, "http://"+p.addr+"/metrics")
		size = len(body)
		return strings.Contains(body, `cams_flows{space="cams-019999"} 3`)
	})
	t.Logf("/metrics is %.1f MB", float64(size)/1e6)

	slow := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
	}}
	for range 3 {
		c, err := slow.Dial("tcp", p.addr)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "GET /metrics HTTP/1.1\r\nHost: %s\r\n\r\n", p.addr)
	}
	time.Sleep(3 * time.Second) // the answers fill the socket buffers and block
	start := time.Now()
	p.cmd.Process.Signal(syscall.SIGTERM)
	code := waitExit(t, p, shutdownTimeout+15*time.Second)
	took := time.Since(start)
	t.Logf("exit %d %v after SIGTERM", code, took.Round(100*time.Millisecond))
	log := p.stderr.String()
	if code != 0 || !strings.Contains(log, "requests_cut=3") || strings.Contains(log, "cannot serve") {
		t.Errorf("exit %d; want 0 and a log of 3 requests cut, no \"cannot serve\":\n%s", code, lastLines(log, 8))
	}
	if took < shutdownTimeout-time.Second {
		t.Errorf("stopped %v after SIGTERM: the slow scrapes were not given the shutdown timeout", took)
	}
}

// lastLines returns the last n lines of s.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.Join(lines[max(len(lines)-n, 0):], "\n")
}

// peakRSS returns the peak resident set size of a process, in bytes.
func peakRSS(pid int) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10, err
		}
	}
	return 0, io.ErrUnexpectedEOF
}

// hostileRSSLimit is the peak RSS the exporter must stay under while it
// lists hostile spaces.
const hostileRSSLimit = 100 << 20

// TestHostileSpaceMemory runs the exporter binary against spaces whose every
// page holds 80,000 flows (about 7 MB, under the 8 MiB response cap) whatever
// the page size, until it has been served ten of them and says it refused
// them (however long a loaded machine takes): its peak RSS stays under
// 100 MB. Before pages were checked against Page.Size, the same run grew
// past 1 GB.
func TestHostileSpaceMemory(t *testing.T) {
	t.Parallel()
	data := &simulator.Dataset{}
	args := []string{"--refresh.interval=10s", "--web.disable-exporter-metrics"}
	for i := range 3 {
		id := fmt.Sprintf("cams-hostile%d", i)
		data.Spaces = append(data.Spaces, simulator.Space{ID: id})
		args = append(args, "--cams.space="+id)
	}
	sim, url := startSimulator(t, data, -1)
	sim.Inject(simulator.Fault{Kind: simulator.FaultOversizedPage, Items: 80000})
	bin := buildBinary(t)
	p := startExporter(t, bin, credentialEnv(t), append(args, "--cams.endpoint="+url)...)
	pid := p.cmd.Process.Pid

	refused := func(body string) bool {
		return strings.Contains(body, `cams_api_errors_total{code="InvalidResponse",operation="ListFlow"}`) && strings.Contains(body, `cams_space_up{space="cams-hostile0"} 0`)
	}
	deadline := time.Now().Add(3 * time.Minute) // only a hang reaches it
	var peak int64
	var body string
	for time.Now().Before(deadline) && !p.exited() {
		if rss, err := peakRSS(pid); err == nil {
			peak = rss
		}
		if peak > 3*hostileRSSLimit {
			break // far past the bound: no need to go on
		}
		if sim.Stats().Faulted >= 10 {
			if _, body = fetch(testHTTPClient, "http://"+p.addr+"/metrics"); refused(body) {
				break
			}
		}
		time.Sleep(250 * time.Millisecond)
	}
	if rss, err := peakRSS(pid); err == nil {
		peak = rss
	}
	calls := sim.Stats().Faulted
	t.Logf("peak RSS %.1f MB over %d hostile pages of ~7 MB", float64(peak)/(1<<20), calls)
	if calls < 10 {
		t.Errorf("only %d hostile pages were served", calls)
	}
	if peak >= hostileRSSLimit {
		t.Errorf("peak RSS %.1f MB, want under %d MB", float64(peak)/(1<<20), hostileRSSLimit>>20)
	}
	if !refused(body) {
		t.Errorf("the hostile pages were not refused as invalid responses:\n%s", body)
	}
}
