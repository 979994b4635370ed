package health

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/cams-exporter/cams_exporter/internal/domtest"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

const browserAccept = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"

// documented are the categories the CAMS documentation lists, written out
// here rather than read from the client.
var documented = []string{"SIGN_UP", "SIGN_IN", "APPOINTMENT_BOOKING", "LEAD_GENERATION", "CONTACT_US", "CUSTOMER_SUPPORT", "SURVEY", "OTHER"}

func checkerOf(snap *snapshot.Snapshot) Checker {
	return Checker{Snapshot: func() *snapshot.Snapshot { return snap }, RefreshInterval: 5 * time.Minute, Started: t0.Add(-time.Hour),
		Now: func() time.Time { return t0 }, LimiterRate: func() float64 { return 3.25 }, LimiterMaxRate: 4}
}

// get serves target from c as a browser (accept browserAccept) or another
// client asks for it.
func get(t *testing.T, c Checker, target, accept string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	r := httptest.NewRequest("GET", target, nil)
	if accept != "" {
		r.Header.Set("Accept", accept)
	}
	c.StatusHandler(rec, r)
	if rec.Code != 200 {
		t.Fatalf("%s answered %d: %s", target, rec.Code, rec.Body)
	}
	return rec
}

func TestStatusAnswersBrowsersWithHTML(t *testing.T) {
	c := checkerOf(snapOf(space("a", true, time.Minute)))
	tests := []struct {
		accept, contentType string
	}{
		{browserAccept, "text/html; charset=utf-8"},
		{"*/*", "application/json"},
		{"", "application/json"},
		{"application/json", "application/json"},
	}
	for _, tt := range tests {
		rec := get(t, c, "/status", tt.accept)
		h := rec.Header()
		if h.Get("Content-Type") != tt.contentType || h.Get("Vary") != "Accept" {
			t.Errorf("Accept %q: Content-Type %q, Vary %q; want %q and Accept", tt.accept, h.Get("Content-Type"), h.Get("Vary"), tt.contentType)
		}
		if strings.HasPrefix(tt.contentType, "text/html") && !strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") {
			t.Errorf("the HTML page has no Content-Security-Policy that forbids scripts: %q", h.Get("Content-Security-Policy"))
		}
	}
}

// JSON: every documented category at 0 beside the counted ones, as
// /metrics has them; the age of each space's data; the cause and remedy of
// a failure; the snapshot left as it was.
func TestStatusJSONCategoriesAgeAndRemedy(t *testing.T) {
	a := space("a", true, 90*time.Second)
	a.ByCategory = map[string]int{"SURVEY": 2, "SHOPPING": 1}
	b := space("b", false, never)
	b.LastError = &snapshot.ErrorInfo{Code: "NetworkError", Message: `Post "http://127.0.0.1:1/": dial tcp 127.0.0.1:1: connect: connection refused`}
	c := checkerOf(snapOf(a, b))
	var got struct {
		Spaces []map[string]json.RawMessage `json:"spaces"`
	}
	if err := json.Unmarshal(get(t, c, "/status", "").Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Spaces) != 2 {
		t.Fatalf("%d spaces", len(got.Spaces))
	}
	ja, jb := got.Spaces[0], got.Spaces[1]
	var cats map[string]int
	if err := json.Unmarshal(ja["flows_by_category"], &cats); err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"SHOPPING": 1}
	for _, c := range documented {
		want[c] = 0
	}
	want["SURVEY"] = 2
	if fmt.Sprint(cats) != fmt.Sprint(want) {
		t.Errorf("flows_by_category = %v, want %v", cats, want)
	}
	if string(ja["age_seconds"]) != "90" {
		t.Errorf("age_seconds = %s, want 90", ja["age_seconds"])
	}
	for _, key := range []string{"space", "up", "flows", "last_success", "last_attempt"} {
		if _, ok := ja[key]; !ok {
			t.Errorf("key %q is gone", key)
		}
	}
	if _, ok := jb["age_seconds"]; ok {
		t.Errorf("a space without data has an age: %s", jb["age_seconds"])
	}
	if string(jb["cause"]) != `"connection refused"` || !strings.Contains(string(jb["remedy"]), "nothing listens at the endpoint") {
		t.Errorf("cause %s, remedy %s", jb["cause"], jb["remedy"])
	}
	if len(a.ByCategory) != 2 {
		t.Errorf("the snapshot's categories changed: %v", a.ByCategory)
	}
}

// page is a rendered status page as a person reads it.
type page struct {
	doc  *html.Node
	body string
}

func (p page) text(t *testing.T, id string) string { return domtest.Text(domtest.ByID(t, p.doc, id)) }

// rows returns the spaces' rows: per row, the text of each cell by class.
func (p page) rows(t *testing.T) []map[string]string {
	table := domtest.ByID(t, p.doc, "spaces")
	var out []map[string]string
	for _, tr := range domtest.All(domtest.First(table, domtest.Tag("tbody")), domtest.Tag("tr")) {
		if domtest.Attr(tr, "class") == "" {
			continue // "no space matches"
		}
		row := map[string]string{"class": domtest.Attr(tr, "class")}
		for _, td := range domtest.All(tr, domtest.Tag("td")) {
			for _, class := range strings.Fields(domtest.Attr(td, "class")) {
				row[class] = domtest.Text(td)
			}
			if title := domtest.Attr(td, "title"); title != "" {
				row["title"] = title
			}
		}
		for _, cls := range []string{"code", "message", "request-id", "cause", "remedy", "recommend"} {
			if n := domtest.First(tr, domtest.Class(cls)); n != nil {
				row["error."+cls] = domtest.Text(n)
			}
		}
		out = append(out, row)
	}
	return out
}

// link returns the href of the first pager link with rel, "" if none.
func (p page) link(rel string) string {
	return domtest.Attr(domtest.First(p.doc, func(n *html.Node) bool { return n.Data == "a" && domtest.Attr(n, "rel") == rel }), "href")
}

func render(t *testing.T, c Checker, target string) page {
	t.Helper()
	rec := get(t, c, target, browserAccept)
	return page{doc: domtest.Parse(t, rec.Body.String()), body: rec.Body.String()}
}

// What the page shows of a small account: the header, the failures by
// code, failing spaces first, each row's figures, and hostile texts as
// text.
func TestStatusPageShows(t *testing.T) {
	hostileID := `cams-"x'><script>document.title='pwned'</script>`
	hostileMsg := `"quoted" & <img src=x onerror="alert(1)"> </td></tr></table>`
	up := space("cams-up", true, 4*time.Minute+59*time.Second)
	up.Count, up.ByCategory = 12, map[string]int{"SURVEY": 9, "SIGN_UP": 3, "SHOPPING": 1, "OTHER": 0}
	own := space("", true, time.Hour+5*time.Minute)
	old := space("cams-old", true, 3*time.Hour) // past the limit: 3 × max(5m, the pass of 41m40s)
	denied := space("cams-denied", false, 2*time.Minute)
	hostile := space(hostileID, false, never)
	hostile.LastError = &snapshot.ErrorInfo{Code: `<b>Bad"Code</b>`, Message: hostileMsg, RequestID: `R"<>`, Recommend: "https://api.aliyun.com/troubleshoot?q=x&y=<z>"}
	network := space("cams-net", false, never)
	network.LastError = &snapshot.ErrorInfo{Code: "NetworkError", Message: `Post "http://127.0.0.1:1/": dial tcp 127.0.0.1:1: connect: connection refused`}
	snap := withPending(snapOf(up, own, old, denied, hostile, network), 7)
	snap.ExpectedPassDuration, snap.Refreshes, snap.RefreshFailures = 2500*time.Second, 3, 2
	snap.LastRefreshEnd, snap.LastRefreshDuration = t0.Add(-3*time.Minute), 41*time.Minute+40*time.Second
	p := render(t, checkerOf(snap), "/status")

	header := map[string]string{"watched": "13", "pending": "7", "up": "3", "down": "3", "rate": "3.25/s of 4.00/s",
		"expected-pass": "41m", "interval": "5m", "stale-after": "2h 5m", "last-pass": "3m ago, took 41m", "passes": "3 (2 with failures)"}
	for id, want := range header {
		if got := p.text(t, id); got != want {
			t.Errorf("#%s shows %q, want %q", id, got, want)
		}
	}
	// A stale space is marked in its row; it does not make the exporter
	// unready.
	if got := p.text(t, "readiness"); got != "Ready: ready: 13 space(s): 3 up, 3 failing their last refresh, 7 pending" {
		t.Errorf("readiness %q", got)
	}

	// Failures by code: as many spaces each, the most first, then by code.
	codes := domtest.All(domtest.ByID(t, p.doc, "codes"), domtest.Tag("tr"))[1:]
	wantCodes := []string{`<b>Bad"Code</b> 1`, "NetworkError 1 check network access", "Ram.PermissionDeny 1 grant cams:ListFlow"}
	if len(codes) != len(wantCodes) {
		t.Fatalf("%d code rows, want %d", len(codes), len(wantCodes))
	}
	for i, w := range wantCodes {
		var cells []string
		for _, td := range domtest.All(codes[i], domtest.Tag("td")) {
			cells = append(cells, domtest.Text(td))
		}
		if got := strings.Join(cells, " "); !strings.HasPrefix(got, w) {
			t.Errorf("code row %d %q, want it to start with %q", i, got, w)
		}
	}

	// Failing first, by code ("<" sorts before letters), then up ones by id
	// (the own space, "", first).
	rows := p.rows(t)
	wantSpaces := []string{hostileID, "cams-net", "cams-denied", "(own space)", "cams-old", "cams-up"}
	var gotSpaces []string
	for _, r := range rows {
		gotSpaces = append(gotSpaces, r["space"])
	}
	if !slices.Equal(gotSpaces, wantSpaces) {
		t.Fatalf("rows %q, want %q", gotSpaces, wantSpaces)
	}
	h, n, d, o, old2, u := rows[0], rows[1], rows[2], rows[3], rows[4], rows[5]
	checks := []struct{ what, got, want string }{
		{"up row's state", u["state"], "up"},
		{"up row's flows", u["flows"], "12"},
		{"up row's categories (documented order, then others; none at 0)", u["categories"], "SIGN_UP 3 SURVEY 9 SHOPPING 1"},
		{"up row's age", u["age"], "4m ago"},
		{"up row's exact time", u["title"], "listed " + t0.Add(-4*time.Minute-59*time.Second).Format(time.RFC3339)},
		{"own space's age", o["age"], "1h 5m ago"},
		{"stale data", old2["stale"], "3h ago (stale)"},
		{"denied row's state", d["state"], "down"},
		{"denied row keeps its data", d["flows"], "3"},
		{"denied row's code", d["error.code"], "Ram.PermissionDeny"},
		{"denied row's message", d["error.message"], "denied"},
		{"denied row's RequestId", d["error.request-id"], "RequestId R1"},
		{"denied row's remedy", d["error.remedy"], "Remedy: grant cams:ListFlow to the RAM identity the exporter runs as"},
		{"a space without data", n["flows"] + "|" + n["age"], "–|no data"},
		{"network row's cause", n["error.cause"], "Cause: connection refused"},
		{"hostile id, as text", h["space"], hostileID},
		{"hostile code, as text", h["error.code"], `<b>Bad"Code</b>`},
		{"hostile message, as text", h["error.message"], strings.Join(strings.Fields(hostileMsg), " ")},
		{"hostile RequestId, as text", h["error.request-id"], `RequestId R"<>`},
		{"Recommend, as text", h["error.recommend"], "CAMS recommends: https://api.aliyun.com/troubleshoot?q=x&y=<z>"},
		{"the last attempt", d["attempt"], "0s ago"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %q, want %q", c.what, c.got, c.want)
		}
	}
	if scripts := domtest.All(p.doc, domtest.Tag("script")); len(scripts) > 0 || strings.Contains(p.body, "<script>") {
		t.Errorf("the page has %d script elements", len(scripts))
	}
	if imgs := domtest.All(p.doc, domtest.Tag("img")); len(imgs) > 0 {
		t.Errorf("the page has %d img elements", len(imgs))
	}
	if title := domtest.Text(domtest.First(p.doc, domtest.Tag("title"))); title != "CAMS exporter status" {
		t.Errorf("title %q", title)
	}
	// The hostile code's link carries it, encoded, and shows its space.
	link := domtest.Attr(domtest.First(codes[0], domtest.Tag("a")), "href")
	q, err := url.ParseQuery(strings.TrimPrefix(link, "?"))
	if err != nil || q.Get("code") != `<b>Bad"Code</b>` {
		t.Fatalf("code link %q (%v)", link, err)
	}
	filtered := render(t, checkerOf(snap), "/status"+link).rows(t)
	if len(filtered) != 1 || filtered[0]["space"] != hostileID {
		t.Errorf("following the code link shows %v, want the hostile space alone", filtered)
	}
}

// An account of n spaces at t0, failing every 7th with one of three codes;
// space i was listed i seconds ago.
func pageAccount(n int) *snapshot.Snapshot {
	codes := []string{"Ram.PermissionDeny", "Product.Unsubscript", "System.LimitControl"}
	states := make(map[string]*snapshot.SpaceState, n)
	for i := range n {
		id := fmt.Sprintf("cams-%06d", i)
		at := t0.Add(-time.Duration(i) * time.Second)
		st := &snapshot.SpaceState{ID: id, HasData: true, Up: true, Count: i % 50, ByCategory: map[string]int{"SURVEY": i % 50},
			LastSuccess: at, LastAttempt: at}
		if i%7 == 3 {
			st.Up = false
			st.LastError = &snapshot.ErrorInfo{Code: codes[i%3], Message: "no", RequestID: fmt.Sprintf("R-%d", i)}
		}
		states[id] = st
	}
	return snapshot.Snapshot{Completed: true, Refreshes: 1, ExpectedPassDuration: time.Duration(n) * time.Second / 4}.WithSpaces(states)
}

// At 10,000 spaces: a page holds PageSize rows, failing spaces first (by
// code, then id), the rest by id; links lead to the pages around; an
// out-of-range page shows the nearest; filters narrow the list.
func TestStatusPageAtScale(t *testing.T) {
	const n = 10000
	snap := pageAccount(n)
	c := checkerOf(snap)
	// The order, computed from the data: failing spaces sorted by code
	// then id, then the others by id.
	var failing, healthy []string
	codeOf := map[string]string{}
	for i := range n {
		id := fmt.Sprintf("cams-%06d", i)
		if i%7 == 3 {
			failing = append(failing, id)
			codeOf[id] = []string{"Ram.PermissionDeny", "Product.Unsubscript", "System.LimitControl"}[i%3]
		} else {
			healthy = append(healthy, id)
		}
	}
	sort.Slice(failing, func(i, j int) bool {
		a, b := failing[i], failing[j]
		return codeOf[a] < codeOf[b] || codeOf[a] == codeOf[b] && a < b
	})
	order := append(append([]string{}, failing...), healthy...)
	pages := (n + PageSize - 1) / PageSize

	for _, tt := range []struct {
		target string
		page   int
	}{{"/status", 1}, {"/status?page=2", 2}, {"/status?page=15", 15}, {fmt.Sprintf("/status?page=%d", pages), pages},
		{"/status?page=0", 1}, {"/status?page=-3", 1}, {"/status?page=abc", 1}, {"/status?page=99999999999999999999", 1}, {"/status?page=100000", pages}} {
		t.Run(tt.target, func(t *testing.T) {
			p := render(t, c, tt.target)
			rows := p.rows(t)
			want := order[(tt.page-1)*PageSize : min(tt.page*PageSize, n)]
			var got []string
			for _, r := range rows {
				got = append(got, r["space"])
				if (r["class"] == "down") != (codeOf[r["space"]] != "") {
					t.Errorf("row %s is %s", r["space"], r["class"])
				}
			}
			if !slices.Equal(got, want) {
				t.Fatalf("page %d shows %d rows from %q, want %d from %q", tt.page, len(got), got[:min(len(got), 1)], len(want), want[0])
			}
			if pos := domtest.Text(domtest.First(p.doc, domtest.Class("position"))); pos != fmt.Sprintf("spaces %d–%d of %d, page %d of %d",
				(tt.page-1)*PageSize+1, min(tt.page*PageSize, n), n, tt.page, pages) {
				t.Errorf("position %q", pos)
			}
			wantPrev, wantNext := "", ""
			if tt.page > 1 {
				wantPrev = pageLink(tt.page - 1)
			}
			if tt.page < pages {
				wantNext = pageLink(tt.page + 1)
			}
			if p.link("prev") != wantPrev || p.link("next") != wantNext {
				t.Errorf("prev %q next %q, want %q and %q", p.link("prev"), p.link("next"), wantPrev, wantNext)
			}
		})
	}

	filters := []struct {
		query string
		want  func(id string) bool
	}{
		{"state=down", func(id string) bool { return codeOf[id] != "" }},
		{"state=up", func(id string) bool { return codeOf[id] == "" }},
		{"code=System.LimitControl", func(id string) bool { return codeOf[id] == "System.LimitControl" }},
		{"q=cams-0099", func(id string) bool { return strings.HasPrefix(id, "cams-0099") }},
		{"state=up&q=00123", func(id string) bool { return codeOf[id] == "" && strings.Contains(id, "00123") }},
		{"q=nothing-like-it", func(string) bool { return false }},
	}
	for _, f := range filters {
		t.Run(f.query, func(t *testing.T) {
			var want []string
			for _, id := range order {
				if f.want(id) {
					want = append(want, id)
				}
			}
			var got []string
			for pg := 1; ; pg++ {
				p := render(t, c, "/status?"+f.query+"&page="+strconv.Itoa(pg))
				for _, r := range p.rows(t) {
					got = append(got, r["space"])
				}
				next := p.link("next")
				if next == "" {
					break
				}
				if q, _ := url.ParseQuery(strings.TrimPrefix(next, "?")); q.Get("page") != strconv.Itoa(pg+1) {
					t.Fatalf("next link %q does not keep the filter or lead to page %d", next, pg+1)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("%d spaces shown, want %d", len(got), len(want))
			}
		})
	}
}

func pageLink(n int) string {
	if n == 1 {
		return "?"
	}
	return "?page=" + strconv.Itoa(n)
}

// hostileAccount is an account of n spaces where every text is as long as
// the exporter lets it be and made of the character html/template
// escapes the longest (" becomes &#34;): ids, codes (each its own),
// messages, RequestIds, Recommend, and every category a space may keep.
func hostileAccount(n int) *snapshot.Snapshot {
	text := func(prefix string, size int) string { return prefix + strings.Repeat(`"`, size-len(prefix)) }
	cats := map[string]int{}
	for _, c := range documented {
		cats[c] = 1
	}
	for i := range snapshot.MaxUndocumentedCategories {
		cats[text(fmt.Sprint(i), 64)] = 1
	}
	cats[snapshot.OtherCategory] = 1
	states := make(map[string]*snapshot.SpaceState, n)
	for i := range n {
		id := text(fmt.Sprint(i), 128)
		states[id] = &snapshot.SpaceState{ID: id, HasData: true, Count: 1 << 30, ByCategory: cats, LastSuccess: t0, LastAttempt: t0,
			LastError: &snapshot.ErrorInfo{Code: text(fmt.Sprint(i), 512), Message: text("", 512), RequestID: text("", 512), Recommend: text("", 512)}}
	}
	return snapshot.Snapshot{}.WithSpaces(states)
}

// maxPageBytes bounds a page whatever the account holds, with room to
// spare: see hostileAccount and hostileSources.
const maxPageBytes = 5 << 20

// A page stays bounded at 10,000 spaces of the longest texts, even asked
// to search for the longest text.
func TestStatusPageIsBounded(t *testing.T) {
	c := checkerOf(hostileAccount(10000))
	target := "/status?q=" + url.QueryEscape(strings.Repeat(`"`, 1000))
	size := len(get(t, c, target, browserAccept).Body.Bytes())
	size1 := len(get(t, c, "/status", browserAccept).Body.Bytes())
	t.Logf("the page of 10,000 hostile spaces is %d bytes (%d with a search of 1,000 quotes, which matches none)", size1, size)
	if size1 > maxPageBytes || size > maxPageBytes {
		t.Errorf("a page of %d bytes, more than %d", max(size, size1), maxPageBytes)
	}
	if rows := render(t, c, "/status").rows(t); len(rows) != PageSize {
		t.Errorf("%d rows, want %d", len(rows), PageSize)
	}
}

// Before the first listing ends, every space pending: the page says so.
func TestStatusPageBeforeTheFirstListing(t *testing.T) {
	p := render(t, checkerOf(&snapshot.Snapshot{Pending: 10000}), "/status")
	if got := p.text(t, "pending") + "|" + p.text(t, "last-pass"); got != "10000|none yet" {
		t.Errorf("pending|last pass = %q", got)
	}
	if rows := p.rows(t); len(rows) != 0 || !strings.Contains(domtest.Text(domtest.ByID(t, p.doc, "spaces")), "No space has been listed yet") {
		t.Errorf("rows %v", rows)
	}
	if r := p.text(t, "readiness"); !strings.HasPrefix(r, "Not ready: no data yet") {
		t.Errorf("readiness %q", r)
	}
}

func TestApprox(t *testing.T) {
	tests := map[time.Duration]string{
		0: "0s", -time.Second: "0s", 999 * time.Millisecond: "0s", 59 * time.Second: "59s", time.Minute: "1m",
		4*time.Minute + 59*time.Second: "4m", time.Hour: "1h", time.Hour + 30*time.Second: "1h", 2*time.Hour + 5*time.Minute: "2h 5m",
		24 * time.Hour: "1d", 76 * time.Hour: "3d 4h", 1000 * 24 * time.Hour: "1000d",
	}
	for d, want := range tests {
		if got := approx(d); got != want {
			t.Errorf("approx(%v) = %q, want %q", d, got, want)
		}
	}
	if got := ago(t0.Add(time.Minute), t0); got != "in the future" {
		t.Errorf("ago(a minute ahead) = %q", got)
	}
}
