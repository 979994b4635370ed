package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/exposition"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// scrapeSize is a data set of the scrape part: spaces × average flows, and
// the phone numbers of each space with every source on (0: sources off),
// and the message templates of each space with a WABA with every source
// on (0: the templates source off).
type scrapeSize struct{ spaces, flows, numbers, templates int }

func (s scrapeSize) String() string {
	switch {
	case s.numbers > 0 && s.templates > 0:
		return fmt.Sprintf("%s × %d, every source on with %d numbers and %d templates a space", thousands(s.spaces), s.flows, s.numbers, s.templates)
	case s.numbers > 0:
		return fmt.Sprintf("%s × %d, every source on with %d numbers a space", thousands(s.spaces), s.flows, s.numbers)
	}
	return fmt.Sprintf("%s × %d", thousands(s.spaces), s.flows)
}

// Sides of the scrape part, served side by side from one process.
const (
	sideExporter = "exporter"
	sideStatic   = "static"
	sideGaugeVec = "GaugeVec"
)

// sideDescriptions say exactly what each side is.
var sideDescriptions = map[string]string{
	sideExporter: "the exporter's /metrics handler (package exposition: pre-rendered bytes, self-metrics gathered per scrape, promhttp instrumentation), as the binary wires it",
	sideStatic:   "promhttp.HandlerFor over a static GathererFunc returning the families gathered once from the same snapshot and self-metrics: encoding only, no collection",
	sideGaugeVec: "promhttp.HandlerFor over a registry of GaugeVecs and CounterVecs holding the same series, plus the self-metrics registry: collected at every scrape (a naive exporter)",
}

// runScrape measures /metrics latency at o.scrapeSize with every side, and
// at o.scrapeBig with the exporter and the static baseline.
func runScrape(ctx context.Context, o *options, t *table) error {
	if err := scrapeOne(ctx, o, t, o.scrapeSize, []string{sideExporter, sideStatic, sideGaugeVec}, o.scrapers, o.scrapeCount); err != nil {
		return err
	}
	if o.scrapeBig.spaces > 0 && ctx.Err() == nil {
		return scrapeOne(ctx, o, t, o.scrapeBig, []string{sideExporter, sideStatic}, []int{1}, o.scrapeBigCount)
	}
	return nil
}

// side is one server under test.
type side struct {
	name string
	url  string
	// per encoding: the body's size, and each repetition's p50 per
	// number of scrapers
	size map[bool]int
	p50  map[cell][]time.Duration
}

type cell struct {
	gzip     bool
	scrapers int
}

func scrapeOne(ctx context.Context, o *options, t *table, size scrapeSize, names []string, scraperCounts []int, count int) error {
	fmt.Printf("\n== 2. scrape cost at %s spaces × flows: %s, %d repetitions, %d scrapes a cell, scrapers %v\n",
		thousands(size.spaces), strings.Join(names, ", "), o.scrapeReps, count, scraperCounts)
	start := time.Now()
	snap := buildSnapshot(o.seed, size.spaces, size.flows)
	sources := size.numbers > 0
	if sources {
		snap = withSources(snap, o.seed, size.numbers, size.templates)
	}
	metricsOpts := func() collector.Options { return metricsOptions(sources, sources && size.templates > 0) }
	self := selfRegistry()

	handlers := map[string]http.Handler{}
	var exp *exposition.Handler
	for _, name := range names {
		switch name {
		case sideExporter:
			exp = exposition.NewHandler(exposition.Options{Snapshot: func() *snapshot.Snapshot { return snap }, Metrics: metricsOpts(), Gatherer: self, MaxRequests: 40})
			handlers[name] = promhttp.InstrumentMetricHandler(self, exp)
		case sideStatic:
			mfs, err := gatherReference(snap, metricsOpts(), self)
			if err != nil {
				return err
			}
			handlers[name] = promhttp.HandlerFor(prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) { return mfs, nil }), handlerOpts)
		case sideGaugeVec:
			vecs, err := gaugeVecCopy(snap, metricsOpts())
			if err != nil {
				return err
			}
			handlers[name] = promhttp.HandlerFor(prometheus.Gatherers{vecs, self}, handlerOpts)
		}
	}
	fmt.Printf("   data set built in %s\n", time.Since(start).Round(100*time.Millisecond))

	sides := make([]*side, len(names))
	for i, name := range names {
		url, closeFn, err := serve(handlers[name])
		if err != nil {
			return err
		}
		defer closeFn()
		sides[i] = &side{name: name, url: url, size: map[bool]int{}, p50: map[cell][]time.Duration{}}
	}
	maxScrapers := slices.Max(scraperCounts)
	hc := &http.Client{Transport: &http.Transport{
		MaxIdleConns: 2 * maxScrapers, MaxIdleConnsPerHost: maxScrapers, DisableCompression: true,
	}, Timeout: o.scrapeTimeout}
	defer hc.CloseIdleConnections()

	// The first scrapes of the exporter render every bucket: measured
	// apart, then every side is checked and warmed up.
	for _, gz := range []bool{false, true} {
		fresh := exposition.NewHandler(exposition.Options{Snapshot: func() *snapshot.Snapshot { return snap }, Metrics: metricsOpts(), Gatherer: self})
		d, err := timeFirstScrape(ctx, fresh, gz)
		if err != nil {
			return err
		}
		t.add(fmt.Sprintf("2. %s, exporter's first scrape (renders every bucket), %s", size, encName(gz)), ms(d), "", nil)
	}
	series, err := checkSides(ctx, hc, sides)
	if err != nil {
		return err
	}
	fmt.Printf("   %s sample lines; bodies plain / gzip: %s\n", thousands(series), sideSizes(sides))
	for _, s := range sides {
		for _, gz := range []bool{false, true} {
			for range o.scrapeWarmup {
				if _, err := scrapeBody(ctx, hc, s.url, gz, nil); err != nil {
					return fmt.Errorf("%s warm-up: %w", s.name, err)
				}
			}
		}
	}

	var profile *os.File
	if o.scrapeProfile != "" {
		if profile, err = os.Create(o.scrapeProfile); err != nil {
			return err
		}
		defer profile.Close()
	}
	for rep := range o.scrapeReps {
		for _, gz := range []bool{false, true} {
			for _, c := range scraperCounts {
				// Rotate which side goes first in each repetition.
				order := slices.Clone(sides)
				for range (rep + index(gz)) % len(order) {
					order = append(order[1:], order[0])
				}
				for _, s := range order {
					runtime.GC() // the garbage of the last side is not this one's
					if profile != nil && s.name == sideExporter {
						_ = pprof.StartCPUProfile(profile)
					}
					lat, err := round(ctx, hc, s, gz, c, count, o.scrapeTimeout)
					if profile != nil && s.name == sideExporter {
						pprof.StopCPUProfile()
						profile = nil
					}
					if err != nil {
						return fmt.Errorf("%s, %s, %d scrapers: %w", s.name, encName(gz), c, err)
					}
					p := percentile(sortedCopy(lat), 50)
					k := cell{gz, c}
					s.p50[k] = append(s.p50[k], p)
					fmt.Printf("   repetition %d, %-5s, %d %-8s: %-8s p50 %s\n", rep+1, encName(gz), c, plural(c, "scraper", "scrapers"), s.name, ms(p))
				}
			}
		}
	}
	addScrapeFigures(t, size, series, sides, scraperCounts)
	if err := changedSpacesFigure(ctx, t, size, snap, metricsOpts(), self); err != nil {
		return err
	}
	fmt.Printf("   took %s\n", time.Since(start).Round(time.Second))
	return nil
}

// handlerOpts are the promhttp options the exporter had before exposition.
var handlerOpts = promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError, EnableOpenMetrics: true}

// selfRegistry holds the exporter's own metrics, as the binary registers
// them: build info, API metrics, Go and process metrics.
func selfRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	api := collector.NewAPIMetrics()
	for range 100 {
		api.ObserveAttempt(client.Attempt{Operation: "ListFlow", Code: "OK", Duration: 80 * time.Millisecond})
	}
	reg.MustRegister(versioncollector.NewCollector("cams_exporter"), api,
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), collectors.NewGoCollector())
	return reg
}

// gatherReference gathers the snapshot's metrics through client_golang,
// with the self-metrics, once.
func gatherReference(snap *snapshot.Snapshot, opts collector.Options, self prometheus.Gatherer) ([]*dto.MetricFamily, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collector.New(func() *snapshot.Snapshot { return snap }, opts))
	return prometheus.Gatherers{reg, self}.Gather()
}

func encName(gz bool) string {
	if gz {
		return "gzip"
	}
	return "plain"
}

func index(b bool) int {
	if b {
		return 1
	}
	return 0
}

// addScrapeFigures adds, per encoding and number of scrapers, each side's
// median p50 and the exporter's ratios.
func addScrapeFigures(t *table, size scrapeSize, series int, sides []*side, scraperCounts []int) {
	var exp, static, vec *side
	for _, s := range sides {
		switch s.name {
		case sideExporter:
			exp = s
		case sideStatic:
			static = s
		case sideGaugeVec:
			vec = s
		}
	}
	for _, gz := range []bool{false, true} {
		for _, c := range scraperCounts {
			k := cell{gz, c}
			name := fmt.Sprintf("2. %s (%s samples), %s, %d %s", size, thousands(series), encName(gz), c, plural(c, "scraper", "scrapers"))
			var vals []string
			for _, s := range sides {
				vals = append(vals, s.name+" "+ms(median(s.p50[k])))
			}
			t.add(name+": p50", strings.Join(vals, ", "), "", nil)
			ratios := perRepRatios(exp.p50[k], static.p50[k])
			r := median(ratios)
			t.add(name+": exporter / static p50", fmt.Sprintf("%.3f (%s)", r, formatRatios(ratios)), "<= 0.1", ptr(r <= 0.1))
			if vec != nil {
				ratios := perRepRatios(exp.p50[k], vec.p50[k])
				t.add(name+": exporter / GaugeVec p50", fmt.Sprintf("%.3f (%s)", median(ratios), formatRatios(ratios)), "", nil)
			}
		}
	}
}

func perRepRatios(a, b []time.Duration) []float64 {
	var out []float64
	for i := range min(len(a), len(b)) {
		out = append(out, a[i].Seconds()/b[i].Seconds())
	}
	return out
}

func formatRatios(rs []float64) string {
	var s []string
	for _, r := range rs {
		s = append(s, fmt.Sprintf("%.3f", r))
	}
	return strings.Join(s, ", ")
}

// median returns the median of xs (the mean of the middle two if even).
func median[T time.Duration | float64](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// checkSides checks that every side serves the same lines, HELP and TYPE
// included, but for the self-metrics whose values change from one gathering
// to the next (go_*, process_*, promhttp_*), and that each side's gzip body
// is its plain body; the exporter writes the very lines expfmt writes, in
// another order. It records the body sizes and returns the number of sample
// lines.
func checkSides(ctx context.Context, hc *http.Client, sides []*side) (int, error) {
	var first []string
	var firstName string
	samples := 0
	for _, s := range sides {
		plain, err := scrapeBody(ctx, hc, s.url, false, nil)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", s.name, err)
		}
		zipped, err := scrapeBody(ctx, hc, s.url, true, nil)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", s.name, err)
		}
		s.size[false], s.size[true] = len(plain), len(zipped)
		unzipped, err := gunzip(zipped)
		if err != nil {
			return 0, fmt.Errorf("%s: gzip body: %w", s.name, err)
		}
		lines := stableLines(plain)
		if !slices.Equal(lines, stableLines(unzipped)) {
			return 0, fmt.Errorf("%s: the gzip body does not hold the plain body's lines", s.name)
		}
		if first == nil {
			first, firstName = lines, s.name
			for _, line := range bytes.Split(plain, []byte("\n")) {
				if len(line) > 0 && line[0] != '#' {
					samples++
				}
			}
		} else if !slices.Equal(first, lines) {
			return 0, fmt.Errorf("%s and %s do not serve the same lines; the comparison would be void", firstName, s.name)
		}
	}
	return samples, nil
}

// stableLines returns the lines of a text body, sorted, but for those of the
// self-metrics whose values change between two gatherings.
func stableLines(body []byte) []string {
	var out []string
	for _, line := range strings.Split(string(body), "\n") {
		name := strings.TrimPrefix(strings.TrimPrefix(line, "# HELP "), "# TYPE ")
		if strings.HasPrefix(name, "go_") || strings.HasPrefix(name, "process_") || strings.HasPrefix(name, "promhttp_") {
			continue
		}
		out = append(out, line)
	}
	slices.Sort(out)
	return out
}

func gunzip(b []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

func sideSizes(sides []*side) string {
	var s []string
	for _, sd := range sides {
		s = append(s, fmt.Sprintf("%s %s / %s", sd.name, mb(sd.size[false]), mb(sd.size[true])))
	}
	return strings.Join(s, ", ")
}

func mb(n int) string { return fmt.Sprintf("%.2f MB", float64(n)/1e6) }

// scrapeBody scrapes url once as Prometheus' text format, gzip or not, and
// copies the body as it came (compressed or not) into w, or returns it.
func scrapeBody(ctx context.Context, hc *http.Client, url string, gz bool, w io.Writer) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	req.Header.Set("Accept-Encoding", map[bool]string{false: "identity", true: "gzip"}[gz])
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	if w == nil {
		w = &buf
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	if gz != (resp.Header.Get("Content-Encoding") == "gzip") {
		return nil, fmt.Errorf("Content-Encoding %q", resp.Header.Get("Content-Encoding"))
	}
	return buf.Bytes(), nil
}

// round runs scrapers goroutines that share count scrapes of s, bounded by
// timeout, and returns every scrape's latency: from sending the request to
// reading the last byte of the body, as it came (a gzip body is not
// decompressed, as wrk does not).
func round(ctx context.Context, hc *http.Client, s *side, gz bool, scrapers, count int, timeout time.Duration) ([]time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var (
		mu    sync.Mutex
		lat   = make([]time.Duration, 0, count)
		left  = count
		first error
		wg    sync.WaitGroup
	)
	for range scrapers {
		wg.Go(func() {
			cw := &countingWriter{}
			for {
				mu.Lock()
				if left == 0 || first != nil {
					mu.Unlock()
					return
				}
				left--
				mu.Unlock()
				cw.n = 0
				t0 := time.Now()
				_, err := scrapeBody(ctx, hc, s.url, gz, cw)
				d := time.Since(t0)
				// The self-metrics vary in length by a few bytes.
				if err == nil && (cw.n < s.size[gz]*9/10 || cw.n > s.size[gz]*11/10) {
					err = fmt.Errorf("body of %d bytes, want about %d", cw.n, s.size[gz])
				}
				mu.Lock()
				if err != nil && first == nil {
					first = err
					cancel()
				}
				lat = append(lat, d)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if first == nil && ctx.Err() != nil {
		first = fmt.Errorf("did not finish within %s", timeout)
	}
	return lat, first
}

type countingWriter struct{ n int }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

// timeFirstScrape times h's first scrape, in process.
func timeFirstScrape(ctx context.Context, h http.Handler, gz bool) (time.Duration, error) {
	url, closeFn, err := serve(h)
	if err != nil {
		return 0, err
	}
	defer closeFn()
	hc := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	defer hc.CloseIdleConnections()
	t0 := time.Now()
	_, err = scrapeBody(ctx, hc, url, gz, io.Discard)
	return time.Since(t0), err
}

// changedSpacesFigure times the exporter's scrape of a new snapshot in which
// 40 spaces changed (ten seconds of refreshing at 4 calls/s): the buckets of
// those spaces are rendered again, the others are not. Median of 5.
func changedSpacesFigure(ctx context.Context, t *table, size scrapeSize, base *snapshot.Snapshot, opts collector.Options, self prometheus.Gatherer) error {
	const changed = 40
	var cur *snapshot.Snapshot = base
	var mu sync.Mutex
	h := exposition.NewHandler(exposition.Options{Snapshot: func() *snapshot.Snapshot { mu.Lock(); defer mu.Unlock(); return cur }, Metrics: opts, Gatherer: self})
	url, closeFn, err := serve(h)
	if err != nil {
		return err
	}
	defer closeFn()
	hc := &http.Client{Transport: &http.Transport{DisableCompression: true}}
	defer hc.CloseIdleConnections()
	ids := base.SpaceIDs()
	for _, gz := range []bool{false, true} {
		if _, err := scrapeBody(ctx, hc, url, gz, io.Discard); err != nil {
			return err
		}
		var lat []time.Duration
		for i := range 5 {
			states := make(map[string]*snapshot.SpaceState, changed)
			for j := range changed {
				id := ids[(i*changed*7+j*131)%len(ids)]
				st := *base.Space(id)
				st.Added++
				states[id] = &st
			}
			next := base.WithChanged(states)
			mu.Lock()
			cur = next
			mu.Unlock()
			t0 := time.Now()
			if _, err := scrapeBody(ctx, hc, url, gz, io.Discard); err != nil {
				return err
			}
			lat = append(lat, time.Since(t0))
		}
		t.add(fmt.Sprintf("2. %s, exporter's scrape after %d spaces changed, %s", size, changed, encName(gz)), ms(median(lat)), "", nil)
	}
	return nil
}

// serve serves h on a loopback port.
func serve(h http.Handler) (url string, closeFn func(), err error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String() + "/metrics", func() { _ = srv.Close() }, nil
}

// thousands writes n with thousands separators.
func thousands(n int) string {
	s := fmt.Sprint(n)
	var b strings.Builder
	for i, r := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String()
}
