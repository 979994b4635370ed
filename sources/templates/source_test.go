package templates

import (
	"context"
	"testing"
	"time"

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
		MaxRetries: 1, Rates: map[string]float64{client.OperationListTemplates: 500}})
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{"", "cams-tpl45", "cams-tplerr", "cams-notpl"}
	watched := engine.NewWatched(func() []string { return ids }, func() bool { return true })
	r := engine.NewPagedRunner(engine.Config{Pacer: cl.LimiterOf(client.OperationListTemplates), Rate: 500, Watched: watched,
		Snapshot: func() *snapshot.Snapshot { return nil }, Now: time.Now}, New(cl, time.Hour, 20, 0))
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
// error; the next complete one counts the moves into paused since.
func TestApplyKeepsDataOnFailureAndCountsMoves(t *testing.T) {
	src := New(nil, 0, 0, 0)
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
	if failed.Up || failed.LastError == nil || Of(failed.Data).List[0].AuditStatus != "pass" || !failed.LastSuccess.Equal(first.LastSuccess) {
		t.Fatalf("after a failed listing: %+v, want down with the first listing's data", failed)
	}
	third := src.Apply("s", failed, []engine.Done{listed("paused", "pass")}, nil)
	if got := Of(third.Data).Changes[StatusPaused]; !third.Up || got != 1 {
		t.Errorf("after a, paused: up %v, %d moves into paused, want up and 1", third.Up, got)
	}
}
