package check

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/templates"
)

// listing is a space's templates: prefix_0, prefix_1, ... in English,
// UTILITY, of statuses, with a Total of total (-1: none).
func listing(total int, prefix string, statuses ...string) templates.Templates {
	t := templates.Templates{Total: total, Pages: 1}
	for i, s := range statuses {
		code := fmt.Sprintf("%s_%d", prefix, i)
		t.List = append(t.List, templates.Kept{Code: code, Language: "en_US", Category: "UTILITY", AuditStatus: s, Name: "name of " + code,
			Reason: "reason of " + code})
	}
	return t
}

// disagreeing is t whose listing gave fewer than a Total of total.
func disagreeing(t templates.Templates, total int) templates.Templates {
	t.Total = total
	t.Disagreement = fmt.Sprintf("%d templates at the last page, fewer than the Total of %d", len(t.List), total)
	return t
}

func TestEvaluateTemplates(t *testing.T) {
	onlyTemplates := []string{templates.Name}
	tests := []struct {
		name        string
		change      func(*account)
		on          []string
		timedOut    time.Duration
		want        Status
		wantSummary string
		wantText    []string // in the text report
		wantAbsent  []string // not in it
	}{
		{"every template passes", nil, onlyTemplates, 0, OK, "3 spaces, 6 flows, 5 templates",
			[]string{"SPACE        RESULT  FLOWS  LATENCY  TEMPLATES  CATEGORIES / ERROR", "a            ok      2      1.000s   3          SURVEY=2"}, []string{"PROBLEM"}},
		{"with the other sources", nil, append(allSources, templates.Name), 0,
			OK, "3 spaces, 6 flows, 3 numbers, 2 WABAs bound, 5 health checks, 5 templates", []string{"NUMBERS: WORST", "TEMPLATES"}, nil},
		{"a template paused", func(a *account) { a.templates["a"] = answered(listing(3, "ta", "pass", "paused", "pass")) }, onlyTemplates, 0,
			Warning, "1 template paused; 3 spaces, 6 flows", []string{"3: 1 paused", "a      templates  template ta_1 en_US UTILITY paused (WARNING)"},
			[]string{"name of", "reason of"}},
		{"disabled, paused and failed review, the worst first", func(a *account) {
			a.templates["a"] = answered(listing(4, "ta", "fail", "paused", "disabled", "pass"))
			a.templates["b"] = answered(listing(2, "tb", "disabled", "pass"))
		}, onlyTemplates, 0, Warning, "2 templates disabled, 1 template paused, 1 template failed review; 3 spaces, 6 flows",
			[]string{"4: 1 disabled, 1 paused, 1 fail", "2: 1 disabled", "template ta_0 en_US UTILITY fail (WARNING)", "template tb_0 en_US UTILITY disabled (WARNING)"},
			[]string{"none usable"}},
		{"a space without a usable template", func(a *account) { a.templates["b"] = answered(listing(2, "tb", "fail", "auditing")) }, onlyTemplates, 0,
			Critical, "1 space without a usable template; 1 template failed review; 3 spaces, 6 flows",
			[]string{"2: 1 fail, none usable", "b      templates  no usable template: each failed review, is paused or disabled, or awaits review (CRITICAL)",
				"template tb_0 en_US UTILITY fail (CRITICAL)"}, []string{"tb_1"}},
		{"every template in review is no problem", func(a *account) { a.templates["b"] = answered(listing(2, "tb", "auditing", "unaudit")) }, onlyTemplates, 0,
			OK, "3 spaces, 6 flows, 5 templates", nil, []string{"none usable"}},
		{"an undocumented status is no problem", func(a *account) { a.templates["a"] = answered(listing(3, "ta", "APPROVED", "_other", "PAUSED")) }, onlyTemplates, 0,
			OK, "3 spaces, 6 flows, 5 templates", nil, []string{"PROBLEM"}},
		{"a space without templates", func(a *account) { a.templates["b"] = answered(listing(0, "tb")) }, onlyTemplates, 0,
			OK, "3 spaces, 6 flows, 3 templates", nil, nil},
		{"a listing at odds with its Total", func(a *account) {
			a.templates["a"] = answered(disagreeing(listing(3, "ta", "pass", "pass", "pass"), 5))
		}, onlyTemplates, 0,
			Warning, "1 template listing disagreeing with Total; 3 spaces, 6 flows",
			[]string{"3 (Total 5)", "listing disagreeing with Total 5: 3 templates at the last page, fewer than the Total of 5 (WARNING)"}, nil},
		{"a listing without Total listing a template twice", func(a *account) {
			l := listing(-1, "tb", "paused", "pass")
			l.Disagreement = "1 templates listed twice"
			a.templates["b"] = answered(l)
		}, onlyTemplates, 0, Warning, "1 template paused, 1 template listing disagreeing with Total; 3 spaces, 6 flows",
			[]string{"2 (Total none): 1 paused", "listing disagreeing with Total none: 1 templates listed twice (WARNING)"}, nil},
		{"ListChatappTemplate denied in every space", func(a *account) {
			a.templates["a"], a.templates["b"] = failedPart("Ram.PermissionDeny"), failedPart("Ram.PermissionDeny")
		}, onlyTemplates, 0, Critical, "ListChatappTemplate failed for 2 spaces of 2 (Ram.PermissionDeny); 3 spaces, 6 flows",
			[]string{"FAILED Ram.PermissionDeny", "ListChatappTemplate Ram.PermissionDeny (RequestId R-Ram.PermissionDeny): grant cams:ListChatappTemplate"}, nil},
		{"a listing cut at --cams.max-pages in one space", func(a *account) { a.templates["b"] = failedPart(client.CodeTooManyPages) }, onlyTemplates, 0,
			Warning, "ListChatappTemplate failed for 1 space of 2 (TooManyPages); 3 spaces, 6 flows",
			[]string{"FAILED TooManyPages", "raise --cams.max-pages or --templates.page-size"}, []string{"that many flows"}},
		{"cut short", func(a *account) { delete(a.templates, "b") }, onlyTemplates, time.Minute, Unknown,
			"ListChatappTemplate not finished for 1 space of 2 before --check.timeout 1m0s; 3 spaces, 6 flows",
			[]string{"UNFINISHED", "ListChatappTemplate NotFinished: ListChatappTemplate: no answer when --check.timeout (1m0s) expired: raise --check.timeout, or --cams.templates-rate-limit"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acc := healthyAccount()
			if tt.change != nil {
				tt.change(&acc)
			}
			r := Evaluate(Input{Snapshot: acc.snapshotOf(tt.on...), SlowAfter: time.Hour, TimedOut: tt.timedOut})
			var text bytes.Buffer
			if err := r.WriteText(&text); err != nil {
				t.Fatal(err)
			}
			if r.Status != tt.want || r.Summary != tt.wantSummary || r.State != tt.want.String() {
				t.Errorf("got %v %q\nwant %v %q\n%s", r.Status, r.Summary, tt.want, tt.wantSummary, text.String())
			}
			for _, s := range tt.wantText {
				if !strings.Contains(text.String(), s) {
					t.Errorf("the report lacks %q:\n%s", s, text.String())
				}
			}
			for _, s := range tt.wantAbsent {
				if strings.Contains(text.String(), s) {
					t.Errorf("the report has %q:\n%s", s, text.String())
				}
			}
		})
	}
}

// The JSON report gives each space's templates: count, by status, Total,
// the disagreement, none_usable and the templates that cannot be sent,
// without their names and reasons (in /status).
func TestEvaluateTemplatesJSON(t *testing.T) {
	acc := healthyAccount()
	acc.templates["a"] = answered(disagreeing(listing(3, "ta", "pass", "paused", "APPROVED"), 4))
	acc.templates["b"] = answered(listing(2, "tb", "fail", "auditing"))
	var js bytes.Buffer
	if err := Evaluate(Input{Snapshot: acc.snapshotOf(templates.Name)}).WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Status, Summary string
		Spaces          []map[string]json.RawMessage
	}
	if err := json.Unmarshal(js.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if want := "1 space without a usable template; 1 template paused, 1 template failed review, 1 template listing disagreeing with Total; 3 spaces, 6 flows"; got.Status != "CRITICAL" || got.Summary != want {
		t.Errorf("status %s %q, want CRITICAL %q", got.Status, got.Summary, want)
	}
	for i, want := range map[int]string{
		1: `{"ok":true,"count":3,"by_status":{"APPROVED":1,"pass":1,"paused":1},"total":4,` +
			`"disagreement":"3 templates at the last page, fewer than the Total of 4",` +
			`"problems":[{"template_code":"ta_1","language":"en_US","category":"UTILITY","audit_status":"paused","severity":"WARNING"}]}`,
		2: `{"ok":true,"count":2,"by_status":{"auditing":1,"fail":1},"total":2,"none_usable":true,` +
			`"problems":[{"template_code":"tb_0","language":"en_US","category":"UTILITY","audit_status":"fail","severity":"CRITICAL"}]}`,
	} {
		if c := compact(t, got.Spaces[i]["templates"]); c != want {
			t.Errorf("space %s's templates:\n got %s\nwant %s", got.Spaces[i]["space"], c, want)
		}
	}
	if _, has := got.Spaces[0]["templates"]; has {
		t.Error("the own space has templates")
	}
}

// At 10,000 spaces of 50 templates, every problem is counted: in every
// 13th space one paused, in every 17th one disabled, in every 211th every
// one failed review (none usable); every 29th listing at odds with its
// Total.
func TestEvaluateTemplatesAtScale(t *testing.T) {
	const spaces, perSpace = 10_000, 50
	acc := account{templates: map[string]*snapshot.SpacePart{}}
	states := map[string]*snapshot.SpaceState{}
	paused, disabled, failed, noneUsable, odd := 0, 0, 0, 0, 0
	for i := range spaces {
		id := fmt.Sprintf("cams-%05d", i)
		states[id] = space(id, true, "", time.Millisecond)
		statuses := make([]string, perSpace)
		for j := range statuses {
			statuses[j] = "pass"
		}
		switch {
		case i%211 == 3:
			for j := range statuses {
				statuses[j] = "fail"
			}
			failed += perSpace
			noneUsable++
		default:
			if i%13 == 6 {
				statuses[0] = "paused"
				paused++
			}
			if i%17 == 8 {
				statuses[1] = "disabled"
				disabled++
			}
		}
		l := listing(perSpace, id, statuses...)
		if i%29 == 10 {
			l = disagreeing(l, perSpace+2)
			odd++
		}
		acc.templates[id] = answered(l)
	}
	snap := snapshot.Snapshot{}.WithSpaces(states).WithSources(acc.snapshotOf(templates.Name).Sources())
	r := Evaluate(Input{Snapshot: snap})
	want := fmt.Sprintf("%d spaces without a usable template; %d templates disabled, %d templates paused, %d templates failed review, %d template listings disagreeing with Total; 10000 spaces, 20000 flows",
		noneUsable, disabled, paused, failed, odd)
	if r.Status != Critical || r.Summary != want {
		t.Errorf("got %v %q\nwant CRITICAL %q", r.Status, r.Summary, want)
	}
}
