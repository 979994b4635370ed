// Package discovery lists the account's spaces (CustSpaceIds) with CAMS's
// ListInstance operation, again every interval, so that a new sub-customer
// joins the schedule and a departed one leaves it without a restart.
package discovery

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
	"github.com/prometheus/client_golang/prometheus"
)

// Lister lists the account's spaces; *client.Client is one.
type Lister interface {
	ListAllSpaces(ctx context.Context, channelType string, pageSize int) ([]string, error)
}

// pageSize is ListInstance's page size: the largest the simulator takes.
const pageSize = 100

// Discoverer keeps the account's current list of spaces.
type Discoverer struct {
	lister      Lister
	channelType string
	interval    time.Duration
	retry       time.Duration
	logger      log.Logger
	onChange    func()

	mu          sync.Mutex
	spaces      []string
	lastSuccess time.Time
	failures    uint64

	countDesc, lastSuccessDesc, failuresDesc *prometheus.Desc
}

// New returns a discoverer.
func New(lister Lister, channelType string, interval time.Duration, logger log.Logger) *Discoverer {
	return &Discoverer{
		lister: lister, channelType: channelType, interval: interval, retry: RetryAfterFailure, logger: logger, onChange: func() {},
		countDesc: prometheus.NewDesc("cams_discovered_spaces",
			"Spaces found by the last successful ListInstance discovery.", nil, nil),
		lastSuccessDesc: prometheus.NewDesc("cams_discovery_last_success_timestamp_seconds",
			"Unix time of the last successful discovery of spaces.", nil, nil),
		failuresDesc: prometheus.NewDesc("cams_discovery_failures_total",
			"Discoveries of spaces that failed; the previous list is kept.", nil, nil),
	}
}

// SetOnChange sets what runs after the list changed, and after the first
// answer (see Answered); call it before Run.
func (d *Discoverer) SetOnChange(f func()) { d.onChange = f }

// Spaces returns the spaces of the last successful discovery, sorted.
// Callers must not modify it.
func (d *Discoverer) Spaces() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.spaces
}

// Answered reports whether a discovery has succeeded since start: until
// then Spaces may miss any space of the account.
func (d *Discoverer) Answered() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return !d.lastSuccess.IsZero()
}

// Discover lists the spaces once. On failure the previous list stays. An
// id that is not valid UTF-8 is left out with a warning, the others kept.
func (d *Discoverer) Discover(ctx context.Context) error {
	found, err := d.lister.ListAllSpaces(ctx, d.channelType, pageSize)
	if err == nil {
		found = d.leaveOutUnusable(found)
	}
	d.mu.Lock()
	if err != nil {
		d.failures++
		d.mu.Unlock()
		return err
	}
	slices.Sort(found)
	changed := !slices.Equal(found, d.spaces)
	if changed {
		// Only a changed list is a new slice: the refresher goes over
		// every space when the slice it is given changes (Union, Spaces).
		d.spaces = found
	}
	first := d.lastSuccess.IsZero() // the list is complete from now on (Answered)
	d.lastSuccess = time.Now()
	d.mu.Unlock()
	if changed {
		level.Info(d.logger).Log("msg", "discovered spaces", "spaces", len(found))
	}
	if changed || first {
		d.onChange()
	}
	return nil
}

// RetryAfterFailure is how soon a failed discovery is tried again, when the
// interval is longer: a blip at start-up must not leave the exporter without
// spaces for an hour.
const RetryAfterFailure = time.Minute

// Run discovers now and then every interval until ctx ends; after a failure
// it tries again within a minute.
func (d *Discoverer) Run(ctx context.Context) {
	for {
		wait := d.interval
		if err := d.Discover(ctx); err != nil && ctx.Err() == nil {
			wait = min(wait, d.retry)
			level.Warn(d.logger).Log("msg", "space discovery failed; keeping the previous list", "err", err, "retry_in", wait)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// Describe implements prometheus.Collector.
func (d *Discoverer) Describe(ch chan<- *prometheus.Desc) {
	ch <- d.countDesc
	ch <- d.lastSuccessDesc
	ch <- d.failuresDesc
}

// Collect implements prometheus.Collector.
func (d *Discoverer) Collect(ch chan<- prometheus.Metric) {
	d.mu.Lock()
	defer d.mu.Unlock()
	ch <- prometheus.MustNewConstMetric(d.countDesc, prometheus.GaugeValue, float64(len(d.spaces)))
	if !d.lastSuccess.IsZero() {
		ch <- prometheus.MustNewConstMetric(d.lastSuccessDesc, prometheus.GaugeValue, float64(d.lastSuccess.UnixNano())/1e9)
	}
	ch <- prometheus.MustNewConstMetric(d.failuresDesc, prometheus.CounterValue, float64(d.failures))
}
