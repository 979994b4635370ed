package client_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/simulator"
)

// The client's TemplatePager lists every template of a 45-template space
// through the simulator, as the data file holds them, in as many pages as
// the page size gives, and the listing agrees with Total; an empty space
// too.
func TestTemplatePagerThroughSimulator(t *testing.T) {
	data, err := simulator.LoadDataset("../simulator/testdata/templates.json")
	if err != nil {
		t.Fatal(err)
	}
	file := map[string][]simulator.Template{}
	for _, sp := range data.Spaces {
		file[sp.ID] = sp.Templates
	}
	if len(file["cams-tpl45"]) != 45 {
		t.Fatalf("the file's cams-tpl45 holds %d templates, want 45", len(file["cams-tpl45"]))
	}
	sim, url := startSim(t, simulator.Config{Data: data, RateLimit: -1})
	c := newClient(t, url, client.Config{Rates: map[string]float64{client.OperationListTemplates: 500}})
	tests := []struct {
		space           string
		pageSize, pages int
	}{
		{"cams-tpl45", 20, 3}, // 20, 20, 5: the third page reaches Total
		{"cams-tpl45", 15, 3}, // 15, 15, 15: Total reached on a full page, no empty page asked for
		{"cams-tpl45", 50, 1},
		{"cams-tpl45", 1, 45},
		{"cams-notpl", 20, 1},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%q/size%d", tt.space, tt.pageSize), func(t *testing.T) {
			before := sim.Stats().Spaces[client.OperationListTemplates][tt.space]
			p := c.TemplatePager(tt.space, tt.pageSize, 0)
			for {
				done, err := p.Next(context.Background())
				if err != nil {
					t.Fatal(err)
				}
				if done {
					break
				}
			}
			want := file[tt.space]
			got := p.Templates()
			if len(got) != len(want) || p.Total() != len(want) || p.Pages() != tt.pages || p.Disagreement() != "" {
				t.Fatalf("%d templates, Total %d, %d pages, disagreement %q; want %d, %d pages", len(got), p.Total(), p.Pages(), p.Disagreement(), len(want), tt.pages)
			}
			for i, w := range want {
				g := got[i]
				if g.TemplateCode != w.TemplateCode || g.TemplateName != w.TemplateName || g.Language != w.Language || g.Category != w.Category ||
					g.AuditStatus != w.AuditStatus || g.Reason != w.Reason || g.TemplateType != w.TemplateType || g.LastUpdateTime != w.LastUpdateTime {
					t.Errorf("template %d = %+v, want %+v", i, g, w)
				}
			}
			if calls := sim.Stats().Spaces[client.OperationListTemplates][tt.space] - before; calls != tt.pages {
				t.Errorf("%d calls reached the simulator, want %d", calls, tt.pages)
			}
		})
	}
}
