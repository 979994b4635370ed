package collector

import (
	"fmt"
	"slices"
	"sync"
	"time"

	dto "github.com/prometheus/client_model/go"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// MaxLabels is the most labels a family of the schema has
// (cams_phone_number_state).
const MaxLabels = 7

// Family is one metric family derived from snapshots.
type Family struct {
	Name, Help string
	// Type is dto.MetricType_GAUGE or dto.MetricType_COUNTER; a counter's
	// name ends in _total.
	Type dto.MetricType
	// Labels are the label names, sorted, as client_golang writes them.
	Labels []string
	// PerSpace families have series for each space; the others describe the
	// snapshot as a whole.
	PerSpace bool
	// Index is the family's position in Schema.Families.
	Index int
	// Status families are a space's call status (up, error, last
	// success): per-space families whose series SpaceStatusSeries and
	// PartStatusSeries give alone, without the data's. A call that got
	// the same answer changes only them.
	Status bool
}

// Series is one sample of a family: its label values, in the order of
// Family.Labels, and its value.
type Series struct {
	Family *Family
	Values [MaxLabels]string
	Value  float64
}

// LabelValues returns the series' label values.
func (s *Series) LabelValues() []string { return s.Values[:len(s.Family.Labels)] }

// Schema says which metric families and which series a snapshot has. It is
// the one place that does: Collector hands its series to client_golang, and
// package exposition renders the very same series as bytes.
type Schema struct {
	opts     Options
	families []*Family
	codes    *ErrorCodes

	// Families describing the snapshot as a whole.
	up, spaces, refreshes, failures, categoriesFolded, limiterRate *Family
	refreshDuration, expectedPass, interval, startTime             *Family
	// Families of the flow statuses as a whole (nil without them).
	statusPass, statusInterval, statusesFolded, statusRate *Family
	// The sources' families (sources.go).
	sources sourceFamilies
	// Families with series for each space.
	spaceUp, spaceError, spaceLastSuccess, flowChanges, flows, flowsByCategory, flowsByStatus, flowInfo *Family
}

// NewSchema returns the schema for opts.
func NewSchema(opts Options) *Schema {
	cached := " Cached: refreshed in the background, not at scrape time."
	every := "."
	if opts.RefreshInterval > 0 {
		iv := formatInterval(opts.RefreshInterval)
		cached = " Cached: refreshed in the background every " + iv + ", not at scrape time."
		every = "; each space is listed again once its data is " + iv + " old."
	}
	s := &Schema{opts: opts, codes: opts.ErrorCodes}
	if s.codes == nil {
		s.codes = NewErrorCodes()
	}
	add := func(perSpace bool, typ dto.MetricType, name, help string, labels ...string) *Family {
		f := &Family{Name: name, Help: help, Type: typ, Labels: labels, PerSpace: perSpace, Index: len(s.families)}
		if !slices.IsSorted(labels) || len(labels) > MaxLabels {
			panic("collector: labels of " + name + " must be sorted and at most MaxLabels")
		}
		s.families = append(s.families, f)
		return f
	}
	gauge, counter := dto.MetricType_GAUGE, dto.MetricType_COUNTER

	s.up = add(false, gauge, "cams_up",
		"1 if at least one space has been refreshed and the last refresh of every space refreshed succeeded; 0 if any failed or none has been refreshed yet. Pending spaces do not count."+cached)
	s.spaces = add(false, gauge, "cams_spaces",
		"Watched spaces by state: pending (not refreshed yet in this run, nothing restored from the cache), up (the last refresh succeeded) or down (it failed). The three sum to the number of spaces watched."+cached,
		labelState)
	s.refreshes = add(false, counter, "cams_refreshes_total",
		"Complete background passes over every space"+every)
	s.failures = add(false, counter, "cams_refresh_failures_total",
		"Complete background passes in which at least one space failed"+every)
	s.categoriesFolded = add(false, counter, "cams_flow_categories_folded_total",
		fmt.Sprintf("Category values folded into category=%q of cams_flows_by_category and cams_flow_info because %d undocumented categories, the first seen, were already exported: each listing of a space adds the number of distinct category values it carried beyond them.",
			snapshot.OtherCategory, snapshot.MaxUndocumentedCategories))
	if opts.LimiterRate != nil {
		s.limiterRate = add(false, gauge, "cams_api_rate_limit_requests_per_second",
			"Current rate of the account-wide API rate limiter in requests per second; it is lowered when the API throttles and climbs back as calls succeed.")
	}
	s.refreshDuration = add(false, gauge, "cams_refresh_duration_seconds",
		"How long the last complete background pass over every space took; absent until the first pass has completed"+every)
	s.expectedPass = add(false, gauge, "cams_refresh_expected_duration_seconds",
		"How long a pass over every space takes at the configured API rate, from the last known flow counts (one page for a space not listed yet). Above the refresh interval, spaces are refreshed back to back, the stalest first, and their data gets older than the interval.")
	if opts.RefreshInterval > 0 {
		s.interval = add(false, gauge, "cams_refresh_interval_seconds",
			"The configured refresh interval (--refresh.interval): the target age of each space's data. When cams_refresh_expected_duration_seconds is longer, spaces are listed back to back and each space's data gets as old as a pass.")
	}
	if !opts.StartTime.IsZero() {
		s.startTime = add(false, gauge, "cams_exporter_start_time_seconds",
			"Unix time at which the exporter started. The alerts use it to tell a space still waiting for its first passes from one that keeps failing.")
	}

	s.spaceUp = add(true, gauge, "cams_space_up",
		"1 if the last refresh of the space succeeded, 0 if it failed; the flow metrics of a failing space keep its last successful data. Absent while the space is pending (not listed yet in this run, nothing restored from the cache): see cams_spaces."+cached,
		labelSpace)
	s.spaceError = add(true, gauge, "cams_space_error_info",
		"1 for a space whose last refresh failed, with the code of its error, bounded as in cams_api_errors_total (TooManyPages for a listing cut at --cams.max-pages); absent while the space is up or pending. count by (code) tells how many spaces fail for each reason."+cached,
		labelCode, labelSpace)
	s.spaceLastSuccess = add(true, gauge, "cams_space_last_success_timestamp_seconds",
		"Unix time at which the last successful refresh of the space finished; absent if none has."+cached,
		labelSpace)
	s.spaceUp.Status, s.spaceError.Status, s.spaceLastSuccess.Status = true, true, true
	s.flowChanges = add(true, counter, "cams_flow_changes_total",
		"Flows that appeared (change=added) or disappeared (change=removed) in the space between two successful refreshes, since the exporter started."+cached,
		labelChange, labelSpace)
	s.flows = add(true, gauge, "cams_flows",
		"Number of flows in the space (space is the CustSpaceId, empty for the account's own space), as of its last successful refresh."+cached,
		labelSpace)
	s.flowsByCategory = add(true, gauge, "cams_flows_by_category",
		"Number of flows in the space carrying the category. A flow can carry several categories, so the counts overlap and their sum can exceed cams_flows. Every documented category is present, 0 when no flow carries it; the first 30 undocumented categories seen appear under their own name, and flows carrying any other count once under _other."+cached,
		labelCategory, labelSpace)
	if opts.FlowStatus {
		s.addStatusFamilies(add)
	}
	if opts.FlowInfo {
		if opts.FlowStatus {
			s.flowInfo = add(true, gauge, "cams_flow_info",
				"Information about a flow, always 1: its name, its categories, sorted and comma-separated, and its status as in cams_flows_by_status."+cached,
				"categories", "flow_id", "flow_name", labelSpace, labelStatus)
		} else {
			s.flowInfo = add(true, gauge, "cams_flow_info",
				"Information about a flow, always 1: its name and its categories, sorted and comma-separated."+cached,
				"categories", "flow_id", "flow_name", labelSpace)
		}
	}
	if len(opts.Sources) > 0 {
		s.addSourceFamilies(add)
	}
	return s
}

// Label names shared by several families.
const (
	labelSpace    = "space"
	labelCategory = "category"
	labelChange   = "change"
	labelState    = "state"
	labelStatus   = "status"
	labelCode     = "code"
)

// Families returns every family of the schema, in a fixed order; Family.Index
// is the position in it. The caller must not change them.
func (s *Schema) Families() []*Family { return s.families }

// SnapshotSeries appends the series that describe snap as a whole, in any
// order (the sources' come source by source). They are rendered at every
// scrape: a handful, and the limiters' rates are read now.
func (s *Schema) SnapshotSeries(dst []Series, snap *snapshot.Snapshot) []Series {
	counts := snap.Counts()
	dst = append(dst,
		series(s.up, boolFloat(counts.Up > 0 && counts.Down == 0)),
		series(s.spaces, float64(counts.Pending), "pending"),
		series(s.spaces, float64(counts.Up), "up"),
		series(s.spaces, float64(counts.Down), "down"),
		series(s.refreshes, float64(snap.Refreshes)),
		series(s.failures, float64(snap.RefreshFailures)),
		series(s.categoriesFolded, float64(snap.CategoriesFolded)),
		series(s.expectedPass, snap.ExpectedPassDuration.Seconds()))
	if s.limiterRate != nil {
		dst = append(dst, series(s.limiterRate, s.opts.LimiterRate()))
	}
	if s.interval != nil {
		dst = append(dst, series(s.interval, s.opts.RefreshInterval.Seconds()))
	}
	if s.startTime != nil {
		dst = append(dst, series(s.startTime, unixSeconds(s.opts.StartTime)))
	}
	if snap.Completed {
		dst = append(dst, series(s.refreshDuration, snap.LastRefreshDuration.Seconds()))
	}
	if s.statusPass != nil {
		dst = s.appendStatusTotals(dst, snap)
	}
	return s.appendSourceTotals(dst, snap)
}

// SpaceSeries appends the series of the space id in state st, in any order.
// They must depend on nothing else: the exposition renders them once per
// *SpaceState, which the refresher replaces whenever the space changes.
// A space has series as soon as it has a state: its data is published when
// its first listing ends, and a pending space has no state. A space without
// data has only cams_space_up, 0: it is never up without its flow series.
func (s *Schema) SpaceSeries(dst []Series, id string, st *snapshot.SpaceState) []Series {
	dst = s.SpaceStatusSeries(dst, id, st)
	space := validUTF8(id)
	if st.HasData {
		dst = append(dst,
			series(s.flowChanges, float64(st.Added), "added", space),
			series(s.flowChanges, float64(st.Removed), "removed", space),
			series(s.flows, float64(st.Count), space))
		for _, cat := range documentedOrder {
			dst = append(dst, series(s.flowsByCategory, float64(st.ByCategory[cat]), cat, space))
		}
		for _, cat := range undocumented(st.ByCategory) {
			dst = append(dst, series(s.flowsByCategory, float64(st.ByCategory[cat]), validUTF8(cat), space))
		}
		if s.flowsByStatus != nil {
			dst = s.appendFlowsByStatus(dst, space, st)
		}
	}
	if s.flowInfo != nil {
		dst = s.appendFlowInfo(dst, space, st)
	}
	return dst
}

// SpaceStatusSeries appends the series of SpaceSeries of the status
// families (Family.Status) alone.
func (s *Schema) SpaceStatusSeries(dst []Series, id string, st *snapshot.SpaceState) []Series {
	space := validUTF8(id)
	dst = append(dst, series(s.spaceUp, boolFloat(st.Up && st.HasData), space))
	if !st.Up && st.LastError != nil {
		dst = append(dst, series(s.spaceError, 1, s.codes.Label(st.LastError.Code), space))
	}
	if st.HasData && !st.LastSuccess.IsZero() {
		dst = append(dst, series(s.spaceLastSuccess, unixSeconds(st.LastSuccess), space))
	}
	return dst
}

// appendFlowInfo appends one cams_flow_info per flow id: a flow id listed
// twice would otherwise make two identical series and fail the whole scrape.
func (s *Schema) appendFlowInfo(dst []Series, space string, st *snapshot.SpaceState) []Series {
	var seen map[string]struct{}
	if st.Flows.Len() > 1 {
		seen, _ = seenPool.Get().(map[string]struct{})
		if seen == nil {
			seen = map[string]struct{}{}
		}
		defer func() { clear(seen); seenPool.Put(seen) }()
	}
	for _, f := range st.Flows.All() {
		if seen != nil {
			if _, dup := seen[f.FlowID]; dup {
				continue
			}
			seen[f.FlowID] = struct{}{}
		}
		if s.flowsByStatus != nil {
			dst = append(dst, series(s.flowInfo, 1, joinCategories(f.Categories), validUTF8(f.FlowID), validUTF8(f.FlowName), space, flowStatus(st, f.FlowID)))
			continue
		}
		dst = append(dst, series(s.flowInfo, 1, joinCategories(f.Categories), validUTF8(f.FlowID), validUTF8(f.FlowName), space))
	}
	return dst
}

// seenPool holds the sets of flow ids of appendFlowInfo: every render of a
// space with flow info would otherwise allocate one.
var seenPool sync.Pool

func series(f *Family, v float64, values ...string) Series {
	s := Series{Family: f, Value: v}
	copy(s.Values[:], values)
	return s
}

// undocumented returns the categories of byCategory that are not documented,
// sorted, so that a space renders the same bytes every time.
func undocumented(byCategory map[string]int) []string {
	var extra []string
	for cat := range byCategory {
		if !client.IsDocumentedCategory(cat) {
			extra = append(extra, cat)
		}
	}
	slices.Sort(extra)
	return extra
}

// unixSeconds is t as Unix seconds. Whole seconds and the fraction are
// converted apart: float64(t.UnixNano())/1e9 loses the fraction's precision.
func unixSeconds(t time.Time) float64 {
	return float64(t.Unix()) + float64(t.Nanosecond())/1e9
}
