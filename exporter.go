package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/version"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/health"
	"github.com/cams-exporter/cams_exporter/spaces"
)

// exporter is the wired exporter: client, spaces, refresher and metrics.
type exporter struct {
	opts      *exporterOptions
	logger    log.Logger
	client    *client.Client
	spaces    *spaces.Set
	refresher *collector.Refresher
	registry  *prometheus.Registry
	checker   health.Checker
}

// newExporter wires the exporter from validated options. creds may be nil
// for credentials-go's default chain.
func newExporter(o *exporterOptions, creds client.CredentialsProvider, logger log.Logger) (*exporter, error) {
	spaceSet, err := spaces.NewSet(o.spaces, o.spacesFile)
	if err != nil {
		return nil, err
	}
	api := collector.NewAPIMetrics()
	c, err := client.New(client.Config{
		Region: o.region, Endpoint: o.endpoint, AllowInsecure: o.insecureEndpoint,
		Credentials: creds, RateLimit: o.rateLimit, MaxRetries: retriesFlag(o.maxRetries), Timeout: o.timeout,
		Observer: api, UserAgent: "cams_exporter/" + version.Version,
	})
	if err != nil {
		return nil, err
	}
	r := collector.NewRefresher(collector.RefresherConfig{
		Lister: c, Spaces: spaceSet.List, Interval: o.refreshInterval, FlowName: o.flowName, PageSize: o.pageSize,
		KeepFlows: o.flowInfo, FirstDelay: min(o.refreshInterval/10, 5*time.Second), Logger: logger,
	})
	reg := prometheus.NewRegistry()
	reg.MustRegister(versioncollector.NewCollector("cams_exporter"), api,
		collector.New(r.Snapshot, collector.Options{FlowInfo: o.flowInfo, RefreshInterval: o.refreshInterval, LimiterRate: c.Limiter().Rate}))
	if !o.disableExporterMetrics {
		reg.MustRegister(collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}), collectors.NewGoCollector())
	}
	return &exporter{
		opts: o, logger: logger, client: c, spaces: spaceSet, refresher: r, registry: reg,
		checker: health.Checker{Snapshot: r.Snapshot, MaxStaleness: o.maxStaleness, Started: time.Now(),
			LimiterRate: c.Limiter().Rate, LimiterMaxRate: c.Limiter().MaxRate()},
	}, nil
}

// retriesFlag maps --cams.max-retries to client.Config, where 0 means the
// default and a negative number none.
func retriesFlag(n int) int {
	if n == 0 {
		return -1
	}
	return n
}

// start runs the refresher and the spaces-file watcher until ctx ends.
func (e *exporter) start(ctx context.Context) {
	go e.refresher.Run(ctx)
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		defer signal.Stop(hup)
		e.spaces.Watch(ctx, hup, 30*time.Second, e.logger, e.refresher.Wake)
	}()
}

// handler serves /metrics, the health endpoints and the landing page.
func (e *exporter) handler(landing http.Handler) http.Handler {
	mux := http.NewServeMux()
	var metrics http.Handler = promhttp.HandlerFor(e.registry, promhttp.HandlerOpts{
		ErrorLog:          promhttpLogger{e.logger},
		ErrorHandling:     promhttp.ContinueOnError,
		EnableOpenMetrics: true,
	})
	if !e.opts.disableExporterMetrics {
		metrics = promhttp.InstrumentMetricHandler(e.registry, metrics)
	}
	mux.Handle(e.opts.telemetryPath, metrics)
	mux.HandleFunc("/healthz", health.Healthz)
	mux.HandleFunc("/readyz", e.checker.Readyz)
	mux.HandleFunc("/status", e.checker.StatusHandler)
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
