package collector

import (
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/cams-exporter/cams_exporter/refresh"
)

// DocumentedCategories are the flow categories the CAMS documentation lists,
// in its order. cams_flows_by_category always carries each of them, 0 when
// no flow does, so that a category that empties out reads 0 and not absent.
var DocumentedCategories = []string{
	"SIGN_UP",
	"SIGN_IN",
	"APPOINTMENT_BOOKING",
	"LEAD_GENERATION",
	"CONTACT_US",
	"CUSTOMER_SUPPORT",
	"SURVEY",
	"OTHER",
}

// documented is DocumentedCategories as a set, fixed at start-up: the
// exported slice may be changed by a careless caller, the metrics must not.
var documented, documentedOrder = func() (map[string]struct{}, []string) {
	set := make(map[string]struct{}, len(DocumentedCategories))
	for _, c := range DocumentedCategories {
		set[c] = struct{}{}
	}
	return set, slices.Clone(DocumentedCategories)
}()

// Options configures a Collector.
type Options struct {
	// FlowInfo exports cams_flow_info, one series per flow. The refresher
	// must keep the flows (refresh.Config.KeepFlows) for it to have any.
	FlowInfo bool
	// RefreshInterval is the refresher's interval, quoted in HELP texts and
	// exported as cams_refresh_interval_seconds (omitted when 0).
	RefreshInterval time.Duration
	// StartTime is when the exporter started, exported as
	// cams_exporter_start_time_seconds (omitted when zero).
	StartTime time.Time
	// LimiterRate returns the account limiter's current rate in calls per
	// second; nil omits cams_api_rate_limit_requests_per_second.
	LimiterRate func() float64
}

// Collector exports a Snapshot as Prometheus metrics. It builds fresh const
// metrics from the current snapshot at every Collect, so spaces, categories
// and flows that disappear leave no stale series behind, and a scrape never
// calls the API.
type Collector struct {
	snapshot func() *refresh.Snapshot
	opts     Options

	flows, flowsByCategory, flowInfo, flowChanges *prometheus.Desc
	spaceUp, spaceLastSuccess                     *prometheus.Desc
	up, refreshDuration, refreshes, failures      *prometheus.Desc
	expectedPass, interval, spaces, startTime     *prometheus.Desc
	limiterRate                                   *prometheus.Desc

	// cache holds the prepared series of the last snapshot collected;
	// cacheMu serialises its rebuilds.
	cache   atomic.Pointer[seriesCache]
	cacheMu sync.Mutex
}

// New returns a collector of the snapshots snapshot returns (typically
// Refresher.Snapshot). snapshot must be cheap and safe for concurrent use; a
// nil snapshot is taken as "no refresh yet".
func New(snapshot func() *refresh.Snapshot, opts Options) *Collector {
	cached := " Cached: refreshed in the background, not at scrape time."
	every := "."
	if opts.RefreshInterval > 0 {
		iv := formatInterval(opts.RefreshInterval)
		cached = " Cached: refreshed in the background every " + iv + ", not at scrape time."
		every = "; each space is listed again once its data is " + iv + " old."
	}
	space := []string{"space"}
	return &Collector{
		snapshot: snapshot,
		opts:     opts,
		flows: prometheus.NewDesc("cams_flows",
			"Number of flows in the space (space is the CustSpaceId, empty for the account's own space), as of its last successful refresh."+cached,
			space, nil),
		flowsByCategory: prometheus.NewDesc("cams_flows_by_category",
			"Number of flows in the space carrying the category. A flow can carry several categories, so the counts overlap and their sum can exceed cams_flows. Every documented category is present, 0 when no flow carries it; undocumented categories appear under their own name."+cached,
			[]string{"space", "category"}, nil),
		flowInfo: prometheus.NewDesc("cams_flow_info",
			"Information about a flow, always 1: its name and its categories, sorted and comma-separated."+cached,
			[]string{"space", "flow_id", "flow_name", "categories"}, nil),
		flowChanges: prometheus.NewDesc("cams_flow_changes_total",
			"Flows that appeared (change=added) or disappeared (change=removed) in the space between two successful refreshes, since the exporter started."+cached,
			[]string{"space", "change"}, nil),
		spaceUp: prometheus.NewDesc("cams_space_up",
			"1 if the last refresh of the space succeeded, 0 if it failed; the flow metrics of a failing space keep its last successful data. Absent while the space is pending (not listed yet in this run, nothing restored from the cache): see cams_spaces."+cached,
			space, nil),
		spaceLastSuccess: prometheus.NewDesc("cams_space_last_success_timestamp_seconds",
			"Unix time at which the last successful refresh of the space finished; absent if none has."+cached,
			space, nil),
		up: prometheus.NewDesc("cams_up",
			"1 if at least one space has been refreshed and the last refresh of every space refreshed succeeded; 0 if any failed or none has been refreshed yet. Pending spaces do not count."+cached,
			nil, nil),
		spaces: prometheus.NewDesc("cams_spaces",
			"Watched spaces by state: pending (not refreshed yet in this run, nothing restored from the cache), up (the last refresh succeeded) or down (it failed). The three sum to the number of spaces watched."+cached,
			[]string{"state"}, nil),
		interval: prometheus.NewDesc("cams_refresh_interval_seconds",
			"The configured refresh interval (--refresh.interval): the target age of each space's data. When cams_refresh_expected_duration_seconds is longer, spaces are listed back to back and each space's data gets as old as a pass.",
			nil, nil),
		startTime: prometheus.NewDesc("cams_exporter_start_time_seconds",
			"Unix time at which the exporter started. The alerts use it to tell a space still waiting for its first passes from one that keeps failing.",
			nil, nil),
		refreshDuration: prometheus.NewDesc("cams_refresh_duration_seconds",
			"How long the last complete background pass over every space took; absent until the first pass has completed"+every,
			nil, nil),
		expectedPass: prometheus.NewDesc("cams_refresh_expected_duration_seconds",
			"How long a pass over every space takes at the configured API rate, from the last known flow counts (one page for a space not listed yet). Above the refresh interval, spaces are refreshed back to back, the stalest first, and their data gets older than the interval.",
			nil, nil),
		refreshes: prometheus.NewDesc("cams_refreshes_total",
			"Complete background passes over every space"+every,
			nil, nil),
		failures: prometheus.NewDesc("cams_refresh_failures_total",
			"Complete background passes in which at least one space failed"+every,
			nil, nil),
		limiterRate: prometheus.NewDesc("cams_api_rate_limit_requests_per_second",
			"Current rate of the account-wide API rate limiter in requests per second; it is lowered when the API throttles and climbs back as calls succeed.",
			nil, nil),
	}
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.flows
	ch <- c.flowsByCategory
	if c.opts.FlowInfo {
		ch <- c.flowInfo
	}
	ch <- c.flowChanges
	ch <- c.spaceUp
	ch <- c.spaceLastSuccess
	ch <- c.up
	ch <- c.spaces
	ch <- c.refreshDuration
	ch <- c.expectedPass
	if c.opts.RefreshInterval > 0 {
		ch <- c.interval
	}
	if !c.opts.StartTime.IsZero() {
		ch <- c.startTime
	}
	ch <- c.refreshes
	ch <- c.failures
	if c.opts.LimiterRate != nil {
		ch <- c.limiterRate
	}
}

// Collect implements prometheus.Collector. It only reads the snapshot.
//
// The series of each space are built once per *SpaceState and kept until
// the snapshot no longer holds that pointer: a published snapshot and its
// spaces are immutable (the refresher replaces a space's pointer when the
// space changes), so every scrape between two refreshes sends the same
// prepared metrics instead of building them again. Flow info is built at
// every scrape; caching one series per flow would cost far more memory than
// it saves time.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	snap := c.snapshot()
	if snap == nil {
		snap = &refresh.Snapshot{}
	}
	counts := snap.Counts()
	ch <- prometheus.MustNewConstMetric(c.up, prometheus.GaugeValue, boolFloat(counts.Up > 0 && counts.Down == 0))
	ch <- prometheus.MustNewConstMetric(c.spaces, prometheus.GaugeValue, float64(counts.Pending), "pending")
	ch <- prometheus.MustNewConstMetric(c.spaces, prometheus.GaugeValue, float64(counts.Up), "up")
	ch <- prometheus.MustNewConstMetric(c.spaces, prometheus.GaugeValue, float64(counts.Down), "down")
	ch <- prometheus.MustNewConstMetric(c.refreshes, prometheus.CounterValue, float64(snap.Refreshes))
	ch <- prometheus.MustNewConstMetric(c.failures, prometheus.CounterValue, float64(snap.RefreshFailures))
	ch <- prometheus.MustNewConstMetric(c.expectedPass, prometheus.GaugeValue, snap.ExpectedPassDuration.Seconds())
	if c.opts.RefreshInterval > 0 {
		ch <- prometheus.MustNewConstMetric(c.interval, prometheus.GaugeValue, c.opts.RefreshInterval.Seconds())
	}
	if !c.opts.StartTime.IsZero() {
		ch <- prometheus.MustNewConstMetric(c.startTime, prometheus.GaugeValue, unixSeconds(c.opts.StartTime))
	}
	if c.opts.LimiterRate != nil {
		ch <- prometheus.MustNewConstMetric(c.limiterRate, prometheus.GaugeValue, c.opts.LimiterRate())
	}
	if snap.Completed {
		ch <- prometheus.MustNewConstMetric(c.refreshDuration, prometheus.GaugeValue, snap.LastRefreshDuration.Seconds())
	}
	// Each space's series appear with its state: a space's data is
	// published as soon as its first listing ends, and a pending space has
	// no state and so no series.
	for _, sc := range c.spaceSeries(snap).list {
		for i := range sc.metrics {
			ch <- &sc.metrics[i]
		}
		if c.opts.FlowInfo {
			c.collectFlowInfo(ch, sc.label, sc.state)
		}
	}
}

// seriesCache holds the prepared series of every space of one snapshot.
type seriesCache struct {
	snap   *refresh.Snapshot
	spaces map[string]*spaceSeries // by the snapshot's key
	list   []*spaceSeries
}

// spaceSeries are the series of one space, built from one *SpaceState.
type spaceSeries struct {
	state   *refresh.SpaceState
	label   string // the space label's value
	metrics []preparedMetric
}

// spaceSeries returns the prepared series of snap, building those of the
// spaces whose state changed since the last snapshot seen.
func (c *Collector) spaceSeries(snap *refresh.Snapshot) *seriesCache {
	if sc := c.cache.Load(); sc != nil && sc.snap == snap {
		return sc
	}
	c.cacheMu.Lock()
	defer c.cacheMu.Unlock()
	prev := c.cache.Load()
	if prev != nil && prev.snap == snap {
		return prev
	}
	next := &seriesCache{snap: snap, spaces: make(map[string]*spaceSeries, len(snap.Spaces)), list: make([]*spaceSeries, 0, len(snap.Spaces))}
	for id, st := range snap.Spaces {
		if st == nil {
			continue
		}
		var ss *spaceSeries
		if prev != nil {
			if old := prev.spaces[id]; old != nil && old.state == st {
				ss = old
			}
		}
		if ss == nil {
			ss = c.buildSpace(validUTF8(id), st)
		}
		next.spaces[id] = ss
		next.list = append(next.list, ss)
	}
	c.cache.Store(next)
	return next
}

// buildSpace prepares the series of one space. All of them share one label
// pair for the space, and the documented categories' pairs are shared by
// every space. A space without data has only cams_space_up, 0: it is never
// up without its flow series.
func (c *Collector) buildSpace(space string, sp *refresh.SpaceState) *spaceSeries {
	ss := &spaceSeries{state: sp, label: space}
	spacePair := labelPair(labelSpace, space)
	one := []*dto.LabelPair{spacePair}
	// Label pairs are sorted by name: category and change sort before space.
	two := func(first *dto.LabelPair) []*dto.LabelPair { return []*dto.LabelPair{first, spacePair} }
	ms := make([]preparedMetric, 0, 6+len(documentedOrder)+len(sp.ByCategory))
	add := func(desc *prometheus.Desc, counter bool, v float64, labels []*dto.LabelPair) {
		ms = append(ms, preparedMetric{desc: desc, labels: labels, value: v, counter: counter})
	}
	add(c.spaceUp, false, boolFloat(sp.Up && sp.HasData), one)
	if sp.HasData {
		add(c.flowChanges, true, float64(sp.Added), two(changeAddedPair))
		add(c.flowChanges, true, float64(sp.Removed), two(changeRemovedPair))
		if !sp.LastSuccess.IsZero() {
			add(c.spaceLastSuccess, false, unixSeconds(sp.LastSuccess), one)
		}
		add(c.flows, false, float64(sp.Count), one)
		for i, cat := range documentedOrder {
			add(c.flowsByCategory, false, float64(sp.ByCategory[cat]), two(documentedPairs[i]))
		}
		for cat, n := range sp.ByCategory {
			if _, ok := documented[cat]; !ok {
				add(c.flowsByCategory, false, float64(n), two(labelPair(labelCategory, validUTF8(cat))))
			}
		}
	}
	ss.metrics = ms
	return ss
}

// preparedMetric is a gauge or counter whose labels and value never change:
// a prometheus.Metric that, unlike a const metric, shares its label pairs
// with the other series of its space and costs nothing to send again.
// Label pairs written out are immutable by client_golang's contract.
type preparedMetric struct {
	desc    *prometheus.Desc
	labels  []*dto.LabelPair
	value   float64
	counter bool
}

// Desc implements prometheus.Metric.
func (m *preparedMetric) Desc() *prometheus.Desc { return m.desc }

// Write implements prometheus.Metric.
func (m *preparedMetric) Write(out *dto.Metric) error {
	out.Label = m.labels
	if m.counter {
		out.Counter = &dto.Counter{Value: &m.value}
	} else {
		out.Gauge = &dto.Gauge{Value: &m.value}
	}
	return nil
}

// Label names of the prepared series, and the label pairs every space
// shares. They are never written to.
const (
	labelSpace    = "space"
	labelCategory = "category"
	labelChange   = "change"
)

var (
	changeAddedPair   = labelPair(labelChange, "added")
	changeRemovedPair = labelPair(labelChange, "removed")
	documentedPairs   = func() []*dto.LabelPair {
		pairs := make([]*dto.LabelPair, len(documentedOrder))
		for i, cat := range documentedOrder {
			pairs[i] = labelPair(labelCategory, cat)
		}
		return pairs
	}()
)

func labelPair(name, value string) *dto.LabelPair {
	return &dto.LabelPair{Name: &name, Value: &value}
}

// collectFlowInfo emits one cams_flow_info per flow id: a flow id listed
// twice would otherwise make two identical series and fail the whole scrape.
func (c *Collector) collectFlowInfo(ch chan<- prometheus.Metric, space string, sp *refresh.SpaceState) {
	var seen map[string]struct{}
	if len(sp.Flows) > 1 {
		seen = make(map[string]struct{}, len(sp.Flows))
	}
	for _, f := range sp.Flows {
		if seen != nil {
			if _, dup := seen[f.FlowID]; dup {
				continue
			}
			seen[f.FlowID] = struct{}{}
		}
		ch <- prometheus.MustNewConstMetric(c.flowInfo, prometheus.GaugeValue, 1,
			space, validUTF8(f.FlowID), validUTF8(f.FlowName), joinCategories(f.Categories))
	}
}

// joinCategories returns the distinct categories sorted and comma-joined,
// without copying in the common case of zero or one category.
func joinCategories(cats []string) string {
	switch len(cats) {
	case 0:
		return ""
	case 1:
		return validUTF8(cats[0])
	}
	sorted := slices.Clone(cats)
	slices.Sort(sorted)
	sorted = slices.Compact(sorted)
	return validUTF8(strings.Join(sorted, ","))
}

// validUTF8 replaces invalid bytes: a label value that is not UTF-8 would
// fail the whole scrape.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
}

// unixSeconds is t as Unix seconds. Whole seconds and the fraction are
// converted apart: float64(t.UnixNano())/1e9 loses the fraction's precision.
func unixSeconds(t time.Time) float64 {
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9
}

func boolFloat(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// formatInterval renders d without trailing zero units: 5m, 1h, 1h30m, 90s
// stays 1m30s.
func formatInterval(d time.Duration) string {
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = s[:len(s)-2]
	}
	if strings.HasSuffix(s, "h0m") {
		s = s[:len(s)-2]
	}
	return s
}
