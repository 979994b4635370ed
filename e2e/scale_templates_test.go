package e2e

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/cams-exporter/cams_exporter/sources/templates"
)

// The templates' part of the 10,000-space model (--collector.templates):
// 20 templates in most spaces with a WABA (50 in the 5 largest, 5 in
// some, none without a WABA), mostly pass, a known few paused, disabled,
// failed, in review or never submitted, one undocumented status, spaces
// whose every template is unusable, and spaces where a template is paused
// at every scrape (its status changes counter grows).

// scaleTemplate is a template of the model.
type scaleTemplate struct{ code, language, category, status string }

const (
	// scaleUnusableEvery: space i with i%scaleUnusableEvery ==
	// scaleUnusableAt has three templates, none usable (paused, disabled,
	// failed).
	scaleUnusableEvery, scaleUnusableAt = 1000, 404
	// scalePausersFrom..To are spaces where a template is paused between
	// every two scrapes: cams_template_status_changes_total grows by 1.
	scalePausersFrom, scalePausersTo = 60, 64
)

// scaleTemplatesOf is space i's templates, sorted by code and language as
// the source keeps them.
func scaleTemplatesOf(i int) []scaleTemplate {
	if i%scaleUnusableEvery == scaleUnusableAt {
		return []scaleTemplate{
			{fmt.Sprintf("t%05d_00", i), "en", "MARKETING", templates.StatusPaused},
			{fmt.Sprintf("t%05d_01", i), "en", "UTILITY", templates.StatusDisabled},
			{fmt.Sprintf("t%05d_02", i), "en", "UTILITY", templates.StatusFail},
		}
	}
	n := 20
	switch {
	case i <= 5:
		n = 50
	case i%40 == 7:
		n = 5
	}
	out := make([]scaleTemplate, 0, n)
	for k := range n {
		t := scaleTemplate{code: fmt.Sprintf("t%05d_%02d", i, k/2), language: []string{"en", "zh_CN"}[k%2],
			category: []string{"MARKETING", "UTILITY", "AUTHENTICATION"}[(i+k)%3], status: templates.StatusPass}
		switch {
		case i == scaleTroubled && k < 2, k == 0 && i%100 == 21:
			t.status = templates.StatusPaused
		case i == scaleTroubled && k == 2, k == 1 && i%250 == 77:
			t.status = templates.StatusDisabled
		case i == scaleTroubled && k == 3, k == 2 && i%150 == 5:
			t.status = templates.StatusFail
		case k == 3 && i%60 == 30:
			t.status = "auditing"
		case k == 4 && i%90 == 10:
			t.status = "unaudit"
		case k == 4 && i%2000 == 1234:
			t.status = "APPROVED" // undocumented: kept under its own name
		}
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b scaleTemplate) int {
		return cmp.Or(cmp.Compare(a.code, b.code), cmp.Compare(a.language, b.language))
	})
	return out
}

// pausesAt is how many of the space's templates moved into paused before
// the scrape-th scrape, as cams_template_status_changes_total counts them.
func (sp *scaleSpace) pausesAt(scrape int) uint64 {
	if sp.index < scalePausersFrom || sp.index > scalePausersTo {
		return 0
	}
	return uint64(sp.index + scrape)
}

// templatesData is the space's templates as the templates source keeps
// them before the scrape-th scrape.
func (sp *scaleSpace) templatesData(scrape int) templates.Templates {
	t := templates.Templates{Total: len(sp.src.templates), Pages: max(1, (len(sp.src.templates)+19)/20)}
	for _, m := range sp.src.templates {
		t.List = append(t.List, templates.Kept{Code: m.code, Language: m.language, Category: m.category, AuditStatus: m.status, Name: "model " + m.code})
		if templates.Problem(m.status) {
			t.ProblemSeries++ // the model's few problems are within the default budget
		}
	}
	if n := sp.pausesAt(scrape); n > 0 {
		t.Changes = map[string]uint64{templates.StatusPaused: n}
	}
	return t
}
