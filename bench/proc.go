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
// processes: over its first full pass of o.procSpaces spaces, without and
// with flow info, it measures the exporter's memory and CPU; then, with flow
// info over o.concFlows flows, its peak memory under o.concScrapes
// concurrent scrapes.
func runProc(ctx context.Context, o *options, t *table) error {
	fmt.Printf("\n== 3. memory and 4. refresh CPU (the binary as a child process, %d spaces × %d flows on average, --cams.rate-limit=%g, simulator limit %g, page size 100)\n",
		o.procSpaces, o.procFlows, o.procRate, o.procSimRate)
	dir, bin, cleanup, err := workDir(ctx, o, "cams-bench-")
	if err != nil {
		return err
	}
	defer cleanup()
	d, err := startData(ctx, o, bin, dir, o.procSpaces, o.procFlows)
	if err != nil {
		return err
	}
	defer d.sim.stop()
	tick := clockTicks()
	var hwmWithout float64
	for _, info := range []bool{false, true} {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		m, err := measureExporter(ctx, o, bin, dir, d, info)
		if err != nil {
			return fmt.Errorf("flow info %v: %w", info, err)
		}
		if m.flows != d.flows {
			return fmt.Errorf("flow info %v: the exporter counted %d flows, the data set holds %d", info, m.flows, d.flows)
		}
		cpu := float64(m.cpuTicks) / tick
		perK := cpu / (float64(d.flows) / 1000)
		mode := map[bool]string{false: "without flow info", true: "with flow info"}[info]
		fmt.Printf("   %s: pass of %d spaces, %d flows, %d calls (%d throttled) in %.2f s (%.0f calls/s); %d series\n",
			mode, len(d.ids), d.flows, m.calls, m.throttled, m.pass.Seconds(), float64(m.calls)/m.pass.Seconds(), m.series)
		fmt.Printf("   %s: peak RSS %s after the pass, %s after a scrape as Prometheus 3 asks (OpenMetrics, gzip), %s after a text scrape as well; heap in use %s at the end of the pass (max %s over %d polls)\n",
			mode, mib(m.hwmPass), mib(m.hwmScrape), mib(m.hwmPlain), mib(m.heapInuse), mib(m.heapInuseMax), m.polls)
		fmt.Printf("   %s: CPU %.2f s (user+system, %g ticks/s) from start-up to the end of the pass: %.1f ms per 1,000 flows\n",
			mode, cpu, tick, perK*1000)
		name := fmt.Sprintf("%s spaces × %d flows, %s", thousands(len(d.ids)), o.procFlows, mode)
		if !info {
			hwmWithout = m.hwmScrape
			t.add("3. peak RSS (pass + 1 scrape), "+name, mbAndMiB(m.hwmScrape), "<= 100 MB", ptr(m.hwmScrape <= 100e6))
		} else {
			// The goal is twice the 100 MB without flow info; the ratio to
			// the figure measured without is printed too.
			r := m.hwmScrape / hwmWithout
			t.add("3. peak RSS (pass + 1 scrape), "+name, fmt.Sprintf("%s = %.2f × without", mbAndMiB(m.hwmScrape), r), "<= 200 MB", ptr(m.hwmScrape <= 200e6))
		}
		t.add("3. peak RSS, + 1 text scrape (identity), "+name, mbAndMiB(m.hwmPlain), "", nil)
		t.add("3. heap in use end of pass / max, "+name, mib(m.heapInuse)+" / "+mib(m.heapInuseMax), "", nil)
		t.add("4. refresh CPU per 1,000 flows, "+name, fmt.Sprintf("%.1f ms (%.2f s for %d flows)", perK*1000, cpu, d.flows), "", nil)
		t.add("   throttled responses, "+name, strconv.Itoa(m.throttled), "0", ptr(m.throttled == 0))
	}
	d.sim.stop()
	if o.concScrapes > 0 && ctx.Err() == nil {
		return runConcurrent(ctx, o, t, bin, dir)
	}
	return nil
}

func mbAndMiB(b float64) string { return fmt.Sprintf("%.1f MB (%s)", b/1e6, mib(b)) }

// procData is a data set served by a simulator child process, and the
// spaces file that lists its sub-customer spaces.
type procData struct {
	spaces, flowsPerSpace int
	ids                   []string
	flows                 int // in the sub-customer spaces
	templates             int // in the sub-customer spaces
	// nodes are what messaging health asks about in each sub-customer
	// space: its WABA, if bound, and its numbers.
	nodes      map[string]accountNodes
	spacesFile string
	simURL     string
	sim        *child
}

func startData(ctx context.Context, o *options, bin, dir string, spaces, flows int) (*procData, error) {
	return startDataLimited(ctx, o, bin, dir, spaces, flows, 0, []string{"--simulator.rate-limit=" + strconv.FormatFloat(o.procSimRate, 'g', -1, 64)})
}

// startDataLimited is startData with templates message templates a space
// with a WABA (simulator.AddTemplates), and the simulator's limits given as
// its flags (--simulator.rate-limit, --simulator.operation-rate-limit).
func startDataLimited(ctx context.Context, o *options, bin, dir string, spaces, flows, templates int, limits []string) (*procData, error) {
	data := simulator.Generate(o.seed, spaces, flows)
	simulator.AddTemplates(o.seed, data, templates)
	d := &procData{spaces: spaces, flowsPerSpace: flows, ids: subSpaceIDs(data)}
	d.nodes = make(map[string]accountNodes, len(data.Spaces))
	for _, sp := range data.Spaces {
		if sp.ID != "" {
			d.flows += len(sp.Flows)
			d.templates += len(sp.Templates)
			d.nodes[sp.ID] = accountNodes{waba: sp.WABA != nil, numbers: len(sp.PhoneNumbers)}
		}
	}
	d.spacesFile = filepath.Join(dir, fmt.Sprintf("spaces-%d.txt", spaces))
	if err := os.WriteFile(d.spacesFile, []byte(strings.Join(d.ids, "\n")+"\n"), 0o600); err != nil {
		return nil, err
	}
	// The simulator generates at most 100,000 spaces itself; a data file
	// has no such bound.
	dataFile := filepath.Join(dir, fmt.Sprintf("data-%d.json", spaces))
	b, err := json.Marshal(data)
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(dataFile, b, 0o600); err != nil {
		return nil, err
	}
	d.simURL, d.sim, err = startSimulator(ctx, bin, dataFile, limits)
	return d, err
}

// workDir makes a temporary directory (kept with -keep-temp, else removed
// by cleanup) and returns the exporter binary to run: -binary, or one
// built into the directory.
func workDir(ctx context.Context, o *options, prefix string) (dir, bin string, cleanup func(), err error) {
	dir, err = os.MkdirTemp("", prefix)
	if err != nil {
		return "", "", nil, err
	}
	cleanup = func() { os.RemoveAll(dir) }
	if o.keepTemp {
		fmt.Printf("   temporary files in %s\n", dir)
		cleanup = func() {}
	}
	bin = o.binary
	if bin == "" {
		bin = filepath.Join(dir, "cams_exporter")
		if err := buildBinary(ctx, bin); err != nil {
			cleanup()
			return "", "", nil, err
		}
	}
	return dir, bin, cleanup, nil
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

// exporterEnv is an exporter's environment: the bench's credentials, and
// the ECS metadata service never asked.
func exporterEnv() []string {
	return childEnv("ALIBABA_CLOUD_ACCESS_KEY_ID="+accessKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET="+accessKeySecret,
		"ALIBABA_CLOUD_ECS_METADATA_DISABLED=true")
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

// startSimulator runs `cams_exporter simulate` on a loopback port, with
// the limits given as its flags, and returns its URL, read from the line
// it prints first.
func startSimulator(ctx context.Context, bin, dataFile string, limits []string) (string, *child, error) {
	pr, pw := io.Pipe()
	sim, err := startChild(bin, append([]string{"simulate",
		"--simulator.listen-address=127.0.0.1:0",
		"--simulator.access-key-id=" + accessKeyID, "--simulator.access-key-secret=" + accessKeySecret,
		"--simulator.data=" + dataFile,
	}, limits...), childEnv(), strings.TrimSuffix(dataFile, ".json")+"-simulator.log", pw)
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
	cpuTicks                     int64
	hwmPass, hwmScrape, hwmPlain float64
	heapInuse, heapAlloc         float64
	heapInuseMax                 float64
	polls                        int
	pass                         time.Duration
	flows, series                int
	calls, throttled             int
}

// Accept headers: Prometheus 3's default, and a plain text scrape.
const (
	acceptPrometheus3 = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1"
	acceptText        = "text/plain;version=0.0.4"
)

// running is an exporter child process after its first full pass.
type running struct {
	exp      *child
	base     string
	hc       *http.Client
	cpuTicks int64   // from /healthz answering to the end of the pass
	heapMax  float64 // go_memstats_heap_inuse_bytes, the most seen by the polls
	polls    int
}

func (r *running) stop() {
	r.hc.CloseIdleConnections()
	r.exp.stop()
}

// startExporter runs the exporter on d's spaces with args, and returns once
// /readyz says its first full pass is done; it polls /metrics every second
// meanwhile, as Prometheus would.
func startExporter(ctx context.Context, o *options, bin, dir string, d *procData, logName string, args ...string) (*running, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	r := &running{base: "http://127.0.0.1:" + strconv.Itoa(port), hc: &http.Client{Timeout: 60 * time.Second}}
	args = append([]string{
		"--cams.endpoint=" + d.simURL, "--cams.spaces-file=" + d.spacesFile, "--cams.page-size=100",
		"--cams.rate-limit=" + strconv.FormatFloat(o.procRate, 'g', -1, 64), "--refresh.interval=1h",
		"--web.listen-address=127.0.0.1:" + strconv.Itoa(port),
	}, args...)
	r.exp, err = startChild(bin, args, exporterEnv(), filepath.Join(dir, logName), nil)
	if err != nil {
		return nil, err
	}
	parent := ctx
	ctx, cancel := context.WithTimeout(ctx, o.procTimeout)
	defer cancel()
	fail := func(what string) (*running, error) {
		defer r.stop()
		if r.exp.exited() {
			return nil, fmt.Errorf("the exporter exited %s: see %s", what, r.exp.log.Name())
		}
		if parent.Err() != nil {
			return nil, fmt.Errorf("%s: interrupted", what)
		}
		if ctx.Err() != nil {
			return nil, fmt.Errorf("%s: not within %s", what, o.procTimeout)
		}
		return nil, errors.New(what)
	}
	// Up: its CPU from here on is the pass's (start-up before this point
	// is excluded; the first listing waits up to 1 s after start-up).
	for !r.exp.exited() && ctx.Err() == nil {
		if code, _ := get(ctx, r.hc, r.base+"/healthz", acceptText, nil); code == http.StatusOK {
			break
		}
		sleep(ctx, 20*time.Millisecond)
	}
	if r.exp.exited() || ctx.Err() != nil {
		return fail("before serving /healthz")
	}
	cpu0, err := cpuTicks(r.exp.pid())
	if err != nil {
		return fail(err.Error())
	}
	// The first full pass is over when no space is pending any more, as
	// /readyz says (it is ready long before: as soon as a space is listed).
	// Meanwhile /metrics is scraped every second, as Prometheus would.
	lastPoll := time.Time{}
	for passed := false; !passed; sleep(ctx, 100*time.Millisecond) {
		if r.exp.exited() || ctx.Err() != nil {
			return fail("before its first full pass")
		}
		code, _ := get(ctx, r.hc, r.base+"/readyz", acceptText, func(body io.Reader) error {
			b, err := io.ReadAll(body)
			passed = strings.Contains(string(b), ", 0 pending")
			return err
		})
		passed = passed && code == http.StatusOK
		if time.Since(lastPoll) >= time.Second {
			lastPoll = time.Now()
			var mv metricValues
			if code, err := get(ctx, r.hc, r.base+"/metrics", acceptPrometheus3, mv.scan); err == nil && code == http.StatusOK {
				r.heapMax = max(r.heapMax, mv.heapInuse)
				r.polls++
			}
		}
	}
	cpu1, err := cpuTicks(r.exp.pid())
	if err != nil {
		return fail(err.Error())
	}
	r.cpuTicks = cpu1 - cpu0
	return r, nil
}

func measureExporter(ctx context.Context, o *options, bin, dir string, d *procData, flowInfo bool) (procMeasure, error) {
	var m procMeasure
	before, err := simStats(ctx, d.simURL)
	if err != nil {
		return m, err
	}
	var args []string
	if flowInfo {
		args = append(args, "--collector.flow-info")
	}
	r, err := startExporter(ctx, o, bin, dir, d, fmt.Sprintf("exporter-flowinfo-%v.log", flowInfo), args...)
	if err != nil {
		return m, err
	}
	defer r.stop()
	m.cpuTicks, m.heapInuseMax, m.polls = r.cpuTicks, r.heapMax, r.polls
	pid := r.exp.pid()
	if m.hwmPass, err = vmHWM(pid); err != nil {
		return m, err
	}
	// A scrape as Prometheus 3 makes it, then one in the text format,
	// which Prometheus does not ask for (curl does).
	if code, err := get(ctx, r.hc, r.base+"/metrics", acceptPrometheus3, nil); err != nil || code != http.StatusOK {
		return m, fmt.Errorf("scrape after the pass: HTTP %d, %v", code, err)
	}
	if m.hwmScrape, err = vmHWM(pid); err != nil {
		return m, err
	}
	var mv metricValues
	if code, err := get(ctx, r.hc, r.base+"/metrics", acceptText, mv.scan); err != nil || code != http.StatusOK {
		return m, fmt.Errorf("text scrape after the pass: HTTP %d, %v", code, err)
	}
	if m.hwmPlain, err = vmHWM(pid); err != nil {
		return m, err
	}
	m.heapInuse, m.heapAlloc = mv.heapInuse, mv.heapAlloc
	m.heapInuseMax = max(m.heapInuseMax, mv.heapInuse)
	m.polls++
	m.pass = time.Duration(mv.refreshDuration * float64(time.Second))
	m.flows, m.series = int(mv.flows), mv.series
	after, err := simStats(ctx, d.simURL)
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
	spaces               int     // series of cams_space_up
	phoneStates          int     // series of cams_phone_number_state
	templates            float64 // the sum of cams_templates
	templateProblems     int     // series of cams_template_problem_info
	// collectorSpaces are the samples of cams_collector_spaces, by their
	// labels as written ({collector="waba",state="up"}).
	collectorSpaces map[string]float64
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
		case "cams_space_up":
			mv.spaces++
			continue
		case "cams_phone_number_state":
			mv.phoneStates++
			continue
		case "cams_template_problem_info":
			mv.templateProblems++
			continue
		case "cams_templates":
			v, err := strconv.ParseFloat(string(line[i+1:]), 64)
			if err != nil {
				return err
			}
			mv.templates += v
			continue
		case "cams_collector_spaces":
			v, err := strconv.ParseFloat(string(line[i+1:]), 64)
			if err != nil {
				return err
			}
			if mv.collectorSpaces == nil {
				mv.collectorSpaces = map[string]float64{}
			}
			mv.collectorSpaces[string(line[len(name):i])] = v
			continue
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

// get fetches url with the Accept header given and hands the body to read,
// if any. It asks for gzip, which the client decompresses, as Prometheus
// does, except for acceptText, which it asks for uncompressed, as curl does.
func get(ctx context.Context, hc *http.Client, url, accept string, read func(io.Reader) error) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("Accept", accept)
	if accept == acceptText {
		req.Header.Set("Accept-Encoding", "identity")
	}
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
	code, err := get(ctx, hc, simURL+"/-/stats", "application/json", func(r io.Reader) error { return json.NewDecoder(r).Decode(&st) })
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
func vmHWM(pid int) (float64, error) { return procStatusKB(pid, "VmHWM:") }

// procStatusKB reads a "kB" field of /proc/<pid>/status, in bytes.
func procStatusKB(pid int, field string) (float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			kb, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 64)
			return kb * 1024, err
		}
	}
	return 0, fmt.Errorf("/proc/%d/status: no %s", pid, field)
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
