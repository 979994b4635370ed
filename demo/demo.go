// Package demo runs the exporter's demo mode: a CAMS simulator in-process on
// a loopback port, with generated credentials and data that moves now and
// then, so that a dashboard shows life without a CAMS account.
package demo

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"

	"github.com/cams-exporter/cams_exporter/client/acs3"
	"github.com/cams-exporter/cams_exporter/simulator"
)

// Demo is a running demo simulator.
type Demo struct {
	Sim         *simulator.Server
	URL         string
	Credentials acs3.Credentials
	cancel      context.CancelFunc
	done        chan struct{}
	// pauses counts the pauses of each template ("space/code/language"),
	// for the steps of the churn alone.
	pauses map[string]int
}

// Options size the demo.
type Options struct {
	Spaces, FlowsPerSpace int
	TemplatesPerSpace     int // message templates of each space with a WABA
	Seed                  int64
	ChurnEvery            time.Duration // how often a flow is added or removed
}

// DefaultOptions is a small ISV: six sub-customer spaces.
var DefaultOptions = Options{Spaces: 6, FlowsPerSpace: 15, TemplatesPerSpace: 8, Seed: 2026, ChurnEvery: 20 * time.Second}

// Start starts the simulator on 127.0.0.1 and the churn, until ctx ends or
// Close.
func Start(ctx context.Context, o Options, logger log.Logger) (*Demo, error) {
	creds := acs3.Credentials{AccessKeyID: "LTAIdemo" + acs3.RandomNonce()[:16], AccessKeySecret: acs3.RandomNonce(), ProviderName: "demo"}
	data := simulator.Generate(o.Seed, o.Spaces, o.FlowsPerSpace)
	simulator.AddTemplates(o.Seed, data, o.TemplatesPerSpace)
	showTemplateProblems(data)
	sim, err := simulator.New(simulator.Config{AccessKeyID: creds.AccessKeyID, AccessKeySecret: creds.AccessKeySecret, Data: data})
	if err != nil {
		return nil, err
	}
	url, err := sim.Start("127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	d := &Demo{Sim: sim, URL: url, Credentials: creds, cancel: cancel, done: make(chan struct{}), pauses: map[string]int{}}
	go d.churn(ctx, o, logger)
	level.Warn(logger).Log("msg", "DEMO MODE: serving simulated CAMS data from a local simulator, not a real account", "simulator", url)
	return d, nil
}

// SpaceIDs returns the demo's sub-customer spaces.
func (d *Demo) SpaceIDs() []string {
	var ids []string
	for _, sp := range d.Sim.Dataset().Spaces {
		if sp.ID != "" {
			ids = append(ids, sp.ID)
		}
	}
	return ids
}

// Close stops the churn and the simulator.
func (d *Demo) Close() error {
	d.cancel()
	<-d.done
	return d.Sim.Close()
}

// churn adds or removes a flow every ChurnEvery; one time in eight it
// changes a flow's status instead, one time in eight it moves a phone
// number a step along its quality journey (moveNumber), one time in eight
// a template along its own (moveTemplate: paused, un-paused, disabled), and
// one time in eight it makes the next call meet System.LimitControl.
func (d *Demo) churn(ctx context.Context, o Options, logger log.Logger) {
	defer close(d.done)
	r := rand.New(rand.NewPCG(uint64(o.Seed), 1))
	t := time.NewTicker(o.ChurnEvery)
	defer t.Stop()
	next := 1
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := d.step(r, &next); err != nil {
			level.Debug(logger).Log("msg", "demo churn step failed", "err", err)
		}
	}
}

var categories = append(append([]string(nil), simulator.DocumentedCategories...), "SHOPPING")

func (d *Demo) step(r *rand.Rand, next *int) error {
	ids := d.SpaceIDs()
	if len(ids) == 0 {
		return nil
	}
	space := ids[r.IntN(len(ids))]
	switch r.IntN(8) {
	case 0:
		_, err := d.Sim.Inject(simulator.Fault{Kind: "error", Code: "System.LimitControl", Count: 1})
		return err
	case 1:
		return d.changeStatus(r, space)
	case 2:
		return d.moveNumber(r, space)
	case 3:
		return d.moveTemplate(r, space)
	}
	flows := d.Sim.Dataset().Spaces
	for _, sp := range flows {
		if sp.ID == space && len(sp.Flows) > 0 && r.IntN(3) == 0 {
			return d.Sim.RemoveFlow(space, sp.Flows[r.IntN(len(sp.Flows))].FlowId)
		}
	}
	*next++
	cats := []string{categories[r.IntN(len(categories))]}
	if r.IntN(3) == 0 {
		cats = append(cats, categories[r.IntN(len(categories))])
	}
	return d.Sim.AddFlow(space, simulator.Flow{FlowId: fmt.Sprintf("9%015d", *next), FlowName: fmt.Sprintf("demo flow %d", *next), Categories: cats, Status: simulator.DefaultFlowStatus})
}

// changeStatus gives a flow of space another documented status: a draft is
// published, a published flow deprecated now and then, and so on.
func (d *Demo) changeStatus(r *rand.Rand, space string) error {
	for _, sp := range d.Sim.Dataset().Spaces {
		if sp.ID != space || len(sp.Flows) == 0 {
			continue
		}
		f := sp.Flows[r.IntN(len(sp.Flows))]
		statuses := simulator.DocumentedFlowStatuses
		status := statuses[r.IntN(len(statuses))]
		if status == f.Status {
			status = statuses[(slices.Index(statuses, status)+1)%len(statuses)]
		}
		return d.Sim.SetFlowStatus(space, f.FlowId, status)
	}
	return nil
}

// moveNumber moves a number of space one step along the journey Meta takes
// a number on when its recipients block or report it: GREEN, YELLOW, RED,
// then FLAGGED with a lower messaging limit and its messaging LIMITED, and
// back to CONNECTED and GREEN (Meta lifts a flag after 7 days).
func (d *Demo) moveNumber(r *rand.Rand, space string) error {
	for _, sp := range d.Sim.Dataset().Spaces {
		if sp.ID != space || len(sp.PhoneNumbers) == 0 {
			continue
		}
		n := sp.PhoneNumbers[r.IntN(len(sp.PhoneNumbers))]
		change, health := nextStep(n)
		if err := d.Sim.SetPhoneNumber(space, n.PhoneNumber, change); err != nil {
			return err
		}
		return d.Sim.SetNumberHealth(space, n.PhoneNumber, health)
	}
	return nil
}

// nextStep is the change that moves n a step along its journey, and its
// messaging health after it.
func nextStep(n simulator.PhoneNumber) (simulator.NumberChange, simulator.Health) {
	set := func(s string) *string { return &s }
	switch {
	case n.Status == "FLAGGED":
		return simulator.NumberChange{Status: set("CONNECTED"), QualityRating: set("GREEN")}, simulator.Health{CanSendMessage: "AVAILABLE"}
	case n.QualityRating == "YELLOW":
		return simulator.NumberChange{QualityRating: set("RED")}, simulator.Health{CanSendMessage: "AVAILABLE"}
	case n.QualityRating == "RED":
		return simulator.NumberChange{Status: set("FLAGGED"), MessagingLimitTier: set("TIER_250")},
			simulator.Health{CanSendMessage: "LIMITED", Errors: []simulator.HealthError{{ErrorCode: "141005", ErrorDescription: "The phone number is flagged for low quality.", PossibleSolution: "Improve the quality of the messages sent from this number."}}}
	}
	return simulator.NumberChange{QualityRating: set("YELLOW")}, simulator.Health{CanSendMessage: "AVAILABLE"}
}
