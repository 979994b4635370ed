package health

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/templates"
)

// kept is template code in English, UTILITY, of status.
func kept(code, status string) templates.Kept {
	return templates.Kept{Code: code, Language: "en_US", Category: "UTILITY", AuditStatus: status}
}

// keptJSON is kept(code, status)'s JSON, written out.
func keptJSON(code, status string) string {
	return fmt.Sprintf(`{"template_code":%q,"language":"en_US","category":"UTILITY","audit_status":%q}`, code, status)
}

// A space's templates on /status: counts by status (every documented one),
// listed, Total and how the listing disagreed with it, none_usable, the
// moves counted, and the templates that need attention, the worst first
// (a problem in a space without a usable template, then a problem, then an
// undocumented status), each severity in the listing's order; the others
// are only counted.
func TestStatusJSONTemplatesData(t *testing.T) {
	withReason := kept("b", "paused")
	withReason.Name, withReason.Reason, withReason.Updated = `Order <b>"shipped"</b>`, "low quality", 1700000000123
	tests := []struct {
		name string
		data templates.Templates
		want string
	}{
		{"every template usable", templates.Templates{Total: 2, List: []templates.Kept{kept("a", "pass"), kept("b", "auditing")}},
			`{"templates_by_status":{"auditing":1,"disabled":0,"fail":0,"pass":1,"paused":0,"unaudit":0},"listed":2,"total":2,"templates":[]}`},
		{"those needing attention first", templates.Templates{Total: 5, List: []templates.Kept{kept("a", "pass"), withReason, kept("c", "fail"),
			kept("d", "APPROVED"), kept("e", "disabled")}},
			`{"templates_by_status":{"APPROVED":1,"auditing":0,"disabled":1,"fail":1,"pass":1,"paused":1,"unaudit":0},"listed":5,"total":5,"templates":[` +
				`{"template_code":"b","language":"en_US","category":"UTILITY","audit_status":"paused","name":"Order \u003cb\u003e\"shipped\"\u003c/b\u003e",` +
				`"reason":"low quality","updated":1700000000123},` +
				keptJSON("c", "fail") + `,` + keptJSON("e", "disabled") + `,` + keptJSON("d", "APPROVED") + `]}`},
		{"none usable: stopped or in review", templates.Templates{Total: 3, List: []templates.Kept{kept("a", "auditing"), kept("b", "fail"), kept("c", "unaudit")}},
			`{"templates_by_status":{"auditing":1,"disabled":0,"fail":1,"pass":0,"paused":0,"unaudit":1},"listed":3,"total":3,"none_usable":true,"templates":[` +
				keptJSON("b", "fail") + `]}`},
		{"every template in review is not none usable", templates.Templates{Total: 1, List: []templates.Kept{kept("a", "auditing")}},
			`{"templates_by_status":{"auditing":1,"disabled":0,"fail":0,"pass":0,"paused":0,"unaudit":0},"listed":1,"total":1,"templates":[]}`},
		{"an undocumented status may be usable", templates.Templates{Total: 2, List: []templates.Kept{kept("a", "_other"), kept("b", "paused")}},
			`{"templates_by_status":{"_other":1,"auditing":0,"disabled":0,"fail":0,"pass":0,"paused":1,"unaudit":0},"listed":2,"total":2,"templates":[` +
				keptJSON("b", "paused") + `,` + keptJSON("a", "_other") + `]}`},
		{"no Total, a disagreement", templates.Templates{Total: -1, Disagreement: "1 templates listed twice", List: []templates.Kept{kept("a", "pass")}},
			`{"templates_by_status":{"auditing":0,"disabled":0,"fail":0,"pass":1,"paused":0,"unaudit":0},"listed":1,` +
				`"disagreement":"1 templates listed twice","templates":[]}`},
		{"none listed", templates.Templates{Total: 0},
			`{"templates_by_status":{"auditing":0,"disabled":0,"fail":0,"pass":0,"paused":0,"unaudit":0},"listed":0,"total":0,"templates":[]}`},
		{"moves counted", templates.Templates{Total: 1, List: []templates.Kept{kept("a", "paused")}, Changes: map[string]uint64{"paused": 3, "disabled": 1}},
			`{"templates_by_status":{"auditing":0,"disabled":0,"fail":0,"pass":0,"paused":1,"unaudit":0},"listed":1,"total":1,` +
				`"none_usable":true,"status_changes":{"disabled":1,"paused":3},"templates":[` + keptJSON("a", "paused") + `]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := slices.Clone(tt.data.List)
			snap := snapOf(space("cams-a", true, 0)).WithSources([]*snapshot.SourceState{
				sourceState(templateSource, time.Hour, 0, 0, map[string]*snapshot.SpacePart{"cams-a": upPart(time.Minute, tt.data)})})
			p := checkerOf(snap).Status().Spaces[0].Collectors[templateSource]
			if got := string(dataJSON(t, p)); got != tt.want || p.DataOmitted != nil {
				t.Errorf("data, omitted %v:\n got %s\nwant %s", p.DataOmitted, got, tt.want)
			}
			if !slices.Equal(tt.data.List, before) {
				t.Errorf("the snapshot's templates changed: %v", tt.data.List)
			}
		})
	}
}

// hostileTemplate is template j of every text as long as the source keeps
// it, of the character JSON escapes the longest.
func hostileTemplate(j int, status string) templates.Kept {
	return templates.Kept{Code: hostileText(fmt.Sprintf("%04d", j), 128), Language: hostileText("", 64), Category: hostileText("", 64),
		AuditStatus: status, Name: hostileText("", 256), Reason: hostileText("", 256), Updated: 1 << 62}
}

// A space's templates that need attention are shown whole up to
// MaxPartDataBytes; beyond, the worst first, in the view's order, and
// data_omitted counts the rest; the others are only counted.
func TestStatusJSONTemplatesAreBounded(t *testing.T) {
	// n templates, every step-th from the first a problem (paused), the
	// others pass.
	listing := func(n, step int, of func(j int, status string) templates.Kept) templates.Templates {
		out := templates.Templates{Total: n}
		for j := range n {
			status := "pass"
			if j%step == 0 {
				status = "paused"
			}
			out.List = append(out.List, of(j, status))
		}
		return out
	}
	plain := func(j int, status string) templates.Kept { return tmpl(0, j, status) }
	tests := []struct {
		name string
		data templates.Templates
		// wantWhole: shown whole; else every problem shown when allProblems.
		wantWhole, allProblems bool
	}{
		{"50 templates", listing(50, 7, plain), true, true},
		{"1,000 templates", listing(1000, 37, plain), true, true},
		{"1,000 templates of the longest texts", listing(1000, 37, hostileTemplate), false, false},
		{"250 templates of the longest texts, every one failed", listing(250, 1, hostileTemplate), false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := snapOf(space("cams-a", true, 0)).WithSources([]*snapshot.SourceState{
				sourceState(templateSource, time.Hour, 0, 0, map[string]*snapshot.SpacePart{"cams-a": upPart(time.Minute, tt.data)})})
			p := checkerOf(snap).Status().Spaces[0].Collectors[templateSource]
			raw := dataJSON(t, p)
			if len(raw) > MaxPartDataBytes {
				t.Errorf("%d bytes of data, more than %d", len(raw), MaxPartDataBytes)
			}
			var got templatesData
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatal(err)
			}
			// The order of the view, computed here: the problems, then
			// the others, each in the listing's order.
			var problems, others []templates.Kept
			for _, k := range tt.data.List {
				if k.AuditStatus == "paused" {
					problems = append(problems, k)
				} else {
					others = append(others, k)
				}
			}
			wantOrder := problems
			t.Logf("%d bytes, %d templates shown of %d, omitted %v", len(raw), len(got.Templates), len(tt.data.List), p.DataOmitted)
			if got.Listed != len(tt.data.List) || got.ByStatus["paused"] != len(problems) || got.ByStatus["pass"] != len(others) {
				t.Errorf("listed %d, by status %v: want %d, %d paused and %d pass", got.Listed, got.ByStatus, len(tt.data.List), len(problems), len(others))
			}
			if tt.wantWhole {
				if !reflect.DeepEqual(got.Templates, wantOrder) || p.DataOmitted != nil {
					t.Errorf("not whole: %d templates shown of %d, omitted %v", len(got.Templates), len(wantOrder), p.DataOmitted)
				}
				return
			}
			if len(got.Templates) == 0 {
				t.Fatal("no template shown")
			}
			checkSubsequence(t, "templates", got.Templates, wantOrder, func(k templates.Kept) string { return k.Code + " " + k.Language })
			if omitted := p.DataOmitted["templates"]; omitted != len(problems)-len(got.Templates) || len(p.DataOmitted) != 1 {
				t.Errorf("%d templates shown of %d needing attention, omitted %v", len(got.Templates), len(problems), p.DataOmitted)
			}
			shownProblems := 0
			for i, k := range got.Templates {
				if k.AuditStatus != "paused" {
					break
				}
				shownProblems = i + 1
			}
			if tt.allProblems && shownProblems != len(problems) || !tt.allProblems && shownProblems != len(got.Templates) {
				t.Errorf("%d problems shown first, of %d shown and %d problems", shownProblems, len(got.Templates), len(problems))
			}
		})
	}
}

// A space's line of the templates source says what its data says.
func TestTemplatesSummary(t *testing.T) {
	fine := templatesOf(0, 3)
	paused := withStatus(withStatus(fine, 2, "paused", ""), 1, "disabled", "")
	allFailed := withStatus(withStatus(templatesOf(1, 2), 0, "fail", "x"), 1, "auditing", "")
	odd := templatesOf(2, 1)
	odd.List[0].Language = ""
	odd.List[0].AuditStatus = "APPROVED"
	odd.Total, odd.Disagreement = -1, "1 templates listed twice"
	oneFine := templatesOf(3, 1)
	oneFine.Disagreement = "the pages gave different Totals (2, 1)"
	tests := []struct {
		data templates.Templates
		want string
	}{
		{templates.Templates{Total: 0}, "0 templates, none needing attention"},
		{fine, "3 templates, none needing attention"},
		{paused, "3 templates, 2 cannot be sent, worst t00000_001 (en_US): disabled"},
		{allFailed, "2 templates, none usable, worst t00001_000 (en_US): fail"},
		{odd, "1 template, worst t00002_000: APPROVED; the listing disagreed with its Total: 1 templates listed twice"},
		{oneFine, "1 template, none needing attention; the listing disagreed with its Total: the pages gave different Totals (2, 1)"},
	}
	for _, tt := range tests {
		if got := dataSummary(templateSource, tt.data); got != tt.want {
			t.Errorf("%+v:\n got %q\nwant %q", tt.data, got, tt.want)
		}
	}
}

// The severity of each audit status, alone and in a space without a
// usable template.
func TestTemplateSeverity(t *testing.T) {
	for status, want := range map[string][2]int{
		"pass": {fine, fine}, "auditing": {fine, fine}, "unaudit": {fine, fine},
		"fail": {warning, critical}, "paused": {warning, critical}, "disabled": {warning, critical},
		"APPROVED": {notice, notice}, "_other": {notice, notice}, "": {notice, notice},
	} {
		if got := [2]int{templateSeverity(status, false), templateSeverity(status, true)}; got != want {
			t.Errorf("%q: %v, want %v", status, got, want)
		}
	}
}
