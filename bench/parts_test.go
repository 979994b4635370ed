package main

import (
	"reflect"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/simulator"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/templates"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

// The parts the harness builds without HTTP are those the sources make
// from the simulator's answers over HTTP, through the client: every
// source's data of every space, with its health's WABA, business, app and
// numbers, some unbound, LIMITED and BLOCKED.
func TestAccountPartsAreTheSimulatorsAnswers(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	const spaces = 120
	data := simulator.Generate(7, spaces, 2)
	data.AppHealth = &simulator.Health{CanSendMessage: simulator.HealthLimited, Errors: []simulator.HealthError{{ErrorCode: "141011", ErrorDescription: "app"}}}
	data.Spaces[3].ExtraEntities = []simulator.HealthEntity{{EntityType: client.EntityTypeTemplate, TemplateCode: "t1", Language: "en", CanSendMessage: "PAUSED"}}
	c := simulatorClient(t, data, 1000, 0, client.OperationQueryPhoneNumbers, client.OperationQueryBindWaba, client.OperationGetHealthStatus)
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	snap := buildSnapshot(7, spaces, 2)
	want := withParts(snap, c, at)
	got := withAccountParts(snap, data, at)

	unbound, limited, phones := 0, 0, 0
	for _, name := range []string{phonenumbers.Name, waba.Name, messaginghealth.Name} {
		g, w := got.Source(name), want.Source(name)
		if g == nil || w == nil || g.Len() != w.Len() || w.Len() < spaces-5 {
			t.Fatalf("%s: %v parts built, %v from the simulator", name, g, w)
		}
		for id, wp := range w.All() {
			gp := g.Part(id)
			if gp == nil || !reflect.DeepEqual(*gp, *wp) {
				t.Fatalf("%s, space %s: built %+v, the simulator's %+v", name, id, gp, wp)
			}
			switch name {
			case waba.Name:
				if _, bound := waba.Of(wp.Data); !bound {
					unbound++
				}
			case messaginghealth.Name:
				h := messaginghealth.Of(wp.Data)
				phones += len(h.Phones)
				if h.WABA != nil && h.WABA.CanSendMessage == simulator.HealthLimited {
					limited++
				}
			}
		}
	}
	if unbound == 0 || limited == 0 || phones < 2*spaces {
		t.Errorf("the data set tried too little: %d unbound, %d WABA nodes LIMITED, %d numbers' health", unbound, limited, phones)
	}
}

// The templates' parts the harness builds without HTTP are those the
// source makes from the simulator's answers over HTTP, through the client:
// every space's templates as the data set holds them, each listing in the
// pages its count takes at 20 a page (ended by Total, or a short page), a
// space answering an error down without data.
func TestTemplatePartsAreTheSimulatorsAnswers(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	data := simulator.Generate(9, 60, 1)
	for i := range data.Spaces {
		data.Spaces[i].WABA = nil
	}
	perSpace := []int{0, 1, 20, 21, 40, 50, 63}
	for i, n := range perSpace {
		data.Spaces[i+1].WABA = &simulator.WABA{Id: "w" + strconv.Itoa(i)}
		simulator.AddTemplates(int64(i), &simulator.Dataset{Spaces: data.Spaces[i+1 : i+2]}, n)
	}
	data.Spaces[len(perSpace)+1].Error = "Ram.PermissionDeny"
	c := simulatorClient(t, data, -1, 1, client.OperationListTemplates)
	at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC)
	ids := subSpaceIDs(data)
	want := templateParts(c, ids, at)
	got := templateParts(newDatasetAPI(data), ids, at)
	// An error is compared by its code: each answer has its own request
	// id, and the data set's errors are not classified (the harness's data
	// sets have none).
	byCode := func(p *snapshot.SpacePart) snapshot.SpacePart {
		c := *p
		if c.LastError != nil {
			c.LastError = &snapshot.ErrorInfo{Code: c.LastError.Code}
		}
		return c
	}
	for _, id := range ids {
		if g, w := byCode(got[id]), byCode(want[id]); !reflect.DeepEqual(g, w) {
			t.Fatalf("space %s: built %+v, the simulator's %+v", id, g, w)
		}
	}
	for i, n := range perSpace {
		sp := data.Spaces[i+1]
		kept := templates.Of(got[sp.ID].Data)
		pages := max(1, (n+19)/20)
		if kept.Count() != n || kept.Total != n || kept.Pages != pages || kept.Disagreement != "" || !got[sp.ID].Up {
			t.Errorf("space of %d templates: counted %d, Total %d, %d pages, disagreement %q, up %v; want %d, %d, %d, none, up",
				n, kept.Count(), kept.Total, kept.Pages, kept.Disagreement, got[sp.ID].Up, n, n, pages)
		}
		// Every template counted by its status; those that need attention
		// (neither passed nor in review) kept one by one.
		byStatus := map[string]int{}
		for _, tpl := range sp.Templates {
			byStatus[tpl.AuditStatus]++
			if tpl.AuditStatus == "pass" || tpl.AuditStatus == "auditing" || tpl.AuditStatus == "unaudit" {
				continue
			}
			j := slices.IndexFunc(kept.List, func(k templates.Kept) bool { return k.Code == tpl.TemplateCode && k.Language == tpl.Language })
			if j < 0 || kept.List[j].AuditStatus != tpl.AuditStatus || kept.List[j].Category != tpl.Category {
				t.Fatalf("space of %d templates: %+v not kept as it is (%d kept)", n, tpl, len(kept.List))
			}
		}
		for status, c := range byStatus {
			if got := kept.StatusCount(status); got != c {
				t.Errorf("space of %d templates: %d %s, want %d", n, got, status, c)
			}
		}
	}
	if p := got[data.Spaces[len(perSpace)+1].ID]; p.Up || p.HasData || p.LastError == nil || p.LastError.Code != "Ram.PermissionDeny" {
		t.Errorf("a space answering Ram.PermissionDeny: %+v, want down with its error, no data", p)
	}
}

// The scrape part's snapshot holds, with templates a space, the templates
// source's part of every space: that many templates in each space whose
// WABA part is bound, none in the others, and a state expecting a pass of
// every space's pages at 4 a second.
func TestWithSourcesTemplates(t *testing.T) {
	const spaces, perSpace = 200, 50
	snap := withSources(buildSnapshot(3, spaces, 2), 3, 1, perSpace)
	st, bound := snap.Source(templates.Name), snap.Source(waba.Name)
	if st == nil || st.Len() != spaces {
		t.Fatalf("templates state %v, want a part for each of %d spaces", st, spaces)
	}
	pages, unbound, problems := 0, 0, 0
	for id, p := range st.All() {
		kept := templates.Of(p.Data)
		want := 0
		if _, ok := waba.Of(bound.Part(id).Data); ok {
			want = perSpace
		} else {
			unbound++
		}
		if kept.Count() != want || !p.HasData {
			t.Fatalf("space %s: %d templates (has data %v), want %d", id, kept.Count(), p.HasData, want)
		}
		pages += max(1, (want+19)/20)
		for _, k := range kept.List {
			if templates.Problem(k.AuditStatus) {
				problems++
			}
		}
	}
	if st.ExpectedPass != time.Duration(pages)*time.Second/4 || st.Interval != time.Hour {
		t.Errorf("expected pass %s, interval %s; want %s, 1h", st.ExpectedPass, st.Interval, time.Duration(pages)*time.Second/4)
	}
	if unbound == 0 || unbound > spaces/5 || problems == 0 {
		t.Errorf("%d spaces without a WABA, %d problem templates: the data set tried too little", unbound, problems)
	}
	if off := withSources(buildSnapshot(3, spaces, 2), 3, 1, 0); off.Source(templates.Name) != nil {
		t.Error("templates 0: the snapshot has the templates source")
	}
}

// simulatorClient serves data with a simulator on loopback, ListFlow at
// listFlowRate (-1: no limit), and returns a client of it that calls each
// of operations at 1,000 calls/s (as the simulator allows them), with
// maxRetries (0: the client's default).
func simulatorClient(t *testing.T, data *simulator.Dataset, listFlowRate float64, maxRetries int, operations ...string) *client.Client {
	t.Helper()
	rates := map[string]float64{}
	for _, op := range operations {
		rates[op] = 1000
	}
	sim, err := simulator.New(simulator.Config{AccessKeyID: accessKeyID, AccessKeySecret: accessKeySecret, Data: data, RateLimit: listFlowRate, Rates: rates})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	url, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(client.Config{Endpoint: url, Credentials: client.StaticCredentials{AccessKeyID: accessKeyID, AccessKeySecret: accessKeySecret},
		MaxRetries: maxRetries, Rates: rates})
	if err != nil {
		t.Fatal(err)
	}
	return c
}
