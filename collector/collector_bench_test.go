package collector

import (
	"io"
	"math/rand/v2"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/common/expfmt"

	"github.com/cams-exporter/cams_exporter/refresh"
)

// benchSnapshot is a completed snapshot of n spaces shaped like the
// simulator's data of about 50 flows a space: every documented category and
// SHOPPING in most spaces, 1 % of spaces failing with their data kept.
func benchSnapshot(n int) *refresh.Snapshot {
	r := rand.New(rand.NewPCG(1, 2))
	snap := &refresh.Snapshot{Completed: true, Spaces: make(map[string]*refresh.SpaceState, n), Refreshes: 3, LastRefreshDuration: 10 * time.Second}
	for i := range n {
		st := &refresh.SpaceState{
			ID: "cams-" + strconv.Itoa(100000+i), HasData: true, Up: r.IntN(100) != 0,
			LastSuccess: t0.Add(time.Duration(r.Int64N(int64(time.Hour)))),
			Count:       25 + r.IntN(50), ByCategory: map[string]int{},
			Added: uint64(r.IntN(5)), Removed: uint64(r.IntN(3)),
		}
		for _, cat := range DocumentedCategories {
			if n := r.IntN(12); n > 0 {
				st.ByCategory[cat] = n
			}
		}
		if r.IntN(4) != 0 {
			st.ByCategory["SHOPPING"] = 1 + r.IntN(5)
		}
		snap.Spaces[st.ID] = st
	}
	return snap
}

func drain() (chan prometheus.Metric, func()) {
	ch := make(chan prometheus.Metric, 1024)
	done := make(chan struct{})
	go func() {
		for range ch {
		}
		close(done)
	}()
	return ch, func() { close(ch); <-done }
}

// BenchmarkCollect10kSpaces collects 10,000 spaces (about 140,000 series)
// from the same snapshot, as scrapes between two refreshes do.
func BenchmarkCollect10kSpaces(b *testing.B) {
	c := New(static(benchSnapshot(10000)), Options{RefreshInterval: 5 * time.Minute})
	ch, stop := drain()
	defer stop()
	b.ReportAllocs()
	for b.Loop() {
		c.Collect(ch)
	}
}

// BenchmarkCollect10kSpacesNewSnapshot collects a new snapshot every time in
// which 1 % of the spaces changed: the cost of the first scrape after a
// refresh.
func BenchmarkCollect10kSpacesNewSnapshot(b *testing.B) {
	base := benchSnapshot(10000)
	cur := base
	c := New(func() *refresh.Snapshot { return cur }, Options{RefreshInterval: 5 * time.Minute})
	ch, stop := drain()
	defer stop()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		next := *base
		next.Spaces = make(map[string]*refresh.SpaceState, len(base.Spaces))
		for id, sp := range base.Spaces {
			if i%100 == 0 {
				cp := *sp
				sp = &cp
			}
			next.Spaces[id] = sp
			i++
		}
		cur = &next
		c.Collect(ch)
	}
}

// BenchmarkGather10kSpaces is what a scrape costs the exporter: gather and
// encode as text, against the same series held in a static registry of
// GaugeVecs and CounterVecs (the baseline of the bench harness).
func BenchmarkGather10kSpaces(b *testing.B) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(New(static(benchSnapshot(10000)), Options{RefreshInterval: 5 * time.Minute}))
	b.Run("collector", func(b *testing.B) { benchGather(b, reg) })
	b.Run("static", func(b *testing.B) { benchGather(b, staticRegistry(b, reg)) })
}

func benchGather(b *testing.B, g prometheus.Gatherer) {
	b.ReportAllocs()
	for b.Loop() {
		mfs, err := g.Gather()
		if err != nil {
			b.Fatal(err)
		}
		enc := expfmt.NewEncoder(io.Discard, expfmt.NewFormat(expfmt.TypeTextPlain))
		for _, mf := range mfs {
			if err := enc.Encode(mf); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// staticRegistry copies what reg gathers into GaugeVecs and CounterVecs.
func staticRegistry(b *testing.B, reg *prometheus.Registry) *prometheus.Registry {
	mfs, err := reg.Gather()
	if err != nil {
		b.Fatal(err)
	}
	out := prometheus.NewRegistry()
	for _, mf := range mfs {
		var names []string
		for _, l := range mf.GetMetric()[0].GetLabel() {
			names = append(names, l.GetName())
		}
		gauges := prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: mf.GetName(), Help: mf.GetHelp()}, names)
		counters := prometheus.NewCounterVec(prometheus.CounterOpts{Name: mf.GetName(), Help: mf.GetHelp()}, names)
		for _, m := range mf.GetMetric() {
			var values []string
			for _, l := range m.GetLabel() {
				values = append(values, l.GetValue())
			}
			if m.Counter != nil {
				counters.WithLabelValues(values...).Add(m.GetCounter().GetValue())
			} else {
				gauges.WithLabelValues(values...).Set(m.GetGauge().GetValue())
			}
		}
		if mf.GetType().String() == "COUNTER" {
			out.MustRegister(counters)
		} else {
			out.MustRegister(gauges)
		}
	}
	return out
}

// TestCollectSeriesCache checks the prepared series against fresh
// collectors while scrapes run concurrently and the snapshot changes under
// them: spaces changed, added, removed, failing, and back again.
func TestCollectSeriesCache(t *testing.T) {
	s1 := benchSnapshot(200)
	s2 := &refresh.Snapshot{Completed: true, Refreshes: s1.Refreshes + 1, Spaces: map[string]*refresh.SpaceState{}}
	i := 0
	for id, sp := range s1.Spaces {
		switch i++; i % 10 {
		case 0: // removed
		case 1: // changed
			cp := *sp
			cp.Count++
			cp.ByCategory = map[string]int{"SIGN_UP": 1, "NEW_ONE": 2}
			cp.Added++
			s2.Spaces[id] = &cp
		case 2: // failing, data kept
			cp := *sp
			cp.Up = false
			s2.Spaces[id] = &cp
		default:
			s2.Spaces[id] = sp
		}
	}
	s2.Spaces["cams-new"] = &refresh.SpaceState{ID: "cams-new"}
	s2.Spaces["bad\xff"] = &refresh.SpaceState{HasData: true, Up: true, LastSuccess: t0, ByCategory: map[string]int{"X\xfe": 1}}

	text := func(c prometheus.Collector) string {
		reg := prometheus.NewPedanticRegistry()
		reg.MustRegister(c)
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		enc := expfmt.NewEncoder(&b, expfmt.NewFormat(expfmt.TypeTextPlain))
		for _, mf := range mfs {
			if err := enc.Encode(mf); err != nil {
				t.Fatal(err)
			}
		}
		return b.String()
	}
	opts := Options{RefreshInterval: time.Minute}
	want := map[*refresh.Snapshot]string{s1: text(New(static(s1), opts)), s2: text(New(static(s2), opts))}

	var cur atomic.Pointer[refresh.Snapshot]
	cur.Store(s1)
	c := New(cur.Load, opts)
	var wg sync.WaitGroup
	errs := make(chan string, 100)
	for range 4 {
		wg.Go(func() {
			for range 20 {
				got := text(c)
				if got != want[s1] && got != want[s2] {
					errs <- got
					return
				}
			}
		})
	}
	for _, s := range []*refresh.Snapshot{s2, s1, s2, s1, s2} {
		time.Sleep(time.Millisecond)
		cur.Store(s)
	}
	wg.Wait()
	close(errs)
	for got := range errs {
		t.Errorf("a scrape matched neither snapshot:\n%.2000s", got)
	}
	for _, s := range []*refresh.Snapshot{s1, s2, s1} {
		cur.Store(s)
		if got := text(c); got != want[s] {
			t.Errorf("after the switch the scrape differs from a fresh collector's:\n%.2000s", got)
		}
	}
}
