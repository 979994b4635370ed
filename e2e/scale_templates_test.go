package e2e

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"time"

	"github.com/cams-exporter/cams_exporter/sources/templates"
)

// The message templates of the 10,000-space model (--collector.templates):
// 5 to 11 templates a space, most pass, some in review, one paused in 1
// space in 50, one disabled in 1 in 120, one whose review failed in 1 in
// 80, none usable in 1 in 200, an undocumented category in 1 in 100; 20
// spaces with 10 to 29 templates that cannot be sent (the worst, none
// alike), and scaleTroubled's paused, disabled and failed templates, paused
// again at every scrape.

// scaleWorstTemplatesFrom is the first of the 20 spaces with the most
// templates that cannot be sent.
const scaleWorstTemplatesFrom = 9500

// scaleTemplateStatuses is space i's templates' audit statuses, by
// template.
func scaleTemplateStatuses(i int) []string {
	if i == scaleTroubled {
		return []string{"paused", "paused", "disabled", "fail", "pass", "auditing"}
	}
	if k := i - scaleWorstTemplatesFrom; k >= 0 && k < 20 {
		return append(slices.Repeat([]string{"paused"}, k+9), "fail", "pass")
	}
	out := slices.Repeat([]string{"pass"}, 5+i%7)
	switch {
	case i%200 == 19:
		return []string{"fail", "auditing"}
	case i%50 == 3:
		out[0] = "paused"
	case i%120 == 7:
		out[1] = "disabled"
	case i%80 == 11:
		out[2] = "fail"
	case i%30 == 1:
		out[len(out)-1] = "auditing"
	case i%500 == 77:
		out[len(out)-1] = "unaudit"
	}
	return out
}

// scaleTemplateCategory is the category of space i's j-th template.
func scaleTemplateCategory(i, j int) string {
	if i%100 == 42 && j == 0 {
		return "OTP" // not documented: exported under its own name
	}
	return []string{"MARKETING", "UTILITY", "AUTHENTICATION"}[j%3]
}

// scaleTemplateChanges is space i's moves into paused and disabled as
// served at the scrape-th scrape: scaleTroubled's templates are paused
// again at every scrape.
func scaleTemplateChanges(i, scrape int) map[string]uint64 {
	switch {
	case i == scaleTroubled:
		return map[string]uint64{"paused": 3 + uint64(scrape), "disabled": 1}
	case i%50 == 3:
		return map[string]uint64{"paused": 1}
	}
	return nil
}

// templatesData is the space's templates as the templates source keeps
// them.
func (sp *scaleSpace) templatesData(scrape int) templates.Templates {
	statuses := scaleTemplateStatuses(sp.index)
	t := templates.Templates{Total: len(statuses), Pages: 1, Changes: scaleTemplateChanges(sp.index, scrape)}
	for j, status := range statuses {
		t.List = append(t.List, templates.Kept{Code: fmt.Sprintf("tpl_%02d", j), Language: "en",
			Category: scaleTemplateCategory(sp.index, j), AuditStatus: status, Name: "Model " + sp.id})
		if templates.Problem(status) {
			t.ProblemSeries++ // the model's problems are within the default budget
		}
	}
	return t
}

// templateWants are the answers of the message templates' row.
func (a *scaleAccount) templateWants(sel []*scaleSpace, at time.Time, sc scrapes) map[string]want {
	withTemplates := withData(sel, scaleTemplates)
	byStatus, byCategory := map[string]float64{}, map[string]float64{}
	for _, status := range []string{"pass", "fail", "auditing", "unaudit", "paused", "disabled"} {
		byStatus[status] = 0
	}
	for _, category := range []string{"MARKETING", "UTILITY", "AUTHENTICATION"} {
		byCategory[category] = 0
	}
	total, noneUsable := 0, 0
	problems := map[string]float64{}
	changes := map[string]float64{"paused": 0, "disabled": 0}
	moved := map[string]float64{}
	for _, sp := range withTemplates {
		statuses := scaleTemplateStatuses(sp.index)
		total += len(statuses)
		usable, bad := 0, 0
		for j, status := range statuses {
			byStatus[status]++
			byCategory[scaleTemplateCategory(sp.index, j)]++
			switch status {
			case "fail", "paused", "disabled":
				bad++
			case "auditing", "unaudit":
			default:
				usable++
			}
		}
		if usable == 0 && bad > 0 {
			noneUsable++
		}
		if bad > 0 {
			problems[sp.id] = float64(bad)
		}
		// What rose over the scrapes Prometheus holds: increase() only
		// tells which did.
		first, last := scaleTemplateChanges(sp.index, sc.held[0]), scaleTemplateChanges(sp.index, sc.number)
		for status := range changes {
			if d := float64(last[status] - first[status]); d > 0 {
				changes[status] += d
				moved[sp.id] += d
			}
		}
	}
	worst := worstOf(problems, 20)
	column := func(status string) want {
		values := map[string]float64{}
		for _, sp := range withTemplates {
			if _, ok := worst[sp.id]; ok {
				values[sp.id] = float64(countOf(scaleTemplateStatuses(sp.index), status))
			}
		}
		return want{labels: []string{"space"}, values: values}
	}
	templatesOf := map[string]float64{}
	for _, sp := range withTemplates {
		if _, ok := worst[sp.id]; ok {
			templatesOf[sp.id] = float64(len(scaleTemplateStatuses(sp.index)))
		}
	}
	w := map[string]want{
		"Message templates/B":              count(int(byStatus["paused"])),
		"Message templates/C":              count(int(byStatus["disabled"])),
		"Message templates/D":              count(int(byStatus["fail"])),
		"Message templates/E":              count(noneUsable),
		"Templates by audit status/A":      {labels: []string{"audit_status"}, values: byStatus},
		"Templates by category/A":          {labels: []string{"category"}, values: byCategory},
		"Template status changes/A":        {labels: []string{"audit_status"}, values: changes, ranked: true},
		"Spaces with problem templates/A":  {labels: []string{"space"}, values: problems, top: 20},
		"Spaces with problem templates/B":  column("paused"),
		"Spaces with problem templates/C":  column("disabled"),
		"Spaces with problem templates/D":  column("fail"),
		"Spaces with problem templates/E":  {labels: []string{"space"}, values: templatesOf},
		"Spaces most paused or disabled/A": {labels: []string{"space"}, values: moved, ranked: true},
	}
	if len(withTemplates) == 0 {
		delete(w, "Templates by audit status/A")
		delete(w, "Templates by category/A")
		delete(w, "Template status changes/A")
	} else {
		w["Message templates/A"] = count(total)
	}
	period := scaleSources[scaleTemplates].period().Seconds()
	up, failing, stale, noData := 0, 0, 0, 0
	for _, sp := range sel {
		p := sp.src.parts[scaleTemplates]
		switch {
		case p == nil:
			continue
		case p.code == "":
			up++
		default:
			failing++
		}
		if !p.hasData {
			noData++
		} else if !p.mover && at.Sub(p.lastSuccess).Seconds()/period > 3 {
			stale++
		}
	}
	w["Template collection/A"], w["Template collection/B"] = count(up), count(failing)
	w["Template collection/C"], w["Template collection/D"] = count(stale), count(noData)
	return w
}

// worstOf returns the n largest of values; it panics when the n-th ties
// with the next, which the model avoids: every query of a table of the n
// worst must choose the same n.
func worstOf(values map[string]float64, n int) map[string]float64 {
	keys := slices.Collect(maps.Keys(values))
	sort.Slice(keys, func(i, j int) bool { return values[keys[i]] > values[keys[j]] })
	if len(keys) > n && values[keys[n-1]] == values[keys[n]] {
		panic(fmt.Sprintf("the model's %d-th and %d-th worst spaces tie at %g", n, n+1, values[keys[n]]))
	}
	out := map[string]float64{}
	for _, k := range keys[:min(n, len(keys))] {
		out[k] = values[k]
	}
	return out
}

func countOf(statuses []string, status string) int {
	n := 0
	for _, s := range statuses {
		if s == status {
			n++
		}
	}
	return n
}
