package main

import (
	"context"
	"time"

	"github.com/go-kit/log"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/demo"
)

// demoRun is a running demo and the credentials to call it with.
type demoRun struct {
	*demo.Demo
	credentials client.CredentialsProvider
}

// startDemo starts the demo simulator and points the options at it: its
// endpoint, its spaces, a 15 s refresh. The exporter's demo also turns the
// flow statuses on (demoFlowStatus); check --demo reads them only with
// --collector.flow-status, as check does.
func startDemo(ctx context.Context, o *exporterOptions, logger log.Logger) (*demoRun, error) {
	d, err := demo.Start(ctx, demo.DefaultOptions, logger)
	if err != nil {
		return nil, err
	}
	o.endpoint = d.URL
	o.refreshInterval = 15 * time.Second
	if len(o.spaces) == 0 && o.spacesFile == "" {
		o.spaces = d.SpaceIDs()
	}
	return &demoRun{Demo: d, credentials: client.StaticCredentials(d.Credentials)}, nil
}

// demoSources turns every source of the engine on for the exporter's demo,
// whose numbers move now and then: a source's data is read again once it is
// a minute old, when its intervals were left at their defaults.
func demoSources(o *exporterOptions) {
	for _, f := range o.sources {
		f.on = true
		if f.interval == f.spec.interval {
			f.interval = time.Minute
		}
		for _, x := range f.spec.extra {
			if *f.extra[x.flag] == x.def {
				*f.extra[x.flag] = time.Minute
			}
		}
	}
}

// demoFlowStatus turns the flow-status checks on for the exporter's demo,
// whose statuses change now and then: a flow is checked again once its last
// check is a minute old, when --flow-status.interval was left at its
// default.
func demoFlowStatus(o *exporterOptions) {
	o.flowStatus = true
	if o.flowStatusInterval == defaultFlowStatusInterval {
		o.flowStatusInterval = time.Minute
	}
}
