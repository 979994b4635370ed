package main

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/refresh"
	"github.com/cams-exporter/cams_exporter/simulator"
)

// sweepResult is one full pass of the refresher over n spaces.
type sweepResult struct {
	spaces                int
	rate                  float64
	elapsed               time.Duration
	accepted, throttled   int
	attempts, failedSpace int
	// latency of each attempt, and the longest time between the ends of
	// two consecutive attempts: where a pass loses time.
	p50, p99, maxLat, maxGap time.Duration
}

func (r sweepResult) efficiency() float64 {
	return float64(r.accepted) / (r.rate * r.elapsed.Seconds())
}

// runSweep measures, for each number of spaces and exporter rate, how close
// one full pass comes to the configured rate, against an in-process
// simulator that allows twice that rate, so that any throttled call is the
// exporter's fault.
func runSweep(ctx context.Context, o *options, t *table) error {
	fmt.Printf("== 1. sweep efficiency (refresher concurrency %d, %d flows/space on average, page size 100, simulator limit 2 × rate)\n",
		o.sweepConcurrency, o.sweepFlows)
	for _, n := range o.sweepSpaces {
		for _, rate := range o.sweepRates {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			r, err := sweepOnce(ctx, o, n, rate)
			if err != nil {
				return fmt.Errorf("%d spaces at %g/s: %w", n, rate, err)
			}
			eff := r.efficiency()
			fmt.Printf("   %6d spaces at %5g/s: %d calls accepted (%d attempts) in %s: %.3f of the rate; %d throttled, %d spaces failed; call latency p50 %s, p99 %s, max %s; longest gap between calls %s\n",
				n, rate, r.accepted, r.attempts, r.elapsed.Round(time.Millisecond), eff, r.throttled, r.failedSpace,
				ms(r.p50), ms(r.p99), ms(r.maxLat), ms(r.maxGap))
			t.add(fmt.Sprintf("1. sweep efficiency, %d spaces, %g/s", n, rate),
				fmt.Sprintf("%.3f (%d calls, %.2f s)", eff, r.accepted, r.elapsed.Seconds()), ">= 0.95", ptr(eff >= 0.95 && r.failedSpace == 0))
			t.add(fmt.Sprintf("1. throttled responses, %d spaces, %g/s", n, rate),
				fmt.Sprintf("%d", r.throttled), "0", ptr(r.throttled == 0))
		}
	}
	return nil
}

func sweepOnce(ctx context.Context, o *options, n int, rate float64) (sweepResult, error) {
	data := simulator.Generate(o.seed, n, o.sweepFlows)
	sim, err := simulator.New(simulator.Config{
		AccessKeyID: accessKeyID, AccessKeySecret: accessKeySecret,
		RateLimit: 2 * rate, MaxPageSize: 100, Data: data,
	})
	if err != nil {
		return sweepResult{}, err
	}
	defer sim.Close()
	url, err := sim.Start("127.0.0.1:0")
	if err != nil {
		return sweepResult{}, err
	}
	var (
		mu   sync.Mutex
		lat  = make([]time.Duration, 0, n)
		ends = make([]time.Time, 0, n)
	)
	c, err := client.New(client.Config{
		Endpoint:    url,
		Credentials: client.StaticCredentials{AccessKeyID: accessKeyID, AccessKeySecret: accessKeySecret},
		RateLimit:   rate,
		Observer: client.ObserverFunc(func(a client.Attempt) {
			now := time.Now()
			mu.Lock()
			lat, ends = append(lat, a.Duration), append(ends, now)
			mu.Unlock()
		}),
	})
	if err != nil {
		return sweepResult{}, err
	}
	ids := subSpaceIDs(data)
	r := refresh.New(refresh.Config{
		Lister: c, Pacer: c.Limiter(), Spaces: func() []string { return ids }, Interval: time.Hour,
		PageSize: 100, Concurrency: o.sweepConcurrency,
	})
	pctx, cancel := context.WithTimeout(ctx, o.sweepTimeout)
	defer cancel()
	start := time.Now()
	snap := r.Refresh(pctx)
	elapsed := time.Since(start)
	if pctx.Err() != nil {
		return sweepResult{}, fmt.Errorf("the pass did not finish within %s", o.sweepTimeout)
	}
	mu.Lock()
	defer mu.Unlock()
	res := sweepResult{spaces: n, rate: rate, elapsed: elapsed, attempts: len(lat)}
	sorted := sortedCopy(lat)
	res.p50, res.p99, res.maxLat = percentile(sorted, 50), percentile(sorted, 99), percentile(sorted, 100)
	slices.SortFunc(ends, time.Time.Compare)
	prev := start
	for _, e := range ends {
		res.maxGap = max(res.maxGap, e.Sub(prev))
		prev = e
	}
	st := sim.Stats()
	res.accepted, res.throttled = st.Accepted, st.Throttled
	for _, sp := range snap.All() {
		if !sp.Up {
			res.failedSpace++
		}
	}
	return res, nil
}

// subSpaceIDs are the data set's sub-customer spaces: the account's own
// space ("") is not a CustSpaceId and never goes in a spaces list.
func subSpaceIDs(d *simulator.Dataset) []string {
	ids := make([]string, 0, len(d.Spaces))
	for _, sp := range d.Spaces {
		if sp.ID != "" {
			ids = append(ids, sp.ID)
		}
	}
	return ids
}
