package templates

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/engine"
	"github.com/cams-exporter/cams_exporter/simulator"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// At account scale, the source run once by the paged runner through the
// simulator counts every template of 10,000 spaces of 50 (those with a
// WABA; the others have none), each listed in two pages of 25 that end at
// the answers' Total, with no disagreement; each space's templates by
// status and by category are the data file's, counted from the file, and
// those that need attention (neither passed nor in review) kept one by
// one; and
// the problem templates (fail, paused, disabled: about 5 %) hold the
// exporter's budget of series, spent.
func TestSourceListsTenThousandSpaces(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	const spaces, perSpace, pageSize, budget = 10_000, 50, 25, 1_000
	data := simulator.Generate(19, spaces, 1)
	simulator.AddTemplates(19, data, perSpace)
	cl := simulatorClient(t, data, 1e6)
	var ids []string
	want := map[string]map[string]int{} // space → "status:x" and "category:x" → templates; "attention" those kept one by one
	withTemplates, problems := 0, 0
	for _, sp := range data.Spaces {
		if sp.ID == "" {
			continue
		}
		ids = append(ids, sp.ID)
		counts := map[string]int{}
		for _, tpl := range sp.Templates {
			counts["status:"+tpl.AuditStatus]++
			counts["category:"+tpl.Category]++
			if tpl.AuditStatus != "pass" && tpl.AuditStatus != "auditing" && tpl.AuditStatus != "unaudit" {
				counts["attention"]++
			}
			if tpl.AuditStatus == "fail" || tpl.AuditStatus == "paused" || tpl.AuditStatus == "disabled" {
				problems++
			}
		}
		want[sp.ID] = counts
		if len(sp.Templates) > 0 {
			withTemplates++
		}
	}
	if len(ids) < spaces-1 || withTemplates < spaces/2 {
		t.Fatalf("the generated account has %d spaces, %d with templates", len(ids), withTemplates)
	}
	watched := engine.NewWatched(func() []string { return ids }, func() bool { return true })
	r := engine.NewPagedRunner(engine.Config{Pacer: cl.LimiterOf(client.OperationListTemplates), Rate: 1e6, Concurrency: 8, Watched: watched,
		Snapshot: func() *snapshot.Snapshot { return nil }, Now: time.Now}, New(cl, time.Hour, pageSize, 0, Options{MaxProblemSeries: budget}))
	state := r.RunOnce(context.Background())

	pages, series := 0, 0
	for _, id := range ids {
		p := state.Part(id)
		if p == nil || !p.Up {
			t.Fatalf("%s: part %+v, want up", id, p)
		}
		got := Of(p.Data)
		counts := map[string]int{}
		byStatus, byCategory := got.Counts()
		for _, c := range byStatus {
			counts["status:"+c.Value] += c.N
		}
		for _, c := range byCategory {
			counts["category:"+c.Value] += c.N
		}
		if len(got.List) > 0 {
			counts["attention"] = len(got.List)
		}
		n := 0
		for k, c := range want[id] {
			if strings.HasPrefix(k, "status:") {
				n += c
			}
		}
		wantPages := max(1, (n+pageSize-1)/pageSize)
		if fmt.Sprint(counts) != fmt.Sprint(want[id]) || got.Count() != n || got.Total != n || got.Pages != wantPages || got.Disagreement != "" {
			t.Fatalf("%s: %v, Total %d, %d pages, %q; the file has %v: %d templates in %d pages", id, counts, got.Total, got.Pages, got.Disagreement, want[id], n, wantPages)
		}
		pages += got.Pages
		series += got.ProblemSeries
	}
	if want := min(budget, problems); series != want || problems <= budget {
		t.Errorf("%d problem series for %d problem templates, want %d: the budget of %d, spent", series, problems, want, budget)
	}
	if want := time.Duration(float64(pages) / 1e6 * float64(time.Second)); state.ExpectedPass != want {
		t.Errorf("expected pass %v, want %v: %d pages at 1e6 calls/s", state.ExpectedPass, want, pages)
	}
}
