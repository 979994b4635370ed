package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// runConcurrent runs the exporter with flow info over o.concSpaces spaces
// (o.concFlows flows on average: 30,000 flows by default), and after its
// first pass and one scrape makes o.concScrapes scrapes at once, half as
// Prometheus 3 makes them (OpenMetrics, gzip), half in the text format
// uncompressed; it compares the peak RSS before and after, with
// --web.max-requests at its default (40) and with no limit.
func runConcurrent(ctx context.Context, o *options, t *table, bin, dir string) error {
	fmt.Printf("\n== 3. memory under %d concurrent scrapes, with flow info, %d spaces × %d flows on average\n", o.concScrapes, o.concSpaces, o.concFlows)
	d, err := startData(ctx, o, bin, dir, o.concSpaces, o.concFlows)
	if err != nil {
		return err
	}
	defer d.sim.stop()
	for _, maxRequests := range []int{40, 0} {
		r, err := startExporter(ctx, o, bin, dir, d, fmt.Sprintf("exporter-concurrent-%d.log", maxRequests),
			"--collector.flow-info", "--web.max-requests="+strconv.Itoa(maxRequests))
		if err != nil {
			return err
		}
		single, peak, codes, wall, err := concurrentScrapes(ctx, r, o.concScrapes)
		r.stop()
		if err != nil {
			return err
		}
		ratio := peak / single
		limit := "--web.max-requests=" + strconv.Itoa(maxRequests)
		fmt.Printf("   %s: peak RSS %s after the pass and one scrape, %s after %d concurrent scrapes (%s, in %.2f s)\n",
			limit, mib(single), mib(peak), o.concScrapes, codesString(codes), wall.Seconds())
		name := fmt.Sprintf("3. peak RSS, %d concurrent scrapes / 1 scrape, flow info, %s flows, %s", o.concScrapes, thousands(d.flows), limit)
		value := fmt.Sprintf("%.2f (%s / %s; %s)", ratio, mib(peak), mib(single), codesString(codes))
		if maxRequests == 40 {
			t.add(name, value, "< 2", ptr(ratio < 2))
		} else {
			t.add(name, value, "", nil)
		}
	}
	return nil
}

// concurrentScrapes returns the peak RSS after one scrape, then after n
// scrapes made at once, and the status codes of those.
func concurrentScrapes(ctx context.Context, r *running, n int) (single, peak float64, codes map[int]int, wall time.Duration, err error) {
	if code, err := get(ctx, r.hc, r.base+"/metrics", acceptPrometheus3, nil); err != nil || code != http.StatusOK {
		return 0, 0, nil, 0, fmt.Errorf("scrape after the pass: HTTP %d, %v", code, err)
	}
	if single, err = vmHWM(r.exp.pid()); err != nil {
		return 0, 0, nil, 0, err
	}
	hc := &http.Client{Timeout: 2 * time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: n, DisableCompression: true}}
	defer hc.CloseIdleConnections()
	var (
		mu    sync.Mutex
		wg    sync.WaitGroup
		first error
		start = make(chan struct{})
	)
	codes = map[int]int{}
	for i := range n {
		wg.Go(func() {
			<-start
			req, err := http.NewRequestWithContext(ctx, http.MethodGet, r.base+"/metrics", nil)
			if err == nil {
				if i%2 == 0 {
					req.Header.Set("Accept", acceptPrometheus3)
					req.Header.Set("Accept-Encoding", "gzip")
				} else {
					req.Header.Set("Accept", acceptText)
				}
				var resp *http.Response
				if resp, err = hc.Do(req); err == nil {
					_, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					mu.Lock()
					codes[resp.StatusCode]++
					mu.Unlock()
				}
			}
			if err != nil {
				mu.Lock()
				first = cmpOr(first, err)
				mu.Unlock()
			}
		})
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	wall = time.Since(t0)
	if first != nil {
		return 0, 0, nil, 0, first
	}
	peak, err = vmHWM(r.exp.pid())
	return single, peak, codes, wall, err
}

func cmpOr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}

func codesString(codes map[int]int) string {
	s := ""
	for _, c := range []int{200, 503} {
		if codes[c] > 0 {
			if s != "" {
				s += ", "
			}
			s += fmt.Sprintf("%d × %d", codes[c], c)
		}
	}
	for c, n := range codes {
		if c != 200 && c != 503 {
			s += fmt.Sprintf(", %d × %d", n, c)
		}
	}
	return s
}
