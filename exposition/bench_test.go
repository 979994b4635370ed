package exposition

import (
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// discard is a ResponseWriter that keeps nothing.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}

func benchScrape(b *testing.B, h http.Handler, enc string, before func()) {
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	req.Header.Set("Accept-Encoding", enc)
	b.ReportAllocs()
	for b.Loop() {
		if before != nil {
			before()
		}
		h.ServeHTTP(&discard{h: http.Header{}}, req)
	}
}

// BenchmarkScrape10k is a scrape of 10,000 spaces between two refreshes:
// the flows only, and with every source on (3 numbers a space).
func BenchmarkScrape10k(b *testing.B) {
	for _, sources := range []bool{false, true} {
		snap, opts := testSnapshot(10000, 0), collector.Options{}
		if sources {
			snap, opts = withTestSources(snap, 3), withSources(opts)
		}
		h := NewHandler(Options{Snapshot: func() *snapshot.Snapshot { return snap }, Metrics: opts})
		for _, enc := range []string{"identity", "gzip"} {
			b.Run("sources="+strconv.FormatBool(sources)+"/"+enc, func(b *testing.B) { benchScrape(b, h, enc, nil) })
		}
	}
}

// BenchmarkScrape10kAfterChanges is the first scrape of a snapshot in which
// 40 of 10,000 spaces changed: about ten seconds of refreshing at 4
// calls/s; with the sources on, 40 spaces' flows and 40 parts of each
// source (about ten seconds of their calls at their rates).
func BenchmarkScrape10kAfterChanges(b *testing.B) {
	for _, sources := range []bool{false, true} {
		base, opts := testSnapshot(10000, 0), collector.Options{}
		if sources {
			base, opts = withTestSources(base, 3), withSources(opts)
		}
		ids := base.SpaceIDs()
		var cur atomic.Pointer[snapshot.Snapshot]
		cur.Store(base)
		h := NewHandler(Options{Snapshot: cur.Load, Metrics: opts})
		for _, enc := range []string{"identity", "gzip"} {
			b.Run("sources="+strconv.FormatBool(sources)+"/"+enc, func(b *testing.B) {
				i := 0
				benchScrape(b, h, enc, func() {
					cur.Store(fortyChanged(base, ids, i))
					i++
				})
			})
		}
	}
}

// fortyChanged is base with 40 of its spaces changed, and 40 parts of each
// of its sources, the i-th such set.
func fortyChanged(base *snapshot.Snapshot, ids []string, i int) *snapshot.Snapshot {
	changes := map[string]*snapshot.SpaceState{}
	for j := range 40 {
		id := ids[(i*280+j*131)%len(ids)]
		st := *base.Space(id)
		st.Added++
		changes[id] = &st
	}
	next := base.WithChanged(changes)
	if len(base.Sources()) == 0 {
		return next
	}
	var states []*snapshot.SourceState
	for _, src := range base.Sources() {
		parts := map[string]*snapshot.SpacePart{}
		for j := range 40 {
			id := ids[(i*280+j*137+7)%len(ids)]
			p := *src.Part(id)
			p.LastSuccess = p.LastSuccess.Add(time.Minute)
			parts[id] = &p
		}
		states = append(states, src.WithParts(parts))
	}
	return next.WithSources(states)
}

// BenchmarkViewUpdate makes the view of a snapshot in which 40 spaces
// changed from the view of the last (no rendering): it costs what changed,
// plus a copy of the list of buckets (one pointer per 64 spaces or so) of
// each table that changed; with the sources on, 40 parts of each source
// changed too.
func BenchmarkViewUpdate(b *testing.B) {
	for _, n := range []int{10000, 200000} {
		for _, sources := range []bool{false, true} {
			b.Run("spaces="+strconv.Itoa(n)+"/sources="+strconv.FormatBool(sources), func(b *testing.B) {
				base, opts := testSnapshot(n, 0), collector.Options{}
				if sources {
					base, opts = withTestSources(base, 3), withSources(opts)
				}
				tables := newRenderer(collector.NewSchema(opts), sourceNames(opts)).tables
				prev := update(tables, nil, base)
				ids := base.SpaceIDs()
				nexts := make([]*snapshot.Snapshot, 16)
				for i := range nexts {
					nexts[i] = fortyChanged(base, ids, i)
				}
				b.ReportAllocs()
				i := 0
				for b.Loop() {
					update(tables, prev, nexts[i%len(nexts)])
					i++
				}
			})
		}
	}
}

func sourceNames(opts collector.Options) []string {
	var names []string
	for _, src := range opts.Sources {
		names = append(names, src.Name())
	}
	return names
}

// BenchmarkScrapeUnrenderedFormat50k is a scrape of 50,000 spaces in the
// protobuf text format, which is not rendered in advance, between two
// refreshes. peak-heap-MB is the most the heap grew during a scrape,
// sampled every millisecond.
func BenchmarkScrapeUnrenderedFormat50k(b *testing.B) {
	snap := testSnapshot(50000, 0)
	h := NewHandler(Options{Snapshot: func() *snapshot.Snapshot { return snap }, Metrics: collector.Options{}})
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header.Set("Accept", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text")
	h.ServeHTTP(&discard{h: http.Header{}}, req) // renders every bucket
	var peak uint64
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		runtime.GC()
		b.StartTimer()
		stop := sampleHeapGrowth(&peak)
		h.ServeHTTP(&discard{h: http.Header{}}, req)
		stop()
	}
	b.ReportMetric(float64(peak)/1e6, "peak-heap-MB")
}

// sampleHeapGrowth records in peak the most the heap in use grows above
// its size now, until stop is called.
func sampleHeapGrowth(peak *uint64) (stop func()) {
	heap := func() uint64 {
		var m runtime.MemStats
		runtime.ReadMemStats(&m)
		return m.HeapAlloc
	}
	base := heap()
	done, finished := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(finished)
		tick := time.NewTicker(time.Millisecond)
		defer tick.Stop()
		for {
			if h := heap(); h > base {
				*peak = max(*peak, h-base)
			}
			select {
			case <-done:
				return
			case <-tick.C:
			}
		}
	}()
	return func() { close(done); <-finished }
}

// BenchmarkScrapeSteady200k is the scrape every 15 s of the steady state
// of 200,000 spaces with every source on (3 numbers a space): 15 s of
// calls changed 60 spaces' flows (4 calls/s) and 120 parts of each source
// (8 calls/s; messaging health's 4/s is counted as 8, an upper bound).
func BenchmarkScrapeSteady200k(b *testing.B) {
	base := withTestSources(testSnapshot(200000, 0), 3)
	ids := base.SpaceIDs()
	var cur atomic.Pointer[snapshot.Snapshot]
	cur.Store(base)
	h := NewHandler(Options{Snapshot: cur.Load, Metrics: withSources(collector.Options{})})
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	h.ServeHTTP(&discard{h: http.Header{}}, req) // every bucket rendered once
	i := 0
	benchScrape(b, h, "gzip", func() {
		cur.Store(changedIn(base, ids, i, 60, 120))
		i++
	})
}

// changedIn is base with spaces of its spaces changed, and parts parts of
// each of its sources, the i-th such set.
func changedIn(base *snapshot.Snapshot, ids []string, i, spaces, parts int) *snapshot.Snapshot {
	changes := map[string]*snapshot.SpaceState{}
	for j := range spaces {
		id := ids[(i*7919+j*131)%len(ids)]
		st := *base.Space(id)
		st.Added++
		changes[id] = &st
	}
	var states []*snapshot.SourceState
	for _, src := range base.Sources() {
		changed := map[string]*snapshot.SpacePart{}
		for j := range parts {
			id := ids[(i*7919+j*137+7)%len(ids)]
			p := *src.Part(id)
			p.LastSuccess = p.LastSuccess.Add(time.Minute)
			changed[id] = &p
		}
		states = append(states, src.WithParts(changed))
	}
	return base.WithChanged(changes).WithSources(states)
}
