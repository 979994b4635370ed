package alerts

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

const (
	// pausedAt is when Meta pauses the ISV's template (template 0) in the
	// spaces that have it, for 3 hours: 30 minutes after start-up, in the
	// middle of the templates source's first pass (at space 2,399).
	pausedAt = 1800.0
	// ownDisabled has a template of its own disabled, ownFailed one whose
	// review failed, ownPaused one paused from ownPausedAt, and noneOwn has
	// one disabled and two in review: causes of their own.
	ownDisabled, ownFailed, ownPaused, noneOwn = 4444, 5555, 6666, 7777
	ownPausedAt                                = 3600.0
)

// hasSharedTemplate says whether space i has the ISV's template: 15 spaces
// in 100; onlyShared whether it is the space's only template: 12 in 100.
// (promtool's test engine takes 10,000 samples a query: the template
// series of a wave of 3,000 spaces, all in the input, would need more.)
func hasSharedTemplate(i int) bool { return i%100 < 15 }

func onlyShared(i int) bool { return i%100 < 12 }

// TestTemplatesPausedAcrossALargeAccount: 15 spaces in 100 of the 10,000
// have the ISV's template (for 12 in 100 it is their only one), which Meta
// pauses at 30 minutes. The templates source (4 pages a second, 3 a space:
// a pass of 2 hours 5 minutes) meets the paused template space by space:
// the share of the spaces it listed in the last 5 minutes tells the wave
// within minutes, and CAMSTemplateProblemsInManySpaces (paused) and
// CAMSManySpacesWithoutUsableTemplate fire once each, before any space's
// own alert; by the end, 1,500 spaces have their CAMSTemplatePaused, 1,200
// their CAMSTemplatesAllUnusable too, and a real Alertmanager mutes every
// one of them. Spaces with causes of their own: 4444's disabled template
// and 5555's failed one alert on their own (no wave of those); 6666's own
// paused template, and 7777, with no usable template of its own, are
// muted with the wave, as a space failing with a storming code is.
//
// Two promtool runs, as for a blocked business: the whole account's
// template series with the waves' rules alone, which count every space;
// and the sample's every series with every rule. promtool's test engine
// takes 10,000 samples a query: the waves' run holds the series of the
// 1,500 spaces with a problem (a wave of 3,000 would need more), and the
// sample's, whose per-space alerts fire in promtool, only the sample.
func TestTemplatesPausedAcrossALargeAccount(t *testing.T) {
	h := newHealthAccount(181)
	h.templatesAt = func(i int, at float64) []string {
		var out []string
		switch {
		case i == ownDisabled:
			out = append(slices.Clone(allPass[:49]), "disabled")
		case i == ownFailed:
			out = []string{"pass", "fail"}
		case i == ownPaused && at >= ownPausedAt:
			out = append(slices.Clone(allPass[:49]), "paused")
		case i == noneOwn:
			out = []string{"disabled", "auditing", "auditing"}
		case onlyShared(i):
			out = []string{"pass"}
		case hasSharedTemplate(i):
			out = slices.Clone(allPass)
		default:
			return allPass
		}
		if hasSharedTemplate(i) && at >= pausedAt {
			out[0] = "paused"
		}
		return out
	}
	all := allSpaces(10000)
	whole := newHealthAlerts(h, all)
	a := newHealthAlerts(h, withSample(ownDisabled, ownFailed, ownPaused, noneOwn))
	last := h.flows.samples - 1

	// The model's story, before the rules are run on it.
	wave, none := firstHealthAlert(whole, "CAMSTemplateProblemsInManySpaces"), firstHealthAlert(whole, "CAMSManySpacesWithoutUsableTemplate")
	paused, withoutUsable := a.expect("CAMSTemplatePaused", last, all), a.expect("CAMSTemplatesAllUnusable", last, all)
	if wave < 0 || none < 0 || len(paused) != 1501 || len(withoutUsable) != 1201 {
		t.Fatalf("the model fires the waves at minutes %d and %d and, at the end, %d CAMSTemplatePaused and %d CAMSTemplatesAllUnusable, want both waves and 1,501 (the wave's and 6666's) and 1,201 (the wave's and 7777's)",
			wave, none, len(paused), len(withoutUsable))
	}
	for _, name := range []string{"CAMSTemplatePaused", "CAMSTemplatesAllUnusable"} {
		first := firstOf(a, name, all)
		if first <= max(wave, none) {
			t.Fatalf("the first %s fires at minute %d, not after the waves (%d, %d)", name, first, wave, none)
		}
		t.Logf("the pause at minute %d; the waves fire at minutes %d and %d, the first %s at %d", int(pausedAt/60), wave, none, name, first)
	}
	for _, name := range waveAlerts {
		t.Logf("at the end: %s", whole.expect(name, last, nil)[0].ExpAnnotations["description"])
	}

	// The whole account: the waves count every space.
	testRules(t, writeGroups(t, waveRules(t), whole.waveGroup(t)))

	// The sample, every rule: its per-space template alerts are counted,
	// and two spaces' checked.
	counted := map[string]bool{"CAMSTemplatePaused": true, "CAMSTemplatesAllUnusable": true}
	minutes := a.changeMinutes(t, counted)
	var exprs []promqlExprTest
	for _, name := range slices.Sorted(maps.Keys(counted)) {
		first := firstHealthAlert(a, name)
		for _, k := range everyTenMinutes(first-1, first, first+5, last) {
			if k < h.flows.samples {
				exprs = append(exprs, firingCount(name, k, len(a.expect(name, k, a.sample))))
			}
		}
	}
	for _, i := range []int{2400, noneOwn} {
		exprs = append(exprs, spaceAlerts(t, a, i, last, slices.Sorted(maps.Keys(counted))))
	}
	a.checkAmbiguity(t)
	testRules(t, writeGroups(t, rulesFile, a.healthGroup(t, minutes, counted, exprs)))

	// Alertmanager mutes every per-space alert of the wave, in the middle
	// of the first pass and at the end; 4444's and 5555's stay active.
	for _, minute := range []int{60, last} {
		alerts := slices.Concat(whole.allAlerts(t, minute, all, waveAlerts...),
			slices.DeleteFunc(a.allAlerts(t, minute, all), func(e expAlert) bool { return slices.Contains(waveAlerts, e.ExpLabels["alertname"]) }))
		byName := map[string]int{}
		for _, al := range alerts {
			byName[al.ExpLabels["alertname"]]++
		}
		t.Logf("minute %d: %d alerts: %v", minute, len(alerts), byName)
		checkInhibition(t, alerts, mutedByTemplates(alerts))
	}
}

// waveAlerts are the alerts of the templates' waves.
var waveAlerts = []string{"CAMSTemplateProblemsInManySpaces", "CAMSManySpacesWithoutUsableTemplate"}

// firstOf returns the first minute at which alert fires for spaces, or -1.
func firstOf(a *healthAlerts, alert string, spaces []int) int {
	for k := range a.h.flows.samples {
		if len(a.expect(alert, k, spaces)) > 0 {
			return k
		}
	}
	return -1
}

// spaceAlerts checks the alerts of names that fire for space i at minute
// k, as the model has them.
func spaceAlerts(t *testing.T, a *healthAlerts, i, k int, names []string) promqlExprTest {
	t.Helper()
	e := promqlExprTest{Expr: fmt.Sprintf(`ALERTS{alertname=~%q, alertstate="firing", space=%q}`, strings.Join(names, "|"), a.h.spaceID(i)),
		EvalTime: fmt.Sprintf("%dm", k), ExpSamples: []expSample{}}
	for _, name := range names {
		for _, al := range a.expect(name, k, []int{i}) {
			status := ""
			if s := al.ExpLabels["audit_status"]; s != "" {
				status = fmt.Sprintf(`, audit_status=%q`, s)
			}
			e.ExpSamples = append(e.ExpSamples, expSample{Value: 1,
				Labels: fmt.Sprintf(`ALERTS{alertname=%q, alertstate="firing", severity=%q, job="cams", instance=%q, space=%q%s}`,
					name, al.ExpLabels["severity"], a.h.flows.instance, a.h.spaceID(i), status)})
		}
	}
	if len(e.ExpSamples) == 0 {
		t.Fatalf("the model fires none of %v for space %d at minute %d", names, i, k)
	}
	return e
}

// waveRules writes a copy of the rules file with only the templates'
// recording rules and the waves' alerts.
func waveRules(t *testing.T) string {
	t.Helper()
	var f struct {
		Groups []struct {
			Name  string           `yaml:"name"`
			Rules []map[string]any `yaml:"rules"`
		} `yaml:"groups"`
	}
	readYAML(t, rulesFile, &f)
	for _, g := range f.Groups {
		if g.Name != "cams_exporter.templates" {
			continue
		}
		g.Rules = slices.DeleteFunc(g.Rules, func(r map[string]any) bool {
			name, alert := r["alert"].(string)
			return alert && !slices.Contains(waveAlerts, name)
		})
		if len(g.Rules) != 8 {
			t.Fatalf("%s: the group %s has %d recording rules and waves' alerts, want 8 (6 and 2)", rulesFile, g.Name, len(g.Rules))
		}
		b, err := yaml.Marshal(map[string]any{"groups": []any{g}})
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "rules.yml")
		if err := os.WriteFile(path, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	t.Fatalf("%s has no group cams_exporter.templates", rulesFile)
	return ""
}

// waveGroup is the promtool test group of the whole account's template
// series: the waves' alerts at each minute at which they change, the
// minute before, and every ten minutes.
func (a *healthAlerts) waveGroup(t *testing.T) unitGroup {
	t.Helper()
	g := unitGroup{Interval: fmt.Sprintf("%gs", a.h.flows.scrape), InputSeries: a.h.templateSeries(a.sample)}
	set := map[int]bool{}
	for _, name := range waveAlerts {
		prev := ""
		for k := range a.h.flows.samples {
			if now := alertKeys(a.expect(name, k, nil)); now != prev && k > 0 {
				set[k-1], set[k] = true, true
			}
			prev = alertKeys(a.expect(name, k, nil))
		}
	}
	minutes := everyTenMinutes(slices.Sorted(maps.Keys(set))...)
	slices.Sort(minutes)
	for _, minute := range slices.Compact(minutes) {
		if minute >= a.h.flows.samples {
			continue
		}
		for _, name := range waveAlerts {
			g.AlertRuleTests = append(g.AlertRuleTests, alertRuleTest{EvalTime: fmt.Sprintf("%dm", minute), Alertname: name,
				ExpAlerts: append([]expAlert{}, a.expect(name, minute, nil)...)})
		}
	}
	return g
}

// mutedByTemplates says which alerts mute each of alerts, as the inhibition
// rules mean: a wave of a status mutes the spaces' alerts of that status,
// the wave of spaces without a usable template their
// CAMSTemplatesAllUnusable, and a space's CAMSTemplatesAllUnusable its
// paused, failed and disabled templates' alerts. No other alert is muted.
func mutedByTemplates(alerts []expAlert) func(expAlert) []expAlert {
	waves := map[string]expAlert{}     // by audit_status, noneUsable
	spaceNone := map[string]expAlert{} // by space
	for _, s := range alerts {
		switch l := s.ExpLabels; l["alertname"] {
		case "CAMSTemplateProblemsInManySpaces":
			waves[l["audit_status"]] = s
		case "CAMSManySpacesWithoutUsableTemplate":
			waves[noneUsable] = s
		case "CAMSTemplatesAllUnusable":
			spaceNone[l["space"]] = s
		}
	}
	return func(al expAlert) []expAlert {
		var sources []expAlert
		switch l := al.ExpLabels; l["alertname"] {
		case "CAMSTemplatePaused", "CAMSTemplateUnusable":
			if s, ok := waves[l["audit_status"]]; ok {
				sources = append(sources, s)
			}
			if s, ok := spaceNone[l["space"]]; ok {
				sources = append(sources, s)
			}
		case "CAMSTemplatesAllUnusable":
			if s, ok := waves[noneUsable]; ok {
				sources = append(sources, s)
			}
		}
		return sources
	}
}
