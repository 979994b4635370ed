package templates

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/engine"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

var t1 = time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)

// listingOf returns a listing of templates that ended, in one page whose
// answer gave total.
func listingOf(tb testing.TB, templates []client.Template, total int) *client.TemplatePager {
	p := client.NewTemplatePager(func(context.Context, int, int) (client.TemplatePage, error) {
		return client.TemplatePage{Templates: templates, Total: total}, nil
	}, client.MaxTemplatesPageSize, 0)
	if done, err := p.Next(context.Background()); !done || err != nil {
		tb.Fatalf("the listing did not end: %v", err)
	}
	return p
}

// listed is the result of a complete listing of space.
func listed(tb testing.TB, space string, templates []client.Template) []engine.Done {
	return []engine.Done{{Task: engine.Task{Space: space}, At: t1, Value: listingOf(tb, templates, len(templates))}}
}

// problemSeries returns the cams_template_problem_info series of part as
// "space/code/language".
func problemSeries(space string, part *snapshot.SpacePart) []string {
	schema := problemSchema()
	var out []string
	for _, s := range schema.PartSeries(nil, Name, space, part) {
		if s.Family.Name == "cams_template_problem_info" {
			v := s.LabelValues() // audit_status, category, language, space, template_code
			out = append(out, v[3]+"/"+v[4]+"/"+v[2])
		}
	}
	return out
}

var problemSchema = sync.OnceValue(func() *collector.Schema {
	return collector.NewSchema(collector.Options{Sources: []collector.SourceSeries{&Series{}}})
})

// allProblemSeries returns the problem series of every part, sorted.
func allProblemSeries(parts map[string]*snapshot.SpacePart) []string {
	var out []string
	for space, p := range parts {
		out = append(out, problemSeries(space, p)...)
	}
	slices.Sort(out)
	return out
}

// A budget of 3 across spaces: each complete listing's problem templates
// get series in their order while it lasts, the rest are folded; a better
// listing gives back what it no longer needs, which goes to the next
// listing that asks; a failed listing keeps its series; a space that
// leaves gives back its own.
func TestBudgetAcrossSpaces(t *testing.T) {
	src := New(nil, 0, 0, 0, Options{MaxProblemSeries: 3})
	parts := map[string]*snapshot.SpacePart{}
	apply := func(space string, words ...string) {
		parts[space] = src.Apply(space, parts[space], listed(t, space, listing(words...)), nil)
	}
	check := func(step string, want []string, series, folded int) {
		t.Helper()
		if got := allProblemSeries(parts); !slices.Equal(got, want) {
			t.Errorf("%s: problem series %v, want %v", step, got, want)
		}
		if got, want := src.Totals(), (Budget{Max: 3, Series: series, Folded: folded}); got != want {
			t.Errorf("%s: Totals %+v, want %+v", step, got, want)
		}
	}
	apply("a", "a1/en/fail", "a2/en/pass", "a3/en/paused")
	apply("b", "b1/en/disabled", "b2/en/fail")
	apply("c", "c1/en/paused")
	check("a, b, c listed", []string{"a/a1/en", "a/a3/en", "b/b1/en"}, 3, 2)

	apply("a", "a1/en/pass", "a2/en/pass", "a3/en/paused") // a1 fixed
	check("a listed better", []string{"a/a3/en", "b/b1/en"}, 2, 2)
	apply("c", "c1/en/paused")
	check("c listed again", []string{"a/a3/en", "b/b1/en", "c/c1/en"}, 3, 1)

	failed := []engine.Done{{Task: engine.Task{Space: "a"}, At: t1, Err: &client.Error{Code: "System.LimitControl", Class: client.ClassThrottled}}}
	parts["a"] = src.Apply("a", parts["a"], failed, nil)
	apply("b", "b1/en/disabled", "b2/en/fail")
	check("a failed, b listed again", []string{"a/a3/en", "b/b1/en", "c/c1/en"}, 3, 1)

	src.Leave([]string{"a"})
	delete(parts, "a")
	check("a left", []string{"b/b1/en", "c/c1/en"}, 2, 1)
	apply("b", "b1/en/disabled", "b2/en/fail")
	check("b listed after a left", []string{"b/b1/en", "b/b2/en", "c/c1/en"}, 3, 0)
}

// Parts entering the state other than by Apply get first the series they
// held (a part from the cache: what the file says), in the order of their
// spaces, then the rest while the budget lasts; their old share, if the
// space had one, is given back first.
func TestEnterGrantsWhatWasHeldFirst(t *testing.T) {
	part := func(claim, held int, words ...string) *snapshot.SpacePart {
		t := keep(Templates{}, listing(words...), len(words), "", newCaps(), true)
		t.claim, t.ProblemSeries = claim, held
		return &snapshot.SpacePart{Up: true, HasData: true, Data: t}
	}
	for _, tc := range []struct {
		name  string
		max   int
		parts map[string]*snapshot.SpacePart
		want  []string
		b     Budget
	}{
		{"the claims first, in the order of the spaces", 3, map[string]*snapshot.SpacePart{
			"a": part(0, 0, "a1/en/fail", "a2/en/fail"),
			"b": part(2, 0, "b1/en/fail", "b2/en/paused"),
			"c": part(0, 1, "c1/en/disabled", "c2/en/pass"),
		}, []string{"b/b1/en", "b/b2/en", "c/c1/en"}, Budget{Max: 3, Series: 3, Folded: 2}},
		{"then the rest while it lasts", 5, map[string]*snapshot.SpacePart{
			"a": part(0, 0, "a1/en/fail", "a2/en/fail"),
			"b": part(1, 0, "b1/en/fail", "b2/en/paused"),
			"c": part(0, 0, "c1/en/disabled"),
		}, []string{"a/a1/en", "a/a2/en", "b/b1/en", "b/b2/en", "c/c1/en"}, Budget{Max: 5, Series: 5, Folded: 0}},
		{"claims beyond the budget, in the order of the spaces", 2, map[string]*snapshot.SpacePart{
			"a": part(1, 0, "a1/en/fail", "a2/en/fail"),
			"b": part(2, 0, "b1/en/fail", "b2/en/paused"),
		}, []string{"a/a1/en", "b/b1/en"}, Budget{Max: 2, Series: 2, Folded: 2}},
		{"a budget of none", 0, map[string]*snapshot.SpacePart{
			"a": part(2, 2, "a1/en/fail", "a2/en/fail"),
		}, nil, Budget{Max: 0, Series: 0, Folded: 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := New(nil, 0, 0, 0, Options{MaxProblemSeries: tc.max})
			src.Enter(tc.parts)
			if got := allProblemSeries(tc.parts); !slices.Equal(got, tc.want) {
				t.Errorf("problem series %v, want %v", got, tc.want)
			}
			if got := src.Totals(); got != tc.b {
				t.Errorf("Totals %+v, want %+v", got, tc.b)
			}
			for id, p := range tc.parts {
				if Of(p.Data).claim != 0 {
					t.Errorf("%s: a claim is left after Enter", id)
				}
			}
		})
	}
	// A space that enters again gives back what it held first.
	src := New(nil, 0, 0, 0, Options{MaxProblemSeries: 2})
	a := map[string]*snapshot.SpacePart{"a": part(0, 0, "a1/en/fail", "a2/en/fail")}
	src.Enter(a)
	again := map[string]*snapshot.SpacePart{"a": a["a"]}
	src.Enter(again)
	if again["a"] != a["a"] || src.Totals() != (Budget{Max: 2, Series: 2}) {
		t.Errorf("entered twice: part replaced %v, Totals %+v; want the same part, 2 series", again["a"] != a["a"], src.Totals())
	}
}

// At 10,000 spaces of 50 templates, 5 % of them problems (0, 5, 3 or 2 a
// space), the default budget grants the first 10,000 problems
// listed their series, in the order the listings end, and folds the rest:
// the series and the folded count computed from the listings.
func TestDefaultBudgetAtTenThousandSpaces(t *testing.T) {
	const spaces, perSpace = 10000, 50
	statuses := []string{StatusFail, StatusPaused, StatusDisabled}
	src := New(nil, 0, 0, 0, Options{MaxProblemSeries: DefaultMaxProblemSeries})
	left, problemsTotal, seriesTotal := DefaultMaxProblemSeries, 0, 0
	for i := range spaces {
		space := fmt.Sprintf("cs-%05d", i)
		problems := []int{0, 5, 3, 2}[i%4]
		var templates []client.Template
		for k := range perSpace {
			status := StatusPass
			if k < problems {
				status = statuses[k%len(statuses)]
			}
			templates = append(templates, client.Template{TemplateCode: fmt.Sprintf("t%02d", k), Language: "en_US", Category: "UTILITY", AuditStatus: status})
		}
		part := src.Apply(space, nil, listed(t, space, templates), nil)
		want := min(problems, left)
		left -= want
		problemsTotal += problems
		got := problemSeries(space, part)
		if len(got) != want {
			t.Fatalf("%s: %d problem series, want %d (%d problems, %d of the budget left)", space, len(got), want, problems, left+want)
		}
		for k, s := range got {
			if !strings.HasSuffix(s, fmt.Sprintf("/t%02d/en_US", k)) {
				t.Fatalf("%s: problem series %d is %s, want its problem template %d", space, k, s, k)
			}
		}
		seriesTotal += len(got)
	}
	if problemsTotal != spaces*perSpace*5/100 {
		t.Fatalf("%d problems, want 5 %% of %d templates", problemsTotal, spaces*perSpace)
	}
	if want := (Budget{Max: 10000, Series: 10000, Folded: problemsTotal - 10000}); seriesTotal != 10000 || src.Totals() != want {
		t.Errorf("%d series, Totals %+v; want 10000, %+v", seriesTotal, src.Totals(), want)
	}
}
