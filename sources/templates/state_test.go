package templates

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/sources/values"
)

func TestProblem(t *testing.T) {
	for status, want := range map[string]bool{
		"pass": false, "fail": true, "auditing": false, "unaudit": false, "paused": true, "disabled": true,
		"": false, "PAUSED": false, "APPROVED": false, values.Other: false,
	} {
		if got := Problem(status); got != want {
			t.Errorf("Problem(%q) = %v, want %v", status, got, want)
		}
	}
}

func TestKeepSortsDedupesAndKeepsTheListing(t *testing.T) {
	listed := []client.Template{
		{TemplateCode: "b", Language: "en_US", AuditStatus: "pass", Category: "UTILITY", TemplateName: "b name", LastUpdateTime: 3},
		{TemplateCode: "a", Language: "zh_CN", AuditStatus: "fail", Category: "MARKETING", Reason: "bad words", LastUpdateTime: 2},
		{TemplateCode: "a", Language: "en_US", AuditStatus: "pass", Category: "MARKETING", LastUpdateTime: 1},
		{TemplateCode: "b", Language: "en_US", AuditStatus: "paused", Category: "UTILITY"}, // listed twice: the first kept
	}
	got := keep(Templates{}, listed, 3, "1 templates listed twice", newCaps(), true)
	want := []Kept{
		{Code: "a", Language: "en_US", Category: "MARKETING", AuditStatus: "pass", Updated: 1},
		{Code: "a", Language: "zh_CN", Category: "MARKETING", AuditStatus: "fail", Reason: "bad words", Updated: 2},
		{Code: "b", Language: "en_US", Category: "UTILITY", AuditStatus: "pass", Name: "b name", Updated: 3},
	}
	if fmt.Sprint(got.List) != fmt.Sprint(want) {
		t.Errorf("List = %+v\nwant %+v", got.List, want)
	}
	if got.Total != 3 || got.Disagreement != "1 templates listed twice" || len(got.Changes) != 0 {
		t.Errorf("Total %d, Disagreement %q, Changes %v: want 3, the pager's, none", got.Total, got.Disagreement, got.Changes)
	}
	if none := keep(Templates{}, nil, -1, "", newCaps(), true); len(none.List) != 0 || none.Total != -1 {
		t.Errorf("an empty listing kept %+v", none)
	}
}

func TestKeepCutsTexts(t *testing.T) {
	long := func(prefix string, n int) string { return prefix + strings.Repeat("x", n) }
	listed := []client.Template{
		// Two codes equal in their first 128 bytes are one key once cut.
		{TemplateCode: long("c", 200) + "1", Language: long("l", 200), AuditStatus: "pass", TemplateName: long("n", 1000), Reason: long("r", 1000)},
		{TemplateCode: long("c", 200) + "2", Language: long("l", 200), AuditStatus: "fail"},
		{TemplateCode: "bad\xffcode", Language: "en_US", AuditStatus: "pass"},
	}
	got := keep(Templates{}, listed, 3, "", newCaps(), true).List
	if len(got) != 2 {
		t.Fatalf("kept %d templates, want 2 (the two long codes are one key once cut)", len(got))
	}
	if got[0].Code != "bad\uFFFDcode" {
		t.Errorf("invalid UTF-8 code kept as %q", got[0].Code)
	}
	k := got[1]
	if k.Code != long("c", 127) || k.Language != long("l", 127) || k.AuditStatus != "pass" {
		t.Errorf("long code and language kept at %d and %d bytes (status %q), want %d, the first listed", len(k.Code), len(k.Language), k.AuditStatus, values.MaxBytes)
	}
	// client.Cut marks a cut text: its first 253 bytes and "...".
	if k.Name != long("n", 252)+"..." || k.Reason != long("r", 252)+"..." {
		t.Errorf("name and reason kept as %d and %d bytes, want %d ending in ...", len(k.Name), len(k.Reason), client.MaxNameBytes)
	}
}

func TestKeepFoldsUndocumentedValuesPastTheCap(t *testing.T) {
	c := newCaps()
	var listed []client.Template
	for i := range values.MaxUndocumented + 5 {
		listed = append(listed, client.Template{TemplateCode: fmt.Sprintf("t%02d", i), AuditStatus: fmt.Sprint("NEW_", i), Category: fmt.Sprint("CAT_", i)})
	}
	got := keep(Templates{}, listed, len(listed), "", c, true).List
	for i, k := range got {
		wantStatus, wantCategory := fmt.Sprint("NEW_", i), fmt.Sprint("CAT_", i)
		if i >= values.MaxUndocumented {
			wantStatus, wantCategory = values.Other, values.Other
		}
		if k.AuditStatus != wantStatus || k.Category != wantCategory {
			t.Errorf("template %d kept as %q, %q; want %q, %q", i, k.AuditStatus, k.Category, wantStatus, wantCategory)
		}
	}
	if c.folded() != 10 {
		t.Errorf("folded %d, want 10 (5 statuses, 5 categories)", c.folded())
	}
	documented := []client.Template{{TemplateCode: "x", AuditStatus: "disabled", Category: "AUTHENTICATION"}}
	if k := keep(Templates{}, documented, 1, "", c, true).List[0]; k.AuditStatus != "disabled" || k.Category != "AUTHENTICATION" {
		t.Errorf("documented values folded past the cap: %+v", k)
	}
}

// listing makes templates of "code/language/status" words.
func listing(words ...string) []client.Template {
	var out []client.Template
	for _, w := range words {
		f := strings.Split(w, "/")
		out = append(out, client.Template{TemplateCode: f[0], Language: f[1], AuditStatus: f[2], Category: "UTILITY"})
	}
	return out
}

func TestKeepCountsMovesIntoPausedAndDisabled(t *testing.T) {
	type step struct {
		listed []client.Template
		want   map[string]uint64
	}
	none := map[string]uint64{}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"paused, pass, paused counts 2 (the space held a template before)", []step{
			{listing("b/en/pass"), none},
			{listing("a/en/paused", "b/en/pass"), map[string]uint64{"paused": 1}},
			{listing("a/en/pass", "b/en/pass"), map[string]uint64{"paused": 1}},
			{listing("a/en/paused", "b/en/pass"), map[string]uint64{"paused": 2}},
		}},
		{"the first listing counts nothing", []step{
			{listing("a/en/paused", "b/en/disabled", "c/en/pass"), none},
		}},
		{"a template staying paused counts once", []step{
			{listing("a/en/pass"), none},
			{listing("a/en/paused"), map[string]uint64{"paused": 1}},
			{listing("a/en/paused"), map[string]uint64{"paused": 1}},
		}},
		{"paused then disabled counts each", []step{
			{listing("a/en/pass"), none},
			{listing("a/en/paused"), map[string]uint64{"paused": 1}},
			{listing("a/en/disabled"), map[string]uint64{"paused": 1, "disabled": 1}},
		}},
		{"a new template already disabled counts after the first listing", []step{
			{listing("a/en/pass"), none},
			{listing("a/en/pass", "b/en/disabled", "c/en/disabled"), map[string]uint64{"disabled": 2}},
		}},
		{"a language of its own is a template of its own", []step{
			{listing("a/en/paused"), none},
			{listing("a/en/paused", "a/zh/paused"), map[string]uint64{"paused": 1}},
		}},
		{"a template that left and came back paused counts", []step{
			{listing("a/en/pass", "b/en/pass"), none},
			{listing("b/en/pass"), none},
			{listing("a/en/paused", "b/en/pass"), map[string]uint64{"paused": 1}},
		}},
		{"after a listing of none, a paused template is not counted", []step{
			{nil, none},
			{listing("a/en/paused"), none},
			{listing("a/en/pass"), none},
			{listing("a/en/paused"), map[string]uint64{"paused": 1}},
		}},
		{"fail and undocumented statuses are not counted", []step{
			{listing("a/en/pass", "b/en/pass"), none},
			{listing("a/en/fail", "b/en/PAUSED"), none},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCaps()
			var prev Templates
			var states []Templates
			for i, s := range tc.steps {
				prev = keep(prev, s.listed, len(s.listed), "", c, true)
				if !maps.Equal(prev.Changes, s.want) {
					t.Fatalf("listing %d: Changes %v, want %v", i+1, prev.Changes, s.want)
				}
				states = append(states, prev)
			}
			for i, st := range states { // each state is immutable: later listings left it alone
				if !maps.Equal(st.Changes, tc.steps[i].want) {
					t.Errorf("listing %d's Changes became %v, want %v", i+1, st.Changes, tc.steps[i].want)
				}
			}
		})
	}
}

func TestOf(t *testing.T) {
	want := Templates{List: []Kept{{Code: "a"}}, Total: 1}
	if got := Of(want); len(got.List) != 1 || got.Total != 1 {
		t.Errorf("Of = %+v", got)
	}
	if got := Of(nil); got.List != nil || got.Changes != nil {
		t.Errorf("Of(nil) = %+v, want none", got)
	}
}

// A listing is counted whole, by status and by category, and only the
// templates that need attention (a problem, an undocumented status) are
// kept one by one, unless every template is (cams_template_info).
func TestKeepCountsAndKeepsWhatNeedsAttention(t *testing.T) {
	listed := []client.Template{
		{TemplateCode: "a", Language: "en", Category: "MARKETING", AuditStatus: "pass"},
		{TemplateCode: "b", Language: "en", Category: "UTILITY", AuditStatus: "paused"},
		{TemplateCode: "c", Language: "en", Category: "UTILITY", AuditStatus: "auditing"},
		{TemplateCode: "d", Language: "en", Category: "UTILITY", AuditStatus: "APPROVED"},
		{TemplateCode: "e", Language: "en", Category: "MARKETING", AuditStatus: "unaudit"},
		{TemplateCode: "f", Language: "en", Category: "AUTHENTICATION", AuditStatus: "fail"},
	}
	wantStatus := []Count{{"APPROVED", 1}, {"auditing", 1}, {"fail", 1}, {"pass", 1}, {"paused", 1}, {"unaudit", 1}}
	wantCategory := []Count{{"AUTHENTICATION", 1}, {"MARKETING", 2}, {"UTILITY", 3}}
	for _, tt := range []struct {
		keepAll bool
		codes   string
	}{{false, "bdf"}, {true, "abcdef"}} {
		got := keep(Templates{}, listed, 6, "", newCaps(), tt.keepAll)
		byStatus, byCategory := got.Counts()
		codes := ""
		for _, k := range got.List {
			codes += k.Code
		}
		if got.Count() != 6 || !slices.Equal(byStatus, wantStatus) || !slices.Equal(byCategory, wantCategory) || codes != tt.codes {
			t.Errorf("keep all %v: %d templates, %v, %v, kept %q; want 6, %v, %v, %q", tt.keepAll, got.Count(), byStatus, byCategory, codes, wantStatus, wantCategory, tt.codes)
		}
		if got.NoneUsable() || got.Problems() != 2 || got.StatusCount("pass") != 1 {
			t.Errorf("keep all %v: none usable %v, %d problems, %d pass; want false, 2, 1", tt.keepAll, got.NoneUsable(), got.Problems(), got.StatusCount("pass"))
		}
	}
}

// A template that moves into paused after a listing that only counted it
// (it passed) is a move; one paused in both listings is not; and a
// space's first listing counts none.
func TestMovesAfterACountedListing(t *testing.T) {
	tpl := func(code, status string) client.Template {
		return client.Template{TemplateCode: code, Language: "en", Category: "UTILITY", AuditStatus: status}
	}
	first := keep(Templates{}, []client.Template{tpl("a", "pass"), tpl("b", "paused"), tpl("c", "fail")}, 3, "", newCaps(), false)
	if first.Changes != nil {
		t.Fatalf("a first listing counted moves: %v", first.Changes)
	}
	second := keep(first, []client.Template{tpl("a", "paused"), tpl("b", "paused"), tpl("c", "disabled")}, 3, "", newCaps(), false)
	if got := second.Changes; got[StatusPaused] != 1 || got[StatusDisabled] != 1 || len(got) != 2 {
		t.Errorf("moves %v, want a into paused and c into disabled", got)
	}
}

// A space without a usable template, read from the counts: its templates
// are problems or await review, one at least a problem.
func TestNoneUsableByCounts(t *testing.T) {
	for _, tt := range []struct {
		statuses []string
		want     bool
	}{
		{nil, false},
		{[]string{"pass"}, false},
		{[]string{"auditing", "unaudit"}, false},
		{[]string{"paused", "auditing"}, true},
		{[]string{"fail", "disabled"}, true},
		{[]string{"fail", "APPROVED"}, false},
		{[]string{"fail", "pass"}, false},
	} {
		var listed []client.Template
		for i, s := range tt.statuses {
			listed = append(listed, client.Template{TemplateCode: fmt.Sprint(i), AuditStatus: s})
		}
		if got := keep(Templates{}, listed, len(listed), "", newCaps(), false).NoneUsable(); got != tt.want {
			t.Errorf("%v: none usable %v, want %v", tt.statuses, got, tt.want)
		}
	}
}
