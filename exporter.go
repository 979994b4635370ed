package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/version"

	"github.com/cams-exporter/cams_exporter/cache"
	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/discovery"
	"github.com/cams-exporter/cams_exporter/engine"
	"github.com/cams-exporter/cams_exporter/exposition"
	"github.com/cams-exporter/cams_exporter/health"
	"github.com/cams-exporter/cams_exporter/refresh"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/spaces"
)

// exporter is the wired exporter: client, spaces, refresher and metrics.
type exporter struct {
	opts      *exporterOptions
	logger    log.Logger
	client    *client.Client
	spaces    *spaces.Set
	discovery *discovery.Discoverer // nil without --cams.discover-spaces
	watched   func() []string       // configured and discovered spaces
	refresher *refresh.Refresher
	statuses  *refresh.FlowStatusChecker // nil without --collector.flow-status
	// engine composes the refresher's snapshots with the sources' states:
	// its snapshot is what every reader reads.
	engine   *engine.Engine
	registry *prometheus.Registry // the exporter's own metrics
	metrics  collector.Options    // the snapshot's metrics
	checker  health.Checker
	// restored is the snapshot restored from the cache file, which the
	// file holds already; nil if nothing was restored.
	restored *snapshot.Snapshot
	// cacheContents is what was read of the cache file, restored is made
	// of: its writer appends to it.
	cacheContents *cache.Contents
	// cacheReadOnly is true when the cache file's directory cannot be
	// written: the file is restored, never written.
	cacheReadOnly bool
	// abandonCacheWrite abandons the cache's write under way, if any (see
	// waitStopped); set by start.
	abandonCacheWrite func()
}

// newExporter wires the exporter from validated options. creds may be nil
// for credentials-go's default chain.
func newExporter(o *exporterOptions, creds client.CredentialsProvider, logger log.Logger) (*exporter, error) {
	spaceSet, err := spaces.NewSet(o.spaces, o.spacesFile)
	if err != nil {
		return nil, err
	}
	if err := spaceSet.Skipped(); err != nil {
		level.Error(logger).Log("msg", "spaces file: ids left out", "file", o.spacesFile, "err", err)
	}
	api := collector.NewAPIMetrics()
	c, err := client.New(client.Config{
		Region: o.region, Endpoint: o.endpoint, AllowInsecure: o.insecureEndpoint,
		Credentials: creds, RateLimit: o.rateLimit, GetFlowRateLimit: o.getFlowRateLimit, Rates: sourceRates(o.sources), MaxRetries: retriesFlag(o.maxRetries), Timeout: o.timeout,
		Observer: api, UserAgent: "cams_exporter/" + version.Version,
	})
	if err != nil {
		return nil, err
	}
	var disc *discovery.Discoverer
	watched := spaceSet.List
	var complete func() bool // the list is always complete
	// A space no longer watched keeps its state for the longest of an
	// hour, two refresh intervals and two discovery intervals (one answer
	// that missed it).
	forgetAfter := max(refresh.DefaultForgetAfter, 2*o.refreshInterval)
	if o.discoverSpaces {
		disc = discovery.New(c, o.discoverChannel, o.discoverInterval, logger)
		watched = spaces.Union(explicitSpaces(o, spaceSet), disc.Spaces)
		complete = disc.Answered
		forgetAfter = max(forgetAfter, 2*o.discoverInterval)
	}
	r := refresh.New(refresh.Config{
		Lister: c, Pacer: c.Limiter(), Spaces: watched, SpacesComplete: complete, ForgetAfter: forgetAfter, Interval: o.refreshInterval, FlowName: o.flowName,
		PageSize: o.pageSize, MaxPages: o.maxPages, Rate: o.rateLimit, KeepFlows: o.flowInfo, Logger: logger,
		// Only a little jitter: a first pass of many spaces is worth more
		// than keeping restarted replicas, which share the account's
		// budget anyway, out of step.
		FirstDelay: min(o.refreshInterval/10, time.Second),
	})
	started := time.Now()
	// The exporter's own metrics, gathered at every scrape; the snapshot's
	// are rendered by package exposition.
	reg := prometheus.NewRegistry()
	reg.MustRegister(versioncollector.NewCollector("cams_exporter"), api)
	if disc != nil {
		reg.MustRegister(disc)
	}
	if !o.disableExporterMetrics {
		reg.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), collectors.NewGoCollector())
	}
	eng := engine.New(r, engine.NewWatched(watched, complete))
	e := &exporter{
		opts: o, logger: logger, client: c, spaces: spaceSet, discovery: disc, watched: watched, refresher: r, engine: eng, registry: reg,
		metrics: collector.Options{FlowInfo: o.flowInfo, RefreshInterval: o.refreshInterval, StartTime: started, LimiterRate: c.Limiter().Rate, ErrorCodes: api.Codes()},
		checker: health.Checker{Snapshot: eng.Snapshot, MaxStaleness: o.maxStaleness, RefreshInterval: o.refreshInterval, Started: started,
			LimiterRate: c.Limiter().Rate, LimiterMaxRate: c.Limiter().MaxRate()},
	}
	if o.flowStatus {
		e.wireFlowStatus(api)
	}
	e.wireSources(api, forgetAfter)
	e.restoreCache()
	return e, nil
}

// explicitSpaces lists the spaces given by flag or file. With discovery and
// neither, that is none: the account's own space is the default only when
// nothing else is watched.
func explicitSpaces(o *exporterOptions, set *spaces.Set) func() []string {
	if len(o.spaces) == 0 && o.spacesFile == "" {
		return func() []string { return nil }
	}
	return set.List
}

func (e *exporter) cacheMeta() cache.Meta {
	return cache.Meta{Endpoint: e.client.Endpoint(), FlowName: e.opts.flowName, FlowInfo: e.opts.flowInfo}
}

// restoreCache serves the data of the cache file at once, if there is a good
// one; a bad one is ignored with a warning.
func (e *exporter) restoreCache() {
	if e.opts.cacheFile == "" {
		return
	}
	contents, err := cache.ReadWith(e.opts.cacheFile, e.cacheMeta(), e.sourceCodecs())
	var states map[string]*snapshot.SpaceState
	if contents != nil {
		states = contents.States
		logJournal(e.logger, contents.Journal)
		logDropped(e.logger, contents.Dropped)
	}
	switch {
	case err != nil:
		level.Warn(e.logger).Log("msg", "ignoring the cache file; every space will be listed afresh", "err", err)
	case contents != nil && (len(states) > 0 || len(contents.Parts) > 0 || len(contents.Retained) > 0):
		if !e.opts.flowStatus {
			for _, st := range states {
				st.Statuses = nil // not exported, not kept
			}
		}
		if n := e.refresher.Restore(states); n > 0 {
			level.Info(e.logger).Log("msg", "serving cached data until each space is refreshed, the stalest first", "file", e.opts.cacheFile, "spaces", n)
		}
		for _, r := range e.engine.Runners() {
			r.Restore(contents.Parts[r.Source().Name()])
			r.RestoreRetained(contents.Retained[r.Source().Name()])
		}
		contents.States, contents.Parts, contents.Retained = nil, nil, nil // the engine's now
		e.restored, e.cacheContents = e.engine.Snapshot(), contents
	}
}

// sourceCodecs returns the codec of each source that is on, which reads
// its parts back from the cache.
func (e *exporter) sourceCodecs() cache.Codecs {
	codecs := cache.Codecs{}
	for _, r := range e.engine.Runners() {
		if d, ok := r.Source().(interface {
			Decode(json.RawMessage) (any, error)
		}); ok {
			codecs[r.Source().Name()] = d.Decode
		}
	}
	return codecs
}

// logDropped says which sources' parts the cache's restore left out: a
// warning when they did not decode, a note when their collector is off.
func logDropped(logger log.Logger, dropped []*cache.DroppedParts) {
	for _, d := range dropped {
		if d.Err != nil {
			level.Warn(logger).Log("msg", "left out of the cache's restore; those spaces are called afresh", "err", d)
			continue
		}
		level.Info(logger).Log("msg", "left out of the cache's restore: the collector is off", "collector", d.Source, "parts", d.Parts)
	}
}

// logJournal says what became of the cache file's journal, if it was not
// applied whole: a warning when its writes were lost.
func logJournal(logger log.Logger, err error) {
	switch {
	case errors.Is(err, cache.ErrJournalIgnored):
		level.Warn(logger).Log("msg", "ignoring the cache journal; restoring the cache file as of its last whole write", "err", err)
	case err != nil:
		level.Info(logger).Log("msg", "the cache journal was not restored whole", "err", err)
	}
}

// retriesFlag maps --cams.max-retries to client.Config, where 0 means the
// default and a negative number none.
func retriesFlag(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

// start runs the refresher, the spaces-file watcher and the cache writer
// until ctx ends. The returned wait blocks until they have stopped, the
// cache's last write included (see waitStopped for a bounded wait).
func (e *exporter) start(ctx context.Context) (wait func()) {
	var wg sync.WaitGroup
	run := func(f func()) {
		wg.Add(1)
		go func() { defer wg.Done(); f() }()
	}
	if e.discovery != nil {
		e.discovery.SetOnChange(e.engine.Wake)
		run(func() { e.discovery.Run(ctx) })
	}
	engineDone := make(chan struct{})
	run(func() { e.engine.Run(ctx); close(engineDone) })
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	run(func() {
		defer signal.Stop(hup)
		e.spaces.Watch(ctx, hup, 30*time.Second, e.logger, e.engine.Wake)
	})
	e.abandonCacheWrite = func() {}
	// Held here, the restored snapshot would keep every restored state for
	// the process's life, long after listings replaced them: the writer
	// takes them, or nobody.
	restored, contents := e.restored, e.cacheContents
	e.restored, e.cacheContents = nil, nil
	if e.opts.cacheFile != "" && !e.cacheReadOnly {
		w := &cache.Writer{Path: e.opts.cacheFile, Meta: e.cacheMeta(), Snapshot: e.engine.Snapshot, Restored: restored, Contents: contents, Logger: e.logger}
		writerCtx, stopWriter := context.WithCancel(context.Background())
		deadline, abandon := context.WithCancel(context.Background())
		e.abandonCacheWrite = abandon
		run(func() { w.Run(writerCtx, deadline) })
		// The last write waits for the engine (the refresher, the status
		// checks, the sources), so it holds their last results.
		run(func() { <-engineDone; stopWriter() })
	}
	return wg.Wait
}

// handler serves /metrics, the health endpoints and the landing page.
func (e *exporter) handler(landing http.Handler) http.Handler {
	mux := http.NewServeMux()
	var metrics http.Handler = exposition.NewHandler(exposition.Options{
		Snapshot: e.engine.Snapshot, Metrics: e.metrics, Gatherer: e.registry,
		MaxRequests: e.opts.maxRequests, ErrorLog: promhttpLogger{e.logger},
	})
	if !e.opts.disableExporterMetrics {
		metrics = promhttp.InstrumentMetricHandler(e.registry, metrics)
	}
	mux.Handle(e.opts.telemetryPath, metrics)
	mux.HandleFunc("/healthz", health.Healthz)
	mux.HandleFunc("/readyz", e.checker.Readyz)
	mux.Handle("/status", limitInFlight(http.HandlerFunc(e.checker.StatusHandler), statusMaxRequests, "/status"))
	if landing != nil && e.opts.telemetryPath != "/" {
		mux.Handle("/", landing)
	}
	return mux
}

// promhttpLogger logs promhttp's errors through go-kit.
type promhttpLogger struct{ log.Logger }

func (l promhttpLogger) Println(v ...any) {
	level.Error(l.Logger).Log("msg", fmt.Sprint(v...))
}
