package demo

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/go-kit/log"

	"github.com/cams-exporter/cams_exporter/client"
)

func TestDemoServesItsSpacesAndMoves(t *testing.T) {
	d, err := Start(context.Background(), Options{Spaces: 4, FlowsPerSpace: 10, Seed: 3, ChurnEvery: time.Hour}, log.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	ids := d.SpaceIDs()
	if len(ids) != 4 {
		t.Fatalf("demo has %d sub-customer spaces, want 4", len(ids))
	}
	c, err := client.New(client.Config{Endpoint: d.URL, Credentials: client.StaticCredentials(d.Credentials), RateLimit: 4.5})
	if err != nil {
		t.Fatal(err)
	}
	total := func() int {
		n := 0
		for _, id := range ids {
			flows, err := c.ListAllFlows(context.Background(), id, "", 20)
			if err != nil {
				t.Fatalf("listing demo space %s with the demo's credentials: %v", id, err)
			}
			n += len(flows)
		}
		return n
	}
	before := total()
	want := 0
	for _, sp := range d.Sim.Dataset().Spaces {
		if sp.ID != "" {
			want += len(sp.Flows)
		}
	}
	if before != want {
		t.Errorf("listed %d flows, the data set has %d", before, want)
	}
	r := rand.New(rand.NewPCG(1, 2))
	next := 0
	changed := false
	for range 20 {
		if err := d.step(r, &next); err != nil {
			t.Fatal(err)
		}
		d.Sim.ClearFaults() // steps may arm a one-off System.LimitControl
		if total() != before {
			changed = true
			break
		}
	}
	if !changed {
		t.Error("20 churn steps changed no flow")
	}
}

// The demo's flows carry statuses, and churn changes them now and then.
func TestDemoFlowStatusesChange(t *testing.T) {
	d, err := Start(context.Background(), Options{Spaces: 3, FlowsPerSpace: 5, Seed: 3, ChurnEvery: time.Hour}, log.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	statuses := func() map[string]string {
		m := map[string]string{}
		for _, sp := range d.Sim.Dataset().Spaces {
			for _, f := range sp.Flows {
				m[sp.ID+"/"+f.FlowId] = f.Status
			}
		}
		return m
	}
	before := statuses()
	seen := map[string]bool{}
	for _, s := range before {
		seen[s] = true
	}
	for _, s := range []string{"DRAFT", "PUBLISHED", "DEPRECATED"} {
		if !seen[s] {
			t.Errorf("no %s flow in the demo's data: %v", s, before)
		}
	}
	r := rand.New(rand.NewPCG(5, 6))
	next := 0
	for range 100 {
		if err := d.step(r, &next); err != nil {
			t.Fatal(err)
		}
		for id, s := range statuses() {
			if old, ok := before[id]; ok && old != s {
				return // a status changed
			}
		}
	}
	t.Error("100 churn steps changed no flow's status")
}
