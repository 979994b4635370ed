package health

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/internal/domtest"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/templates"
)

// smallTemplatesAccount: four spaces listed (a to d), two pending (e has a
// part already), with the templates source on. a: one template paused,
// one of an undocumented status; b: its only template besides one in
// review failed (none usable); c fails without data; d fails keeping a
// listing that gave fewer than its Total, one template disabled; e's
// listing gave no Total and a template twice.
func smallTemplatesAccount() *snapshot.Snapshot {
	a := withStatus(withStatus(templatesOf(0, 4), 1, "paused", "quality"), 2, "APPROVED", "")
	a.List[1].Name = `<script>alert("pwned")</script>`
	b := withStatus(withStatus(templatesOf(1, 2), 0, "fail", "contains a variable at the end"), 1, "auditing", "")
	d := withStatus(templatesOf(3, 2), 0, "disabled", "")
	d.Total, d.Disagreement = 3, "2 templates at the last page, fewer than the Total of 3"
	e := templatesOf(4, 1)
	e.Total, e.Disagreement = -1, "1 templates listed twice"
	parts := map[string]*snapshot.SpacePart{"a": upPart(10*time.Minute, a), "b": upPart(20*time.Minute, b), "c": downPart("Ram.PermissionDeny", nil),
		"d": downPart("System.LimitControl", d), "e": upPart(time.Minute, e)}
	flows := withPending(snapOf(space("a", true, 0), space("b", true, 0), space("c", true, 0), space("d", true, 0)), 2)
	return flows.WithSources([]*snapshot.SourceState{sourceState(templateSource, time.Hour, 2*time.Hour, 2, parts)})
}

// What the templates' section shows of a small account: its figures,
// counts by value, failing spaces by code, the templates needing
// attention (the worst first: a problem in a space without a usable
// template, then the problems, then an undocumented status), the listings
// at odds with their Total; and each space's row.
func TestStatusPageTemplatesSection(t *testing.T) {
	c := checkerOf(smallTemplatesAccount())
	c.SourceLimiters = map[string]SourceLimiter{templateSource: {Rate: func() float64 { return 3.5 }, MaxRate: 4}}
	p := render(t, c, "/status")
	s := p.section(templateSource)
	if s == nil {
		t.Fatal("no section of the templates")
	}
	if got := domtest.Text(domtest.First(s, domtest.Tag("h2"))); got != "Message templates (ListChatappTemplate, --collector.templates)" {
		t.Errorf("title %q", got)
	}
	for class, want := range map[string]string{"c-up": "3", "c-down": "2", "c-pending": "1", "c-interval": "1h", "c-expected-pass": "2h",
		"c-rate": "3.50/s of 4.00/s", "c-oldest": "1h ago", "c-folded": "2"} {
		if got := textOf(s, class); got != want {
			t.Errorf(".%s shows %q, want %q", class, got, want)
		}
	}
	wantTallies := map[string]string{"Templates": "9", "By audit status": "pass 4 · APPROVED 1 · auditing 1 · disabled 1 · fail 1 · paused 1",
		"By category": "UTILITY 9", "Spaces without a usable template": "1", "Listings at odds with their Total": "2"}
	if got := tallies(s); fmt.Sprint(got) != fmt.Sprint(wantTallies) {
		t.Errorf("tallies\n got %q\nwant %q", got, wantTallies)
	}
	for class, want := range map[string][][]string{
		"c-codes": {
			{"Ram.PermissionDeny", "1", "c", "grant cams:ListChatappTemplate to the RAM identity the exporter runs as, or run without --collector.templates"},
			{"System.LimitControl", "1", "d", "~lower --cams.templates-rate-limit or stop other callers of ListChatappTemplate"}},
		"c-templates": {
			{"b", "t00001_000", "en_US", "UTILITY", "fail", "Name of t00001_000", "contains a variable at the end"},
			{"a", "t00000_001", "en_US", "UTILITY", "paused", `<script>alert("pwned")</script>`, "quality"},
			{"d", "t00003_000", "en_US", "UTILITY", "disabled", "Name of t00003_000", ""},
			{"a", "t00000_002", "en_US", "UTILITY", "APPROVED", "Name of t00000_002", ""}},
		"c-listings": {
			{"d", "2", "3", "2 templates at the last page, fewer than the Total of 3"},
			{"e", "1", "none", "1 templates listed twice"}},
	} {
		if got := cells(s, class); !cellsMatch(got, want) {
			t.Errorf("table %s\n got %q\nwant %q", class, got, want)
		}
	}
	severities := []string{}
	for _, tr := range domtest.All(domtest.First(s, domtest.Class("c-templates")), domtest.Tag("tr"))[1:] {
		severities = append(severities, domtest.Attr(tr, "class"))
	}
	if want := []string{"critical", "warning", "warning", "notice"}; !slices.Equal(severities, want) {
		t.Errorf("rows' severities %q, want %q", severities, want)
	}

	wantLines := map[string]string{
		"a": "Message templates: 4 templates, 1 cannot be sent, worst t00000_001 (en_US): paused",
		"b": "Message templates: 2 templates, none usable, worst t00001_000 (en_US): fail",
		"c": "Message templates: failing: Ram.PermissionDeny",
		"d": "Message templates: failing: System.LimitControl; 2 templates, 1 cannot be sent, worst t00003_000 (en_US): disabled; " +
			"the listing disagreed with its Total: 2 templates at the last page, fewer than the Total of 3",
	}
	for _, tr := range domtest.All(domtest.ByID(t, p.doc, "spaces"), domtest.Tag("tr")) {
		id := textOf(tr, "space")
		want, ok := wantLines[id]
		if !ok {
			continue
		}
		delete(wantLines, id)
		var got []string
		for _, d := range domtest.All(tr, domtest.Class("extra")) {
			got = append(got, domtest.Text(d))
		}
		if !slices.Equal(got, []string{want}) {
			t.Errorf("row %s's lines\n got %q\nwant %q", id, got, want)
		}
	}
	if len(wantLines) > 0 {
		t.Errorf("rows not found: %v", wantLines)
	}
}

// At 10,000 spaces of 50 templates (withTemplates), the section's tables
// hold the worst 25, the worst first, and count the others; its counts
// cover every space; the page stays bounded.
func TestStatusPageTemplatesAtScale(t *testing.T) {
	const n, perSpace = 10000, 50
	p := render(t, checkerOf(withTemplates(pageAccount(n), perSpace)), "/status")
	t.Logf("the page of 10,000 spaces of 50 templates is %d bytes", len(p.body))
	if len(p.body) > maxPageBytes {
		t.Errorf("a page of %d bytes, more than %d", len(p.body), maxPageBytes)
	}
	// withTemplates' rules, applied here: the rows wanted, the worst
	// first, then by space and code.
	type row struct{ space, code, status string }
	var critical, warning, odd []row
	listed, noneUsable := 0, 0
	for i := range n {
		if i%11 == 4 {
			continue
		}
		id := fmt.Sprintf("cams-%06d", i)
		listed += perSpace
		code := func(j int) string { return fmt.Sprintf("t%05d_%03d", i, j) }
		switch {
		case i%211 == 3:
			noneUsable++
			for j := range perSpace {
				critical = append(critical, row{id, code(j), "fail"})
			}
		default:
			if i%13 == 6 {
				warning = append(warning, row{id, code(0), "paused"})
			}
			if i%17 == 8 {
				warning = append(warning, row{id, code(1), "disabled"})
			}
		}
		if i%29 == 10 {
			odd = append(odd, row{space: id})
		}
	}
	worst := append(critical, warning...)
	s := p.section(templateSource)
	rows := cells(s, "c-templates")
	if len(rows) != maxWorstRows+1 || rows[maxWorstRows][0] != fmt.Sprintf("and %d more templates needing attention", len(worst)-maxWorstRows) {
		t.Fatalf("%d rows, the last %q; want %d and the rest of %d counted", len(rows), rows[len(rows)-1], maxWorstRows, len(worst))
	}
	for i, r := range rows[:maxWorstRows] {
		if r[0] != worst[i].space || r[1] != worst[i].code || r[4] != worst[i].status {
			t.Errorf("row %d: %q, want %+v", i, r, worst[i])
		}
	}
	listings := cells(s, "c-listings")
	if len(listings) != maxWorstRows+1 || listings[0][0] != odd[0].space || listings[maxWorstRows-1][0] != odd[maxWorstRows-1].space ||
		listings[maxWorstRows][0] != fmt.Sprintf("and %d more listings at odds with their Total", len(odd)-maxWorstRows) {
		t.Errorf("listings: %d rows from %q to %q; want %d from %s", len(listings), listings[0], listings[len(listings)-1], len(odd), odd[0].space)
	}
	got := tallies(s)
	if got["Templates"] != fmt.Sprint(listed) || got["Spaces without a usable template"] != fmt.Sprint(noneUsable) ||
		got["Listings at odds with their Total"] != fmt.Sprint(len(odd)) {
		t.Errorf("tallies %q; want %d templates, %d spaces without a usable one, %d listings at odds", got, listed, noneUsable, len(odd))
	}
}

// hostileTemplates is a space's listing of 50 templates of the longest
// texts, of the character HTML escapes the longest, every status one of
// labels (those a source keeps), every other one failed.
func hostileTemplates(labels []string) templates.Templates {
	text := func(prefix string, size int) string { return prefix + strings.Repeat(`"`, size-len(prefix)) }
	out := templates.Templates{Total: 50, Disagreement: text("", 256)}
	for j := range 50 {
		status := labels[j%len(labels)]
		if j%2 == 0 {
			status = "fail"
		}
		out.List = append(out.List, templates.Kept{Code: text(fmt.Sprintf("%03d", j), 128), Language: text("", 64), Category: labels[(j+1)%len(labels)],
			AuditStatus: status, Name: text("", 256), Reason: text("", 256), Updated: 1 << 62})
	}
	return out
}
