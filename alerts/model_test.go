package alerts

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
)

// accountModel is the exporter of one account as its refresher runs it,
// sampled by Prometheus every scrape. It models the scheduler exactly for
// the case it describes: every space fits in one page and the limiter runs
// at rate without throttling. Then the first pass lists the spaces in their
// configured order, one call every 1/rate s from firstCall on, and every
// later pass, stalest first, lists them in that same order. A space is due
// again an interval after its listing ended: when the refresh interval is
// shorter than a pass (a large account), the passes follow each other back
// to back and space i is listed at firstCall + (m×spaces + i)/rate in pass
// m; otherwise (a small account) pass m starts m × (interval + latency)
// after the first, its spaces 1/rate apart. A space's data appears when its
// listing ends, latency later. A failing listing makes 1 + retries attempts
// (1 for a permanent error, which the exporter never retries); the model
// counts them but does not shift the later calls by the few seconds they
// take (3 calls a pass).
type accountModel struct {
	spaces    int
	rate      float64 // calls per second
	interval  float64 // --refresh.interval in seconds
	firstCall float64 // seconds after start-up (the first delay)
	latency   float64 // seconds per call
	retries   int     // --cams.max-retries
	scrape    float64 // scrape interval in seconds
	samples   int     // scrapes
	// phase is when Prometheus first scrapes, in seconds after start-up;
	// scrape k is at phase + k×scrape. Prometheus picks the phase of a
	// target's scrapes whatever the exporter does, so a scrape may fall in
	// the middle of a small account's pass.
	phase float64
	// failFrom makes a space's listings fail from that time on, until
	// failUntil (a listing started at failUntil succeeds; none: for good),
	// with failCodes[space] or, when it has none, failCode.
	failFrom  map[int]float64
	failUntil map[int]float64
	failCode  string
	failCodes map[int]string
	instance  string
}

// at is when scrape k happens, in seconds after start-up.
func (a accountModel) at(k int) float64 { return a.phase + float64(k)*a.scrape }

// permanentCodes are the codes of the model that the exporter never
// retries (client.ClassPermanent).
var permanentCodes = map[string]bool{"Ram.PermissionDeny": true, "Product.Unsubscript": true, "Unknown.ResourceOwnerId": true}

// codeOf is the code space i fails with.
func (a accountModel) codeOf(i int) string {
	if c, ok := a.failCodes[i]; ok {
		return c
	}
	return a.failCode
}

// attempts is how many calls a failing listing of space i makes.
func (a accountModel) attempts(i int) int {
	if permanentCodes[a.codeOf(i)] {
		return 1
	}
	return 1 + a.retries
}

// passPeriod is how far apart two passes start: a pass back to back, or
// an interval after each listing ended.
func (a accountModel) passPeriod() float64 {
	return math.Max(float64(a.spaces)/a.rate, a.interval+a.latency)
}

// listed returns when pass m lists space i, and when that listing ends.
func (a accountModel) listed(i, m int) (start, end float64) {
	start = a.firstCall + float64(i)/a.rate + float64(m)*a.passPeriod()
	return start, start + a.latency
}

func (a accountModel) failing(i int, at float64) bool {
	from, ok := a.failFrom[i]
	until, ends := a.failUntil[i]
	return ok && at >= from && (!ends || at < until)
}

// spaceState is what a space exports at one scrape.
type spaceState struct {
	listed      bool    // a listing has ended: the space has series
	up          bool    // its last listing succeeded
	lastSuccess float64 // NaN if none
	failures    int     // failed listings so far
}

func (a accountModel) spaceAt(i int, t float64) spaceState {
	st := spaceState{lastSuccess: math.NaN()}
	for m := 0; ; m++ {
		start, end := a.listed(i, m)
		if end > t {
			return st
		}
		st.listed = true
		if a.failing(i, start) {
			st.up = false
			st.failures++
		} else {
			st.up, st.lastSuccess = true, end
		}
	}
}

// flows is how many flows space i has: 0 to 6, so that some healthy spaces
// are empty.
func flows(i int) float64 { return float64(i % 7) }

func (a accountModel) spaceID(i int) string { return fmt.Sprintf("cams-%05d", i) }

// calls returns how many calls had been made by t, and how many failed by
// code: one per listing started, and the retries of the failed listings.
func (a accountModel) calls(t float64) (made int, failed map[string]int) {
	failed = map[string]int{}
	for m := 0; ; m++ {
		first, _ := a.listed(0, m)
		if first > t {
			break
		}
		made += min(int(math.Floor((t-first)*a.rate))+1, a.spaces)
	}
	for i := range a.failFrom {
		f := a.spaceAt(i, t).failures
		made += f * (a.attempts(i) - 1)
		if f > 0 {
			failed[a.codeOf(i)] += f * a.attempts(i)
		}
	}
	return made, failed
}

// failingCodes returns the codes of the model's failures, sorted.
func (a accountModel) failingCodes() []string {
	seen := map[string]bool{}
	for i := range a.failFrom {
		seen[a.codeOf(i)] = true
	}
	return slices.Sorted(maps.Keys(seen))
}

// passes returns how many passes had completed by t and how many of them
// had a failing space, and the duration of the last one.
func (a accountModel) passes(t float64) (done, failed int, duration float64) {
	for m := 0; ; m++ {
		_, end := a.listed(a.spaces-1, m)
		if end > t {
			return done, failed, duration
		}
		done++
		first, _ := a.listed(0, m)
		duration = end - first
		for i := range a.failFrom {
			if start, _ := a.listed(i, m); a.failing(i, start) {
				failed++
				break
			}
		}
	}
}

// series renders the model as promtool input series: every series the
// exporter exports that a rule reads (cams_flows_by_category, cams_flow_info
// and the Go and process metrics are read by none, and left out), without
// --collector.flow-status (its rules read only their own series, one space
// at a time, and are tested in tests.yml). The
// exporter's own series count every space; the per-space series are those
// of the spaces in sample, but for cams_space_error_info, which the rules
// count by code: it is there for every failing space (a space fails for
// good in the model, so its series never ends).
func (a accountModel) series(sample []int) []inputSeries {
	n := a.samples
	times := make([]float64, n)
	for k := range times {
		times[k] = a.at(k)
	}
	exporter := fmt.Sprintf(`job="cams", instance=%q`, a.instance)
	var out []inputSeries
	add := func(name, labels string, values []float64) {
		out = append(out, inputSeries{Series: name + "{" + labels + "}", Values: encodeValues(values)})
	}
	gauge := func(f func(t float64) float64) []float64 {
		v := make([]float64, n)
		for k, t := range times {
			v[k] = f(t)
		}
		return v
	}
	constant := func(c float64) []float64 { return gauge(func(float64) float64 { return c }) }

	upCount, downCount := make([]float64, n), make([]float64, n)
	for i := range a.spaces {
		for k, t := range times {
			if st := a.spaceAt(i, t); st.listed && st.up {
				upCount[k]++
			} else if st.listed {
				downCount[k]++
			}
		}
	}
	for _, i := range sample {
		labels := exporter + fmt.Sprintf(`, space=%q`, a.spaceID(i))
		up, last, fl, zero := make([]float64, n), make([]float64, n), make([]float64, n), make([]float64, n)
		for k, t := range times {
			st := a.spaceAt(i, t)
			up[k], last[k], fl[k], zero[k] = math.NaN(), math.NaN(), math.NaN(), math.NaN()
			if st.listed {
				up[k] = boolFloat(st.up)
			}
			if !math.IsNaN(st.lastSuccess) {
				// promtool's clock starts at the first scrape.
				last[k], fl[k], zero[k] = st.lastSuccess-a.phase, flows(i), 0
			}
		}
		add("cams_space_up", labels, up)
		add("cams_space_last_success_timestamp_seconds", labels, last)
		add("cams_flows", labels, fl)
		add("cams_flow_changes_total", labels+`, change="added"`, zero)
		add("cams_flow_changes_total", labels+`, change="removed"`, zero)
	}
	for _, i := range slices.Sorted(maps.Keys(a.failFrom)) {
		info := make([]float64, n)
		for k, t := range times {
			info[k] = math.NaN()
			if st := a.spaceAt(i, t); st.listed && !st.up {
				info[k] = 1
			}
		}
		add("cams_space_error_info", exporter+fmt.Sprintf(`, space=%q, code=%q`, a.spaceID(i), a.codeOf(i)), info)
	}

	add("up", exporter, constant(1))
	camsUp := make([]float64, n)
	pending := make([]float64, n)
	for k := range times {
		if upCount[k] > 0 && downCount[k] == 0 {
			camsUp[k] = 1
		}
		pending[k] = float64(a.spaces) - upCount[k] - downCount[k]
	}
	add("cams_up", exporter, camsUp)
	add("cams_spaces", exporter+`, state="pending"`, pending)
	add("cams_spaces", exporter+`, state="up"`, upCount)
	add("cams_spaces", exporter+`, state="down"`, downCount)
	add("cams_refresh_interval_seconds", exporter, constant(a.interval))
	add("cams_refresh_expected_duration_seconds", exporter, constant(float64(a.spaces)/a.rate))
	// Start-up, phase seconds before the first scrape (0-: never -0).
	add("cams_exporter_start_time_seconds", exporter, constant(0-a.phase))
	add("cams_api_rate_limit_requests_per_second", exporter, constant(a.rate))
	add("cams_refreshes_total", exporter, gauge(func(t float64) float64 { d, _, _ := a.passes(t); return float64(d) }))
	add("cams_refresh_failures_total", exporter, gauge(func(t float64) float64 { _, f, _ := a.passes(t); return float64(f) }))
	add("cams_refresh_duration_seconds", exporter, gauge(func(t float64) float64 {
		if d, _, dur := a.passes(t); d > 0 {
			return dur
		}
		return math.NaN()
	}))
	op := exporter + `, operation="ListFlow"`
	add("cams_api_requests_total", op, gauge(func(t float64) float64 { c, _ := a.calls(t); return float64(c) }))
	// The four documented CAMS codes are exported from start-up, at 0; the
	// others appear with their first failure.
	documented := []string{"System.LimitControl", "Ram.PermissionDeny", "Product.Unsubscript", "Unknown.ResourceOwnerId"}
	others := slices.DeleteFunc(a.failingCodes(), func(c string) bool { return slices.Contains(documented, c) })
	for _, code := range slices.Concat(documented, others) {
		first := math.NaN()
		if slices.Contains(documented, code) {
			first = 0
		}
		add("cams_api_errors_total", op+fmt.Sprintf(`, code=%q`, code), gauge(func(t float64) float64 {
			if _, f := a.calls(t); f[code] > 0 {
				return float64(f[code])
			}
			return first
		}))
	}
	for _, le := range []float64{.025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, math.Inf(1)} {
		lat := a.latency
		add("cams_api_request_duration_seconds_bucket", op+fmt.Sprintf(`, le=%q`, formatLe(le)), gauge(func(t float64) float64 {
			if lat > le {
				return 0
			}
			c, _ := a.calls(t)
			return float64(c)
		}))
	}
	return out
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func formatLe(le float64) string {
	if math.IsInf(le, 1) {
		return "+Inf"
	}
	return strconv.FormatFloat(le, 'f', -1, 64)
}

// inputSeries is one input series of a promtool test.
type inputSeries struct {
	Series string `yaml:"series"`
	Values string `yaml:"values"`
}

// encodeValues writes samples in promtool's notation, NaN for a missing
// sample: runs of a constant step as "a+bxn" (n+1 samples), missing ones
// as "_xn" (n samples). Only whole numbers make runs of a non-zero step, so
// that promtool's arithmetic reproduces them exactly.
func encodeValues(v []float64) string {
	var parts []string
	for i := 0; i < len(v); {
		if math.IsNaN(v[i]) {
			j := i
			for j < len(v) && math.IsNaN(v[j]) {
				j++
			}
			parts = append(parts, fmt.Sprintf("_x%d", j-i))
			i = j
			continue
		}
		j := i + 1
		step := 0.0
		if j < len(v) && !math.IsNaN(v[j]) && (v[j] == v[i] || whole(v[i]) && whole(v[j])) {
			step = v[j] - v[i]
			for j+1 < len(v) && !math.IsNaN(v[j+1]) && v[j+1]-v[j] == step && v[i]+float64(j+1-i)*step == v[j+1] {
				j++
			}
			j++
		}
		parts = append(parts, seqRun(v[i], step, j-i))
		i = j
	}
	return strings.Join(parts, " ")
}

func whole(x float64) bool { return x == math.Trunc(x) && math.Abs(x) < 1<<50 }

// seqRun writes count samples from a by step.
func seqRun(a, step float64, count int) string {
	f := func(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
	switch {
	case count == 1:
		return f(a)
	case step == 0:
		return fmt.Sprintf("%sx%d", f(a), count-1)
	case step < 0:
		return fmt.Sprintf("%s-%sx%d", f(a), f(-step), count-1)
	}
	return fmt.Sprintf("%s+%sx%d", f(a), f(step), count-1)
}
