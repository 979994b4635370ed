package main

import (
	"reflect"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/simulator"
	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
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
	sim, err := simulator.New(simulator.Config{AccessKeyID: accessKeyID, AccessKeySecret: accessKeySecret, Data: data, RateLimit: 1000,
		Rates: map[string]float64{client.OperationQueryPhoneNumbers: 1000, client.OperationQueryBindWaba: 1000, client.OperationGetHealthStatus: 1000}})
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	url, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(client.Config{Endpoint: url, Credentials: client.StaticCredentials{AccessKeyID: accessKeyID, AccessKeySecret: accessKeySecret},
		Rates: map[string]float64{client.OperationQueryPhoneNumbers: 1000, client.OperationQueryBindWaba: 1000, client.OperationGetHealthStatus: 1000}})
	if err != nil {
		t.Fatal(err)
	}
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
