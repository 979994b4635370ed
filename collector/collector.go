package collector

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// DocumentedCategories are the flow categories the CAMS documentation lists
// (client.DocumentedCategories), in its order. cams_flows_by_category always
// carries each of them, 0 when no flow does, so that a category that empties
// out reads 0 and not absent.
var DocumentedCategories = slices.Clone(client.DocumentedCategories)

// documentedOrder is DocumentedCategories fixed at start-up: the exported
// slice may be changed by a careless caller, the metrics must not.
var documentedOrder = slices.Clone(DocumentedCategories)

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
	// FlowStatus exports the flow statuses (--collector.flow-status):
	// cams_flows_by_status, the cams_flow_status_* families and the status
	// label of cams_flow_info. FlowStatusInterval is their
	// --flow-status.interval; GetFlowLimiterRate GetFlow's limiter's current
	// rate (nil omits cams_flow_status_rate_limit_requests_per_second).
	FlowStatus         bool
	FlowStatusInterval time.Duration
	GetFlowLimiterRate func() float64
	// ErrorCodes bounds the code label of cams_space_error_info: the API
	// metrics' (APIMetrics.Codes), so that the two label a code alike; nil
	// for a set of its own.
	ErrorCodes *ErrorCodes
	// Sources are the series of the engine's sources that are on
	// (--collector.<name>), each with the cams_collector_* families;
	// SourceRates returns a source's limiter's current rate by name (nil,
	// or no entry, omits its cams_collector_rate_limit_requests_per_second).
	Sources     []SourceSeries
	SourceRates map[string]func() float64
}

// Collector exports a Snapshot as Prometheus metrics through client_golang:
// it builds const metrics of the schema's series at every Collect, so
// spaces, categories and flows that disappear leave no stale series behind,
// and a scrape never calls the API. /metrics is served from pre-rendered
// bytes (package exposition); Collector is the reference it is tested
// against, and serves the formats that are not pre-rendered.
type Collector struct {
	snapshot func() *snapshot.Snapshot
	schema   *Schema
	descs    []*prometheus.Desc // by Family.Index
}

// New returns a collector of the snapshots snapshot returns (typically
// Refresher.Snapshot). snapshot must be cheap and safe for concurrent use; a
// nil snapshot is taken as "no refresh yet".
func New(snapshot func() *snapshot.Snapshot, opts Options) *Collector {
	c := &Collector{snapshot: snapshot, schema: NewSchema(opts)}
	for _, f := range c.schema.Families() {
		c.descs = append(c.descs, prometheus.NewDesc(f.Name, f.Help, f.Labels, nil))
	}
	return c
}

// Describe implements prometheus.Collector.
func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

// Collect implements prometheus.Collector. It only reads the snapshot.
func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	snap := c.snapshot()
	if snap == nil {
		snap = &snapshot.Snapshot{}
	}
	series := c.schema.SnapshotSeries(nil, snap)
	c.send(ch, series)
	for id, st := range snap.All() {
		series = c.schema.SpaceSeries(series[:0], id, st)
		c.send(ch, series)
	}
	for _, src := range snap.Sources() {
		for id, part := range src.All() {
			series = c.schema.PartSeries(series[:0], src.Name, id, part)
			c.send(ch, series)
		}
	}
}

func (c *Collector) send(ch chan<- prometheus.Metric, series []Series) {
	for i := range series {
		s := &series[i]
		vt := prometheus.GaugeValue
		if s.Family.Type == dto.MetricType_COUNTER {
			vt = prometheus.CounterValue
		}
		ch <- prometheus.MustNewConstMetric(c.descs[s.Family.Index], vt, s.Value, s.LabelValues()...)
	}
}

// joinCategories returns the distinct categories sorted and comma-joined,
// without copying them when there are fewer than two or they are sorted and
// distinct already.
func joinCategories(cats []string) string {
	switch len(cats) {
	case 0:
		return ""
	case 1:
		return validUTF8(cats[0])
	}
	if !sortedDistinct(cats) {
		var buf [8]string // on the stack for most flows
		cats = slices.Compact(slices.Sorted(slices.Values(append(buf[:0], cats...))))
	}
	return validUTF8(strings.Join(cats, ","))
}

func sortedDistinct(s []string) bool {
	for i := 1; i < len(s); i++ {
		if s[i-1] >= s[i] {
			return false
		}
	}
	return true
}

// validUTF8 replaces invalid bytes: a label value that is not UTF-8 would
// fail the whole scrape.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	return strings.ToValidUTF8(s, "\uFFFD")
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
