package main

import (
	"fmt"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/cams-exporter/cams_exporter/internal/domtest"
	"github.com/cams-exporter/cams_exporter/internal/tooltest"
	"github.com/cams-exporter/cams_exporter/simulator"
)

// The status page as Chromium shows it, for an exporter that listed 251
// spaces from the simulator: four failing with three codes (one a hostile
// text) and one whose id is a script. Everything it shows is checked
// against the data set: header counts, failing spaces first with their
// code, message, RequestId and remedy, the others with their flows per
// category and age, three pages linked to each other, and no script run.
// Set CAMS_STATUS_SCREENSHOT=file.png to keep a screenshot of the first
// page to look at.
func TestStatusPageInABrowser(t *testing.T) {
	chromium := tooltest.NewChromium(t)
	data := simulator.Generate(13, 250, 6)
	data.Spaces = data.Spaces[1:] // not the account's own space
	hostileID := `cams-"x'><script>document.title='pwned'</script>`
	data.Spaces = append(data.Spaces, simulator.Space{ID: hostileID, Flows: []simulator.Flow{{FlowId: "h1", FlowName: "h", Categories: []string{"SURVEY"}}}})
	var args []string
	for _, sp := range data.Spaces {
		args = append(args, "--cams.space="+sp.ID)
	}
	h := newHarness(t, data, append(args, "--cams.max-retries=1")...)
	hostileCode := `<img src=x onerror="document.title='pwned'">`
	codeOf := map[string]string{data.Spaces[10].ID: "Ram.PermissionDeny", data.Spaces[20].ID: "Ram.PermissionDeny", data.Spaces[30].ID: "Product.Unsubscript", hostileID: hostileCode}
	for id, code := range codeOf {
		if id == hostileID {
			if _, err := h.sim.Inject(simulator.Fault{Kind: simulator.FaultError, Space: &id, Code: code}); err != nil {
				t.Fatal(err)
			}
			continue
		}
		h.sim.SetSpaceError(id, code)
	}
	h.refresh()
	landing, err := newLandingPage(h.opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h.exp.handler(landing))
	defer srv.Close()

	// The landing page says where to read the status.
	home := domtest.Parse(t, chromium.DumpDOM(t, srv.URL+"/"))
	statusLink := domtest.First(home, func(n *html.Node) bool { return n.Data == "a" && domtest.Attr(n, "href") == "/status" })
	if statusLink == nil || !strings.Contains(domtest.Text(statusLink.Parent), "a page to read in a browser") {
		t.Errorf("the landing page's Status link says %q", domtest.Text(statusLink.Parent))
	}

	// The order, from the data set: failing spaces by code then id, then
	// the others by id.
	var failing, healthy []string
	for _, sp := range data.Spaces {
		if codeOf[sp.ID] != "" {
			failing = append(failing, sp.ID)
		} else {
			healthy = append(healthy, sp.ID)
		}
	}
	sort.Slice(failing, func(i, j int) bool {
		a, b := failing[i], failing[j]
		return codeOf[a] < codeOf[b] || codeOf[a] == codeOf[b] && a < b
	})
	sort.Strings(healthy)
	order := append(failing, healthy...)
	flows := map[string][]simulator.Flow{}
	for _, sp := range data.Spaces {
		flows[sp.ID] = sp.Flows
	}

	target := srv.URL + "/status"
	var shown []string
	for pg := 1; target != ""; pg++ {
		if pg > 3 {
			t.Fatalf("a page %d: %s", pg, target)
		}
		dom := chromium.DumpDOM(t, target)
		doc := domtest.Parse(t, dom)
		if pg == 1 {
			checkStatusHeader(t, doc, len(data.Spaces), len(failing))
			if path := os.Getenv("CAMS_STATUS_SCREENSHOT"); path != "" {
				chromium.Screenshot(t, target, path, 1400, 1800)
			}
		}
		if title := domtest.Text(domtest.First(doc, domtest.Tag("title"))); title != "CAMS exporter status" {
			t.Errorf("page %d: the title is %q: a script ran", pg, title)
		}
		if n := len(domtest.All(doc, domtest.Tag("script"))) + len(domtest.All(doc, domtest.Tag("img"))); n > 0 {
			t.Errorf("page %d: %d script or img elements", pg, n)
		}
		for _, tr := range domtest.All(domtest.First(domtest.ByID(t, doc, "spaces"), domtest.Tag("tbody")), domtest.Tag("tr")) {
			id := domtest.Text(domtest.First(tr, domtest.Class("space")))
			shown = append(shown, id)
			checkStatusRow(t, tr, id, codeOf[id], flows[id])
		}
		next := domtest.First(doc, func(n *html.Node) bool { return n.Data == "a" && domtest.Attr(n, "rel") == "next" })
		target = ""
		if next != nil {
			target = srv.URL + "/status" + domtest.Attr(next, "href")
		}
	}
	if !slices.Equal(shown, order) {
		t.Errorf("the three pages show %d spaces, starting %q; want %d, starting %q", len(shown), shown[:min(len(shown), 5)], len(order), order[:5])
	}
}

// checkStatusHeader checks the counts of the page's header.
func checkStatusHeader(t *testing.T, doc *html.Node, spaces, failing int) {
	t.Helper()
	want := map[string]string{"watched": strconv.Itoa(spaces), "pending": "0", "up": strconv.Itoa(spaces - failing),
		"down": strconv.Itoa(failing), "rate": "500.00/s of 500.00/s", "passes": "1 (1 with failures)"}
	for id, w := range want {
		if got := domtest.Text(domtest.ByID(t, doc, id)); got != w {
			t.Errorf("#%s shows %q, want %q", id, got, w)
		}
	}
	if got := domtest.Text(domtest.ByID(t, doc, "readiness")); !strings.HasPrefix(got, "Ready: ") {
		t.Errorf("readiness %q", got)
	}
}

var agoPattern = regexp.MustCompile(`^\d+s ago$`)

// checkStatusRow checks one space's row against the data set.
func checkStatusRow(t *testing.T, tr *html.Node, id, code string, flows []simulator.Flow) {
	t.Helper()
	cell := func(class string) string { return domtest.Text(domtest.First(tr, domtest.Class(class))) }
	if code != "" {
		wantRemedy := map[string]string{"Ram.PermissionDeny": "Remedy: grant cams:ListFlow", "Product.Unsubscript": "Remedy: subscribe the account"}[code]
		switch {
		case cell("state") != "down" || cell("code") != code:
			t.Errorf("%s: state %q code %q, want down and %q", id, cell("state"), cell("code"), code)
		case cell("message") == "" || !strings.HasPrefix(cell("request-id"), "RequestId "):
			t.Errorf("%s: message %q, %q; want the message and RequestId", id, cell("message"), cell("request-id"))
		case !strings.HasPrefix(cell("remedy"), wantRemedy) || (wantRemedy == "") != (cell("remedy") == ""):
			t.Errorf("%s: remedy %q, want %q", id, cell("remedy"), wantRemedy)
		case cell("flows") != "–" || cell("age") != "no data":
			t.Errorf("%s never listed: flows %q, age %q", id, cell("flows"), cell("age"))
		}
		return
	}
	if cell("state") != "up" || cell("flows") != strconv.Itoa(len(flows)) || !agoPattern.MatchString(cell("age")) {
		t.Errorf("%s: state %q, flows %q, age %q; want up, %d flows and an age in seconds", id, cell("state"), cell("flows"), cell("age"), len(flows))
	}
	if got, want := cell("categories"), categoriesText(flows); got != want {
		t.Errorf("%s: categories %q, want %q", id, got, want)
	}
}

// categoriesText is how a row shows its flows per category: a flow counts
// once per category it carries; documented categories in the
// documentation's order, then the others by name; none at 0.
func categoriesText(flows []simulator.Flow) string {
	counts := map[string]int{}
	for _, f := range flows {
		seen := map[string]bool{}
		for _, c := range f.Categories {
			if !seen[c] {
				seen[c] = true
				counts[c]++
			}
		}
	}
	var parts, others []string
	for _, c := range documentedCategories {
		if counts[c] > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", c, counts[c]))
		}
		delete(counts, c)
	}
	for c := range counts {
		others = append(others, c)
	}
	sort.Strings(others)
	for _, c := range others {
		parts = append(parts, fmt.Sprintf("%s %d", c, counts[c]))
	}
	return strings.Join(parts, " ")
}
