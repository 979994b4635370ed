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
// endpoint, its spaces, a 15 s refresh.
func startDemo(ctx context.Context, o *exporterOptions, logger log.Logger) (*demoRun, error) {
	d, err := demo.Start(ctx, demo.DefaultOptions, logger)
	if err != nil {
		return nil, err
	}
	o.endpoint = d.URL
	o.refreshInterval = 15 * time.Second
	// The demo's statuses change now and then: show them.
	o.flowStatus = true
	o.flowStatusInterval = time.Minute
	if len(o.spaces) == 0 && o.spacesFile == "" {
		o.spaces = d.SpaceIDs()
	}
	return &demoRun{Demo: d, credentials: client.StaticCredentials(d.Credentials)}, nil
}
