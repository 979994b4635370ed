package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/go-kit/log"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/simulator"
)

// TestTemplateJourney walks a template through the demo's journey: paused
// and un-paused twice, disabled at the third pause, submitted again and
// passed, its pauses forgotten.
func TestTemplateJourney(t *testing.T) {
	tpl := simulator.Template{TemplateCode: "c", Language: "en_US", AuditStatus: "pass"}
	pauses := 0
	var got []string
	for range 9 {
		var change simulator.TemplateChange
		change, pauses = nextTemplateStep(tpl, pauses)
		if change.AuditStatus == nil || change.Reason == nil {
			t.Fatalf("step %d from %s: the change sets no status or no reason: %+v", len(got)+1, tpl.AuditStatus, change)
		}
		tpl.AuditStatus, tpl.Reason = *change.AuditStatus, *change.Reason
		got = append(got, fmt.Sprintf("%s/%d/%t", tpl.AuditStatus, pauses, tpl.Reason != ""))
	}
	want := []string{"paused/1/true", "pass/1/false", "paused/2/true", "pass/2/false", "disabled/2/true", "auditing/0/false", "pass/0/false", "paused/1/true", "pass/1/false"}
	if !slices.Equal(got, want) {
		t.Errorf("journey %v, want %v", got, want)
	}
}

// TestTemplateStepFromEveryStatus: a failed or unaudited template is
// submitted again, a review in progress passes, an unknown status becomes
// pass; none of these pauses or forgets pauses.
func TestTemplateStepFromEveryStatus(t *testing.T) {
	for _, c := range []struct{ from, to string }{
		{"fail", "auditing"}, {"unaudit", "auditing"}, {"auditing", "pass"}, {"paused", "pass"}, {"IN_APPEAL", "pass"}, {"", "pass"},
	} {
		change, pauses := nextTemplateStep(simulator.Template{TemplateCode: "c", AuditStatus: c.from, Reason: "why"}, 1)
		if change.AuditStatus == nil {
			t.Errorf("from %q: the change sets no status", c.from)
		} else if *change.AuditStatus != c.to || pauses != 1 {
			t.Errorf("from %q: status %s, pauses %d; want %s, 1", c.from, *change.AuditStatus, pauses, c.to)
		}
		if change.Reason == nil || *change.Reason != "" {
			t.Errorf("from %q to %s: the reason is not cleared", c.from, c.to)
		}
	}
}

// TestDemoServesTemplates lists the demo's spaces with the exporter's
// client: each space with a WABA holds TemplatesPerSpace templates, and the
// first shows a paused, a failed and a disabled one from the start.
func TestDemoServesTemplates(t *testing.T) {
	const perSpace = 25 // more than a page of 20
	d, err := Start(context.Background(), Options{Spaces: 4, FlowsPerSpace: 2, TemplatesPerSpace: perSpace, Seed: 3, ChurnEvery: time.Hour}, log.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	c := demoClient(t, d)
	withWABA := 0
	for _, sp := range d.Sim.Dataset().Spaces {
		if sp.ID == "" {
			continue
		}
		listed := listTemplates(t, c, sp.ID)
		want := 0
		if sp.WABA != nil {
			want = perSpace
			withWABA++
		}
		if len(listed) != want {
			t.Errorf("space %s (WABA %t) lists %d templates, want %d", sp.ID, sp.WABA != nil, len(listed), want)
		}
		if withWABA == 1 && want > 0 { // the first sub-customer space with templates
			var first []string
			for _, tpl := range listed[:min(3, len(listed))] {
				first = append(first, tpl.AuditStatus)
			}
			if want := []string{"paused", "fail", "disabled"}; !slices.Equal(first, want) {
				t.Errorf("the first space's first templates are %v, want %v", first, want)
			}
		}
	}
	if withWABA == 0 {
		t.Fatal("no demo space has a WABA")
	}
}

// TestDemoMovesTemplates runs the demo's steps: a template is paused and
// un-paused, one disabled, as ListChatappTemplate lists them, and however
// long the demo runs most of its templates stay usable.
func TestDemoMovesTemplates(t *testing.T) {
	d, err := Start(context.Background(), Options{Spaces: 4, FlowsPerSpace: 2, TemplatesPerSpace: 8, Seed: 3, ChurnEvery: time.Hour}, log.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	statuses := func() map[string]string {
		out := map[string]string{}
		for _, sp := range d.Sim.Dataset().Spaces {
			if sp.ID == "" {
				continue // the demo's steps leave the own space alone
			}
			for _, tpl := range sp.Templates {
				out[sp.ID+"/"+tpl.TemplateCode+"/"+tpl.Language] = tpl.AuditStatus
			}
		}
		return out
	}
	moves := map[string]bool{} // "from>to"
	r := rand.New(rand.NewPCG(5, 6))
	next := 0
	before := statuses()
	total := len(before)
	for range 1000 {
		if err := d.step(r, &next); err != nil {
			t.Fatal(err)
		}
		d.Sim.ClearFaults()
		now := statuses()
		unusable := 0
		for k, s := range now {
			if s != before[k] {
				moves[before[k]+">"+s] = true
			}
			if s != "pass" {
				unusable++
			}
		}
		if unusable > total/2 {
			t.Fatalf("after %d moves, %d of the %d templates are not pass", len(moves), unusable, total)
		}
		before = now
	}
	for _, m := range []string{"pass>paused", "paused>pass", "pass>disabled", "disabled>auditing", "auditing>pass"} {
		if !moves[m] {
			t.Errorf("1000 demo steps never moved a template %s; moves: %v", m, moves)
		}
	}
	// The exporter sees what the steps did.
	c := demoClient(t, d)
	for _, sp := range d.Sim.Dataset().Spaces {
		if sp.ID == "" || sp.WABA == nil {
			continue
		}
		for _, tpl := range listTemplates(t, c, sp.ID) {
			if want := before[sp.ID+"/"+tpl.TemplateCode+"/"+tpl.Language]; tpl.AuditStatus != want {
				t.Errorf("space %s template %s/%s lists %s, the demo made it %s", sp.ID, tpl.TemplateCode, tpl.Language, tpl.AuditStatus, want)
			}
		}
	}
}

func demoClient(t *testing.T, d *Demo) *client.Client {
	t.Helper()
	c, err := client.New(client.Config{Endpoint: d.URL, Credentials: client.StaticCredentials(d.Credentials)})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// listTemplates lists every template of a space, a page of 20 at a time.
func listTemplates(t *testing.T, c *client.Client, space string) []client.Template {
	t.Helper()
	p := client.NewTemplatePager(func(ctx context.Context, index, size int) (client.TemplatePage, error) {
		return c.ListTemplatePage(ctx, space, index, size)
	}, client.DefaultTemplatesPageSize, 0)
	for {
		done, err := p.Next(context.Background())
		if err != nil {
			t.Fatalf("listing the templates of demo space %s: %v", space, err)
		}
		if done {
			return p.Templates()
		}
	}
}
