package templates

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// smallPart is a space's part: four templates, one of an undocumented
// status and category, two problems, three pauses counted so far.
func smallPart() *snapshot.SpacePart {
	return &snapshot.SpacePart{Up: true, HasData: true, Data: Templates{
		List: []Kept{
			{Code: "otp", Language: "en_US", Category: "AUTHENTICATION", AuditStatus: "fail", Reason: "bad"},
			{Code: "promo", Language: "en_US", Category: "PROMOTION", AuditStatus: "APPROVED"},
			{Code: "welcome", Language: "en_US", Category: "MARKETING", AuditStatus: "pass"},
			{Code: "welcome", Language: "zh_CN", Category: "MARKETING", AuditStatus: "paused"},
		},
		Total: 4, Changes: map[string]uint64{"paused": 3},
	}}
}

func partSeries(info bool, part *snapshot.SpacePart) []string {
	schema := collector.NewSchema(collector.Options{Sources: []collector.SourceSeries{&Series{Info: info}}})
	var got []string
	for _, s := range schema.PartSeries(nil, Name, "cs-1", part) {
		got = append(got, fmt.Sprintf("%s%v %g", s.Family.Name, s.LabelValues(), s.Value))
	}
	slices.Sort(got)
	return got
}

func TestSeriesOfASpace(t *testing.T) {
	common := []string{
		"cams_collector_space_up[templates cs-1] 1",
		"cams_templates[pass cs-1] 1",
		"cams_templates[fail cs-1] 1",
		"cams_templates[auditing cs-1] 0",
		"cams_templates[unaudit cs-1] 0",
		"cams_templates[paused cs-1] 1",
		"cams_templates[disabled cs-1] 0",
		"cams_templates[APPROVED cs-1] 1",
		"cams_templates_by_category[MARKETING cs-1] 2",
		"cams_templates_by_category[UTILITY cs-1] 0",
		"cams_templates_by_category[AUTHENTICATION cs-1] 1",
		"cams_templates_by_category[PROMOTION cs-1] 1",
		"cams_template_problem_info[fail AUTHENTICATION en_US cs-1 otp] 1",
		"cams_template_problem_info[paused MARKETING zh_CN cs-1 welcome] 1",
		"cams_template_status_changes_total[paused cs-1] 3",
		"cams_template_status_changes_total[disabled cs-1] 0",
	}
	info := []string{
		"cams_template_info[fail AUTHENTICATION en_US cs-1 otp] 1",
		"cams_template_info[APPROVED PROMOTION en_US cs-1 promo] 1",
		"cams_template_info[pass MARKETING en_US cs-1 welcome] 1",
		"cams_template_info[paused MARKETING zh_CN cs-1 welcome] 1",
	}
	empty := []string{
		"cams_collector_space_up[templates cs-1] 1",
		"cams_templates[pass cs-1] 0", "cams_templates[fail cs-1] 0", "cams_templates[auditing cs-1] 0",
		"cams_templates[unaudit cs-1] 0", "cams_templates[paused cs-1] 0", "cams_templates[disabled cs-1] 0",
		"cams_templates_by_category[MARKETING cs-1] 0", "cams_templates_by_category[UTILITY cs-1] 0",
		"cams_templates_by_category[AUTHENTICATION cs-1] 0",
		"cams_template_status_changes_total[paused cs-1] 0", "cams_template_status_changes_total[disabled cs-1] 0",
	}
	for _, tc := range []struct {
		name string
		info bool
		part *snapshot.SpacePart
		want []string
	}{
		{"info off", false, smallPart(), common},
		{"info on", true, smallPart(), append(slices.Clone(common), info...)},
		{"no templates", true, &snapshot.SpacePart{Up: true, HasData: true, Data: Templates{Total: 0}}, empty},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := partSeries(tc.info, tc.part)
			want := slices.Sorted(slices.Values(tc.want))
			if !slices.Equal(got, want) {
				t.Errorf("series:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}

func TestInfoFamilyOnlyWithInfo(t *testing.T) {
	for _, info := range []bool{false, true} {
		schema := collector.NewSchema(collector.Options{Sources: []collector.SourceSeries{&Series{Info: info}}})
		has := slices.ContainsFunc(schema.PartFamilies(Name), func(f *collector.Family) bool { return f.Name == "cams_template_info" })
		if has != info {
			t.Errorf("Info %v: cams_template_info in the schema: %v", info, has)
		}
	}
}

// partCollector hands the families and series of a part to client_golang,
// so that promlint checks them as promtool check metrics does.
type partCollector struct {
	families []*collector.Family
	series   []collector.Series
	descs    map[*collector.Family]*prometheus.Desc
}

func newPartCollector(part *snapshot.SpacePart) *partCollector {
	schema := collector.NewSchema(collector.Options{Sources: []collector.SourceSeries{&Series{Info: true}}})
	c := &partCollector{families: schema.PartFamilies(Name), descs: map[*collector.Family]*prometheus.Desc{}}
	for _, f := range c.families {
		c.descs[f] = prometheus.NewDesc(f.Name, f.Help, f.Labels, nil)
	}
	c.series = schema.PartSeries(nil, Name, "cs-1", part)
	return c
}

func (c *partCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range c.descs {
		ch <- d
	}
}

func (c *partCollector) Collect(ch chan<- prometheus.Metric) {
	for _, s := range c.series {
		typ := prometheus.GaugeValue
		if s.Family.Type == dto.MetricType_COUNTER {
			typ = prometheus.CounterValue
		}
		ch <- prometheus.MustNewConstMetric(c.descs[s.Family], typ, s.Value, s.LabelValues()...)
	}
}

func TestSeriesLint(t *testing.T) {
	c := newPartCollector(smallPart())
	problems, err := testutil.CollectAndLint(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
	// Every family of the source has series, each with its labels sorted.
	for _, f := range c.families {
		if !strings.HasPrefix(f.Name, "cams_template") {
			continue // the engine's cams_collector_space_* families
		}
		if !slices.IsSorted(f.Labels) {
			t.Errorf("%s: labels %v not sorted", f.Name, f.Labels)
		}
		if n := testutil.CollectAndCount(c, f.Name); n == 0 {
			t.Errorf("%s: no series", f.Name)
		}
	}
}
