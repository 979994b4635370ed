package health

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/cams-exporter/cams_exporter/internal/domtest"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

// section returns a source's section of p, nil when there is none.
func (p page) section(name string) *html.Node {
	return domtest.First(p.doc, func(n *html.Node) bool { return n.Data == "section" && domtest.Attr(n, "id") == "collector-"+name })
}

// cells returns the text of each cell of each body row of the table of
// class in n.
func cells(n *html.Node, class string) [][]string {
	table := domtest.First(n, func(x *html.Node) bool { return x.Data == "table" && domtest.Attr(x, "class") == class })
	if table == nil {
		return nil
	}
	var out [][]string
	for _, tr := range domtest.All(domtest.First(table, domtest.Tag("tbody")), domtest.Tag("tr")) {
		var row []string
		for _, td := range domtest.All(tr, domtest.Tag("td")) {
			row = append(row, domtest.Text(td))
		}
		out = append(out, row)
	}
	return out
}

// cellsMatch compares a table's cells with want's: a wanted cell that
// starts with ~ need only be contained in the cell.
func cellsMatch(got, want [][]string) bool {
	if len(got) != len(want) {
		return false
	}
	for i := range got {
		if len(got[i]) != len(want[i]) {
			return false
		}
		for j, w := range want[i] {
			if part, ok := strings.CutPrefix(w, "~"); ok && !strings.Contains(got[i][j], part) || !ok && got[i][j] != w {
				return false
			}
		}
	}
	return true
}

func textOf(n *html.Node, class string) string {
	return domtest.Text(domtest.First(n, domtest.Class(class)))
}

// tallies returns a section's tallies: label to value.
func tallies(n *html.Node) map[string]string {
	out := map[string]string{}
	for _, p := range domtest.All(n, domtest.Class("tally")) {
		label, value, _ := strings.Cut(domtest.Text(p), ": ")
		out[label] = value
	}
	return out
}

// smallSourcesAccount: four spaces listed (a to d), two pending (e has
// parts already), with the three sources on.
func smallSourcesAccount() *snapshot.Snapshot {
	a := phonenumbers.Numbers{number(0, 0, "CONNECTED", "GREEN"), number(0, 1, "FLAGGED", "RED"), number(0, 2, "CONNECTED", "YELLOW")}
	a[1].VerifiedName = `<script>alert("pwned")</script>`
	b := phonenumbers.Numbers{number(1, 0, "BANNED", "GREEN")}
	d := phonenumbers.Numbers{number(3, 0, "CONNECTED", "RED")}
	e := phonenumbers.Numbers{number(4, 0, "CONNECTED", "GREEN")}
	numbers := map[string]*snapshot.SpacePart{"a": upPart(2*time.Minute, a), "b": upPart(time.Minute, b), "c": downPart("Ram.PermissionDeny", nil),
		"d": downPart("System.LimitControl", d), "e": upPart(time.Minute, e)}

	rejected, pending := wabaOf(1), wabaOf(3)
	rejected.AccountReviewStatus, pending.AccountReviewStatus = "REJECTED", "PENDING"
	wabaParts := map[string]*snapshot.SpacePart{"a": upPart(time.Hour, wabaOf(0)), "b": upPart(time.Hour, rejected), "c": upPart(time.Hour, waba.WABA{}),
		"d": upPart(3*time.Hour, pending)}

	aa := healthAnswersOf(0, a)
	aa.phones[1].CanSendMessage, aa.phones[1].Entities[3] = "LIMITED", withHealth(aa.phones[1].Entities[3], "LIMITED", "131049")
	ab := healthAnswersOf(1, b)
	ab.waba.CanSendMessage, ab.waba.Entities[1] = "BLOCKED", withHealth(ab.waba.Entities[1], "BLOCKED", "141010")
	ad := healthAnswersOf(3, d)
	ad.waba.CanSendMessage, ad.waba.Entities[1], ad.waba.Entities[2] = "BLOCKED", withHealth(ad.waba.Entities[1], "BLOCKED", "141010"),
		withHealth(ad.waba.Entities[2], "LIMITED", "368")
	ha, hb, hd := aa.health(), ab.health(), ad.health()
	hd.Phones[0].LastError = &snapshot.ErrorInfo{Code: "ERR-FB-001", Message: "meta failed"}
	health := map[string]*snapshot.SpacePart{"a": upPart(time.Hour, ha), "b": upPart(time.Hour, hb), "d": upPart(time.Hour, hd)}

	flows := withPending(snapOf(space("a", true, 0), space("b", true, 0), space("c", true, 0), space("d", true, 0)), 2)
	flows.Refreshes = 1
	return flows.WithSources([]*snapshot.SourceState{
		sourceState(phoneNumbers, 15*time.Minute, 21*time.Minute, 0, numbers),
		sourceState(wabas, 6*time.Hour, 20*time.Minute, 0, wabaParts),
		sourceState(messagingHealth, time.Hour, 2*time.Hour+5*time.Minute, 3, health),
	})
}

// What a source's section shows of a small account: its figures, counts
// by value, failing spaces by code, the worst numbers (the worst first),
// WABAs not approved, entities not AVAILABLE (one row per entity, with
// the spaces naming it); and each space's row, a line per source.
func TestStatusPageCollectorSections(t *testing.T) {
	c := checkerOf(smallSourcesAccount())
	c.SourceLimiters = map[string]SourceLimiter{phoneNumbers: {Rate: func() float64 { return 4 }, MaxRate: 8}}
	p := render(t, c, "/status")
	if scripts := domtest.All(p.doc, domtest.Tag("script")); len(scripts) > 0 {
		t.Fatalf("the page has %d script elements", len(scripts))
	}
	var order []string
	for _, s := range domtest.All(p.doc, domtest.Tag("section")) {
		order = append(order, domtest.Attr(s, "id"))
	}
	if want := []string{"collector-phone-numbers", "collector-waba", "collector-messaging-health"}; !slices.Equal(order, want) {
		t.Fatalf("sections %q, want %q", order, want)
	}

	tests := []struct {
		source  string
		figures map[string]string // class: text
		tallies map[string]string
		tables  map[string][][]string
	}{
		{phoneNumbers,
			map[string]string{"c-up": "3", "c-down": "2", "c-pending": "1", "c-interval": "15m", "c-expected-pass": "21m", "c-rate": "4.00/s of 8.00/s",
				"c-oldest": "1h ago", "c-folded": "0"},
			map[string]string{"Numbers": "6", "By status": "CONNECTED 4 · BANNED 1 · FLAGGED 1", "By quality rating": "GREEN 3 · RED 2 · YELLOW 1",
				"By messaging limit tier": "TIER_1K 6"},
			map[string][][]string{
				"c-codes": {
					{"Ram.PermissionDeny", "1", "c", "grant cams:QueryChatappPhoneNumbers to the RAM identity the exporter runs as, or run without --collector.phone-numbers"},
					{"System.LimitControl", "1", "d", "~lower --cams.phone-numbers-rate-limit or stop other callers of QueryChatappPhoneNumbers on this account"}},
				"c-numbers": {
					{"b", "86000010000", "BANNED", "GREEN", "TIER_1K", "Shop 1 number 0"},
					{"a", "86000000001", "FLAGGED", "RED", "TIER_1K", `<script>alert("pwned")</script>`},
					{"d", "86000030000", "CONNECTED", "RED", "TIER_1K", "Shop 3 number 0"},
					{"a", "86000000002", "CONNECTED", "YELLOW", "TIER_1K", "Shop 0 number 2"}},
			}},
		{wabas,
			map[string]string{"c-up": "4", "c-down": "0", "c-pending": "2", "c-interval": "6h", "c-oldest": "3h ago"},
			map[string]string{"Spaces with a WABA": "3", "Spaces without one": "1", "By account review status": "APPROVED 1 · PENDING 1 · REJECTED 1"},
			map[string][][]string{"c-wabas": {{"b", "waba-1", "Shop 1", "REJECTED", "biz-1"}, {"d", "waba-3", "Shop 3", "PENDING", "biz-1"}}}},
		{messagingHealth,
			map[string]string{"c-up": "3", "c-down": "0", "c-pending": "3", "c-interval": "1h", "c-expected-pass": "2h 5m", "c-folded": "3"},
			map[string]string{"WABAs can send": "BLOCKED 2 · AVAILABLE 1", "Numbers can send": "AVAILABLE 4 · LIMITED 1", "Nodes whose last call failed": "1"},
			map[string][][]string{"c-entities": {
				{"BUSINESS biz-1", "BLOCKED", "2", "b, d", "141010 Meta says 141010 Solution: fix 141010"},
				{"APP app-1", "LIMITED", "1", "d", "368 Meta says 368 Solution: fix 368"},
				{"PHONE_NUMBER 86000000001", "LIMITED", "1", "a", "131049 Meta says 131049 Solution: fix 131049"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.source, func(t *testing.T) {
			s := p.section(tt.source)
			for class, want := range tt.figures {
				if got := textOf(s, class); got != want {
					t.Errorf(".%s shows %q, want %q", class, got, want)
				}
			}
			if got := tallies(s); fmt.Sprint(got) != fmt.Sprint(tt.tallies) {
				t.Errorf("tallies\n got %q\nwant %q", got, tt.tallies)
			}
			for class, want := range tt.tables {
				if got := cells(s, class); !cellsMatch(got, want) {
					t.Errorf("table %s\n got %q\nwant %q", class, got, want)
				}
			}
		})
	}

	// Each space's row: a line per source, in wiring order.
	wantLines := map[string][]string{
		"a": {"Phone numbers: 3 numbers, worst 86000000001: FLAGGED, RED", "WABA: WABA waba-0, APPROVED", "Messaging health: 4 nodes, worst number 86000000001: LIMITED"},
		"c": {"Phone numbers: failing: Ram.PermissionDeny", "WABA: no WABA bound", "Messaging health: pending"},
		"d": {"Phone numbers: failing: System.LimitControl; 1 number, worst 86000030000: CONNECTED, RED", "WABA: WABA waba-3, PENDING",
			"Messaging health: 2 nodes, worst WABA waba-3: BLOCKED"},
		"b": {"Phone numbers: 1 number, worst 86000010000: BANNED, GREEN", "WABA: WABA waba-1, REJECTED", "Messaging health: 2 nodes, worst WABA waba-1: BLOCKED"},
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
		if !slices.Equal(got, want) {
			t.Errorf("row %s's lines\n got %q\nwant %q", id, got, want)
		}
	}
	if len(wantLines) > 0 {
		t.Errorf("rows not found: %v", wantLines)
	}
}

// Without sources, the page has no section of them and rows no lines.
func TestStatusPageWithoutSources(t *testing.T) {
	p := render(t, checkerOf(snapOf(space("a", true, time.Minute))), "/status")
	if n := len(domtest.All(p.doc, domtest.Tag("section"))) + len(domtest.All(p.doc, domtest.Class("extra"))); n != 0 {
		t.Errorf("%d sections and lines of sources", n)
	}
}

// At 10,000 spaces, each of three numbers, a section's tables hold the
// worst 25, the worst first, and count the others; counts cover every
// space.
func TestStatusPageCollectorsAtScale(t *testing.T) {
	const n = 10000
	c := checkerOf(sourcesAccount(n, 3))
	p := render(t, c, "/status")
	t.Logf("the page of 10,000 spaces with three sources is %d bytes", len(p.body))
	if len(p.body) > maxPageBytes {
		t.Errorf("a page of %d bytes, more than %d", len(p.body), maxPageBytes)
	}
	// The fixture's rules (sourcesAccount), applied here.
	type bad struct{ space, status string }
	var critical, warning []bad
	numbers, denied, pendingReview, blocked := 0, 0, 0, 0
	for i := range n {
		id := fmt.Sprintf("cams-%06d", i)
		if i%89 == 1 {
			pendingReview++
		}
		if i%103 == 2 {
			blocked++
		}
		if i%11 == 4 {
			denied++
			continue
		}
		numbers += 3
		switch {
		case i%101 == 7:
			critical = append(critical, bad{id, "BANNED"})
		case i%97 == 5:
			warning = append(warning, bad{id, "CONNECTED"})
		}
	}
	worst := append(critical, warning...)

	s := p.section(phoneNumbers)
	rows := cells(s, "c-numbers")
	if len(rows) != maxWorstRows+1 || rows[maxWorstRows][0] != fmt.Sprintf("and %d more numbers needing attention", len(worst)-maxWorstRows) {
		t.Fatalf("%d rows, the last %q; want %d and the rest of %d counted", len(rows), rows[len(rows)-1], maxWorstRows, len(worst))
	}
	for i, r := range rows[:maxWorstRows] {
		if r[0] != worst[i].space || r[2] != worst[i].status {
			t.Errorf("row %d: %q, want %s %s", i, r, worst[i].space, worst[i].status)
		}
	}
	if got := tallies(s)["Numbers"]; got != fmt.Sprint(numbers) {
		t.Errorf("numbers %s, want %d", got, numbers)
	}
	if codes := cells(s, "c-codes"); len(codes) != 1 || codes[0][1] != fmt.Sprint(denied) || codes[0][2] != "cams-000004, cams-000015, cams-000026" {
		t.Errorf("codes %q, want Ram.PermissionDeny for %d spaces, from cams-000004", codes, denied)
	}
	if w := cells(p.section(wabas), "c-wabas"); len(w) != maxWorstRows+1 || w[0][0] != "cams-000001" || w[maxWorstRows][0] != fmt.Sprintf("and %d more WABAs not approved", pendingReview-maxWorstRows) {
		t.Errorf("WABAs not approved: %d rows from %q to %q; want %d", len(w), w[0], w[len(w)-1], pendingReview)
	}
	if e := cells(p.section(messagingHealth), "c-entities"); len(e) != 1 || e[0][0] != "BUSINESS biz-1" || e[0][2] != fmt.Sprint(blocked) {
		t.Errorf("entities %q, want the business, BLOCKED in %d spaces", e, blocked)
	}
}

// A page stays bounded with the sources on and every text of theirs as
// long as the exporter keeps it, each space failing with a code of its
// own; the templates' tables full.
func TestStatusPageWithSourcesIsBounded(t *testing.T) {
	const n = 10000
	c := checkerOf(hostileAccount(n).WithSources(hostileSources(n)))
	size := len(get(t, c, "/status", browserAccept).Body.Bytes())
	filtered := len(get(t, c, "/status?q="+url.QueryEscape(strings.Repeat(`"`, 1000)), browserAccept).Body.Bytes())
	t.Logf("the page of 10,000 hostile spaces with four hostile sources is %d bytes (%d with a search that matches none)", size, filtered)
	if size > maxPageBytes || filtered > maxPageBytes {
		t.Errorf("a page of %d bytes, more than %d", max(size, filtered), maxPageBytes)
	}
	p := render(t, c, "/status")
	for _, src := range []string{phoneNumbers, wabas, messagingHealth, templateSource} {
		s := p.section(src)
		if codes := cells(s, "c-codes"); len(codes) != maxCodeRows+1 {
			t.Errorf("%s: %d code rows, want %d and the rest counted", src, len(codes), maxCodeRows)
		}
	}
	s := p.section(templateSource)
	if rows, listings := cells(s, "c-templates"), cells(s, "c-listings"); len(rows) != maxWorstRows+1 || len(listings) != maxWorstRows+1 {
		t.Errorf("%d rows of templates and %d of listings, want %d each and the rest counted", len(rows), len(listings), maxWorstRows)
	}
}

// hostileSources are the four sources' parts of hostileAccount's n spaces
// (ids as hostileAccount makes them): every text as long as kept, of the
// character HTML escapes the longest; each part failing with a code of
// its own, keeping data that needs attention.
func hostileSources(n int) []*snapshot.SourceState {
	text := func(prefix string, size int) string { return prefix + strings.Repeat(`"`, size-len(prefix)) }
	long, value := text("", 512), text("", 128)
	// As many values of a label as a source keeps: the documented ones,
	// 30 others and _other.
	const values = 44
	labels := make([]string, values)
	for v := range labels {
		labels[v] = text(fmt.Sprint(v), 128)
	}
	errors := make([]messaginghealth.Error, 20)
	for m := range errors {
		errors[m] = messaginghealth.Error{Code: labels[m], Description: long, Solution: long}
	}
	numbers, wabaParts, health := map[string]*snapshot.SpacePart{}, map[string]*snapshot.SpacePart{}, map[string]*snapshot.SpacePart{}
	tpls, tplParts := hostileTemplates(labels), map[string]*snapshot.SpacePart{} // one listing: 50 templates a space take 400 MB
	for i := range n {
		id := text(fmt.Sprint(i), 128)
		var ns phonenumbers.Numbers
		for j := range 3 {
			ns = append(ns, phonenumbers.Number{PhoneNumber: text(fmt.Sprint(i, "-", j), 128), Status: labels[(i+j)%values], QualityRating: "RED",
				MessagingLimitTier: labels[(i+j+1)%values], CodeVerificationStatus: value, NameStatus: value, VerifiedName: long})
		}
		w := waba.WABA{Bound: true, ID: text(fmt.Sprint("W", i), 128), BusinessID: value, AccountReviewStatus: labels[i%values], Name: long, Currency: value}
		var entities []messaginghealth.Entity
		for k := range 5 {
			entities = append(entities, messaginghealth.Entity{Type: labels[k], ID: text(fmt.Sprint(i, "-", k), 128), CanSendMessage: "BLOCKED", Errors: errors})
		}
		h := messaginghealth.FromAnswers(&messaginghealth.Answer{Node: messaginghealth.Node{WabaID: w.ID, CanSendMessage: "BLOCKED"}, Entities: entities})
		fail := func(data any) *snapshot.SpacePart {
			p := downPart(text(fmt.Sprint(i), 512), data)
			p.LastError.Message, p.LastError.RequestID = long, long
			return p
		}
		numbers[id], wabaParts[id], health[id], tplParts[id] = fail(ns), fail(w), fail(h), fail(tpls)
	}
	return []*snapshot.SourceState{
		sourceState(phoneNumbers, time.Minute, 0, 0, numbers), sourceState(wabas, time.Minute, 0, 0, wabaParts), sourceState(messagingHealth, time.Minute, 0, 0, health),
		sourceState(templateSource, time.Minute, 0, 0, tplParts),
	}
}

// A space's line of each source says what its data says in a few words.
func TestDataSummary(t *testing.T) {
	fine := healthOf(0, numbersOf(0, 2))
	failed := healthOf(0, numbersOf(0, 1))
	failed.Phones[0].LastError = &snapshot.ErrorInfo{Code: "ERR-OPERATION-MAAP-0065"}
	notAnswered := messaginghealth.Health{Phones: []messaginghealth.Node{{PhoneNumber: "1", LastError: &snapshot.ErrorInfo{Code: "Timeout"}}}}
	tests := []struct {
		source string
		data   any
		want   string
	}{
		{phoneNumbers, numbersOf(0, 1), "1 number, none needing attention"},
		{phoneNumbers, phonenumbers.Numbers{}, "0 numbers, none needing attention"},
		{phoneNumbers, phonenumbers.Numbers{number(0, 0, "CONNECTED", "YELLOW"), number(0, 1, "DELETED", "GREEN"), number(0, 2, "FLAGGED", "RED")},
			"3 numbers, worst 86000000001: DELETED, GREEN"},
		{wabas, waba.WABA{}, "no WABA bound"},
		{messagingHealth, fine, "3 nodes, none LIMITED or BLOCKED"},
		{messagingHealth, messaginghealth.Health{}, "no node asked yet"},
		{messagingHealth, failed, "2 nodes, worst number 86000000000: AVAILABLE, last call failed: ERR-OPERATION-MAAP-0065"},
		{messagingHealth, notAnswered, "1 node, worst number 1: not answered, last call failed: Timeout"},
		{"conversations", []string{"x"}, ""},
	}
	for _, tt := range tests {
		if got := dataSummary(tt.source, tt.data); got != tt.want {
			t.Errorf("%s %+v: %q, want %q", tt.source, tt.data, got, tt.want)
		}
	}
}
