package demo

import (
	"context"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/go-kit/log"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/simulator"
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

// TestNumberJourney walks a number through the demo's journey: YELLOW,
// RED, FLAGGED with a lower tier and LIMITED messaging, back to GREEN.
func TestNumberJourney(t *testing.T) {
	n := simulator.PhoneNumber{PhoneNumber: "1", Status: "CONNECTED", QualityRating: "GREEN", MessagingLimitTier: "TIER_1K"}
	var got []string
	for range 4 {
		change, health := nextStep(n)
		for _, f := range []struct {
			to  *string
			dst *string
		}{{change.Status, &n.Status}, {change.QualityRating, &n.QualityRating}, {change.MessagingLimitTier, &n.MessagingLimitTier}} {
			if f.to != nil {
				*f.dst = *f.to
			}
		}
		got = append(got, n.Status+"/"+n.QualityRating+"/"+n.MessagingLimitTier+"/"+health.CanSendMessage)
	}
	want := []string{"CONNECTED/YELLOW/TIER_1K/AVAILABLE", "CONNECTED/RED/TIER_1K/AVAILABLE", "FLAGGED/RED/TIER_250/LIMITED", "CONNECTED/GREEN/TIER_250/AVAILABLE"}
	if !slices.Equal(got, want) {
		t.Errorf("journey %v, want %v", got, want)
	}
}

// TestDemoMovesNumbers runs steps until a number of the demo changed.
func TestDemoMovesNumbers(t *testing.T) {
	d, err := Start(context.Background(), Options{Spaces: 4, FlowsPerSpace: 2, Seed: 3, ChurnEvery: time.Hour}, log.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	numbers := func() map[string]simulator.PhoneNumber {
		out := map[string]simulator.PhoneNumber{}
		for _, sp := range d.Sim.Dataset().Spaces {
			for _, n := range sp.PhoneNumbers {
				out[sp.ID+"/"+n.PhoneNumber] = n
			}
		}
		return out
	}
	before := numbers()
	if len(before) == 0 {
		t.Fatal("the demo has no phone numbers")
	}
	r := rand.New(rand.NewPCG(5, 6))
	next := 0
	for range 200 {
		if err := d.step(r, &next); err != nil {
			t.Fatal(err)
		}
		d.Sim.ClearFaults()
		for k, n := range numbers() {
			if b := before[k]; b.QualityRating != n.QualityRating || b.Status != n.Status {
				return
			}
		}
	}
	t.Error("200 demo steps moved no number")
}
