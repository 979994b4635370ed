package refresh

import (
	"context"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/engine"
	"github.com/cams-exporter/cams_exporter/internal/failurelog"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// FlowGetter reads one flow, its status included; *client.Client is one.
type FlowGetter interface {
	GetFlow(ctx context.Context, req client.GetFlowRequest) (*client.GetFlowResponse, error)
}

// DefaultFlowStatusInterval is the default of FlowStatusConfig.Interval.
const DefaultFlowStatusInterval = time.Hour

// FlowStatusConfig configures a FlowStatusChecker.
type FlowStatusConfig struct {
	Getter FlowGetter
	// Pacer is GetFlow's account limiter (client.GetFlowLimiter). With it,
	// the checker waits for a slot, then chooses the stalest flow and
	// calls with that slot (client.WithLimiterSlot). Without it, calls go
	// as fast as Concurrency allows.
	Pacer Pacer
	// Rate is GetFlow's configured rate in calls per second, for the
	// expected pass and the default Concurrency.
	Rate float64
	// Interval is how old a flow's last check must be before it is
	// checked again (default DefaultFlowStatusInterval). When the rate
	// cannot check every flow within it, flows are checked back to back,
	// the stalest first, and each status is as old as a pass.
	Interval time.Duration
	// Concurrency is how many calls may be under way at once, so that
	// slow answers do not hold back the rate. Default: two seconds of
	// calls at Rate, between 2 and 32.
	Concurrency int
	// PollEvery is how often an idle checker looks for flows come due or
	// newly listed (default 5s); ApplyEvery how often results are applied
	// and published (default 1s).
	PollEvery, ApplyEvery time.Duration
	Logger                log.Logger
	Now                   func() time.Time
}

// FlowStatusChecker checks the status of every flow of every watched space
// with GetFlow, on its own account limiter, the stalest first, each flow
// at most every Interval, and applies the statuses to the refresher's
// states. It only reads the flows the listings found: a flow removed from a
// space is forgotten with its next listing, and a new one is checked before
// any other. It never calls ListFlow nor waits on its limiter, so it never
// delays a listing.
//
// It is an engine.Runner of the GetFlow source (flowStatusSource) whose
// parts are the flows' states (statusStore).
type FlowStatusChecker struct {
	runner *engine.Runner
	r      *Refresher
}

// NewFlowStatusChecker returns a checker that applies its statuses to r.
func NewFlowStatusChecker(r *Refresher, cfg FlowStatusConfig) *FlowStatusChecker {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultFlowStatusInterval
	}
	if cfg.Logger == nil {
		cfg.Logger = log.NewNopLogger()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	var pacer engine.Pacer
	if cfg.Pacer != nil {
		pacer = cfg.Pacer
	}
	runner := engine.NewRunner(engine.Config{
		Source: flowStatusSource{getter: cfg.Getter, interval: cfg.Interval}, Pacer: pacer, Rate: cfg.Rate, Interval: cfg.Interval,
		Watched: engine.NewWatched(r.cfg.Spaces, r.cfg.SpacesComplete), Store: &statusStore{r: r, logger: cfg.Logger, now: cfg.Now},
		AcrossSpaces: true, Concurrency: cfg.Concurrency, PollEvery: cfg.PollEvery, ApplyEvery: cfg.ApplyEvery, Logger: cfg.Logger, Now: cfg.Now,
	})
	return &FlowStatusChecker{runner: runner, r: r}
}

// Run checks flows as they come due until ctx ends. The statuses known at
// the end are applied and published before it returns, so that a cache
// written after it holds them.
func (c *FlowStatusChecker) Run(ctx context.Context) { c.runner.Run(ctx) }

// CheckAll checks every flow of the spaces with data once, whatever its
// last check, and returns the snapshot published at the end. A run cut
// short by ctx keeps what it checked.
func (c *FlowStatusChecker) CheckAll(ctx context.Context) *snapshot.Snapshot {
	c.runner.RunOnce(ctx)
	return c.r.Snapshot()
}

// statusStore keeps GetFlow's results in the refresher's states, where
// every reader reads them (engine.Store).
type statusStore struct {
	r        *Refresher
	logger   log.Logger
	now      func() time.Time
	failures failurelog.Log // the runner applies from one goroutine at a time
}

// Snapshot is the refresher's last snapshot: applyFlowStatuses publishes
// at once, so that it holds every result applied.
func (s *statusStore) Snapshot() *snapshot.Snapshot { return s.r.Snapshot() }

// Apply applies the checks of the batch and the expected pass to the
// refresher's states, and logs the failures.
func (s *statusStore) Apply(bySpace map[string][]engine.Done, pass time.Duration) {
	var results []statusResult
	for _, done := range bySpace {
		for _, d := range done {
			results = append(results, resultOf(d))
		}
	}
	s.r.applyFlowStatuses(results, pass)
	noteFailures(&s.failures, s.logger, s.now(), results)
}

// noteFailures logs the failed checks of results by code, through l: a
// code's first failure at once, then at most once an hour with the count
// since, never once per flow.
func noteFailures(l *failurelog.Log, logger log.Logger, now time.Time, results []statusResult) {
	for _, res := range results {
		if res.err == nil {
			continue
		}
		if n, last, ok := l.Note(res.err.Code, now); ok {
			level.Warn(logger).Log("msg", "GetFlow failed: flow statuses are not refreshed (the spaces' listings are not affected)",
				"code", res.err.Code, "failed_checks", n, "since", failurelog.Since(last), "space", res.space, "flow", res.flow, "err", res.err.Message)
		}
	}
}
