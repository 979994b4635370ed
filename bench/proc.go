package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
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
	"time"

	"github.com/cams-exporter/cams_exporter/simulator"
)

// runProc runs the real binary against the simulator, both as child
// processes, once without and once with flow info, and measures the
// exporter's own memory and CPU over its first full pass.
func runProc(ctx context.Context, o *options, t *table) error {
	fmt.Printf("\n== 3. memory and 4. refresh CPU (the binary as a child process, %d spaces × %d flows on average, --cams.rate-limit=%g, simulator limit %g, page size 100)\n",
		o.procSpaces, o.procFlows, o.procRate, o.procSimRate)
	dir, err := os.MkdirTemp("", "cams-bench-")
	if err != nil {
		return err
	}
	if o.keepTemp {
		fmt.Printf("   temporary files in %s\n", dir)
	} else {
		defer os.RemoveAll(dir)
	}
	bin := o.binary
	if bin == "" {
		bin = filepath.Join(dir, "cams_exporter")
		if err := buildBinary(ctx, bin); err != nil {
			return err
		}
	}

	data := simulator.Generate(o.seed, o.procSpaces, o.procFlows)
	ids := subSpaceIDs(data)
	flows := 0
	for _, sp := range data.Spaces {
		if sp.ID != "" {
			flows += len(sp.Flows)
		}
	}
	data = nil
	spacesFile := filepath.Join(dir, "spaces.txt")
	if err := os.WriteFile(spacesFile, []byte(strings.Join(ids, "\n")+"\n"), 0o600); err != nil {
		return err
	}
	tick := clockTicks()

	simURL, sim, err := startSimulator(ctx, o, bin, dir)
	if err != nil {
		return err
	}
	defer sim.stop()

	for _, info := range []bool{false, true} {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		m, err := measureExporter(ctx, o, bin, dir, simURL, spacesFile, info)
		if err != nil {
			return fmt.Errorf("flow info %v: %w", info, err)
		}
		if m.flows != flows {
			return fmt.Errorf("flow info %v: the exporter counted %d flows, the data set holds %d", info, m.flows, flows)
		}
		cpu := float64(m.cpuTicks) / tick
		perK := cpu / (float64(flows) / 1000)
		mode := map[bool]string{false: "without flow info", true: "with flow info"}[info]
		fmt.Printf("   %s: pass of %d spaces, %d flows, %d calls (%d throttled) in %.2f s (%.0f calls/s); %d series\n",
			mode, len(ids), flows, m.calls, m.throttled, m.pass.Seconds(), float64(m.calls)/m.pass.Seconds(), m.series)
		fmt.Printf("   %s: peak RSS %s after the pass, %s after one scrape; heap in use %s at the end of the pass (max %s over %d polls), heap alloc %s\n",
			mode, mib(m.hwmPass), mib(m.hwmScrape), mib(m.heapInuse), mib(m.heapInuseMax), m.polls, mib(m.heapAlloc))
		fmt.Printf("   %s: CPU %.2f s (user+system, %g ticks/s) from start-up to the end of the pass: %.1f ms per 1,000 flows\n",
			mode, cpu, tick, perK*1000)
		name := fmt.Sprintf("%d spaces × %d flows, %s", len(ids), o.procFlows, mode)
		goal, pass := "", (*bool)(nil)
		if !info {
			goal, pass = "< 150 MB", ptr(m.hwmScrape < 150e6)
		}
		t.add("3. peak RSS (pass + 1 scrape), "+name, mib(m.hwmScrape), goal, pass)
		t.add("3. heap in use end of pass / max, "+name, mib(m.heapInuse)+" / "+mib(m.heapInuseMax), "", nil)
		t.add("4. refresh CPU per 1,000 flows, "+name, fmt.Sprintf("%.1f ms (%.2f s for %d flows)", perK*1000, cpu, flows), "", nil)
		t.add("   throttled responses, "+name, strconv.Itoa(m.throttled), "0", ptr(m.throttled == 0))
	}
	return nil
}

// buildBinary builds the module's main package, from the working directory
// (the repository's root), into bin.
func buildBinary(ctx context.Context, bin string) error {
	if _, err := os.Stat("main.go"); err != nil {
		return errors.New("run the harness from the repository's root (make bench), or give -binary")
	}
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	start := time.Now()
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build: %w", err)
	}
	fmt.Printf("   built %s in %s\n", bin, time.Since(start).Round(100*time.Millisecond))
	return nil
}

// child is a child process in its own process group, killed with its group.
type child struct {
	cmd  *exec.Cmd
	done chan struct{}
	log  *os.File
}

func startChild(bin string, args, env []string, logPath string, stdout io.Writer) (*child, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	cmd.Stderr = logf
	cmd.Stdout = logf
	if stdout != nil {
		cmd.Stdout = stdout
	}
	// Its own group, so that stop reaches anything it starts; and killed
	// if the harness dies first.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, err
	}
	c := &child{cmd: cmd, done: make(chan struct{}), log: logf}
	go func() { _ = cmd.Wait(); close(c.done) }()
	return c, nil
}

func (c *child) pid() int { return c.cmd.Process.Pid }

func (c *child) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// stop sends SIGTERM to the child's group, then SIGKILL after 5 s.
func (c *child) stop() {
	defer c.log.Close()
	if c.exited() {
		return
	}
	_ = syscall.Kill(-c.pid(), syscall.SIGTERM)
	select {
	case <-c.done:
	case <-time.After(5 * time.Second):
		_ = syscall.Kill(-c.pid(), syscall.SIGKILL)
		<-c.done
	}
}

// childEnv is the harness's environment without any Alibaba Cloud setting,
// plus extra.
func childEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ALIBABA_CLOUD_") {
			env = append(env, kv)
		}
	}
	return append(env, extra...)
}

// startSimulator runs `cams_exporter simulate` on a loopback port and
// returns its URL, read from the line it prints first.
func startSimulator(ctx context.Context, o *options, bin, dir string) (string, *child, error) {
	pr, pw := io.Pipe()
	sim, err := startChild(bin, []string{"simulate",
		"--simulator.listen-address=127.0.0.1:0",
		"--simulator.access-key-id=" + accessKeyID, "--simulator.access-key-secret=" + accessKeySecret,
		"--simulator.spaces=" + strconv.Itoa(o.procSpaces), "--simulator.flows-per-space=" + strconv.Itoa(o.procFlows),
		"--simulator.seed=" + strconv.FormatInt(o.seed, 10), "--simulator.rate-limit=" + strconv.FormatFloat(o.procSimRate, 'g', -1, 64),
	}, childEnv(), filepath.Join(dir, "simulator.log"), pw)
	if err != nil {
		return "", nil, err
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if rest, ok := strings.CutPrefix(sc.Text(), "CAMS simulator listening on "); ok {
				urls <- strings.TrimSpace(rest)
			}
		}
		_, _ = io.Copy(io.Discard, pr)
	}()
	go func() { <-sim.done; pw.Close() }()
	select {
	case url := <-urls:
		fmt.Printf("   simulator (pid %d) at %s\n", sim.pid(), url)
		return url, sim, nil
	case <-sim.done:
		return "", nil, fmt.Errorf("the simulator exited: see %s", sim.log.Name())
	case <-time.After(60 * time.Second):
	case <-ctx.Done():
	}
	sim.stop()
	return "", nil, errors.New("the simulator did not start within 60 s")
}

// procMeasure is what one exporter run measured.
type procMeasure struct {
	cpuTicks             int64
	hwmPass, hwmScrape   float64
	heapInuse, heapAlloc float64
	heapInuseMax         float64
	polls                int
	pass                 time.Duration
	flows, series        int
	calls, throttled     int
}

func measureExporter(ctx context.Context, o *options, bin, dir, simURL, spacesFile string, flowInfo bool) (procMeasure, error) {
	var m procMeasure
	port, err := freePort()
	if err != nil {
		return m, err
	}
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	args := []string{
		"--cams.endpoint=" + simURL, "--cams.spaces-file=" + spacesFile, "--cams.page-size=100",
		"--cams.rate-limit=" + strconv.FormatFloat(o.procRate, 'g', -1, 64), "--refresh.interval=1h",
		"--web.listen-address=127.0.0.1:" + strconv.Itoa(port),
	}
	if flowInfo {
		args = append(args, "--collector.flow-info")
	}
	before, err := simStats(ctx, simURL)
	if err != nil {
		return m, err
	}
	exp, err := startChild(bin, args, childEnv(
		"ALIBABA_CLOUD_ACCESS_KEY_ID="+accessKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET="+accessKeySecret,
		"ALIBABA_CLOUD_ECS_METADATA_DISABLED=true",
	), filepath.Join(dir, fmt.Sprintf("exporter-flowinfo-%v.log", flowInfo)), nil)
	if err != nil {
		return m, err
	}
	defer exp.stop()
	hc := &http.Client{Timeout: 60 * time.Second}
	defer hc.CloseIdleConnections()

	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, o.procTimeout)
	defer cancel()
	fail := func(what string) error {
		if exp.exited() {
			return fmt.Errorf("the exporter exited %s: see %s", what, exp.log.Name())
		}
		if parent.Err() != nil {
			return fmt.Errorf("%s: interrupted", what)
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%s: not within %s", what, o.procTimeout)
		}
		return errors.New(what)
	}
	// Up: its CPU from here on is the pass's (start-up before this point
	// is excluded; the first listing waits up to 1 s after start-up).
	for !exp.exited() && ctx.Err() == nil {
		if code, _ := get(ctx, hc, base+"/healthz", nil); code == http.StatusOK {
			break
		}
		sleep(ctx, 20*time.Millisecond)
	}
	if exp.exited() || ctx.Err() != nil {
		return m, fail("before serving /healthz")
	}
	cpu0, err := cpuTicks(exp.pid())
	if err != nil {
		return m, err
	}
	// The first full pass is over when no space is pending any more, as
	// /readyz says. It is polled rather than /metrics: every space listed
	// is served from its listing on, so a scrape during the pass costs as
	// much as one after it, and would count in the pass's CPU and memory.
	for passed := false; !passed; sleep(ctx, 100*time.Millisecond) {
		if exp.exited() || ctx.Err() != nil {
			return m, fail("before its first full pass")
		}
		code, _ := get(ctx, hc, base+"/readyz", func(r io.Reader) error {
			b, err := io.ReadAll(r)
			passed = strings.Contains(string(b), ", 0 pending")
			return err
		})
		passed = passed && code == http.StatusOK
	}
	cpu1, err := cpuTicks(exp.pid())
	if err != nil {
		return m, err
	}
	m.cpuTicks = cpu1 - cpu0
	if m.hwmPass, err = vmHWM(exp.pid()); err != nil {
		return m, err
	}
	var mv metricValues
	if code, err := get(ctx, hc, base+"/metrics", mv.scan); err != nil || code != http.StatusOK {
		return m, fmt.Errorf("scrape after the pass: HTTP %d, %v", code, err)
	}
	if m.hwmScrape, err = vmHWM(exp.pid()); err != nil {
		return m, err
	}
	m.heapInuse, m.heapAlloc = mv.heapInuse, mv.heapAlloc
	m.heapInuseMax = max(m.heapInuseMax, mv.heapInuse)
	m.polls++
	m.pass = time.Duration(mv.refreshDuration * float64(time.Second))
	m.flows, m.series = int(mv.flows), mv.series
	after, err := simStats(ctx, simURL)
	if err != nil {
		return m, err
	}
	m.calls = after.Accepted - before.Accepted
	m.throttled = after.Throttled - before.Throttled
	return m, nil
}

// metricValues are the few values the harness reads from a scrape.
type metricValues struct {
	heapInuse, heapAlloc float64
	refreshDuration      float64
	flows                float64
	series               int
}

func (mv *metricValues) scan(r io.Reader) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		mv.series++
		i := bytes.LastIndexByte(line, ' ')
		if i < 0 {
			continue
		}
		name := line[:i]
		if j := bytes.IndexByte(name, '{'); j >= 0 {
			name = name[:j]
		}
		var dst *float64
		switch string(name) {
		case "go_memstats_heap_inuse_bytes":
			dst = &mv.heapInuse
		case "go_memstats_heap_alloc_bytes":
			dst = &mv.heapAlloc
		case "cams_refresh_duration_seconds":
			dst = &mv.refreshDuration
		case "cams_flows":
			v, err := strconv.ParseFloat(string(line[i+1:]), 64)
			if err != nil {
				return err
			}
			mv.flows += v
			continue
		default:
			continue
		}
		v, err := strconv.ParseFloat(string(line[i+1:]), 64)
		if err != nil {
			return err
		}
		*dst = v
	}
	return sc.Err()
}

// get fetches url as Prometheus text and hands the body to read, if any.
func get(ctx context.Context, hc *http.Client, url string, read func(io.Reader) error) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if read != nil && resp.StatusCode == http.StatusOK {
		err = read(resp.Body)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}

func simStats(ctx context.Context, simURL string) (simulator.Stats, error) {
	var st simulator.Stats
	hc := &http.Client{Timeout: 10 * time.Second}
	code, err := get(ctx, hc, simURL+"/-/stats", func(r io.Reader) error { return json.NewDecoder(r).Decode(&st) })
	if err == nil && code != http.StatusOK {
		err = fmt.Errorf("simulator stats: HTTP %d", code)
	}
	return st, err
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

// freePort returns a loopback port that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

// cpuTicks is utime+stime of pid, in clock ticks (/proc/<pid>/stat).
func cpuTicks(pid int) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces: fields count
	// from after its closing parenthesis, where field 3 (state) begins.
	s := string(b)
	fields := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(fields) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: too few fields", pid)
	}
	utime, err1 := strconv.ParseInt(fields[11], 10, 64) // field 14
	stime, err2 := strconv.ParseInt(fields[12], 10, 64) // field 15
	if err := errors.Join(err1, err2); err != nil {
		return 0, err
	}
	return utime + stime, nil
}

// vmHWM is the peak resident set size of pid in bytes.
func vmHWM(pid int) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("/proc/%d/status: no VmHWM", pid)
}

// clockTicks is the kernel's clock ticks per second (getconf CLK_TCK);
// 100, Linux's usual value, if getconf is missing.
func clockTicks() float64 {
	out, err := exec.Command("getconf", "CLK_TCK").Output()
	if err == nil {
		if v, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64); err == nil && v > 0 {
			return v
		}
	}
	fmt.Println("   getconf CLK_TCK failed: assuming 100 ticks per second")
	return 100
}
