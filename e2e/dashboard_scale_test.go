package e2e

import (
	"fmt"
	"maps"
	"math"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/dashboards"
	"github.com/cams-exporter/cams_exporter/internal/loopback"
	"github.com/cams-exporter/cams_exporter/internal/tooltest"
)

const (
	// maxPanelSeries is the most series a panel's query may return with
	// the space variable at All, at any number of spaces.
	maxPanelSeries = 50
	// scaleScrape is Prometheus' scrape interval and timeout: a failed
	// scrape only delays the test, which waits for enough good ones.
	scaleScrape = "2s"
	// scaleScrapes is how many scrapes the test waits for: rate() and
	// increase() need two, and the model moves at each.
	scaleScrapes = 3
	// ageTolerance covers a mover's data age (the time its scrape was
	// served, within the scrape timeout of the scrape's timestamp).
	ageTolerance = 2.5
)

// TestDashboardAtScale loads a 10,000-space account, served by the
// exporter's own exposition from a model (a spread of flow counts,
// categories, statuses and data ages, 808 failing spaces with four codes, 8
// of them never listed successfully, pending spaces, and flow changes, a
// growing space and API calls that move at every scrape; and with every
// collector on, 3 numbers in most spaces with a known mix of statuses,
// ratings and tiers, numbers whose messaging limit falls at every scrape,
// WABAs in review or rejected, a BLOCKED business shared by 400 spaces, 5
// to 11 message templates a space, some paused, disabled or failed, and
// each collector's failing, pending and stale spaces: see
// scale_sources_test.go), into Prometheus 3, and runs every query of every
// panel of the dashboard, collapsed rows included, as Grafana would
// with the time range ending at the last scrape (instant queries at its end,
// time series over the range):
//
//   - with every variable at All, each returns data, and at most 50 series;
//     a time series of the top N spaces shows the same N over the whole
//     range, though the growing space joins the 10 largest during it;
//   - with the space variable at a few chosen spaces, and at a regular
//     expression typed as a custom value, the per-space panels return those
//     spaces' series, and none other;
//   - and in each case the top lists, counts and distributions are what the
//     model implies (the 10 largest spaces, the 20 stalest, the failing ones
//     by code, how many spaces per flow count and data age, the numbers by
//     status, the worst 20, those whose limit fell in the range, the
//     entities BLOCKED or LIMITED and how many spaces each affects, the
//     templates by status and category, the 20 spaces with the most that
//     cannot be sent, each collector's spaces by state and data age, ...).
func TestDashboardAtScale(t *testing.T) {
	promBin := tooltest.Bin(t, "prometheus")
	d, err := dashboards.Load("../dashboards/cams_exporter.json")
	if err != nil {
		t.Fatal(err)
	}
	queries := d.Queries()

	acct := newScaleAccount(time.Now())
	exp := newScaleExporter(acct)
	if size := exp.render(); size < scaleSpaces*100 {
		t.Fatalf("the exposition of %d spaces is only %d bytes", scaleSpaces, size)
	}
	srv := httptest.NewServer(exp)
	t.Cleanup(srv.Close)
	promAddr := startScalePrometheus(t, promBin, srv.Listener.Addr().String())
	sc := waitForScrapes(t, promAddr, scaleScrapes)
	exp.stop()
	at := time.UnixMilli(int64(math.Round(sc.last * 1000)))
	t.Logf("%d scrapes of %d spaces after %s, the last of the model served %d times; queries at %s over %s",
		sc.count, scaleSpaces, time.Since(acct.start).Round(time.Second), sc.number, at.Format(time.RFC3339Nano), sc.window)

	// All: every query has data, and at most maxPanelSeries series.
	results := runDashboard(t, promAddr, queries, dashboards.Values{RateInterval: sc.window, Range: sc.window}, sc)
	perSpace := map[string]bool{} // queries whose series name spaces
	for name, r := range results {
		for _, res := range [][]promResult{r.instant, r.ranged} {
			if n := len(res); res != nil && (n == 0 || n > maxPanelSeries) {
				t.Errorf("%s: %d series with every variable at All, want 1 to %d: %s", name, n, maxPanelSeries, r.expr)
			}
		}
		perSpace[name] = len(spacesOf(r.instant)) > 0
	}
	checkWants(t, "All", acct.wants(acct.spaces, at, sc), results)
	if n := countTrue(perSpace); n < 6 {
		t.Errorf("only %d queries name spaces: %v", n, perSpace)
	}

	// Chosen spaces, and a regular expression typed in the variable.
	for _, sel := range []struct {
		name, space string
		everyPanel  bool // every per-space query has data
	}{
		// One of the largest (which has every trouble of the numbers,
		// WABA and health: scaleTroubled), one failing with data, one
		// never listed, one of the most changed.
		{"chosen", "cams-00003|cams-09650|cams-09801|cams-00104", true},
		{"regex", "cams-0000[1-5]", false},
	} {
		t.Run(sel.name, func(t *testing.T) {
			chosen := acct.matching(sel.space)
			ids := map[string]bool{}
			for _, sp := range chosen {
				ids[sp.id] = true
			}
			results := runDashboard(t, promAddr, queries, dashboards.Values{RateInterval: sc.window, Range: sc.window, Space: sel.space}, sc)
			for name, r := range results {
				if len(r.instant) > maxPanelSeries || len(r.ranged) > maxPanelSeries {
					t.Errorf("%s: %d series, %d over the range", name, len(r.instant), len(r.ranged))
				}
				if perSpace[name] && sel.everyPanel && len(r.instant) == 0 {
					t.Errorf("%s: no series for spaces %s", name, sel.space)
				}
				for _, space := range append(spacesOf(r.instant), spacesOf(r.ranged)...) {
					if !ids[space] {
						t.Errorf("%s: a series of space %q, not one of %s", name, space, sel.space)
					}
				}
			}
			checkWants(t, sel.space, acct.wants(chosen, at, sc), results)
		})
	}
}

// panelResult is what a panel's query returned: at the last scrape, and,
// for a time series, over the range of the scrapes.
type panelResult struct {
	expr    string
	instant []promResult
	ranged  []promResult // nil for an instant query
}

// runDashboard runs every query with the variables at v as Grafana would
// with the dashboard's time range ending at the last scrape: an instant
// query at its end, a time series' over the range, a step a scrape. A time
// series that names spaces must name the same ones all along: the top N
// at the end of the range, not every space that was in the top N at some
// step.
func runDashboard(t *testing.T, promAddr string, queries []dashboards.Query, v dashboards.Values, sc scrapes) map[string]panelResult {
	t.Helper()
	out := map[string]panelResult{}
	for _, q := range queries {
		name := q.PanelTitle + "/" + q.RefID
		r := panelResult{expr: v.Substitute(q.Expr)}
		var err error
		if r.instant, err = queryAt(promAddr, r.expr, sc.last); err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if !q.Instant {
			if r.ranged, err = queryRange(promAddr, r.expr, sc.rangeStart(), sc.last, scaleScrape); err != nil {
				t.Errorf("%s over the range: %v", name, err)
				continue
			}
			if r.ranged == nil {
				r.ranged = []promResult{}
			}
			if got, want := spacesOf(r.ranged), spacesOf(r.instant); !slices.Equal(got, want) {
				t.Errorf("%s: spaces %v over the range, %v at its end", name, got, want)
			}
		}
		out[name] = r
	}
	return out
}

// spacesOf returns the spaces the series name, sorted.
func spacesOf(series []promResult) []string {
	var out []string
	for _, s := range series {
		if space, ok := s.Metric["space"]; ok && !slices.Contains(out, space) {
			out = append(out, space)
		}
	}
	slices.Sort(out)
	return out
}

func countTrue(m map[string]bool) int {
	n := 0
	for _, v := range m {
		if v {
			n++
		}
	}
	return n
}

// startScalePrometheus runs Prometheus scraping target every scaleScrape,
// and returns its address.
func startScalePrometheus(t *testing.T, bin, target string) string {
	t.Helper()
	dir := t.TempDir()
	config := filepath.Join(dir, "prometheus.yml")
	body := fmt.Sprintf("global:\n  scrape_interval: %s\n  scrape_timeout: %s\nscrape_configs:\n  - job_name: cams\n    static_configs:\n      - targets: ['%s']\n",
		scaleScrape, scaleScrape, target)
	if err := os.WriteFile(config, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := loopback.FreeAddr(t)
	// 420,000 series: a GOGC of 50 keeps Prometheus at about 1.3 GB
	// instead of 1.9 on a machine the test shares; 25 saves 200 MB more
	// but doubled the time its queries took on a loaded machine.
	start(t, "prometheus", []string{"GOGC=50"}, bin, "--config.file="+config, "--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+addr)
	return addr
}

// scrapes are the successful scrapes of the model Prometheus holds.
type scrapes struct {
	count       int
	first, last float64 // their times, Unix seconds
	// number is how many times the model was served up to the last: it
	// moved on that many times.
	number int
	// held are the numbers of the scrapes Prometheus holds (the times the
	// model was served up to each), first to last.
	held []int
	// window is a duration, as Grafana writes one ("12s"), that holds them
	// all: what the test gives $__rate_interval and $__range, so that they
	// see every scrape however slow the machine.
	window string
}

// rangeStart is where a range query over the scrapes starts, a whole number
// of steps (scrape intervals) before the last scrape, so that its last step
// is the last scrape and sees every sample in the window: on a loaded
// machine scrapes are late and the steps counted from the first would end
// before the last, where a window may hold one sample, too few for rate().
func (sc scrapes) rangeStart() float64 {
	step, _ := time.ParseDuration(scaleScrape)
	return sc.last - math.Floor((sc.last-sc.first)/step.Seconds())*step.Seconds()
}

// waitForScrapes waits until Prometheus holds n successful scrapes of the
// model: every series of the last has a sample at its time.
func waitForScrapes(t *testing.T, promAddr string, n int) scrapes {
	t.Helper()
	var sc scrapes
	eventually(t, 4*time.Minute, fmt.Sprintf("%d scrapes of %d spaces in Prometheus", n, scaleSpaces), func() string {
		got, err := queryAt(promAddr, `cams_refreshes_total{job="cams"}[1h]`, 0)
		if err != nil {
			return err.Error()
		}
		if len(got) != 1 || len(got[0].Values) < n {
			return fmt.Sprintf("cams_refreshes_total: %v", got)
		}
		samples := got[0].Values
		last := samples[len(samples)-1]
		sc = scrapes{count: len(samples), first: sampleTime(samples[0]), last: sampleTime(last),
			number: int(sampleValue(last)) - scaleRefreshes}
		for _, s := range samples {
			sc.held = append(sc.held, int(sampleValue(s))-scaleRefreshes)
		}
		return ""
	})
	sc.window = fmt.Sprintf("%ds", int(math.Ceil(sc.last-sc.first))+2)
	return sc
}

// want is what one query must return: its series told apart by the values
// of labels, and their values.
type want struct {
	labels []string
	values map[string]float64
	tol    float64
	// ranked: the values are Prometheus' extrapolations (increase), so
	// only their order and which are 0 must be as wanted.
	ranked bool
	// top: the query is a topk (or bottomk) of top series among values,
	// which are all the candidates: ties at the top-th value may come in
	// any choice, so the series must be top (or all) of them, with their
	// values, and have the largest values (the smallest if bottom).
	top    int
	bottom bool
}

// wants are the queries' answers the model implies with the spaces of sel
// chosen, at time at, when Prometheus holds the scrapes sc, by panel title
// and refId.
func (a *scaleAccount) wants(sel []*scaleSpace, at time.Time, sc scrapes) map[string]want {
	scrape := sc.number
	var data []*scaleSpace
	down := 0
	for _, sp := range a.spaces {
		if !sp.up() {
			down++
		}
	}
	for _, sp := range sel {
		if sp.hasData {
			data = append(data, sp)
		}
	}
	flows := func(sp *scaleSpace) float64 { return float64(sp.flowsAt(scrape)) }
	age := func(sp *scaleSpace) float64 { return sp.age(at).Seconds() }
	changed := func(sp *scaleSpace) float64 { return float64(sp.changesPerScrape()) }
	failingAge := func(sp *scaleSpace) float64 {
		if !sp.hasData {
			return math.Inf(1)
		}
		return age(sp)
	}
	var failing []*scaleSpace
	byCode := map[string]float64{}
	for _, sp := range sel {
		if !sp.up() {
			failing = append(failing, sp)
			byCode[sp.code]++
		}
	}
	failingTop := map[string]float64{}
	for id, v := range top(failing, 20, failingAge) {
		failingTop[id+"/"+a.space(id).code] = v
	}
	total, oldest, added, removed := 0.0, 0.0, 0.0, 0.0
	categories := map[string]float64{}
	statuses := map[string]float64{"DRAFT": 0, "PUBLISHED": 0, "DEPRECATED": 0, "_unknown": 0}
	for _, c := range []string{"SIGN_UP", "SIGN_IN", "APPOINTMENT_BOOKING", "LEAD_GENERATION", "CONTACT_US", "CUSTOMER_SUPPORT", "SURVEY", "OTHER"} {
		categories[c] = 0
	}
	for _, sp := range data {
		total += flows(sp)
		oldest = max(oldest, age(sp))
		added += float64(sp.churn + sp.growth)
		removed += float64(sp.churn)
		for c, n := range sp.categories {
			categories[c] += float64(n)
		}
		// Flows without a status: never checked, or new since.
		statuses["_unknown"] += flows(sp) - float64(sp.flows)
		if sp.statuses == nil {
			statuses["_unknown"] += float64(sp.flows)
		}
		for s, n := range sp.statuses {
			if s == "" {
				s = "_unknown"
			}
			statuses[s] += float64(n)
		}
	}
	w := map[string]want{
		"Total flows/A":                    {values: map[string]float64{"": total}},
		"Oldest data/A":                    {values: map[string]float64{"": oldest}, tol: ageTolerance},
		"Spaces by state/A":                {labels: []string{"state"}, values: map[string]float64{"pending": scalePending, "up": float64(len(a.spaces) - down), "down": float64(down)}},
		"Failing spaces by code/A":         {labels: []string{"code"}, values: byCode},
		"Spaces failing/A":                 {labels: []string{"space", "code"}, values: failingTop, tol: ageTolerance},
		"Flows by space (10 largest)/A":    {labels: []string{"space"}, values: top(data, 10, flows)},
		"Largest spaces/A":                 {labels: []string{"space"}, values: top(data, 20, flows)},
		"Data age by space (10 stalest)/A": {labels: []string{"space"}, values: top(data, 10, age), tol: ageTolerance},
		"Stalest spaces/A":                 {labels: []string{"space"}, values: top(data, 20, age), tol: ageTolerance},
		"Most changed spaces/A":            {labels: []string{"space"}, values: top(data, 10, changed), ranked: true},
		"Flow changes/A":                   {labels: []string{"change"}, values: map[string]float64{"added": added, "removed": removed}, ranked: true},
		"Flows by category/A":              {labels: []string{"category"}, values: categories},
		"Flows by category (now)/A":        {labels: []string{"category"}, values: categories},
		"Flows by status/A":                {labels: []string{"status"}, values: statuses},
	}
	period := scalePass.Seconds()
	for i, b := range []struct{ lo, hi float64 }{{math.Inf(-1), 1}, {1, 2}, {2, 3}, {3, 10}, {10, math.Inf(1)}} {
		n := 0.0
		for _, sp := range data {
			if r := age(sp) / period; r > b.lo && r <= b.hi {
				n++
			}
		}
		w[fmt.Sprintf("Spaces by data age/%c", 'A'+i)] = want{values: map[string]float64{"": n}}
	}
	w["Spaces by data age/F"] = want{values: map[string]float64{"": float64(len(failing) - countFunc(failing, func(sp *scaleSpace) bool { return sp.hasData }))}}
	for i, b := range []struct{ lo, hi float64 }{{-1, 0}, {0, 10}, {10, 50}, {50, 100}, {100, 500}, {500, math.Inf(1)}} {
		n := countFunc(data, func(sp *scaleSpace) bool { return flows(sp) > b.lo && flows(sp) <= b.hi })
		w[fmt.Sprintf("Spaces by flow count/%c", 'A'+i)] = want{values: map[string]float64{"": float64(n)}}
	}
	maps.Copy(w, a.sourceWants(sel, at, sc))
	return w
}

// checkWants compares the queries' results with what the model implies.
func checkWants(t *testing.T, spaces string, wants map[string]want, results map[string]panelResult) {
	t.Helper()
	for _, name := range slices.Sorted(maps.Keys(wants)) {
		w := wants[name]
		res, ok := results[name]
		if !ok {
			t.Errorf("%s: no such query in the dashboard, or it failed", name)
			continue
		}
		got := map[string]float64{}
		for _, s := range res.instant {
			var key []string
			for _, l := range w.labels {
				key = append(key, s.Metric[l])
			}
			got[strings.Join(key, "/")] = sampleValue(s.Value)
		}
		if why := w.mismatch(got); why != "" {
			t.Errorf("%s with space %s: %s\n got %v\nwant %v", name, spaces, why, got, w.values)
		}
	}
}

// mismatch says how got differs from w, "" if it does not.
func (w want) mismatch(got map[string]float64) string {
	if w.top > 0 {
		return w.topMismatch(got)
	}
	if gk, wk := keys(got), keys(w.values); !slices.Equal(slices.Sorted(slices.Values(gk)), slices.Sorted(slices.Values(wk))) {
		return "not the series wanted"
	}
	for k, v := range w.values {
		g := got[k]
		switch {
		case w.ranked && (v == 0) != (g == 0):
			return fmt.Sprintf("%s: %v, want 0 exactly when the model says 0 (%v)", k, g, v)
		case w.ranked:
			for k2, v2 := range w.values {
				if v > v2 && !(g > got[k2]) {
					return fmt.Sprintf("%s (%v) is not above %s (%v)", k, g, k2, got[k2])
				}
			}
		case math.IsInf(v, 1) || math.IsInf(g, 1):
			if v != g {
				return fmt.Sprintf("%s: %v, want %v", k, g, v)
			}
		case math.Abs(g-v) > w.tol:
			return fmt.Sprintf("%s: %v, want %v", k, g, v)
		}
	}
	return ""
}

// topMismatch says how got differs from the top w.top of w.values, ""
// if it does not.
func (w want) topMismatch(got map[string]float64) string {
	n := min(w.top, len(w.values))
	if len(got) != n {
		return fmt.Sprintf("%d series, want %d", len(got), n)
	}
	sorted := slices.Sorted(maps.Values(w.values))
	if !w.bottom {
		slices.Reverse(sorted)
	}
	if n == 0 {
		return ""
	}
	last := sorted[n-1] // the value of the n-th
	for k, g := range got {
		v, ok := w.values[k]
		switch {
		case !ok:
			return fmt.Sprintf("%s is not a candidate", k)
		case !(math.IsInf(v, 0) && v == g) && math.Abs(g-v) > w.tol:
			return fmt.Sprintf("%s: %v, want %v", k, g, v)
		case !w.bottom && v < last-w.tol, w.bottom && v > last+w.tol:
			return fmt.Sprintf("%s (%v) is not among the %d wanted, beyond %v", k, v, n, last)
		}
	}
	for k, v := range w.values {
		beyond := v > last+w.tol
		if w.bottom {
			beyond = v < last-w.tol
		}
		if _, ok := got[k]; beyond && !ok {
			return fmt.Sprintf("%s (%v) is missing, though beyond the %d-th value %v", k, v, n, last)
		}
	}
	return ""
}

// top returns the n spaces of spaces with the largest values, and their
// values. The model makes the n-th and the next differ.
func top(spaces []*scaleSpace, n int, value func(*scaleSpace) float64) map[string]float64 {
	sorted := slices.Clone(spaces)
	sort.SliceStable(sorted, func(i, j int) bool { return value(sorted[i]) > value(sorted[j]) })
	out := map[string]float64{}
	for _, sp := range sorted[:min(n, len(sorted))] {
		out[sp.id] = value(sp)
	}
	return out
}

// matching returns the spaces a value of the space variable selects:
// Prometheus matches the whole label value against the expression.
func (a *scaleAccount) matching(expr string) []*scaleSpace {
	re := regexp.MustCompile("^(?:" + expr + ")$")
	var out []*scaleSpace
	for _, sp := range a.spaces {
		if re.MatchString(sp.id) {
			out = append(out, sp)
		}
	}
	return out
}

func (a *scaleAccount) space(id string) *scaleSpace {
	for _, sp := range a.spaces {
		if sp.id == id {
			return sp
		}
	}
	return nil
}

func countFunc(spaces []*scaleSpace, f func(*scaleSpace) bool) int {
	n := 0
	for _, sp := range spaces {
		if f(sp) {
			n++
		}
	}
	return n
}
