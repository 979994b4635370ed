package main

import (
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"sort"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/simulator"
)

// envDuration reads a test's length from the environment: make soak sets
// the full lengths, CI runs the short defaults.
func envDuration(t *testing.T, name string, def time.Duration) time.Duration {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		t.Fatalf("%s=%q: %v", name, v, err)
	}
	return d
}

// TestSoak runs 50 concurrent scrapers against an exporter of 1,000 spaces
// while it refreshes continuously and faults come and go: no scrape may fail.
func TestSoak(t *testing.T) {
	const scrapers = 50
	duration := envDuration(t, "SOAK_DURATION", 8*time.Second)
	sim, url := startSimulator(t, simulator.Generate(42, 1000, 12), 1000)
	var ids []string
	for _, sp := range sim.Dataset().Spaces {
		if sp.ID != "" {
			ids = append(ids, "--cams.space="+sp.ID)
		}
	}
	// All 50 scrapers are served at once: beyond --web.max-requests (40 by
	// default) a scrape is answered 503 by design.
	h := newHarnessWith(t, sim, client.StaticCredentials{AccessKeyID: testKeyID, AccessKeySecret: testKeySecret},
		append([]string{"--cams.endpoint=" + url, "--cams.rate-limit=400", "--refresh.interval=10s", "--cams.timeout=1s", "--cams.max-retries=1",
			"--web.max-requests=" + strconv.Itoa(scrapers)}, ids...)...)
	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()
	wait := h.exp.start(ctx)
	defer wait()
	go injectFaults(ctx, sim)

	var mu sync.Mutex
	var latencies []time.Duration
	failures := 0
	var wg sync.WaitGroup
	for range scrapers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				start := time.Now()
				ok := scrapeOnce(h.srv.URL + "/metrics")
				mu.Lock()
				latencies = append(latencies, time.Since(start))
				if !ok {
					failures++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	sort.Slice(latencies, func(i, j int) bool { return latencies[i] < latencies[j] })
	n := len(latencies)
	snap := h.exp.refresher.Snapshot()
	t.Logf("soak %s: %d scrapes by %d scrapers (%.0f/s), %d failed; latency p50 %v p99 %v max %v; %d passes over %d spaces, %d API calls, %d faulted",
		duration, n, scrapers, float64(n)/duration.Seconds(), failures, latencies[n/2], latencies[n*99/100], latencies[n-1],
		snap.Refreshes, snap.Len(), sim.Stats().Accepted, sim.Stats().Faulted)
	if failures > 0 {
		t.Errorf("%d of %d scrapes failed", failures, n)
	}
	if n < scrapers {
		t.Errorf("only %d scrapes", n)
	}
	if sim.Stats().Accepted < 100 {
		t.Errorf("only %d API calls: the refresher did not run alongside the scrapes", sim.Stats().Accepted)
	}
	if duration >= 30*time.Second && snap.Refreshes < 1 {
		t.Error("no pass over the 1,000 spaces completed during the soak")
	}
}

func scrapeOnce(url string) bool {
	resp, err := http.Get(url)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	n, err := io.Copy(io.Discard, resp.Body)
	return err == nil && resp.StatusCode == 200 && n > 0
}

// injectFaults arms a random short-lived fault every 200 ms.
func injectFaults(ctx context.Context, sim *simulator.Server) {
	faults := []simulator.Fault{
		{Kind: "http", Status: 503, Count: 3},
		{Kind: "error", Code: "System.LimitControl", Count: 5},
		{Kind: "latency", Latency: simulator.Duration(300 * time.Millisecond), Count: 3},
		{Kind: "malformed", Count: 2},
		{Kind: "reset", Count: 2},
		{Kind: "error", Code: "Ram.PermissionDeny", Count: 2},
	}
	r := rand.New(rand.NewPCG(7, 7))
	t := time.NewTicker(200 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			_, _ = sim.Inject(faults[r.IntN(len(faults))])
		}
	}
}
