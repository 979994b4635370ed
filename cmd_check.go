package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/go-kit/log"

	"github.com/cams-exporter/cams_exporter/check"
	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/discovery"
	"github.com/cams-exporter/cams_exporter/engine"
	"github.com/cams-exporter/cams_exporter/refresh"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/spaces"
)

// checkCommandName is check's command word.
const checkCommandName = "check"

// checkCommand refreshes every space once, reads each source that is on
// once, and reports.
type checkCommand struct {
	name      string
	opts      *exporterOptions
	output    string
	slowAfter time.Duration
	timeout   time.Duration
}

func addCheckCommand(app *kingpin.Application) *checkCommand {
	c := &checkCommand{name: checkCommandName}
	cmd := app.Command(c.name, "Refresh every configured space once (and read it with each --collector.<name> turned on), print a report and exit 0 OK, 1 WARNING, 2 CRITICAL or 3 UNKNOWN.")
	cmd.Flag("output", "Report format. One of: [text, json]").Default("text").EnumVar(&c.output, "text", "json")
	cmd.Flag("check.slow", "A space whose listing takes longer than this is a WARNING.").Default("5s").DurationVar(&c.slowAfter)
	cmd.Flag("check.timeout", "Give up after this long: exit 3 (UNKNOWN) naming the spaces and the sources' operations not finished.").Default("60s").DurationVar(&c.timeout)
	flags := newSomeFlags(cmd, checkFlags)
	c.opts = addExporterFlags(flags)
	flags.done()
	return c
}

func (c *checkCommand) run(ctx context.Context) int {
	o := c.opts
	if err := interruptible(ctx, o.validate); err != nil {
		fmt.Fprintf(os.Stderr, "cams_exporter check: %s\n", startFailure(err))
		return int(check.Unknown)
	}
	if c.slowAfter <= 0 {
		fmt.Fprintf(os.Stderr, "cams_exporter check: error: --check.slow must be positive, got %s\n", c.slowAfter)
		return int(check.Unknown)
	}
	if c.timeout <= 0 {
		fmt.Fprintf(os.Stderr, "cams_exporter check: error: --check.timeout must be positive, got %s\n", c.timeout)
		return int(check.Unknown)
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var creds client.CredentialsProvider
	if o.demo {
		d, err := startDemo(ctx, o, log.NewNopLogger())
		if err != nil {
			fmt.Fprintf(os.Stderr, "cams_exporter check: error: cannot start the demo: %v\n", err)
			return int(check.Unknown)
		}
		defer d.Close()
		creds = d.credentials
	}
	result, err := c.evaluate(ctx, o, creds)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cams_exporter check: error: %v\n", err)
		return int(check.Unknown)
	}
	if c.output == "json" {
		_ = result.WriteJSON(os.Stdout)
	} else {
		_ = result.WriteText(os.Stdout)
	}
	return int(result.Status)
}

// evaluate runs one refresh of every space and judges it.
func (c *checkCommand) evaluate(ctx context.Context, o *exporterOptions, creds client.CredentialsProvider) (check.Result, error) {
	set, err := spaces.NewSet(o.spaces, o.spacesFile)
	if err != nil {
		return check.Result{}, err
	}
	if err := set.Skipped(); err != nil {
		fmt.Fprintf(os.Stderr, "cams_exporter check: warning: %v\n", err)
	}
	var throttled atomic.Int64
	cl, err := client.New(client.Config{
		Region: o.region, Endpoint: o.endpoint, AllowInsecure: o.insecureEndpoint, Credentials: creds,
		RateLimit: o.rateLimit, GetFlowRateLimit: o.getFlowRateLimit, Rates: sourceRates(o.sources), MaxRetries: retriesFlag(o.maxRetries), Timeout: o.timeout, UserAgent: "cams_exporter-check",
		Observer: client.ObserverFunc(func(a client.Attempt) {
			if a.Throttled {
				throttled.Add(1)
			}
		}),
	})
	if err != nil {
		return check.Result{}, err
	}
	watched := set.List
	if o.discoverSpaces {
		d := discovery.New(cl, o.discoverChannel, o.discoverInterval, log.NewNopLogger())
		if err := d.Discover(ctx); err != nil {
			if c.timedOut(ctx) {
				return check.Result{}, fmt.Errorf("--check.timeout %s expired while discovering the account's spaces", c.timeout)
			}
			return check.Result{}, fmt.Errorf("cannot discover the account's spaces: %w", err)
		}
		watched = spaces.Union(explicitSpaces(o, set), d.Spaces)
	}
	snap := readOnce(ctx, o, cl, watched)
	in := check.Input{Snapshot: snap, Watched: watched(), Throttled: int(throttled.Load()), SlowAfter: c.slowAfter, FlowStatus: o.flowStatus}
	switch {
	case c.timedOut(ctx):
		in.TimedOut = c.timeout
	case ctx.Err() != nil:
		return check.Result{}, ctx.Err()
	}
	return check.Evaluate(in), nil
}

// readOnce builds the engine as serve does and makes every call once: the
// listings (then, with --collector.flow-status, GetFlow for each flow
// listed) and, beside them, each source that is on, a source after those
// it needs; each operation waits on its own limiter only. It returns the
// snapshot at the end, with what a run cut short by ctx got.
func readOnce(ctx context.Context, o *exporterOptions, cl *client.Client, watched func() []string) *snapshot.Snapshot {
	r := refresh.New(refresh.Config{Lister: cl, Pacer: cl.Limiter(), Spaces: watched, FlowName: o.flowName, PageSize: o.pageSize,
		MaxPages: o.maxPages, Rate: o.rateLimit, Logger: log.NewNopLogger()})
	eng := engine.New(r, engine.NewWatched(watched, nil))
	for _, f := range enabledSources(o.sources) {
		// Results are applied every 100 ms rather than every second: a
		// source that needs another waits for its last answers.
		f.spec.build(cl, f, o, log.NewNopLogger()).add(eng, engine.Config{Pacer: cl.LimiterOf(f.spec.operation), Rate: f.rate, ApplyEvery: 100 * time.Millisecond})
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		r.Refresh(ctx)
		if o.flowStatus {
			// GetFlow only with --collector.flow-status: every flow of the
			// spaces listed, once, on GetFlow's own limiter.
			refresh.NewFlowStatusChecker(r, refresh.FlowStatusConfig{Getter: cl, Pacer: cl.GetFlowLimiter(), Rate: o.getFlowRateLimit}).CheckAll(ctx)
		}
	})
	eng.RunOnce(ctx)
	wg.Wait()
	return eng.Snapshot()
}

// timedOut reports whether ctx, the run's, ended because --check.timeout
// expired rather than because of a signal.
func (c *checkCommand) timedOut(ctx context.Context) bool {
	return errors.Is(ctx.Err(), context.DeadlineExceeded)
}
