package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/simulator"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// buildSnapshot is a completed snapshot of the spaces of
// simulator.Generate(seed, spaces, flows), as a refresher would publish it:
// counts, categories (the eight documented ones and SHOPPING), sorted flow
// ids, last success times, change counters, and 1 % of spaces failing their
// last refresh with their earlier data kept.
func buildSnapshot(seed int64, spaces, flows int) *snapshot.Snapshot {
	data := simulator.Generate(seed, spaces, flows)
	r := rand.New(rand.NewPCG(uint64(seed), 2))
	now := time.Now()
	states := make(map[string]*snapshot.SpaceState, len(data.Spaces))
	snap := snapshot.Snapshot{
		Completed: true, LastRefreshDuration: 42 * time.Second, LastRefreshEnd: now,
		Refreshes: 12, RefreshFailures: 3,
	}
	for _, sp := range data.Spaces {
		if sp.ID == "" {
			continue
		}
		st := &snapshot.SpaceState{
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
			st.LastError = &snapshot.ErrorInfo{Code: "System.LimitControl", Message: "Request was denied due to flow control.", Class: "throttled"}
		}
		states[sp.ID] = st
	}
	return snap.WithSpaces(states)
}

// gaugeVecCopy returns a registry of plain GaugeVecs and CounterVecs holding
// the snapshot's families, help texts, labels and values, gathered once
// through collector.Collector.
func gaugeVecCopy(snap *snapshot.Snapshot, opts collector.Options) (*prometheus.Registry, error) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collector.New(func() *snapshot.Snapshot { return snap }, opts))
	mfs, err := reg.Gather()
	if err != nil {
		return nil, err
	}
	out := prometheus.NewRegistry()
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
			return nil, fmt.Errorf("%s: type %s has no static copy", mf.GetName(), mf.GetType())
		}
	}
	return out, nil
}
