package templates

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// smallPart is a space's part: four templates, one of an undocumented
// status and category, two problems, both with their series, three
// pauses counted so far.
func smallPart() *snapshot.SpacePart {
	return &snapshot.SpacePart{Up: true, HasData: true, Data: smallTemplates()}
}

func smallTemplates() Templates {
	return Templates{
		List: []Kept{
			{Code: "otp", Language: "en_US", Category: "AUTHENTICATION", AuditStatus: "fail", Reason: "bad"},
			{Code: "promo", Language: "en_US", Category: "PROMOTION", AuditStatus: "APPROVED"},
			{Code: "welcome", Language: "en_US", Category: "MARKETING", AuditStatus: "pass"},
			{Code: "welcome", Language: "zh_CN", Category: "MARKETING", AuditStatus: "paused"},
		},
		Total: 4, Changes: map[string]uint64{"paused": 3}, ProblemSeries: 2,
	}
}

// partWith returns smallPart with its templates changed by change.
func partWith(change func(*Templates)) *snapshot.SpacePart {
	t := smallTemplates()
	change(&t)
	return &snapshot.SpacePart{Up: true, HasData: true, Data: t}
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
		// The budget granted the space one series: its first problem.
		{"one problem series", false, partWith(func(t *Templates) { t.ProblemSeries = 1 }),
			slices.DeleteFunc(slices.Clone(common), func(s string) bool { return strings.HasPrefix(s, "cams_template_problem_info[paused") })},
		{"no problem series", false, partWith(func(t *Templates) { t.ProblemSeries = 0 }),
			slices.DeleteFunc(slices.Clone(common), func(s string) bool { return strings.HasPrefix(s, "cams_template_problem_info") })},
		{"a disagreeing listing", false, partWith(func(t *Templates) { t.Disagreement = "4 templates, more than the Total of 3"; t.Total = 3 }),
			append(slices.Clone(common), "cams_template_listing_disagreement[cs-1] 1")},
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

// The folded problem series are the source's as a whole: as many as its
// state's Budget says, 0 before it published any.
func TestFoldedProblemSeries(t *testing.T) {
	schema := collector.NewSchema(collector.Options{Sources: []collector.SourceSeries{&Series{}}})
	for _, tc := range []struct {
		totals any
		want   float64
	}{{Budget{Max: 10, Series: 10, Folded: 7}, 7}, {nil, 0}} {
		st := snapshot.NewSourceState(Name, client.OperationListTemplates)
		st.Totals = tc.totals
		var got []string
		for _, s := range schema.SnapshotSeries(nil, (&snapshot.Snapshot{}).WithSources([]*snapshot.SourceState{st})) {
			if s.Family.Name == "cams_template_problem_series_folded" {
				got = append(got, fmt.Sprintf("%v %g", s.LabelValues(), s.Value))
			}
		}
		if want := []string{fmt.Sprintf("[] %g", tc.want)}; !slices.Equal(got, want) {
			t.Errorf("Totals %+v: series %v, want %v", tc.totals, got, want)
		}
	}
}

// Every family of the source passes promlint (as promtool check metrics)
// and has series, its labels sorted, through the collector that serves
// them.
func TestSeriesLint(t *testing.T) {
	part := partWith(func(t *Templates) { t.Disagreement = "1 templates listed twice" })
	st := snapshot.NewSourceState(Name, client.OperationListTemplates).WithParts(map[string]*snapshot.SpacePart{"cs-1": part})
	st.Totals = Budget{Max: 2, Series: 2, Folded: 1}
	snap := (&snapshot.Snapshot{}).WithSources([]*snapshot.SourceState{st})
	opts := collector.Options{Sources: []collector.SourceSeries{&Series{Info: true}}}
	c := collector.New(func() *snapshot.Snapshot { return snap }, opts)
	problems, err := testutil.CollectAndLint(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
	for _, f := range collector.NewSchema(opts).Families() {
		if !strings.HasPrefix(f.Name, "cams_template") {
			continue
		}
		if !slices.IsSorted(f.Labels) {
			t.Errorf("%s: labels %v not sorted", f.Name, f.Labels)
		}
		if n := testutil.CollectAndCount(c, f.Name); n == 0 {
			t.Errorf("%s: no series", f.Name)
		}
	}
}
