package templates

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/cams-exporter/cams_exporter/cache"
	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/engine"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/values"
)

// The parts a source made, saved by the cache and read back through the
// codec the wiring finds on the paged runner's Source, come back as they
// were, holding no problem series until the runner restores them; then
// each space holds the series it held when saved, not those the order of
// the spaces would give (a restart keeps the series exported).
func TestDecodeRoundTripThroughTheCache(t *testing.T) {
	// Listed c, b, a with a budget of 3: c's problem gets a series, then
	// b's two, and a's two none. In the order of the spaces, a's would.
	before := New(nil, 0, 0, 0, Options{MaxProblemSeries: 3})
	parts := map[string]*snapshot.SpacePart{}
	for _, l := range []struct {
		space string
		words []string
	}{
		{"c", []string{"c1/en/paused", "c2/en/pass"}},
		{"b", []string{"b1/en/fail", "b2/zh/disabled"}},
		{"a", []string{"a1/en/fail", "a2/en/fail", "a3/en/pass"}},
	} {
		parts[l.space] = before.Apply(l.space, nil, listed(t, l.space, listing(l.words...)), nil)
	}
	// a's next listing moved a template into paused, and disagreed.
	next := []engine.Done{{Task: engine.Task{Space: "a"}, At: t1.Add(1), Value: listingOf(t, listing("a1/en/fail", "a2/en/fail", "a3/en/paused"), 2)}}
	parts["a"] = before.Apply("a", parts["a"], next, nil)
	wantSeries := []string{"b/b1/en", "b/b2/zh", "c/c1/en"}
	if got := allProblemSeries(parts); !slices.Equal(got, wantSeries) {
		t.Fatalf("problem series before saving %v, want %v", got, wantSeries)
	}
	if a := Of(parts["a"].Data); a.Disagreement == "" || a.Changes[StatusPaused] != 1 {
		t.Fatalf("a's part %+v, want a disagreement and a move into paused", a)
	}

	path := filepath.Join(t.TempDir(), "cams.cache")
	meta := cache.Meta{Endpoint: "https://cams.ap-southeast-1.aliyuncs.com/"}
	st := snapshot.NewSourceState(Name, client.OperationListTemplates).WithParts(parts)
	if err := cache.Save(path, meta, (&snapshot.Snapshot{}).WithSources([]*snapshot.SourceState{st}), t1); err != nil {
		t.Fatal(err)
	}
	after := New(nil, 0, 0, 0, Options{MaxProblemSeries: 3})
	watched := engine.NewWatched(func() []string { return []string{"a", "b", "c"} }, nil)
	r := engine.NewPagedRunner(engine.Config{Rate: 4, Watched: watched}, after)
	codec, ok := r.Source().(interface {
		Decode(json.RawMessage) (any, error)
	})
	if !ok {
		t.Fatal("the paged runner's Source has no Decode: the wiring finds no codec")
	}
	c, err := cache.ReadWith(path, meta, cache.Codecs{Name: codec.Decode})
	if err != nil || c.Dropped != nil || len(c.Parts[Name]) != 3 {
		t.Fatalf("%v, dropped %v, %d parts; want the 3 saved", err, c.Dropped, len(c.Parts[Name]))
	}
	read := c.Parts[Name]
	for space, p := range parts {
		want, got := *p, *read[space]
		wantData := Of(want.Data)
		wantData.ProblemSeries, wantData.claim = 0, Of(p.Data).ProblemSeries
		want.Data = wantData
		want.LastSuccess, want.LastAttempt = got.LastSuccess, got.LastAttempt // times as the file holds them
		if !reflect.DeepEqual(got, want) || !got.LastSuccess.Equal(p.LastSuccess) {
			t.Errorf("%s read back as\n%+v\nwant\n%+v", space, got, want)
		}
	}
	if got := allProblemSeries(read); got != nil {
		t.Errorf("problem series of the parts read back, before the restore: %v, want none", got)
	}
	r.Restore(read)
	restored := map[string]*snapshot.SpacePart{}
	for space, p := range r.State().All() {
		restored[space] = p
	}
	if got := allProblemSeries(restored); !slices.Equal(got, wantSeries) {
		t.Errorf("problem series restored %v, want %v", got, wantSeries)
	}
	// a's 3 problems, b's 2 and c's 1: 3 with a series, 3 folded.
	if got, want := r.State().Totals, (Budget{Max: 3, Series: 3, Folded: 3}); got != want {
		t.Errorf("Totals restored %+v, want %+v", got, want)
	}
}

// Templates read back share their label values: 10,000 spaces of
// templates hold one "paused", not one a template.
func TestDecodeSharesValues(t *testing.T) {
	src := New(nil, 0, 0, 0, Options{})
	raw := `{"templates":[{"template_code":"%s","language":"en_US","category":"UTILITY","audit_status":"paused"}],"total":1,"pages":1}`
	a, errA := src.Decode(json.RawMessage(fmt.Sprintf(raw, "a")))
	b, errB := src.Decode(json.RawMessage(fmt.Sprintf(raw, "b")))
	if errA != nil || errB != nil {
		t.Fatal(errA, errB)
	}
	x, y := a.(Templates).List[0], b.(Templates).List[0]
	for _, pair := range [][2]string{{x.AuditStatus, y.AuditStatus}, {x.Category, y.Category}, {x.Language, y.Language}} {
		if unsafe.StringData(pair[0]) != unsafe.StringData(pair[1]) {
			t.Errorf("two templates read back hold %q in memory of their own", pair[0])
		}
	}
}

// Data beyond what a listing can bring is refused (the space is listed
// afresh); texts are cut, label values folded, the templates sorted, each
// key once, as a listing's are; moves into statuses not counted, and a
// claim beyond the part's problems, are left out.
func TestDecodeBounds(t *testing.T) {
	// A source of at most 2 pages: 500 templates a listing.
	src := New(nil, 0, 0, 2, Options{MaxProblemSeries: 10})
	many := make([]string, 2*client.MaxTemplatesPageSize+1)
	for i := range many {
		many[i] = fmt.Sprintf(`{"template_code":"t%d","language":"en"}`, i)
	}
	for name, tt := range map[string]struct{ raw, err string }{
		"more than a listing": {`{"templates":[` + strings.Join(many, ",") + `]}`, "501 templates, more than the 500 a listing holds (2 pages of at most 250)"},
		"a code too long":     {`{"templates":[{"template_code":"` + strings.Repeat("c", 129) + `"}]}`, "template 0: an id of 129 bytes, more than 128"},
		"an empty code":       {`{"templates":[{"template_code":"a"},{"template_code":""}]}`, "template 1: an empty id"},
		"counts not adding up": {`{"templates":[],"listed":2,"by_status":[{"value":"pass","n":1}],"by_category":[{"value":"UTILITY","n":2}]}`,
			"by status: counts adding up to 1, not the 2 templates"},
		"a negative count": {`{"templates":[],"listed":2,"by_status":[{"value":"pass","n":2}],"by_category":[{"value":"UTILITY","n":-1}]}`,
			"by category: a count of -1 beyond the 2 templates"},
		"fewer counted than kept": {`{"templates":[{"template_code":"a","audit_status":"fail"}],"listed":0,"by_status":[]}`,
			"0 templates counted, not from the 1 kept one by one to the 500 a listing holds"},
		"more counted than a listing holds": {`{"templates":[],"listed":501,"by_status":[{"value":"pass","n":501}]}`,
			"501 templates counted, not from the 0 kept one by one to the 500 a listing holds"},
		"a control character": {`{"templates":[{"template_code":"a\nb"}]}`, `template 0: id "a\nb" holds a control character`},
		"a negative Total":    {`{"templates":[],"total":-2}`, "a Total of -2"},
		"pages beyond":        {`{"templates":[],"total":0,"pages":3}`, "3 pages, not from 0 to the limit of 2"},
		"negative pages":      {`{"templates":[],"total":0,"pages":-1}`, "-1 pages, not from 0 to the limit of 2"},
		"not an object":       {`[{"template_code":"a"}]`, "json: cannot unmarshal array"},
	} {
		if _, err := src.Decode(json.RawMessage(tt.raw)); err == nil || !strings.HasPrefix(err.Error(), tt.err) {
			t.Errorf("%s: %v, want an error %q", name, err, tt.err)
		}
	}

	var list []string
	for k := range values.MaxUndocumented + 5 {
		list = append(list, fmt.Sprintf(`{"template_code":"t%02d","language":"en","audit_status":"S%d","category":"C%d","name":"%s","reason":"%s"}`,
			k, k, k, strings.Repeat("n", 600), strings.Repeat("r", 600)))
	}
	list = append(list, `{"template_code":"t00","language":"en","audit_status":"pass"}`, // twice: the first kept
		`{"template_code":"p1","language":"en","audit_status":"paused"}`, `{"template_code":"p0","language":"en","audit_status":"fail"}`)
	raw := `{"templates":[` + strings.Join(list, ",") + `],"total":-1,"pages":2,"disagreement":"` + strings.Repeat("d", 600) + `",` +
		`"changes":{"paused":4,"disabled":0,"pass":9,"_other":1},"problem_series":7}`
	got, err := src.Decode(json.RawMessage(raw))
	if err != nil {
		t.Fatal(err)
	}
	tpl := got.(Templates)
	if n := values.MaxUndocumented + 5 + 2; len(tpl.List) != n {
		t.Fatalf("%d templates, want %d", len(tpl.List), n)
	}
	if tpl.List[0].Code != "p0" || tpl.List[1].Code != "p1" {
		t.Errorf("templates not sorted: %s, %s first", tpl.List[0].Code, tpl.List[1].Code)
	}
	for k, tk := range tpl.List[2:] {
		wantStatus, wantCategory := fmt.Sprint("S", k), fmt.Sprint("C", k)
		if k >= values.MaxUndocumented {
			wantStatus, wantCategory = values.Other, values.Other
		}
		if tk.Code != fmt.Sprintf("t%02d", k) || tk.AuditStatus != wantStatus || tk.Category != wantCategory || len(tk.Name) != client.MaxNameBytes || len(tk.Reason) != client.MaxNameBytes {
			t.Errorf("template %d: %s, %q, %q, name of %d bytes, reason of %d; want t%02d, %q, %q, %d, %d",
				k, tk.Code, tk.AuditStatus, tk.Category, len(tk.Name), len(tk.Reason), k, wantStatus, wantCategory, client.MaxNameBytes, client.MaxNameBytes)
		}
	}
	if want := map[string]uint64{StatusPaused: 4}; !reflect.DeepEqual(tpl.Changes, want) {
		t.Errorf("Changes %v, want %v", tpl.Changes, want)
	}
	if len(tpl.Disagreement) != client.MaxTextBytes || tpl.Total != -1 || tpl.Pages != 2 {
		t.Errorf("disagreement of %d bytes, Total %d, %d pages; want %d, -1, 2", len(tpl.Disagreement), tpl.Total, tpl.Pages, client.MaxTextBytes)
	}
	if tpl.ProblemSeries != 0 || tpl.claim != 2 {
		t.Errorf("problem series %d, claim %d; want none held, a claim of the 2 problems", tpl.ProblemSeries, tpl.claim)
	}
}
