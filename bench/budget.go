package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/simulator"
	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/templates"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

// budgetOp is an operation whose budget use the budget part measures: the
// exporter's flag that sets its limiter's rate, and the rate it is given.
type budgetOp struct {
	operation string
	collector string // "" for ListFlow, which is always on
	rateFlag  string
	rate      float64
}

// budgetOps are ListFlow and the operations of the four sources, each at
// its default rate (80 % of CAMS's documented limit).
func budgetOps() []budgetOp {
	return []budgetOp{
		{operation: "ListFlow", rateFlag: "cams.rate-limit", rate: client.DefaultRate("ListFlow")},
		{operation: client.OperationQueryPhoneNumbers, collector: phonenumbers.Name, rateFlag: "cams.phone-numbers-rate-limit", rate: client.DefaultRate(client.OperationQueryPhoneNumbers)},
		{operation: client.OperationQueryBindWaba, collector: waba.Name, rateFlag: "cams.waba-rate-limit", rate: client.DefaultRate(client.OperationQueryBindWaba)},
		{operation: client.OperationGetHealthStatus, collector: messaginghealth.Name, rateFlag: "cams.messaging-health-rate-limit", rate: client.DefaultRate(client.OperationGetHealthStatus)},
		{operation: client.OperationListTemplates, collector: templates.Name, rateFlag: "cams.templates-rate-limit", rate: client.DefaultRate(client.OperationListTemplates)},
	}
}

// documentedLimits are the simulator's flags for CAMS's documented limits:
// one bucket per operation (ListFlow's shared with ListInstance).
func documentedLimits() []string {
	args := []string{"--simulator.rate-limit=" + strconv.FormatFloat(simulator.DocumentedRates["ListFlow"], 'g', -1, 64)}
	for _, op := range []string{client.OperationQueryPhoneNumbers, client.OperationQueryBindWaba, client.OperationGetHealthStatus, client.OperationListTemplates} {
		args = append(args, "--simulator.operation-rate-limit="+op+"="+strconv.FormatFloat(simulator.DocumentedRates[op], 'g', -1, 64))
	}
	return args
}

// runBudget measures, over the first pass of o.budgetSize spaces (the
// simulator's generated accounts: 3 numbers and o.budgetSize.templates
// templates a space with a WABA) against
// the simulator at CAMS's documented limits, each operation's calls per
// second from the simulator's request log, over o.budgetReps consecutive
// windows of o.budgetWindow after o.budgetWarmup, in two runs side by side:
// every source off (ListFlow alone), and every source on. Every source
// must have due work at the end of each window (the first pass is not
// over). Figures are the windows' medians; with o.budgetRuns above 1 the
// runs alternate and a figure is the median of every window of its kind.
func runBudget(ctx context.Context, o *options, t *table) error {
	size := o.budgetSize
	fmt.Printf("\n== 6. budget use in the first pass: %s spaces × %d flows, %d numbers and %d templates a space with a WABA, the simulator at the documented limits (%s); every source off, then on; %d windows of %s after %s\n",
		thousands(size.spaces), size.flows, simulator.NumbersPerSpace, size.templates, strings.Join(documentedLimits(), " "), o.budgetReps, o.budgetWindow, o.budgetWarmup)
	dir, bin, cleanup, err := workDir(ctx, o, "cams-bench-budget-")
	if err != nil {
		return err
	}
	defer cleanup()
	d, err := startDataLimited(ctx, o, bin, dir, size.spaces, size.flows, size.templates, documentedLimits())
	if err != nil {
		return err
	}
	defer d.sim.stop()
	runs := map[bool][]*budgetRun{}
	for i := range o.budgetRuns {
		for _, on := range []bool{false, true} {
			r, err := measureBudget(ctx, o, bin, dir, d, on, i+1)
			if err != nil {
				return fmt.Errorf("sources %s: %w", onOff(on), err)
			}
			runs[on] = append(runs[on], r)
		}
	}
	addBudgetRows(t, size, runs)
	return nil
}

func onOff(on bool) string {
	if on {
		return "on"
	}
	return "off"
}

// budgetRun is what one exporter run measured.
type budgetRun struct {
	sources bool
	windows []budgetWindow
	hwm     float64       // peak RSS at the end of the last window
	since   time.Duration // from start-up to then
}

// budgetWindow is one window: each operation's calls per second, whether
// each had due work at its end, and the exporter's share of a core.
type budgetWindow struct {
	start, end time.Time
	rates      map[string]float64 // by operation
	due        map[string]float64 // due work left at the end, by operation
	cpu        float64
	load       string
}

// measureBudget runs the exporter on d's spaces with every source off or on
// and measures its windows.
func measureBudget(ctx context.Context, o *options, bin, dir string, d *procData, on bool, run int) (*budgetRun, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	args := []string{"--cams.endpoint=" + d.simURL, "--cams.spaces-file=" + d.spacesFile, "--web.listen-address=127.0.0.1:" + strconv.Itoa(port)}
	for _, op := range budgetOps() {
		args = append(args, "--"+op.rateFlag+"="+strconv.FormatFloat(op.rate, 'g', -1, 64))
		if op.collector != "" && on {
			args = append(args, "--collector."+op.collector)
		}
	}
	exp, err := startChild(bin, args, exporterEnv(), filepath.Join(dir, fmt.Sprintf("exporter-budget-%d-%s.log", run, onOff(on))), nil)
	if err != nil {
		return nil, err
	}
	defer exp.stop()
	hc := &http.Client{Timeout: time.Minute}
	defer hc.CloseIdleConnections()
	started := time.Now()
	for {
		if code, _ := get(ctx, hc, base+"/healthz", acceptText, nil); code == http.StatusOK {
			break
		}
		if exp.exited() || ctx.Err() != nil || time.Since(started) > o.procTimeout {
			return nil, fmt.Errorf("the exporter did not serve (see %s)", exp.log.Name())
		}
		sleep(ctx, 20*time.Millisecond)
	}
	before, err := simStats(ctx, d.simURL)
	if err != nil {
		return nil, err
	}
	sleep(ctx, o.budgetWarmup)
	r := &budgetRun{sources: on}
	tick := clockTicks()
	for range o.budgetReps {
		w := budgetWindow{start: time.Now()}
		cpu0, err := cpuTicks(exp.pid())
		if err != nil {
			return nil, err
		}
		busy0, total0, err := procStat()
		if err != nil {
			return nil, err
		}
		sleep(ctx, o.budgetWindow)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		w.end = time.Now()
		cpu1, err := cpuTicks(exp.pid())
		if err != nil {
			return nil, err
		}
		busy1, total1, err := procStat()
		if err != nil {
			return nil, err
		}
		w.cpu = float64(cpu1-cpu0) / tick / w.end.Sub(w.start).Seconds()
		w.load = fmt.Sprintf("%.0f %% busy, load average %s", 100*float64(busy1-busy0)/float64(max(total1-total0, 1)), loadAverage())
		if w.due, err = dueWork(ctx, hc, base, d, started, on); err != nil {
			return nil, err
		}
		r.windows = append(r.windows, w)
	}
	if r.hwm, err = vmHWM(exp.pid()); err != nil {
		return nil, err
	}
	r.since = time.Since(started)
	log, err := requestLog(ctx, d.simURL)
	if err != nil {
		return nil, err
	}
	if len(log.Requests) > 0 && log.Dropped > 0 && log.Requests[0].Time.After(r.windows[0].start) {
		return nil, fmt.Errorf("the simulator's request log (%d calls) no longer holds the first window", len(log.Requests))
	}
	for i := range r.windows {
		r.windows[i].rates = ratesIn(log.Requests, r.windows[i].start, r.windows[i].end)
	}
	after, err := simStats(ctx, d.simURL)
	if err != nil {
		return nil, err
	}
	for i, w := range r.windows {
		var parts []string
		for _, op := range budgetOps() {
			if op.collector != "" && !on {
				continue
			}
			parts = append(parts, fmt.Sprintf("%s %.2f/s = %.3f of %g (due left %.0f)", op.operation, w.rates[op.operation], w.rates[op.operation]/op.rate, op.rate, w.due[op.operation]))
		}
		fmt.Printf("   run %d, sources %s, window %d: %s; exporter CPU %.1f %% of a core; machine %s\n", run, onOff(on), i+1, strings.Join(parts, "; "), 100*w.cpu, w.load)
	}
	throttled := after.Throttled - before.Throttled
	fmt.Printf("   run %d, sources %s: peak RSS %s %s after start-up; %d calls throttled\n", run, onOff(on), mbAndMiB(r.hwm), r.since.Round(time.Second), throttled)
	if throttled > 0 {
		fmt.Printf("   throttled by operation since start-up: %v\n", subtract(after.ThrottledByOperation, before.ThrottledByOperation))
	}
	return r, nil
}

func subtract(a, b map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range a {
		if v -= b[k]; v != 0 {
			out[k] = v
		}
	}
	return out
}

// requestLog reads the simulator's request log.
func requestLog(ctx context.Context, simURL string) (simulator.RequestLog, error) {
	var l simulator.RequestLog
	hc := &http.Client{Timeout: time.Minute}
	defer hc.CloseIdleConnections()
	code, err := get(ctx, hc, simURL+"/-/requests", "application/json", func(r io.Reader) error { return json.NewDecoder(r).Decode(&l) })
	if err == nil && code != http.StatusOK {
		err = fmt.Errorf("simulator request log: HTTP %d", code)
	}
	return l, err
}

// ratesIn is each action's calls per second in [start, end) of the log.
func ratesIn(log []simulator.Request, start, end time.Time) map[string]float64 {
	rates := map[string]float64{}
	for _, r := range log {
		if !r.Time.Before(start) && r.Time.Before(end) {
			rates[r.Action]++
		}
	}
	for op := range rates {
		rates[op] /= end.Sub(start).Seconds()
	}
	return rates
}

// accountNodes are the nodes of a space that messaging health asks about.
type accountNodes struct {
	waba    bool
	numbers int
}

// dueWork is each operation's work left in the first pass: ListFlow's
// spaces pending and the spaces pending of phone-numbers, waba and
// templates (a space is pending until its whole listing ended), as the
// exporter tells them, and messaging health's nodes known not asked yet,
// from the simulator's request log and data set: the WABAs of the spaces
// whose WABA was read since start-up and the numbers of the spaces whose
// numbers were, less the health calls since (a first pass asks each node
// once). Sources that are off are left out.
func dueWork(ctx context.Context, hc *http.Client, base string, d *procData, started time.Time, on bool) (map[string]float64, error) {
	series := map[string]float64{}
	code, err := get(ctx, hc, base+"/metrics", acceptText, func(r io.Reader) error {
		sc := bufio.NewScanner(r)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			if !strings.HasPrefix(line, "cams_spaces{") && !strings.HasPrefix(line, "cams_collector_spaces{") {
				continue
			}
			i := strings.LastIndexByte(line, ' ')
			v, err := strconv.ParseFloat(line[i+1:], 64)
			if i < 0 || err != nil {
				return fmt.Errorf("%q: not a sample", line)
			}
			series[line[:i]] = v
		}
		return sc.Err()
	})
	if err == nil && code != http.StatusOK {
		err = fmt.Errorf("/metrics: HTTP %d", code)
	}
	if err != nil {
		return nil, err
	}
	due := map[string]float64{"ListFlow": series[`cams_spaces{state="pending"}`]}
	if !on {
		return due, nil
	}
	for _, op := range budgetOps() {
		if op.collector != "" && op.collector != messaginghealth.Name {
			due[op.operation] = series[`cams_collector_spaces{collector="`+op.collector+`",state="pending"}`]
		}
	}
	log, err := requestLog(ctx, d.simURL)
	if err != nil {
		return nil, err
	}
	known, asked := 0, 0
	for _, r := range log.Requests {
		if !r.Time.After(started) {
			continue
		}
		switch r.Action {
		case client.OperationQueryBindWaba:
			if d.nodes[r.Space].waba {
				known++
			}
		case client.OperationQueryPhoneNumbers:
			known += d.nodes[r.Space].numbers
		case client.OperationGetHealthStatus:
			asked++
		}
	}
	due[client.OperationGetHealthStatus] = float64(known - asked)
	return due, nil
}

// addBudgetRows adds the budget part's figures: each source's budget use
// with every source on, ListFlow's with them off and on and the ratio of
// its paces, the exporter's peak RSS and CPU during the first pass.
func addBudgetRows(t *table, size scrapeSize, runs map[bool][]*budgetRun) {
	name := fmt.Sprintf("%s spaces × %d flows, 3 numbers and %d templates a space", thousands(size.spaces), size.flows, size.templates)
	windows := func(on bool) []budgetWindow {
		var ws []budgetWindow
		for _, r := range runs[on] {
			ws = append(ws, r.windows...)
		}
		return ws
	}
	// A window counts only when every operation measured had due work at
	// its end.
	allDue := func(on bool) bool {
		for _, w := range windows(on) {
			for _, left := range w.due {
				if left <= 0 {
					return false
				}
			}
		}
		return true
	}
	uses := func(on bool, op budgetOp) []float64 {
		var us []float64
		for _, w := range windows(on) {
			us = append(us, w.rates[op.operation]/op.rate)
		}
		return us
	}
	for _, op := range budgetOps() {
		us := uses(true, op)
		g := fmt.Sprintf(">= 0.95 of %g/s", op.rate)
		ok := median(us) >= 0.95 && allDue(true)
		if !allDue(true) {
			g += ", due work in every window"
		}
		t.add(fmt.Sprintf("6. budget use, %s, every source on (%s): calls/s / --%s", op.operation, name, op.rateFlag),
			fmt.Sprintf("%.3f = %.2f calls/s (%s)", median(us), median(us)*op.rate, joinFloats(us, "%.3f")), g, ptr(ok))
	}
	list := budgetOps()[0]
	off, on := uses(false, list), uses(true, list)
	t.add("6. budget use, ListFlow, every source off: calls/s / --cams.rate-limit", fmt.Sprintf("%.3f = %.2f calls/s (%s)", median(off), median(off)*list.rate, joinFloats(off, "%.3f")),
		">= 0.95", ptr(median(off) >= 0.95 && allDue(false)))
	ratio := median(on) / median(off)
	t.add("6. ListFlow's pace, every source on / off (medians of the windows)", fmt.Sprintf("%.3f (%.2f / %.2f calls/s)", ratio, median(on)*list.rate, median(off)*list.rate),
		"0.95-1.05", ptr(ratio >= 0.95 && ratio <= 1.05))
	for _, s := range []bool{false, true} {
		var hwm, cpu []float64
		var since time.Duration
		for _, r := range runs[s] {
			hwm, since = append(hwm, r.hwm), r.since
			for _, w := range r.windows {
				cpu = append(cpu, w.cpu)
			}
		}
		t.add(fmt.Sprintf("6. peak RSS in the first pass, %s in, every source %s", since.Round(time.Second), onOff(s)), mbRuns(hwm), "", nil)
		t.add(fmt.Sprintf("6. exporter CPU in the first pass, every source %s: CPU / wall, median of the windows", onOff(s)), fmt.Sprintf("%.1f %% of a core (%s)", 100*median(cpu), percents(cpu)), "", nil)
	}
}
