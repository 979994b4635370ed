package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cams-exporter/cams_exporter/cache"
	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/simulator"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/templates"
)

// runSteady measures the exporter at o.steadySize as deployed: refreshing at
// o.steadyRate calls/s, scraped as Prometheus 3 scrapes every
// o.steadyScrapeEvery, probed on /healthz and /readyz every
// steadyProbeEvery as the Helm chart does, with a cache file written once a
// minute. The runs:
//
//   - the first pass: nothing cached, every space pending and listed in
//     turn; one window of o.steadyWindow;
//   - the steady state: every space restored from a cache file and due
//     (listed two refresh intervals ago), so that each listing replaces a
//     space's data; o.steadyReps consecutive windows of o.steadyWindow,
//     reported as their mean (the CPU over the wall time of them all): the
//     Go runtime collects the heap at least every two minutes, a cost of
//     the live heap's size that falls in every other window of a minute,
//     and that a median of windows would leave out;
//   - with o.steadySources, the steady state again with every source on
//     (steadySourcesRun): each source's parts restored too, every call of
//     every source due, so that each calls at its rate throughout.
//
// After o.steadyWarmup, each window reports the CPU seconds the exporter
// used per wall second, its calls, its scrapes' latency and its peak RSS;
// the steady run then times /readyz and /status. The goal, under 5 % of a
// core at 200,000 spaces, is item 2 of issue 11 (incremental publishing),
// and with every source on, of issue 18.
func runSteady(ctx context.Context, o *options, t *table) error {
	size := o.steadySize
	fmt.Printf("\n== 4. steady state at %s spaces × %d flows: refreshing at %g calls/s, scraped every %s, /healthz and /readyz every %s, cache file; windows of %s after %s\n",
		thousands(size.spaces), size.flows, o.steadyRate, o.steadyScrapeEvery, steadyProbeEvery, o.steadyWindow, o.steadyWarmup)
	dir, bin, cleanup, err := workDir(ctx, o, "cams-bench-steady-")
	if err != nil {
		return err
	}
	defer cleanup()
	templatesPerSpace := 0 // the simulator's, for the run with every source on
	if o.steadySources {
		templatesPerSpace = o.steadyTemplates
	}
	d, err := startDataLimited(ctx, o, bin, dir, size.spaces, size.flows, templatesPerSpace, []string{"--simulator.rate-limit=" + strconv.FormatFloat(o.procSimRate, 'g', -1, 64)})
	if err != nil {
		return err
	}
	defer d.sim.stop()
	name := fmt.Sprintf("%s spaces × %d flows, %g calls/s, a scrape every %s", thousands(len(d.ids)), size.flows, o.steadyRate, o.steadyScrapeEvery)

	first, err := steadyRun(ctx, o, bin, dir, d, filepath.Join(dir, "cache-first.json"), false, 1, nil, nil)
	if err != nil {
		return fmt.Errorf("first pass: %w", err)
	}
	w := first.windows[0]
	fmt.Printf("   first pass (%s pending at start): CPU %.1f %% of one core over %.0f s, %.2f calls/s, %d scrapes (p50 %s), peak RSS %s; machine %s\n",
		thousands(len(d.ids)), 100*w.share, w.wall.Seconds(), w.calls, len(w.scrapes), ms(percentile(sortedCopy(w.scrapes), 50)), mbAndMiB(first.hwm), w.load)
	t.add("4. first pass, "+name+": CPU / wall", fmt.Sprintf("%.1f %% of one core over %.0f s", 100*w.share, w.wall.Seconds()), "", nil)
	t.add("4. first pass, "+name+": peak RSS", mbAndMiB(first.hwm), "", nil)

	// Every space listed two refresh intervals ago: all are due.
	snap := buildSnapshot(o.seed, size.spaces, size.flows)
	old := time.Now().Add(-20 * time.Minute)
	for _, st := range snap.All() {
		st.LastSuccess, st.LastAttempt = old, old
	}
	endpoint, err := client.ResolveEndpoint("", d.simURL, false)
	if err != nil {
		return err
	}
	cacheFile := filepath.Join(dir, "cache.json")
	if err := cache.Save(cacheFile, cache.Meta{Endpoint: endpoint.String()}, snap, time.Now()); err != nil {
		return err
	}
	snap = nil
	steady, err := steadyRun(ctx, o, bin, dir, d, cacheFile, true, o.steadyReps, nil, nil)
	if err != nil {
		return fmt.Errorf("steady state: %w", err)
	}
	share := reportSteady(o, t, name, "", steady)
	if !o.steadySources {
		return nil
	}
	on, err := steadySourcesRun(ctx, o, bin, dir, d, endpoint)
	if err != nil {
		return fmt.Errorf("steady state, every source on: %w", err)
	}
	every := ", every source on"
	if o.steadyTemplates > 0 {
		every += fmt.Sprintf(" (templates: %d a space with a WABA)", o.steadyTemplates)
	}
	onShare := reportSteady(o, t, name, every, on)
	t.add("4. steady state, "+name+": CPU, every source on / off (means)", fmt.Sprintf("%.2f (%.1f %% / %.1f %%)", onShare/share, 100*onShare, 100*share), "", nil)
	return nil
}

// steadySourcesRun runs the steady state with every source on: every
// space restored from a cache file with every source's parts, its flows
// listed two refresh intervals ago and each source's calls made 13 hours
// ago, past every source's default interval, so that each source calls at
// its rate, as it does at 200,000 spaces, where a pass of each takes
// longer than its interval. With o.steadyTemplates, the templates too:
// their parts listed as long ago, the source on.
func steadySourcesRun(ctx context.Context, o *options, bin, dir string, d *procData, endpoint fmt.Stringer) (*steadyResult, error) {
	size := o.steadySize
	snap := buildSnapshot(o.seed, size.spaces, size.flows)
	old := time.Now().Add(-20 * time.Minute)
	for _, st := range snap.All() {
		st.LastSuccess, st.LastAttempt = old, old
	}
	start := time.Now()
	data, called := simulator.Generate(o.seed, size.spaces, size.flows), time.Now().Add(-13*time.Hour)
	snap = withAccountParts(snap, data, called)
	flags := sourceFlags
	if o.steadyTemplates > 0 {
		// The simulator's templates (startDataLimited), listed as long ago.
		simulator.AddTemplates(o.seed, data, o.steadyTemplates)
		st := snapshot.NewSourceState(templates.Name, client.OperationListTemplates).WithParts(templateParts(newDatasetAPI(data), snap.SpaceIDs(), called))
		snap = snap.WithSources(append(snap.Sources(), st))
		flags = append(slices.Clone(flags), "--collector."+templates.Name)
	}
	data = nil
	want := restoredParts(snap)
	cacheFile := filepath.Join(dir, "cache-sources.json")
	if err := cache.Save(cacheFile, cache.Meta{Endpoint: endpoint.String()}, snap, time.Now()); err != nil {
		return nil, err
	}
	snap = nil
	info, err := os.Stat(cacheFile)
	if err != nil {
		return nil, err
	}
	fmt.Printf("   every source on: a cache file of %s with the parts %v, written in %s\n", mbAndMiB(float64(info.Size())), want, time.Since(start).Round(time.Second))
	return steadyRun(ctx, o, bin, dir, d, cacheFile, true, o.steadyReps, flags, want)
}

// reportSteady prints a steady state's windows and adds its figures; it
// returns the mean CPU share.
func reportSteady(o *options, t *table, name, sources string, steady *steadyResult) float64 {
	var shares []float64
	var scrapes []time.Duration
	var cpu, wall float64
	for i, w := range steady.windows {
		shares = append(shares, w.share)
		cpu += w.share * w.wall.Seconds()
		wall += w.wall.Seconds()
		scrapes = append(scrapes, w.scrapes...)
		fmt.Printf("   steady state%s, window %d: CPU %.1f %% of one core over %.0f s, %.2f calls/s (%s), %d scrapes (p50 %s); machine %s\n",
			sources, i+1, 100*w.share, w.wall.Seconds(), w.calls, w.byOperation(), len(w.scrapes), ms(percentile(sortedCopy(w.scrapes), 50)), w.load)
	}
	share := cpu / wall
	fmt.Printf("   steady state%s: CPU mean %.1f %% of one core (%s; median %.1f %%), peak RSS %s (the restore of the cache included), RSS at the end %s\n",
		sources, 100*share, percents(shares), 100*median(shares), mbAndMiB(steady.hwm), mbAndMiB(steady.rss))
	fmt.Printf("   /readyz p50 %s over %d calls; /status %s for %s\n", ms(steady.readyz), steadyProbes, ms(steady.status), mbAndMiB(float64(steady.statusBytes)))
	goal := "issue 11 item 2"
	if sources != "" {
		goal = "issue 18; with templates, issue 19 too"
	}
	name += sources
	t.add("4. steady state, "+name+": CPU / wall ("+goal+"), mean of "+strconv.Itoa(len(shares)),
		fmt.Sprintf("%.1f %% of one core (%s), windows of %.0f s", 100*share, percents(shares), o.steadyWindow.Seconds()), "< 5 %", ptr(share < 0.05))
	t.add("4. steady state, "+name+": calls/s by operation, last window", steady.windows[len(steady.windows)-1].byOperation(), "", nil)
	t.add("4. steady state, "+name+": scrape p50 (first scrape of a new snapshot each time)", ms(percentile(sortedCopy(scrapes), 50)), "", nil)
	t.add("4. steady state, "+name+": peak RSS (restore included) / RSS at the end", mbAndMiB(steady.hwm)+" / "+mbAndMiB(steady.rss), "", nil)
	t.add("4. steady state, "+name+": /readyz p50, /status", fmt.Sprintf("%s; %s for %s", ms(steady.readyz), ms(steady.status), mbAndMiB(float64(steady.statusBytes))), "", nil)
	return share
}

// steadyProbeEvery is the Helm chart's period of /healthz and /readyz; and
// steadyProbes the /readyz calls timed after the windows.
const (
	steadyProbeEvery = 30 * time.Second
	steadyProbes     = 9
)

// steadyWindow is what one measuring window saw.
type steadyWindow struct {
	share   float64 // CPU seconds per wall second
	wall    time.Duration
	calls   float64 // accepted by the simulator per second
	ops     map[string]float64
	scrapes []time.Duration
	load    string // the machine's load over the window
}

// steadyResult is what one exporter run measured.
type steadyResult struct {
	windows        []steadyWindow
	hwm, rss       float64
	readyz, status time.Duration
	statusBytes    int64
}

// steadyRun starts the exporter on d's spaces with the cache file given (a
// file to restore when restored), waits until it serves (every cached
// space, when restored), and measures reps windows after the warm-up.
//
// extra are flags for the exporter; with want, the parts of each source
// restored from the cache file, it waits until the exporter shows them.
func steadyRun(ctx context.Context, o *options, bin, dir string, d *procData, cacheFile string, restored bool, reps int, extra []string, want map[string]int) (*steadyResult, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	exp, err := startChild(bin, append([]string{
		"--cams.endpoint=" + d.simURL, "--cams.spaces-file=" + d.spacesFile, "--cams.page-size=100",
		"--cams.rate-limit=" + strconv.FormatFloat(o.steadyRate, 'g', -1, 64), "--refresh.interval=10m",
		"--cache.file=" + cacheFile, "--web.listen-address=127.0.0.1:" + strconv.Itoa(port),
	}, extra...), exporterEnv(), filepath.Join(dir, fmt.Sprintf("exporter-steady-%v-%d.log", restored, len(extra))), nil)
	if err != nil {
		return nil, err
	}
	defer exp.stop()
	hc := &http.Client{Timeout: time.Minute}
	defer hc.CloseIdleConnections()
	started := time.Now()
	for {
		var mv metricValues
		code, err := get(ctx, hc, base+"/metrics", acceptPrometheus3, mv.scan)
		if err == nil && code == http.StatusOK && (!restored || mv.spaces == len(d.ids)) {
			if want == nil {
				break
			}
			// The parts come with the cache: all of them, or none.
			if err := checkRestoredParts(mv, want); err != nil {
				return nil, err
			}
			break
		}
		if exp.exited() || ctx.Err() != nil || time.Since(started) > o.steadyStartTimeout {
			return nil, fmt.Errorf("the exporter did not serve within -steady.start-timeout %s (see %s)", o.steadyStartTimeout, exp.log.Name())
		}
		sleep(ctx, 500*time.Millisecond)
	}
	if restored {
		fmt.Printf("   serving the %s cached spaces %.1f s after start\n", thousands(len(d.ids)), time.Since(started).Seconds())
	}

	s := &steadyScraper{ctx: ctx, base: base, every: o.steadyScrapeEvery, nextScrape: time.Now(), nextProbe: time.Now(),
		raw: &http.Client{Timeout: time.Minute, Transport: &http.Transport{DisableCompression: true}}}
	defer s.raw.CloseIdleConnections()
	if err := s.run(o.steadyWarmup, nil); err != nil {
		return nil, err
	}
	res := &steadyResult{}
	for range reps {
		w, err := s.window(exp.pid(), d.simURL, o.steadyWindow)
		if err != nil {
			return nil, err
		}
		res.windows = append(res.windows, w)
	}
	if res.hwm, err = vmHWM(exp.pid()); err != nil {
		return nil, err
	}
	if res.rss, err = procStatusKB(exp.pid(), "VmRSS:"); err != nil {
		return nil, err
	}
	if restored {
		var lat []time.Duration
		for range steadyProbes {
			t0 := time.Now()
			if code, err := get(ctx, hc, base+"/readyz", acceptText, nil); err != nil || code != http.StatusOK {
				return nil, fmt.Errorf("/readyz: HTTP %d, %v", code, err)
			}
			lat = append(lat, time.Since(t0))
		}
		res.readyz = percentile(sortedCopy(lat), 50)
		t0 := time.Now()
		if _, err := get(ctx, hc, base+"/status", "application/json", func(r io.Reader) error {
			res.statusBytes, err = io.Copy(io.Discard, r)
			return err
		}); err != nil {
			return nil, fmt.Errorf("/status: %v", err)
		}
		res.status = time.Since(t0)
	}
	return res, nil
}

// steadyScraper scrapes and probes the exporter on schedule.
type steadyScraper struct {
	ctx                   context.Context
	base                  string
	every                 time.Duration
	raw                   *http.Client // asks for gzip itself and reads the compressed body
	nextScrape, nextProbe time.Time
}

// run scrapes every s.every and probes every steadyProbeEvery for d,
// appending the scrapes' latencies to lat if not nil.
func (s *steadyScraper) run(d time.Duration, lat *[]time.Duration) error {
	end := time.Now().Add(d)
	for time.Now().Before(end) && s.ctx.Err() == nil {
		if !time.Now().Before(s.nextScrape) {
			l, err := s.scrape()
			if err != nil {
				return err
			}
			if lat != nil {
				*lat = append(*lat, l)
			}
			s.nextScrape = s.nextScrape.Add(s.every)
		}
		if !time.Now().Before(s.nextProbe) {
			for _, path := range []string{"/healthz", "/readyz"} {
				if _, err := s.get(path, "", nil); err != nil {
					return err
				}
			}
			s.nextProbe = s.nextProbe.Add(steadyProbeEvery)
		}
		next := s.nextScrape
		if s.nextProbe.Before(next) {
			next = s.nextProbe
		}
		sleep(s.ctx, min(time.Until(next), time.Until(end)))
	}
	return s.ctx.Err()
}

// scrape scrapes as Prometheus 3 does; its latency runs to the last byte
// of the compressed body, not decompressed (as in part 2).
func (s *steadyScraper) scrape() (time.Duration, error) {
	t0 := time.Now()
	code, err := s.get("/metrics", acceptPrometheus3, map[string]string{"Accept-Encoding": "gzip"})
	if err == nil && code != http.StatusOK {
		err = fmt.Errorf("/metrics: HTTP %d", code)
	}
	return time.Since(t0), err
}

func (s *steadyScraper) get(path, accept string, headers map[string]string) (int, error) {
	req, err := http.NewRequestWithContext(s.ctx, http.MethodGet, s.base+path, nil)
	if err != nil {
		return 0, err
	}
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := s.raw.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, err = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, err
}

// window measures the exporter pid over d while scraping and probing it.
func (s *steadyScraper) window(pid int, simURL string, d time.Duration) (steadyWindow, error) {
	var w steadyWindow
	before, err := simStats(s.ctx, simURL)
	if err != nil {
		return w, err
	}
	cpu0, err := cpuTicks(pid)
	if err != nil {
		return w, err
	}
	busy0, total0, err := procStat()
	if err != nil {
		return w, err
	}
	t0 := time.Now()
	if err := s.run(d, &w.scrapes); err != nil {
		return w, err
	}
	cpu1, err := cpuTicks(pid)
	if err != nil {
		return w, err
	}
	busy1, total1, err := procStat()
	if err != nil {
		return w, err
	}
	w.wall = time.Since(t0)
	after, err := simStats(s.ctx, simURL)
	if err != nil {
		return w, err
	}
	w.share = float64(cpu1-cpu0) / clockTicks() / w.wall.Seconds()
	w.calls = float64(after.Accepted-before.Accepted) / w.wall.Seconds()
	w.ops = map[string]float64{}
	for op, n := range after.Operations {
		if n -= before.Operations[op]; n > 0 {
			w.ops[op] = float64(n) / w.wall.Seconds()
		}
	}
	w.load = fmt.Sprintf("%.0f %% busy (every process, this one included), load average %s", 100*float64(busy1-busy0)/float64(max(total1-total0, 1)), loadAverage())
	return w, nil
}

// byOperation lists the window's calls per second by operation.
func (w steadyWindow) byOperation() string {
	var s []string
	for _, op := range slices.Sorted(maps.Keys(w.ops)) {
		s = append(s, fmt.Sprintf("%s %.2f", op, w.ops[op]))
	}
	return strings.Join(s, ", ")
}

// loadAverage is the first figure of /proc/loadavg.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "unknown"
	}
	return f[0]
}

// percents lists shares as percentages.
func percents(shares []float64) string {
	s := make([]string, len(shares))
	for i, v := range shares {
		s[i] = fmt.Sprintf("%.1f %%", 100*v)
	}
	return strings.Join(s, ", ")
}
