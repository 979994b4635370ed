package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"

	"github.com/cams-exporter/cams_exporter/cache"
	"github.com/cams-exporter/cams_exporter/client"
)

// serveExporter runs the exporter until ctx ends and returns the exit code.
func serveExporter(ctx context.Context, o *exporterOptions) int {
	if err := interruptible(ctx, o.validate); err != nil {
		fmt.Fprintf(os.Stderr, "cams_exporter: %s\n", startFailure(err))
		return exitCodeOf(err)
	}
	cacheLock, err := lockCacheFile(ctx, o.cacheFile)
	cacheReadOnly := errors.Is(err, cache.ErrReadOnly)
	if err != nil && !cacheReadOnly {
		fmt.Fprintf(os.Stderr, "cams_exporter: %s\n", startFailure(err))
		return exitCodeOf(err)
	}
	defer cacheLock.Release()
	logs := newLoggers(o.logFormat, o.logLevel)
	logger := logs.Logger
	level.Info(logger).Log("msg", "starting cams_exporter", "version", version.Info(), "build_context", version.BuildContext())
	if cacheReadOnly {
		level.Warn(logger).Log("msg", "the cache file is restored but never written: its directory cannot be written", "file", o.cacheFile, "err", err)
	}
	var creds client.CredentialsProvider
	if o.demo {
		d, err := startDemo(ctx, o, logger)
		if err != nil {
			level.Error(logger).Log("msg", "cannot start the demo", "err", err)
			return 1
		}
		defer d.Close()
		creds = d.credentials
		demoFlowStatus(o)
		demoSources(o)
	}
	var e *exporter
	err = interruptible(ctx, func() (err error) {
		e, err = newExporter(o, creds, logger)
		return err
	})
	if errors.Is(err, errInterrupted) {
		level.Info(logger).Log("msg", "stopped during start-up")
		return 0
	}
	if err != nil {
		level.Error(logger).Log("msg", "cannot start", "err", err)
		return 1
	}
	e.cacheReadOnly = cacheReadOnly
	warnAboutRate(o, logger)
	level.Info(logger).Log("msg", "watching spaces", "spaces", len(e.spaces.List()), "endpoint", e.client.Endpoint(), "refresh_interval", o.refreshInterval)
	refreshCtx, cancelRefresh := context.WithCancel(ctx)
	wait := e.start(refreshCtx)
	err = explainListenError(serveHTTP(ctx, e, logs))
	cancelRefresh()
	defer e.client.Close()
	if !e.waitStopped(wait, shutdownTimeout, cacheWriteMargin) {
		level.Warn(logger).Log("msg", "background work did not stop in time", "timeout", shutdownTimeout)
	}
	if err != nil {
		level.Error(logger).Log("msg", "cannot serve", "err", err)
		return 1
	}
	level.Info(logger).Log("msg", "stopped")
	return 0
}

// cacheWriteMargin is the end of the background work's shutdown budget kept
// for abandoning the cache's last write (removing its temporary file).
const cacheWriteMargin = time.Second

// waitStopped runs wait, the background work's, and reports whether it
// returned within budget. The cache's write still under way margin before
// budget ends is abandoned then, and the rest of the budget waited for, so
// that the process exits with the new file or the old one, and no
// temporary file.
func (e *exporter) waitStopped(wait func(), budget, margin time.Duration) bool {
	if waitAtMost(wait, budget-margin) {
		return true
	}
	e.abandonCacheWrite()
	return waitAtMost(wait, margin)
}

// waitAtMost runs wait and reports whether it returned within d.
func waitAtMost(wait func(), d time.Duration) bool {
	done := make(chan struct{})
	go func() { wait(); close(done) }()
	select {
	case <-done:
		return true
	case <-time.After(d):
		return false
	}
}

func warnAboutRate(o *exporterOptions, logger log.Logger) {
	if o.rateLimit > 5 && !o.demo {
		level.Warn(logger).Log("msg", "--cams.rate-limit is above CAMS' documented 5 calls per second per account; expect System.LimitControl", "rate_limit", o.rateLimit)
	}
	if o.flowStatus && o.getFlowRateLimit > 5 && !o.demo {
		level.Warn(logger).Log("msg", "--cams.getflow-rate-limit is above CAMS' documented 5 GetFlow calls per second per account; expect System.LimitControl", "getflow_rate_limit", o.getFlowRateLimit)
	}
}

// serveHTTP serves until ctx ends, then drains in-flight requests.
func serveHTTP(ctx context.Context, e *exporter, logs loggers) error {
	logger := logs.Logger
	landing, err := newLandingPage(e.opts)
	if err != nil {
		return err
	}
	srv, requests := newHTTPServer(e.handler(landing), webStallTimeout)
	done := make(chan error, 1)
	go func() { done <- web.ListenAndServe(srv, e.opts.web, logs.slog) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	level.Info(logger).Log("msg", "shutting down")
	if err := shutdown(srv, requests, logger); err != nil {
		return err
	}
	if err := <-done; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
