package health

import (
	"bytes"
	"cmp"
	_ "embed"
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/remedy"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// Bounds of the HTML status page. Whatever the number of spaces, a page
// shows PageSize spaces and maxCodeRows error codes, and every text on it
// was cut where it entered (space ids to client.MaxSpaceIDBytes, error
// texts to client.MaxTextBytes, a space's categories to the documented ones,
// snapshot.MaxUndocumentedCategories others and snapshot.OtherCategory), so
// a page stays under 3 MiB even when every text is as long and as full of
// characters to escape as it may be (2.2 MB; TestStatusPageIsBounded), and
// is about 55 KB for a real account. The sources of the engine add their
// sections, each bounded (see collectorpage.go), and a line each to a
// space's row: with the three on, 3.7 MB at worst, under 5 MiB
// (TestStatusPageWithSourcesIsBounded), and about 90 KB for a real account
// of 10,000 spaces.
const (
	// PageSize is how many spaces a page shows.
	PageSize = 100
	// maxCodeRows bounds the table of failures by code.
	maxCodeRows = 20
	// maxSearchBytes bounds the search text taken from the query.
	maxSearchBytes = client.MaxSpaceIDBytes
)

//go:embed page.html
var pageSource string

var pageTemplate = template.Must(template.New("status").Parse(pageSource))

// pageQuery is what the page's address asks for.
type pageQuery struct {
	Page   int    // from 1
	State  string // "", "down" or "up"
	Code   string // only the failing spaces with this code
	Search string // only the spaces whose id contains it
}

// parsePageQuery reads the query; anything it does not understand is
// ignored (a page number out of range shows the nearest page).
func parsePageQuery(v url.Values) pageQuery {
	q := pageQuery{Page: 1, Code: client.Cut(v.Get("code"), client.MaxTextBytes), Search: client.Cut(v.Get("q"), maxSearchBytes)}
	if n, err := strconv.Atoi(v.Get("page")); err == nil && n > 1 {
		q.Page = n
	}
	if s := v.Get("state"); s == "down" || s == "up" {
		q.State = s
	}
	if q.Code != "" {
		q.State = "down"
	}
	return q
}

// URL is the relative address of page n with q's filters.
func (q pageQuery) URL(n int) string {
	v := url.Values{}
	if q.State != "" && q.Code == "" {
		v.Set("state", q.State)
	}
	if q.Code != "" {
		v.Set("code", q.Code)
	}
	if q.Search != "" {
		v.Set("q", q.Search)
	}
	if n > 1 {
		v.Set("page", strconv.Itoa(n))
	}
	return "?" + v.Encode()
}

func (q pageQuery) matches(sp *snapshot.SpaceState) bool {
	switch {
	case q.State == "up" && !sp.Up, q.State == "down" && sp.Up:
		return false
	case q.Code != "" && errorCode(sp) != q.Code:
		return false
	}
	return q.Search == "" || strings.Contains(sp.ID, q.Search)
}

// Filtered reports whether the page shows only some spaces.
func (q pageQuery) Filtered() bool { return q.State != "" || q.Code != "" || q.Search != "" }

func errorCode(sp *snapshot.SpaceState) string {
	if sp.LastError == nil {
		return ""
	}
	return sp.LastError.Code
}

// pageView is what the template shows.
type pageView struct {
	Generated              string
	Ready                  bool
	Reason                 string
	Counts                 StateCounts
	Watched                int
	Limiter                *LimiterStatus
	ExpectedPass, Interval string
	MaxStaleness           string
	LastPass               string // "" before the first pass ends
	Refreshes, Failures    uint64
	Extras                 []Detail
	Codes                  []codeRow
	MoreCodes, MoreSpaces  int // codes past maxCodeRows, and their spaces
	Collectors             []collectorSection
	Query                  pageQuery
	Rows                   []spaceRow
	Matching               int // spaces the filters let through
	First, Last            int // the rows' positions among them, from 1
	Page, Pages            int
}

// PrevPage is the number of the page before this one.
func (v pageView) PrevPage() int { return v.Page - 1 }

// NextPage is the number of the page after this one.
func (v pageView) NextPage() int { return v.Page + 1 }

// PageSize is how many spaces a page shows.
func (pageView) PageSize() int { return PageSize }

// Detail is a labelled value; page extras (see extras.go) add them to the
// header and to a space's row.
type Detail struct{ Label, Value string }

// codeRow counts the failing spaces of one code.
type codeRow struct {
	Code   string
	Spaces int
	Remedy string
	URL    string
}

// spaceRow is one space's row.
type spaceRow struct {
	Space      string
	Up         bool
	HasData    bool
	Flows      int
	Categories []Detail
	Age        string // of the data
	Stale      bool   // older than the readiness limit
	Success    string // when the data was listed, exactly
	Attempt    string // of the last listing
	Error      *snapshot.ErrorInfo
	Cause      string
	Remedy     string
	Extras     []Detail
}

// StatusPage serves the status as an HTML page for people: a header with
// readiness, the spaces by state, the limiter and the pass; the failing
// spaces counted by code with their remedy; a section per source of the
// engine (see collectorSection); then the spaces, failing ones
// first, PageSize to a page, which ?page=N, ?state=down|up, ?code=CODE and
// ?q=TEXT (part of a space id) choose. No script runs on it.
func (c Checker) StatusPage(w http.ResponseWriter, r *http.Request) {
	view := c.pageView(c.Snapshot(), parsePageQuery(r.URL.Query()), c.now())
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, view); err != nil {
		http.Error(w, "cannot render the status page: "+err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Cache-Control", "no-store")
	_, _ = w.Write(buf.Bytes())
}

// pageView builds the page q asks for from snap at now.
func (c Checker) pageView(snap *snapshot.Snapshot, q pageQuery, now time.Time) pageView {
	ready, why := c.ready(snap, now)
	counts := snap.Counts()
	v := pageView{Generated: now.UTC().Format(time.RFC3339), Ready: ready, Reason: why, Counts: StateCounts(counts),
		Watched: counts.Pending + counts.Up + counts.Down, ExpectedPass: approx(snap.ExpectedPassDuration),
		Interval: approx(c.RefreshInterval), MaxStaleness: approx(c.staleness(snap)),
		Refreshes: snap.Refreshes, Failures: snap.RefreshFailures, Extras: c.headerExtras(snap), Query: q,
		Collectors: c.collectorSections(snap, now)}
	if c.LimiterRate != nil {
		v.Limiter = &LimiterStatus{Rate: c.LimiterRate(), MaxRate: c.LimiterMaxRate}
	}
	if !snap.LastRefreshEnd.IsZero() {
		v.LastPass = ago(snap.LastRefreshEnd, now) + ", took " + approx(snap.LastRefreshDuration)
	}
	down, up, byCode := selectSpaces(snap, q)
	v.Codes, v.MoreCodes, v.MoreSpaces = codeRows(byCode, q)
	v.Matching = len(down) + len(up)
	v.Pages = max(1, (v.Matching+PageSize-1)/PageSize)
	v.Page = min(q.Page, v.Pages)
	from, to := (v.Page-1)*PageSize, min(v.Page*PageSize, v.Matching)
	if from < to {
		v.First, v.Last = from+1, to
	}
	limit := c.staleness(snap)
	for i := from; i < to; i++ {
		var sp *snapshot.SpaceState
		if i < len(down) {
			sp = down[i]
		} else {
			sp = up[i-len(down)]
		}
		v.Rows = append(v.Rows, c.newSpaceRow(snap, sp, now, limit))
	}
	return v
}

// selectSpaces returns the spaces q lets through, the failing ones sorted
// by code and id, the others by id, and the failing spaces of the whole
// snapshot counted by code.
func selectSpaces(snap *snapshot.Snapshot, q pageQuery) (down, up []*snapshot.SpaceState, byCode map[string]int) {
	byCode = map[string]int{}
	for _, sp := range snap.All() {
		if !sp.Up {
			byCode[errorCode(sp)]++
		}
		if !q.matches(sp) {
			continue
		}
		if sp.Up {
			up = append(up, sp)
		} else {
			down = append(down, sp)
		}
	}
	slices.SortFunc(down, func(a, b *snapshot.SpaceState) int {
		return cmp.Or(strings.Compare(errorCode(a), errorCode(b)), strings.Compare(a.ID, b.ID))
	})
	slices.SortFunc(up, func(a, b *snapshot.SpaceState) int { return strings.Compare(a.ID, b.ID) })
	return down, up, byCode
}

// codeRows lists the codes by the number of their spaces, the most first,
// at most maxCodeRows; more counts the others and their spaces.
func codeRows(byCode map[string]int, q pageQuery) (rows []codeRow, moreCodes, moreSpaces int) {
	for code, n := range byCode {
		rows = append(rows, codeRow{Code: code, Spaces: n})
	}
	sort.Slice(rows, func(i, j int) bool {
		return rows[i].Spaces > rows[j].Spaces || rows[i].Spaces == rows[j].Spaces && rows[i].Code < rows[j].Code
	})
	for _, r := range rows[min(len(rows), maxCodeRows):] {
		moreCodes++
		moreSpaces += r.Spaces
	}
	rows = rows[:min(len(rows), maxCodeRows)]
	for i := range rows {
		rows[i].Remedy = remedy.For(rows[i].Code)
		rows[i].URL = pageQuery{Code: rows[i].Code, Search: q.Search}.URL(1)
	}
	return rows, moreCodes, moreSpaces
}

// newSpaceRow is sp's row of snap at now; data older than limit is stale.
func (c Checker) newSpaceRow(snap *snapshot.Snapshot, sp *snapshot.SpaceState, now time.Time, limit time.Duration) spaceRow {
	row := spaceRow{Space: sp.ID, Up: sp.Up, HasData: sp.HasData, Error: sp.LastError, Extras: c.spaceExtras(snap, sp)}
	if sp.HasData {
		row.Flows, row.Categories = sp.Count, categoryDetails(sp.ByCategory)
		row.Age, row.Success, row.Stale = ago(sp.LastSuccess, now), sp.LastSuccess.UTC().Format(time.RFC3339), now.Sub(sp.LastSuccess) > limit
	}
	if !sp.LastAttempt.IsZero() {
		row.Attempt = ago(sp.LastAttempt, now)
	}
	if sp.LastError != nil {
		row.Cause, row.Remedy = remedy.Explain(sp.LastError.Code, sp.LastError.Message)
		if row.Cause == sp.LastError.Message {
			row.Cause = "" // an InvalidResponse's: the message says it
		}
	}
	return row
}

// categoryDetails lists the categories with flows: the documented ones in
// the documentation's order, then the others by name.
func categoryDetails(counts map[string]int) []Detail {
	var out []Detail
	for _, c := range client.DocumentedCategories {
		if n := counts[c]; n > 0 {
			out = append(out, Detail{c, strconv.Itoa(n)})
		}
	}
	var others []string
	for c, n := range counts {
		if n > 0 && !client.IsDocumentedCategory(c) {
			others = append(others, c)
		}
	}
	sort.Strings(others)
	for _, c := range others {
		out = append(out, Detail{c, strconv.Itoa(counts[c])})
	}
	return out
}
