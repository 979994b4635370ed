package main

import "runtime/debug"

// defaultGCPercent is the garbage collector's GOGC when the environment
// sets none. The exporter's heap is mostly state that lives for hours
// (every space's data and its collectors' parts), not the garbage of its
// calls: Go's default of 100 lets the heap grow to twice that state
// before it collects, 50 to one and a half times. At 10,000 spaces with
// every collector on, a first pass peaks at about 142 MB of RSS instead of
// 179 MB. At 200,000 spaces the heap grows more slowly than either
// headroom between the runtime's forced collections (one every two
// minutes), so the collections, and their CPU, are the same
// (BENCHMARKS.md). VictoriaMetrics sets its own default the same way
// (lib/cgroup.SetGOGC), unless GOGC is set.
const defaultGCPercent = 50

// setGCPercent sets the collector's target to defaultGCPercent unless gogc,
// the GOGC environment variable, sets one (as Go reads it).
func setGCPercent(gogc string) {
	if gogc == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
}
