package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"runtime/pprof"
	"slices"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/refresh"
	"github.com/cams-exporter/cams_exporter/simulator"
)

// runScrape serves one snapshot of o.scrapeSpaces spaces twice: through the
// exporter's collector, and, as the baseline, from a static registry of
// GaugeVecs and CounterVecs holding the very same series, each behind
// promhttp.HandlerFor with the exporter's handler options. Concurrent
// scrapers read whole bodies; the two sides alternate in every round.
func runScrape(ctx context.Context, o *options, t *table) error {
	fmt.Printf("\n== 2. scrape cost (%d spaces, %d concurrent scrapers, %d scrapes each per round and side, %d rounds, %s)\n",
		o.scrapeSpaces, o.scrapers, o.scrapeCount, o.scrapeRounds, map[bool]string{false: "identity encoding", true: "gzip"}[o.scrapeGzip])
	snap := buildSnapshot(o.seed, o.scrapeSpaces, o.scrapeFlows)
	opts := promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError, EnableOpenMetrics: true}

	exporterReg := prometheus.NewRegistry()
	exporterReg.MustRegister(collector.New(func() *refresh.Snapshot { return snap },
		collector.Options{RefreshInterval: 5 * time.Minute, LimiterRate: func() float64 { return 4 }}))
	baselineReg, series, err := staticCopy(exporterReg)
	if err != nil {
		return err
	}

	sides := []*side{{name: "exporter"}, {name: "baseline"}}
	for i, reg := range []*prometheus.Registry{exporterReg, baselineReg} {
		url, closeFn, err := serve(promhttp.HandlerFor(reg, opts))
		if err != nil {
			return err
		}
		defer closeFn()
		sides[i].url = url
	}
	hc := &http.Client{Transport: &http.Transport{
		MaxIdleConns: 2 * o.scrapers, MaxIdleConnsPerHost: o.scrapers, DisableCompression: true,
	}, Timeout: o.scrapeTimeout}
	defer hc.CloseIdleConnections()
	sc := scraper{client: hc, gzip: o.scrapeGzip}

	// The two sides must serve the same bytes, or the comparison is void.
	var bodies [2][]byte
	for i, s := range sides {
		if bodies[i], err = sc.get(ctx, s.url); err != nil {
			return fmt.Errorf("%s: %w", s.name, err)
		}
		s.size = len(bodies[i])
	}
	if !o.scrapeGzip && !bytes.Equal(bodies[0], bodies[1]) {
		return errors.New("the exporter and the baseline do not serve the same text; the comparison would be void")
	}
	fmt.Printf("   %d series, %d bytes a scrape; the two sides serve identical text\n", series, sides[0].size)
	for _, s := range sides {
		for range o.scrapeWarmup {
			if _, err := sc.get(ctx, s.url); err != nil {
				return fmt.Errorf("%s warm-up: %w", s.name, err)
			}
		}
	}

	for round := range o.scrapeRounds {
		order := []*side{sides[0], sides[1]}
		if round%2 == 1 {
			order[0], order[1] = order[1], order[0]
		}
		for _, s := range order {
			lat, wall, err := sc.round(ctx, s, o.scrapers, o.scrapeCount, o.scrapeTimeout)
			if err != nil {
				return fmt.Errorf("%s, round %d: %w", s.name, round+1, err)
			}
			s.lat = append(s.lat, lat...)
			s.wall += wall
			sorted := sortedCopy(lat)
			fmt.Printf("   round %d %-8s: %4d scrapes in %5.2f s: p50 %s, p99 %s, %.1f scrapes/s\n", round+1, s.name,
				len(lat), wall.Seconds(), ms(percentile(sorted, 50)), ms(percentile(sorted, 99)), float64(len(lat))/wall.Seconds())
		}
	}
	if o.scrapeProfile != "" {
		if err := profileRound(ctx, o, sc, sides[0]); err != nil {
			return err
		}
	}

	exp, base := sides[0].summary(), sides[1].summary()
	r50, r99 := exp.p50.Seconds()/base.p50.Seconds(), exp.p99.Seconds()/base.p99.Seconds()
	name := fmt.Sprintf("2. scrape, %d spaces (%d series), %d scrapers", o.scrapeSpaces, series, o.scrapers)
	t.add(name+": exporter p50 / p99", ms(exp.p50)+" / "+ms(exp.p99), "", nil)
	t.add(name+": baseline p50 / p99", ms(base.p50)+" / "+ms(base.p99), "", nil)
	t.add(name+": exporter / baseline p50", fmt.Sprintf("%.2f", r50), "<= 1.2", ptr(r50 <= 1.2))
	t.add(name+": exporter / baseline p99", fmt.Sprintf("%.2f", r99), "<= 1.2", ptr(r99 <= 1.2))
	t.add(name+": throughput exporter / baseline", fmt.Sprintf("%.1f / %.1f scrapes/s", exp.rate, base.rate), "", nil)
	return nil
}

// side is one of the two servers under test and what its scrapes measured.
type side struct {
	name string
	url  string
	size int
	lat  []time.Duration
	wall time.Duration
}

type sideSummary struct {
	p50, p99 time.Duration
	rate     float64
}

func (s *side) summary() sideSummary {
	sorted := sortedCopy(s.lat)
	return sideSummary{p50: percentile(sorted, 50), p99: percentile(sorted, 99), rate: float64(len(s.lat)) / s.wall.Seconds()}
}

type scraper struct {
	client *http.Client
	gzip   bool
}

// get scrapes url once and returns the whole body.
func (sc scraper) get(ctx context.Context, url string) ([]byte, error) {
	var buf bytes.Buffer
	if err := sc.do(ctx, url, &buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// do scrapes url once into w, as Prometheus' text format.
func (sc scraper) do(ctx context.Context, url string, w io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	if sc.gzip {
		req.Header.Set("Accept-Encoding", "gzip")
	} else {
		req.Header.Set("Accept-Encoding", "identity")
	}
	resp, err := sc.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(w, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return nil
}

// round runs scrapers goroutines of count scrapes each against s, bounded by
// timeout, and returns every scrape's latency (request sent to body read)
// and the round's wall time.
func (sc scraper) round(ctx context.Context, s *side, scrapers, count int, timeout time.Duration) ([]time.Duration, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var (
		mu    sync.Mutex
		lat   = make([]time.Duration, 0, scrapers*count)
		first error
		wg    sync.WaitGroup
	)
	start := time.Now()
	for range scrapers {
		wg.Go(func() {
			cw := &countingWriter{}
			for range count {
				if ctx.Err() != nil {
					return
				}
				cw.n = 0
				t0 := time.Now()
				err := sc.do(ctx, s.url, cw)
				d := time.Since(t0)
				if err == nil && cw.n != s.size {
					err = fmt.Errorf("body of %d bytes, want %d", cw.n, s.size)
				}
				mu.Lock()
				if err != nil {
					if first == nil {
						first = err
					}
					mu.Unlock()
					cancel()
					return
				}
				lat = append(lat, d)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	wall := time.Since(start)
	if first == nil && ctx.Err() != nil {
		first = fmt.Errorf("did not finish within %s", timeout)
	}
	return lat, wall, first
}

type countingWriter struct{ n int }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += len(p); return len(p), nil }

// profileRound runs one more round of the exporter side under the CPU
// profiler.
func profileRound(ctx context.Context, o *options, sc scraper, s *side) error {
	f, err := os.Create(o.scrapeProfile)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	_, _, err = sc.round(ctx, s, o.scrapers, o.scrapeCount, o.scrapeTimeout)
	pprof.StopCPUProfile()
	fmt.Printf("   CPU profile of one more exporter round written to %s\n", o.scrapeProfile)
	return err
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

// buildSnapshot is a completed snapshot of the spaces of
// simulator.Generate(seed, spaces, flows), as a refresher would publish it:
// counts, categories (the eight documented ones and SHOPPING), sorted flow
// ids, last success times, change counters, and 1 % of spaces failing their
// last refresh with their earlier data kept.
func buildSnapshot(seed int64, spaces, flows int) *refresh.Snapshot {
	data := simulator.Generate(seed, spaces, flows)
	r := rand.New(rand.NewPCG(uint64(seed), 2))
	now := time.Now()
	snap := &refresh.Snapshot{
		Spaces:    make(map[string]*refresh.SpaceState, len(data.Spaces)),
		Completed: true, LastRefreshDuration: 42 * time.Second, LastRefreshEnd: now,
		Refreshes: 12, RefreshFailures: 3,
	}
	for _, sp := range data.Spaces {
		if sp.ID == "" {
			continue
		}
		st := &refresh.SpaceState{
			ID: sp.ID, Count: len(sp.Flows), ByCategory: map[string]int{}, HasData: true, Up: true,
			LastSuccess: now.Add(-time.Duration(r.Int64N(int64(5 * time.Minute)))),
			Added:       uint64(r.IntN(5)), Removed: uint64(r.IntN(3)),
		}
		st.LastAttempt = st.LastSuccess
		for _, f := range sp.Flows {
			st.FlowIDs = append(st.FlowIDs, f.FlowId)
			seen := map[string]bool{}
			for _, c := range f.Categories {
				if !seen[c] {
					seen[c] = true
					st.ByCategory[c]++
				}
			}
		}
		slices.Sort(st.FlowIDs)
		if r.IntN(100) == 0 {
			st.Up = false
			st.LastAttempt = now
			st.LastError = &refresh.ErrorInfo{Code: "System.LimitControl", Message: "Request was denied due to flow control.", Class: "throttled"}
		}
		snap.Spaces[sp.ID] = st
	}
	return snap
}

// staticCopy gathers reg once and returns a registry of plain GaugeVecs and
// CounterVecs holding the same families, help texts, labels and values, and
// the number of series.
func staticCopy(reg *prometheus.Registry) (*prometheus.Registry, int, error) {
	mfs, err := reg.Gather()
	if err != nil {
		return nil, 0, err
	}
	out := prometheus.NewRegistry()
	series := 0
	for _, mf := range mfs {
		if len(mf.GetMetric()) == 0 {
			continue
		}
		var names []string
		for _, l := range mf.GetMetric()[0].GetLabel() {
			names = append(names, l.GetName())
		}
		values := func(i int) []string {
			var vs []string
			for _, l := range mf.GetMetric()[i].GetLabel() {
				vs = append(vs, l.GetValue())
			}
			return vs
		}
		switch mf.GetType().String() {
		case "GAUGE":
			v := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: mf.GetName(), Help: mf.GetHelp()}, names)
			for i, m := range mf.GetMetric() {
				v.WithLabelValues(values(i)...).Set(m.GetGauge().GetValue())
			}
			out.MustRegister(v)
		case "COUNTER":
			v := prometheus.NewCounterVec(prometheus.CounterOpts{Name: mf.GetName(), Help: mf.GetHelp()}, names)
			for i, m := range mf.GetMetric() {
				v.WithLabelValues(values(i)...).Add(m.GetCounter().GetValue())
			}
			out.MustRegister(v)
		default:
			return nil, 0, fmt.Errorf("%s: type %s has no static copy", mf.GetName(), mf.GetType())
		}
		series += len(mf.GetMetric())
	}
	return out, series, nil
}
