package collector

import (
	dto "github.com/prometheus/client_model/go"

	"github.com/cams-exporter/cams_exporter/snapshot"
)

// AddFamily adds a family to the schema being made and returns it: labels
// sorted, at most MaxLabels; perSpace families have series for each space.
type AddFamily func(perSpace bool, typ dto.MetricType, name, help string, labels ...string) *Family

// SourceSeries is the series of one source of the engine (package
// sources/...): its families and the series of each space's data.
type SourceSeries interface {
	// Name is the source's collector name (snapshot.SourceState.Name).
	Name() string
	// Families adds the source's families; called once, by NewSchema.
	Families(add AddFamily)
	// SpaceSeries appends the series of a space's data: part has data.
	// They must depend on nothing else (the exposition renders them once
	// per *SpacePart).
	SpaceSeries(dst []Series, space string, part *snapshot.SpacePart) []Series
}

// SourceTotals is a SourceSeries with series of the source as a whole,
// made of its state's Totals (engine.Totaler) alone: its families are not
// per space. They are rendered at every scrape, with the
// cams_collector_* series of the source.
type SourceTotals interface {
	TotalSeries(dst []Series, st *snapshot.SourceState) []Series
}

// NewSeries returns a series of f: its value and its label values, in the
// order of f.Labels.
func NewSeries(f *Family, v float64, values ...string) Series { return series(f, v, values...) }

const labelCollector = "collector"

// sourceFamilies are the families every source has, labelled by collector.
type sourceFamilies struct {
	spaces, expectedPass, interval, rate, folded *Family
	up, lastSuccess, errorInfo                   *Family
	byName                                       map[string]SourceSeries
	perSpace                                     map[string][]*Family // by source: PartFamilies
}

// addSourceFamilies adds the cams_collector_* families, then each source's.
func (s *Schema) addSourceFamilies(add AddFamily) {
	gauge, counter := dto.MetricType_GAUGE, dto.MetricType_COUNTER
	f := &s.sources
	f.spaces = add(false, gauge, "cams_collector_spaces",
		"Watched spaces by state for each collector of the engine (--collector.<name>): pending (not called yet in this run, nothing restored, or nothing to ask), up (its last call succeeded) or down (it failed). The three sum to the spaces watched.",
		labelCollector, labelState)
	f.expectedPass = add(false, gauge, "cams_collector_expected_duration_seconds",
		"How long making every call of the collector takes at its configured rate, from what is known of the spaces. Above cams_collector_interval_seconds, calls are made back to back, the stalest first, and the data gets as old as this.",
		labelCollector)
	f.interval = add(false, gauge, "cams_collector_interval_seconds",
		"The collector's configured interval (--<name>.interval): the target age of each space's data.",
		labelCollector)
	f.rate = add(false, gauge, "cams_collector_rate_limit_requests_per_second",
		"Current rate of the collector's own account-wide limiter in requests per second; it is lowered when the API throttles its operation and climbs back as calls succeed. No other operation waits on it.",
		labelCollector)
	f.folded = add(false, counter, "cams_collector_values_folded_total",
		"Label values the collector folded into _other because 30 undocumented values of that label, the first seen, were already exported.",
		labelCollector)
	f.up = add(true, gauge, "cams_collector_space_up",
		"1 if the collector's last call for the space succeeded, 0 if it failed (its data series keep the last successful answer); absent while pending.",
		labelCollector, labelSpace)
	f.lastSuccess = add(true, gauge, "cams_collector_space_last_success_timestamp_seconds",
		"Unix time of the collector's last successful call for the space; absent if none has succeeded.",
		labelCollector, labelSpace)
	f.errorInfo = add(true, gauge, "cams_collector_space_error_info",
		"1 for a space whose last call of the collector failed, with the code of its error, bounded as in cams_api_errors_total; absent while the space is up or pending.",
		labelCode, labelCollector, labelSpace)
	f.up.Status, f.lastSuccess.Status, f.errorInfo.Status = true, true, true
	f.byName = map[string]SourceSeries{}
	f.perSpace = map[string][]*Family{}
	for _, src := range s.opts.Sources {
		name := src.Name()
		f.byName[name] = src
		f.perSpace[name] = []*Family{f.up, f.lastSuccess, f.errorInfo}
		src.Families(func(perSpace bool, typ dto.MetricType, fam, help string, labels ...string) *Family {
			added := add(perSpace, typ, fam, help, labels...)
			if perSpace {
				f.perSpace[name] = append(f.perSpace[name], added)
			}
			return added
		})
	}
}

// PartFamilies returns the families of the series PartSeries gives for the
// source named source, in the schema's order: the cams_collector_space_*
// families and the source's own per-space ones; nil for a source the schema
// does not have. The caller must not change the slice.
func (s *Schema) PartFamilies(source string) []*Family { return s.sources.perSpace[source] }

// appendSourceTotals appends the series of each source as a whole, those
// of a family one after the other.
func (s *Schema) appendSourceTotals(dst []Series, snap *snapshot.Snapshot) []Series {
	f := &s.sources
	if f.byName == nil {
		return dst
	}
	var on []*snapshot.SourceState
	for _, st := range snap.Sources() {
		if f.byName[st.Name] != nil {
			on = append(on, st)
		}
	}
	watched := snap.Counts()
	total := watched.Pending + watched.Up + watched.Down
	for _, st := range on {
		up := st.Up()
		dst = append(dst,
			series(f.spaces, float64(max(total-st.Len(), 0)), st.Name, "pending"),
			series(f.spaces, float64(up), st.Name, "up"),
			series(f.spaces, float64(st.Len()-up), st.Name, "down"))
	}
	for _, st := range on {
		dst = append(dst, series(f.expectedPass, st.ExpectedPass.Seconds(), st.Name))
	}
	for _, st := range on {
		dst = append(dst, series(f.interval, st.Interval.Seconds(), st.Name))
	}
	for _, st := range on {
		if rate := s.opts.SourceRates[st.Name]; rate != nil {
			dst = append(dst, series(f.rate, rate(), st.Name))
		}
	}
	for _, st := range on {
		dst = append(dst, series(f.folded, float64(st.Folded), st.Name))
	}
	for _, st := range on {
		if t, ok := f.byName[st.Name].(SourceTotals); ok {
			dst = t.TotalSeries(dst, st)
		}
	}
	return dst
}

// PartSeries appends the series of the part of space of the source named
// source: its up, error and last success, and its data's series. They
// depend on nothing else: the exposition renders them once per part.
func (s *Schema) PartSeries(dst []Series, source, id string, part *snapshot.SpacePart) []Series {
	src := s.sources.byName[source]
	if src == nil {
		return dst
	}
	dst = s.PartStatusSeries(dst, source, id, part)
	if part.HasData {
		dst = src.SpaceSeries(dst, validUTF8(id), part)
	}
	return dst
}

// PartStatusSeries appends the series of PartSeries of the status
// families (Family.Status) alone.
func (s *Schema) PartStatusSeries(dst []Series, source, id string, part *snapshot.SpacePart) []Series {
	f := &s.sources
	if f.byName[source] == nil {
		return dst
	}
	space := validUTF8(id)
	dst = append(dst, series(f.up, boolFloat(part.Up), source, space))
	if !part.Up && part.LastError != nil {
		dst = append(dst, series(f.errorInfo, 1, s.codes.Label(part.LastError.Code), source, space))
	}
	if !part.LastSuccess.IsZero() {
		dst = append(dst, series(f.lastSuccess, unixSeconds(part.LastSuccess), source, space))
	}
	return dst
}
