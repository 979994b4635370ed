package templates

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-kit/log"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/engine"
	"github.com/cams-exporter/cams_exporter/simulator"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

var _ engine.PagedSource[*client.TemplatePager] = (*Source)(nil)

// The source, run by the engine's paged runner through the simulator,
// keeps each space's templates as the data file holds them, in the pages
// their count takes at the page size (ceil(n/20), 1 for none); a denied
// space is down with its error; the account's own space is not listed.
// The expected figures are counted from the data file, not from the code.
func TestSourceListsTheDataFilesTemplates(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	data, err := simulator.LoadDataset("../../simulator/testdata/templates.json")
	if err != nil {
		t.Fatal(err)
	}
	cl := simulatorClient(t, data, 500)
	ids := []string{"", "cams-tpl45", "cams-tplerr", "cams-notpl"}
	watched := engine.NewWatched(func() []string { return ids }, func() bool { return true })
	r := engine.NewPagedRunner(engine.Config{Pacer: cl.LimiterOf(client.OperationListTemplates), Rate: 500, Watched: watched,
		Snapshot: func() *snapshot.Snapshot { return nil }, Now: time.Now}, New(cl, time.Hour, 20, 0, Options{MaxProblemSeries: DefaultMaxProblemSeries, KeepAll: true}))
	state := r.RunOnce(context.Background())

	if p := state.Part(""); p != nil {
		t.Errorf("the own space has a part: %+v", p)
	}
	byID := map[string][]simulator.Template{}
	for _, sp := range data.Spaces {
		byID[sp.ID] = sp.Templates
	}
	for _, tt := range []struct {
		space string
		pages int
	}{{"cams-tpl45", 3}, {"cams-notpl", 1}} {
		p := state.Part(tt.space)
		if p == nil || !p.Up {
			t.Fatalf("%s: part %+v, want up", tt.space, p)
		}
		got, want := Of(p.Data), byID[tt.space]
		if len(got.List) != len(want) || got.Total != len(want) || got.Pages != tt.pages || got.Disagreement != "" {
			t.Fatalf("%s: %d templates, Total %d, %d pages, %q; want %d, %d pages", tt.space, len(got.List), got.Total, got.Pages, got.Disagreement, len(want), tt.pages)
		}
		for _, w := range want {
			k, ok := got.find(w.TemplateCode, w.Language)
			if !ok || k.AuditStatus != w.AuditStatus || k.Category != w.Category || k.Name != w.TemplateName || k.Updated != w.LastUpdateTime {
				t.Errorf("%s: template %s/%s kept as %+v (found %v), the file has %+v", tt.space, w.TemplateCode, w.Language, k, ok, w)
			}
		}
	}
	if p := state.Part("cams-tplerr"); p == nil || p.Up || p.LastError == nil || p.LastError.Code != "Ram.PermissionDeny" {
		t.Errorf("cams-tplerr: part %+v, want down with Ram.PermissionDeny", p)
	}
	// The expected pass counts pages: 3 + 1 + 1 (the denied space, never
	// listed whole) at 500 calls/s.
	if want := time.Duration(5 * float64(time.Second) / 500); state.ExpectedPass != want {
		t.Errorf("expected pass %v, want %v", state.ExpectedPass, want)
	}
}

// A failed listing keeps the templates of the one before, down with its
// error; the next complete one counts the moves into paused since, though
// the templates that passed were only counted.
func TestApplyKeepsDataOnFailureAndCountsMoves(t *testing.T) {
	src := New(nil, 0, 0, 0, Options{MaxProblemSeries: DefaultMaxProblemSeries})
	at := time.Unix(1_800_000_000, 0)
	listed := func(statuses ...string) engine.Done {
		var page []client.Template
		for i, s := range statuses {
			page = append(page, client.Template{TemplateCode: string(rune('a' + i)), Language: "en_US", Category: "UTILITY", AuditStatus: s})
		}
		p := client.NewTemplatePager(func(context.Context, int, int) (client.TemplatePage, error) {
			return client.TemplatePage{Templates: page, Total: len(page)}, nil
		}, 20, 0)
		if _, err := p.Next(context.Background()); err != nil {
			t.Fatal(err)
		}
		at = at.Add(time.Hour)
		return engine.Done{Task: engine.Task{Space: "s"}, At: at, Value: p}
	}
	first := src.Apply("s", nil, []engine.Done{listed("pass", "pass")}, nil)
	failed := src.Apply("s", first, []engine.Done{{Task: engine.Task{Space: "s"}, At: at.Add(time.Minute), Err: &client.Error{Code: "System.LimitControl", Class: client.ClassThrottled}}}, nil)
	if failed.Up || failed.LastError == nil || Of(failed.Data).StatusCount("pass") != 2 || !failed.LastSuccess.Equal(first.LastSuccess) {
		t.Fatalf("after a failed listing: %+v, want down with the first listing's data", failed)
	}
	third := src.Apply("s", failed, []engine.Done{listed("paused", "pass")}, nil)
	if got := Of(third.Data).Changes[StatusPaused]; !third.Up || got != 1 {
		t.Errorf("after a, paused: up %v, %d moves into paused, want up and 1", third.Up, got)
	}
}

// fakeLister serves each space's templates in one page.
type fakeLister struct {
	mu        sync.Mutex
	templates map[string][]client.Template
}

func (f *fakeLister) TemplatePager(space string, pageSize, maxPages int) *client.TemplatePager {
	f.mu.Lock()
	list := f.templates[space]
	f.mu.Unlock()
	return client.NewTemplatePager(func(context.Context, int, int) (client.TemplatePage, error) {
		return client.TemplatePage{Templates: list, Total: len(list)}, nil
	}, pageSize, maxPages)
}

// spaceList is a list of watched spaces that a test changes.
type spaceList struct {
	mu  sync.Mutex
	ids []string
}

func (l *spaceList) list() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ids
}

func (l *spaceList) set(ids ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ids = ids
}

// Run by the engine's paged runner, only the parts in its state hold
// problem series: a space that leaves the list gives its series back at
// once, which the next listings take; back within its grace, its part
// asks for them again and gets what is left. At every step the series
// exported are those the published Budget counts, and its Series and
// Folded sum to the problems of the watched spaces.
func TestBudgetFollowsTheSpacesInTheState(t *testing.T) {
	api := &fakeLister{templates: map[string][]client.Template{
		"a": listing("a1/en/fail", "a2/en/paused", "a3/en/disabled"),
		"b": listing("b1/en/fail", "b2/en/fail", "b3/en/pass"),
		"c": listing("c1/en/paused"),
	}}
	problems := map[string]int{"a": 3, "b": 2, "c": 1}
	spaces := &spaceList{}
	spaces.set("a", "b", "c")
	src := New(api, time.Hour, 20, 0, Options{MaxProblemSeries: 3})
	r := engine.NewPagedRunner(engine.Config{Rate: 100, ForgetAfter: time.Hour, Watched: engine.NewWatched(spaces.list, nil)}, src)
	check := func(step string, want []string) {
		t.Helper()
		st := r.State()
		parts, sum := map[string]*snapshot.SpacePart{}, 0
		for space, p := range st.All() {
			parts[space], sum = p, sum+problems[space]
		}
		b, _ := st.Totals.(Budget)
		got := allProblemSeries(parts)
		if len(got) != b.Series || b.Series+b.Folded != sum || b.Series > 3 {
			t.Errorf("%s: %d problem series %v, published %+v; want as many as its Series, at most 3, and %d problems in all", step, len(got), got, b, sum)
		}
		if want != nil && !slices.Equal(got, want) {
			t.Errorf("%s: problem series %v, want %v", step, got, want)
		}
	}
	r.RunOnce(context.Background())
	check("a, b and c listed in any order", nil)
	spaces.set("b", "c")
	r.Wake()
	check("a left", nil)
	r.RunOnce(context.Background())
	check("b and c listed again", []string{"b/b1/en", "b/b2/en", "c/c1/en"})
	spaces.set("a", "b", "c")
	r.Wake()
	check("a back within its grace", []string{"b/b1/en", "b/b2/en", "c/c1/en"})
	if b := r.State().Totals.(Budget); b.Folded != 3 {
		t.Errorf("a back: %d folded, want its 3 problems", b.Folded)
	}
}

// A listing whose pages disagreed with their Total is logged: the first
// at once, then at most once an hour with the count since, never a line a
// space.
func TestDisagreementsAreLogged(t *testing.T) {
	var buf strings.Builder
	src := New(nil, 0, 0, 0, Options{Logger: log.NewLogfmtLogger(&buf)})
	apply := func(space string, at time.Duration, total int) {
		templates := listing("x/en/pass", "y/en/pass")
		src.Apply(space, nil, []engine.Done{{Task: engine.Task{Space: space}, At: t1.Add(at), Value: listingOf(t, templates, total)}}, nil)
	}
	apply("a", 0, 3)
	apply("b", time.Minute, 2) // agrees
	apply("c", 2*time.Minute, 1)
	apply("d", 30*time.Minute, 5)
	apply("e", 61*time.Minute, 1)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	want := []string{
		`space=a disagreement="2 templates at the last page, fewer than the Total of 3" templates=2 total=3 disagreeing_listings=1 since=start`,
		`space=e disagreement="2 templates, more than the Total of 1" templates=2 total=1 disagreeing_listings=3 since=2026-12-01T10:00:00Z`,
	}
	if len(lines) != len(want) {
		t.Fatalf("logged %d lines, want %d:\n%s", len(lines), len(want), buf.String())
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], "level=warn ") || !strings.HasSuffix(lines[i], w) || !strings.Contains(lines[i], "cams_template_listing_disagreement") {
			t.Errorf("line %d: %s\nwant a warning ending %s", i+1, lines[i], w)
		}
	}
}

// simulatorClient is a client of a simulator serving data on loopback
// without a limit of its own, ListChatappTemplate at rate calls/s.
func simulatorClient(t *testing.T, data *simulator.Dataset, rate float64) *client.Client {
	t.Helper()
	sim, err := simulator.New(simulator.Config{Data: data, RateLimit: -1, AccessKeyID: "id", AccessKeySecret: "secret"})
	if err != nil {
		t.Fatal(err)
	}
	url, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	cl, err := client.New(client.Config{Endpoint: url, Credentials: client.StaticCredentials{AccessKeyID: "id", AccessKeySecret: "secret"},
		MaxRetries: 1, Rates: map[string]float64{client.OperationListTemplates: rate}})
	if err != nil {
		t.Fatal(err)
	}
	return cl
}
