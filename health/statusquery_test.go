package health

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/snapshot"
)

// queryAccount is sourcesAccount(n, 3) with 3 spaces pending, one of
// which (pending-1) the phone-numbers source has a part of already.
func queryAccount(n int) *snapshot.Snapshot {
	acc := sourcesAccount(n, 3)
	sources := slices.Clone(acc.Sources())
	sources[0] = sources[0].WithParts(map[string]*snapshot.SpacePart{"pending-1": upPart(0, numbersOf(9, 2))})
	return withPending(acc.WithSources(sources), 3)
}

// serveJSON answers target as /status answers a client that is not a
// browser.
func serveJSON(c Checker, target string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	r := httptest.NewRequest("GET", target, nil)
	r.Header.Set("Accept", "application/json")
	c.StatusHandler(rec, r)
	return rec
}

// spaceQuery is ?space= of each id.
func spaceQuery(ids ...string) string {
	q := url.Values{"space": ids}
	return "/status?" + q.Encode()
}

// headOf is st without its spaces.
func headOf(st Status) Status {
	st.Spaces, st.PendingSpaces = nil, nil
	return st
}

// /status's JSON, for every space, the spaces named (?space=, each once,
// those unknown left out) or none (?summary): the same head as the whole
// answer, the same entries for the spaces it keeps, and written as
// encoding/json writes the Status it stands for. A query it cannot read is
// a 400 of one line.
func TestStatusJSONQuery(t *testing.T) {
	c := checkerOf(queryAccount(300))
	var all Status
	if err := json.Unmarshal(serveJSON(c, "/status").Body.Bytes(), &all); err != nil {
		t.Fatal(err)
	}
	listed := map[string]SpaceStatus{}
	for _, sp := range all.Spaces {
		listed[sp.Space] = sp
	}
	pending := map[string]PendingSpaceStatus{}
	for _, sp := range all.PendingSpaces {
		pending[sp.Space] = sp
	}
	if len(listed) != 300 || len(pending) != 1 {
		t.Fatalf("the whole answer has %d spaces and %d pending; want 300 and pending-1", len(listed), len(pending))
	}
	hundred := make([]string, 100)
	for i := range hundred {
		hundred[i] = fmt.Sprintf("cams-%06d", 299-i)
	}
	tests := []struct {
		name, target string
		// wantSpaces and wantPending are the ids of the entries (nil: none;
		// every: all of them), summary whether "spaces" is left out.
		wantSpaces, wantPending []string
		summary                 bool
	}{
		{name: "every space", target: "/status", wantSpaces: slices.Sorted(maps.Keys(listed)), wantPending: []string{"pending-1"}},
		{name: "two spaces", target: spaceQuery("cams-000007", "cams-000002"), wantSpaces: []string{"cams-000002", "cams-000007"}},
		{name: "named twice and unknown", target: spaceQuery("cams-000002", "nope", "cams-000002"), wantSpaces: []string{"cams-000002"}},
		{name: "a pending space", target: spaceQuery("pending-1", "cams-000003", "pending-2"), wantSpaces: []string{"cams-000003"}, wantPending: []string{"pending-1"}},
		{name: "none known", target: spaceQuery("nope"), wantSpaces: []string{}},
		{name: "100 spaces", target: spaceQuery(hundred...), wantSpaces: slices.Sorted(slices.Values(hundred))},
		{name: "summary", target: "/status?summary", summary: true},
		{name: "summary=true", target: "/status?summary=true", summary: true},
		{name: "summary=1", target: "/status?summary=1&format=json", summary: true},
		{name: "summary=false", target: "/status?summary=false", wantSpaces: slices.Sorted(maps.Keys(listed)), wantPending: []string{"pending-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serveJSON(c, tt.target)
			if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "application/json" {
				t.Fatalf("%d %s: %.200s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
			}
			var keys map[string]json.RawMessage
			var got Status
			if err := json.Unmarshal(rec.Body.Bytes(), &keys); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(headOf(got), headOf(all)) {
				t.Errorf("head\n got %+v\nwant %+v", headOf(got), headOf(all))
			}
			if _, has := keys["spaces"]; has == tt.summary {
				t.Errorf("spaces given: %v; want %v", has, !tt.summary)
			}
			var ids, pendingIDs []string
			for _, sp := range got.Spaces {
				ids = append(ids, sp.Space)
				if !reflect.DeepEqual(sp, listed[sp.Space]) {
					t.Errorf("%s differs from its entry in the whole answer", sp.Space)
				}
			}
			for _, sp := range got.PendingSpaces {
				pendingIDs = append(pendingIDs, sp.Space)
				if !reflect.DeepEqual(sp, pending[sp.Space]) {
					t.Errorf("pending %s differs from its entry in the whole answer", sp.Space)
				}
			}
			if tt.wantSpaces != nil && len(tt.wantSpaces) == 0 && string(keys["spaces"]) != "[]" {
				t.Errorf("spaces %s, want an empty list", keys["spaces"])
			}
			if !slices.Equal(ids, tt.wantSpaces) || !slices.Equal(pendingIDs, tt.wantPending) {
				t.Errorf("spaces %q, pending %q; want %q and %q", ids, pendingIDs, tt.wantSpaces, tt.wantPending)
			}
			r := httptest.NewRequest("GET", tt.target, nil)
			q, err := parseStatusQuery(r.URL.Query())
			if err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetIndent("", "  ")
			if err := enc.Encode(c.status(q)); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(rec.Body.Bytes(), want.Bytes()) {
				t.Errorf("the answer differs from what encoding/json writes of its Status (%d bytes, want %d)", rec.Body.Len(), want.Len())
			}
		})
	}

	tooMany := make([]string, MaxStatusSpaces+1)
	for i := range tooMany {
		tooMany[i] = fmt.Sprintf("cams-%06d", i)
	}
	for _, tt := range []struct{ name, target, want string }{
		{"101 spaces", spaceQuery(tooMany...), "101 space parameters, more than the 100 a request may name: ask in several requests, or for ?summary"},
		{"101 times one space", spaceQuery(slices.Repeat([]string{"cams-000001"}, 101)...), "101 space parameters, more than the 100 a request may name"},
		{"summary not a boolean", "/status?summary=maybe", `summary="maybe" is not a boolean: use ?summary or ?summary=true (false gives every space)`},
		{"a long summary", "/status?summary=" + strings.Repeat("x", 5000), `summary="` + strings.Repeat("x", 32) + `" is not a boolean`},
		{"summary and spaces", "/status?summary&space=cams-000001", "summary leaves every space out and space names some: ask for one or the other"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := serveJSON(c, tt.target)
			body := rec.Body.String()
			if rec.Code != http.StatusBadRequest || !strings.HasPrefix(body, tt.want) || strings.Count(body, "\n") != 1 || !strings.HasSuffix(body, "\n") ||
				!strings.HasPrefix(rec.Header().Get("Content-Type"), "text/plain") {
				t.Errorf("%d %s %q; want 400 text/plain of one line beginning %q", rec.Code, rec.Header().Get("Content-Type"), body, tt.want)
			}
		})
	}
}

// A browser's page is not filtered: ?space and ?summary are the JSON's.
func TestStatusPageIgnoresTheJSONQuery(t *testing.T) {
	c := checkerOf(queryAccount(3))
	for _, target := range []string{"/status?summary=maybe", spaceQuery(slices.Repeat([]string{"x"}, 101)...)} {
		if rec := get(t, c, target, browserAccept); !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			t.Errorf("%s: %s, want the page", target, rec.Header().Get("Content-Type"))
		}
	}
}

// The account's own space (id "") is named by an empty ?space=.
func TestStatusJSONOwnSpace(t *testing.T) {
	c := checkerOf(snapOf(space("", true, time.Minute), space("a", true, time.Minute)))
	var got Status
	if err := json.Unmarshal(serveJSON(c, "/status?space=").Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Spaces) != 1 || got.Spaces[0].Space != "" {
		t.Errorf("spaces %+v, want the account's own only", got.Spaces)
	}
}

// At 10,000 spaces with the three sources on, a summary is as large as at
// 100 (it keeps totals, not spaces), and 100 spaces named are as large as
// an account of 100, while the whole answer grows with the spaces.
func TestStatusJSONQueryAtScale(t *testing.T) {
	sizes := map[int]map[string]int{}
	for _, n := range []int{100, 10_000} {
		c := checkerOf(sourcesAccount(n, 3))
		named := make([]string, 100)
		for i := range named {
			named[i] = fmt.Sprintf("cams-%06d", i*(n/100))
		}
		sizes[n] = map[string]int{}
		for name, target := range map[string]string{"all": "/status", "summary": "/status?summary", "100 named": spaceQuery(named...)} {
			w := &discard{header: http.Header{}}
			r := httptest.NewRequest("GET", target, nil)
			r.Header.Set("Accept", "application/json")
			c.StatusHandler(w, r)
			sizes[n][name] = w.bytes
		}
	}
	t.Logf("bytes at 100 and 10,000 spaces: %v, %v", sizes[100], sizes[10_000])
	small, large := sizes[100], sizes[10_000]
	if large["summary"] > 2*small["summary"] || large["summary"] < small["summary"]/2 {
		t.Errorf("the summary is %d bytes at 10,000 spaces, %d at 100: want the same order", large["summary"], small["summary"])
	}
	if large["100 named"] > 2*small["all"] {
		t.Errorf("100 spaces named of 10,000 are %d bytes, an account of 100 %d: want the same order", large["100 named"], small["all"])
	}
	if large["all"] < 50*large["summary"] || large["all"] < 50*small["all"] {
		t.Errorf("the whole answer at 10,000 spaces is %d bytes: want it far larger than its summary (%d) and than at 100 (%d)", large["all"], large["summary"], small["all"])
	}
}
