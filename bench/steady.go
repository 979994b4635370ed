package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/cams-exporter/cams_exporter/cache"
	"github.com/cams-exporter/cams_exporter/client"
)

// runSteady measures the exporter in its steady state at o.steadySize:
// restored from a cache file, so that no first pass is needed, it refreshes
// every space in turn at o.steadyRate calls/s (every space is due) and is
// scraped as Prometheus 3 scrapes every o.steadyScrapeEvery; over
// o.steadyWindow after o.steadyWarmup it reports the CPU seconds it used per
// wall second, the calls it made, the scrapes' latency and its peak RSS.
// The goal, under 5 % of a core at 200,000 spaces, is item 2 of issue 11
// (incremental publishing).
func runSteady(ctx context.Context, o *options, t *table) error {
	size := o.steadySize
	fmt.Printf("\n== 4. steady state at %s spaces × %d flows: refreshing at %g calls/s, scraped every %s, measured over %s after %s\n",
		thousands(size.spaces), size.flows, o.steadyRate, o.steadyScrapeEvery, o.steadyWindow, o.steadyWarmup)
	dir, err := os.MkdirTemp("", "cams-bench-steady-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	bin := o.binary
	if bin == "" {
		bin = filepath.Join(dir, "cams_exporter")
		if err := buildBinary(ctx, bin); err != nil {
			return err
		}
	}
	d, err := startData(ctx, o, bin, dir, size.spaces, size.flows)
	if err != nil {
		return err
	}
	defer d.sim.stop()

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

	port, err := freePort()
	if err != nil {
		return err
	}
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	exp, err := startChild(bin, []string{
		"--cams.endpoint=" + d.simURL, "--cams.spaces-file=" + d.spacesFile, "--cams.page-size=100",
		"--cams.rate-limit=" + strconv.FormatFloat(o.steadyRate, 'g', -1, 64), "--refresh.interval=10m",
		"--cache.file=" + cacheFile, "--web.listen-address=127.0.0.1:" + strconv.Itoa(port),
	}, childEnv("ALIBABA_CLOUD_ACCESS_KEY_ID="+accessKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET="+accessKeySecret,
		"ALIBABA_CLOUD_ECS_METADATA_DISABLED=true"), filepath.Join(dir, "exporter-steady.log"), nil)
	if err != nil {
		return err
	}
	defer exp.stop()
	hc := &http.Client{Timeout: time.Minute}
	defer hc.CloseIdleConnections()
	restored := time.Now()
	for {
		var mv metricValues
		if code, err := get(ctx, hc, base+"/metrics", acceptPrometheus3, mv.scan); err == nil && code == http.StatusOK && mv.spaces == len(d.ids) {
			break
		}
		if exp.exited() || ctx.Err() != nil || time.Since(restored) > o.procTimeout {
			return fmt.Errorf("the exporter did not serve the %d cached spaces (see %s)", len(d.ids), exp.log.Name())
		}
		sleep(ctx, 500*time.Millisecond)
	}
	fmt.Printf("   serving the %s cached spaces %.1f s after start\n", thousands(len(d.ids)), time.Since(restored).Seconds())

	// Scrapes as Prometheus 3 asks for them; their latency runs to the last
	// byte of the compressed body, not decompressed (as in part 2).
	raw := &http.Client{Timeout: time.Minute, Transport: &http.Transport{DisableCompression: true}}
	defer raw.CloseIdleConnections()
	scrape := func() (time.Duration, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/metrics", nil)
		if err != nil {
			return 0, err
		}
		req.Header.Set("Accept", acceptPrometheus3)
		req.Header.Set("Accept-Encoding", "gzip")
		t0 := time.Now()
		resp, err := raw.Do(req)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		if _, err := io.Copy(io.Discard, resp.Body); err != nil {
			return 0, err
		}
		if resp.StatusCode != http.StatusOK {
			return 0, fmt.Errorf("HTTP %d", resp.StatusCode)
		}
		return time.Since(t0), nil
	}
	next := time.Now()
	var lat []time.Duration
	run := func(d time.Duration, record bool) error {
		end := time.Now().Add(d)
		for time.Now().Before(end) && ctx.Err() == nil {
			if !time.Now().Before(next) {
				l, err := scrape()
				if err != nil {
					return err
				}
				if record {
					lat = append(lat, l)
				}
				next = next.Add(o.steadyScrapeEvery)
			}
			sleep(ctx, min(time.Until(next), time.Until(end)))
		}
		return ctx.Err()
	}
	if err := run(o.steadyWarmup, false); err != nil {
		return err
	}
	before, err := simStats(ctx, d.simURL)
	if err != nil {
		return err
	}
	cpu0, err := cpuTicks(exp.pid())
	if err != nil {
		return err
	}
	t0 := time.Now()
	if err := run(o.steadyWindow, true); err != nil {
		return err
	}
	cpu1, err := cpuTicks(exp.pid())
	if err != nil {
		return err
	}
	wall := time.Since(t0)
	after, err := simStats(ctx, d.simURL)
	if err != nil {
		return err
	}
	hwm, err := vmHWM(exp.pid())
	if err != nil {
		return err
	}
	share := float64(cpu1-cpu0) / clockTicks() / wall.Seconds()
	calls := float64(after.Accepted-before.Accepted) / wall.Seconds()
	slices.Sort(lat)
	name := fmt.Sprintf("4. steady state, %s spaces × %d flows, %.1f calls/s, a scrape every %s", thousands(len(d.ids)), size.flows, calls, o.steadyScrapeEvery)
	fmt.Printf("   CPU %.1f %% of one core over %.1f s, %.2f calls/s, %d scrapes (p50 %s), peak RSS %s\n",
		100*share, wall.Seconds(), calls, len(lat), ms(percentile(lat, 50)), mbAndMiB(hwm))
	t.add(name+": CPU / wall (issue 11 item 2)", fmt.Sprintf("%.1f %% of one core over %.0f s", 100*share, wall.Seconds()), "< 5 %", ptr(share < 0.05))
	t.add(name+": scrape p50 (first scrape of a new snapshot each time)", ms(percentile(lat, 50)), "", nil)
	t.add(name+": peak RSS", mbAndMiB(hwm), "", nil)
	return nil
}
