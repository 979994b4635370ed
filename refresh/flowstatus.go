package refresh

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/internal/failurelog"
	"github.com/cams-exporter/cams_exporter/internal/firstn"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// FlowGetter reads one flow, its status included; *client.Client is one.
type FlowGetter interface {
	GetFlow(ctx context.Context, req client.GetFlowRequest) (*client.GetFlowResponse, error)
}

// Defaults of FlowStatusConfig.
const (
	DefaultFlowStatusInterval = time.Hour
	defaultStatusPollEvery    = 5 * time.Second
	defaultStatusApplyEvery   = time.Second
	// statusQueueSeconds is how many seconds of calls one look at the
	// spaces chooses: new flows wait at most that long behind the chosen.
	statusQueueSeconds = 15
)

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
type FlowStatusChecker struct {
	r   *Refresher
	cfg FlowStatusConfig

	mu       sync.Mutex
	queue    []statusTarget // chosen by the last look, stalest first
	scanned  time.Time      // when the queue was chosen
	dirty    bool           // results were applied since: look again once the queue is empty
	nextDue  time.Time      // when the next flow not due yet comes due
	pass     time.Duration  // the expected pass, from the last look
	inflight map[flowKey]struct{}
	checked  map[flowKey]struct{} // in a CheckAll pass: the flows checked so far
	warned   bool
	failures failurelog.Log
}

// flowKey names a flow of a space.
type flowKey struct{ space, flow string }

// statusTarget is a flow to check and when it was last checked.
type statusTarget struct {
	flowKey
	checked int64
}

// NewFlowStatusChecker returns a checker that applies its statuses to r.
func NewFlowStatusChecker(r *Refresher, cfg FlowStatusConfig) *FlowStatusChecker {
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultFlowStatusInterval
	}
	if cfg.Concurrency < 1 {
		cfg.Concurrency = int(min(max(math.Ceil(cfg.Rate*2), 2), 32))
	}
	if cfg.PollEvery <= 0 {
		cfg.PollEvery = defaultStatusPollEvery
	}
	if cfg.ApplyEvery <= 0 {
		cfg.ApplyEvery = defaultStatusApplyEvery
	}
	if cfg.Logger == nil {
		cfg.Logger = log.NewNopLogger()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &FlowStatusChecker{r: r, cfg: cfg, inflight: map[flowKey]struct{}{}}
}

// Run checks flows as they come due until ctx ends. The statuses known at
// the end are applied and published before it returns, so that a cache
// written after it holds them.
func (c *FlowStatusChecker) Run(ctx context.Context) {
	level.Info(c.cfg.Logger).Log("msg", "checking every flow's status with GetFlow, the stalest first", "interval", c.cfg.Interval, "rate_per_second", c.cfg.Rate)
	c.run(ctx, false)
}

// CheckAll checks every flow of the spaces with data once, whatever its
// last check, and returns the snapshot published at the end. A run cut
// short by ctx keeps what it checked.
func (c *FlowStatusChecker) CheckAll(ctx context.Context) *snapshot.Snapshot {
	c.mu.Lock()
	c.checked = map[flowKey]struct{}{}
	c.mu.Unlock()
	c.run(ctx, true)
	c.mu.Lock()
	c.checked = nil
	c.mu.Unlock()
	return c.r.Snapshot()
}

// run checks flows until ctx ends or, once, until every flow was checked
// in this run.
func (c *FlowStatusChecker) run(ctx context.Context, once bool) {
	results := make(chan statusResult, c.cfg.Concurrency)
	collected := make(chan struct{})
	go func() { c.collect(results); close(collected) }()
	slots := make(chan struct{}, c.cfg.Concurrency)
	var wg sync.WaitGroup
	for c.acquire(ctx, slots) {
		t, wait, ok := c.next(once)
		if !ok {
			<-slots
			if wait < 0 {
				break // once: every flow checked
			}
			if !sleepCtx(ctx, wait) {
				break
			}
			continue
		}
		wg.Go(func() {
			defer func() { <-slots }()
			results <- c.check(ctx, t)
		})
	}
	wg.Wait()
	close(results)
	<-collected
	c.r.flushHeld() // what applyFlowStatuses held back
}

// acquire takes a worker slot and, with a pacer, waits for the next call's
// turn; false when ctx ended.
func (c *FlowStatusChecker) acquire(ctx context.Context, slots chan struct{}) bool {
	select {
	case slots <- struct{}{}:
	case <-ctx.Done():
		return false
	}
	if c.cfg.Pacer != nil {
		if err := c.cfg.Pacer.Wait(ctx); err != nil {
			<-slots
			return false
		}
	}
	return true
}

// next returns the next flow to check, marked in flight; without one, how
// long to wait before looking again, negative when a once pass has nothing
// left to call.
func (c *FlowStatusChecker) next(once bool) (statusTarget, time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.cfg.Now()
	if now.Sub(c.scanned) >= c.lookEvery() || (len(c.queue) == 0 && (once || c.dirty || !now.Before(c.nextDue))) {
		c.scanLocked(now, once)
	}
	for len(c.queue) > 0 {
		t := c.queue[0]
		c.queue = c.queue[1:]
		if _, busy := c.inflight[t.flowKey]; !busy {
			c.inflight[t.flowKey] = struct{}{}
			return t, 0, true
		}
	}
	if once {
		// Nothing due but the flows in flight: their results are applied
		// once the last call returns.
		return statusTarget{}, -1, false
	}
	return statusTarget{}, min(max(c.nextDue.Sub(now), 0), c.cfg.PollEvery), false
}

// lookEvery is how long a queue is worth: statusQueueSeconds of calls, or
// PollEvery when it was empty.
func (c *FlowStatusChecker) lookEvery() time.Duration {
	if len(c.queue) == 0 {
		return c.cfg.PollEvery
	}
	return statusQueueSeconds * time.Second
}

// queueLen is how many flows one look chooses.
func (c *FlowStatusChecker) queueLen() int {
	return int(min(max(c.cfg.Rate*statusQueueSeconds, 8), 10000))
}

// scanLocked looks at every flow of the watched spaces and queues the
// stalest of those due (never checked first, then the oldest checks; a
// check from the future is not trusted), notes when the next one comes due
// and the expected pass, and warns once when that pass is longer than the
// interval. With once, a flow is due when not checked in this run.
func (c *FlowStatusChecker) scanLocked(now time.Time, once bool) {
	c.scanned, c.dirty = now, false
	sec, iv := now.Unix(), int64(c.cfg.Interval/time.Second)
	due := func(key flowKey, checked int64) bool {
		if once {
			_, done := c.checked[key]
			return !done
		}
		return checked == 0 || checked > sec || checked+iv <= sec
	}
	trusted := func(checked int64) int64 {
		if checked > sec {
			return 0 // from the future: taken for never checked
		}
		return checked
	}
	chosen := &firstn.Keeper[statusTarget]{Max: c.queueLen(), Before: staler}
	next, flows := int64(math.MaxInt64), 0
	for _, ref := range c.r.statusTargets() {
		flows += len(ref.st.FlowIDs)
		for i, id := range ref.st.FlowIDs {
			key, checked := flowKey{ref.id, id}, ref.st.Statuses.Checked(i)
			if !due(key, checked) {
				next = min(next, checked+iv)
				continue
			}
			t := statusTarget{key, trusted(checked)}
			if _, busy := c.inflight[t.flowKey]; !busy {
				chosen.Offer(t)
			}
		}
	}
	c.queue = chosen.Sorted()
	c.nextDue = time.Unix(next, 0)
	if next == math.MaxInt64 {
		c.nextDue = now.Add(c.cfg.Interval)
	}
	if c.cfg.Rate > 0 {
		c.pass = time.Duration(float64(flows) / c.cfg.Rate * float64(time.Second))
	}
	if !once && !c.warned && c.pass > c.cfg.Interval {
		c.warned = true
		level.Warn(c.cfg.Logger).Log("msg", "the flow-status interval is out of reach: checking every flow takes longer at this rate; flows are checked back to back, the stalest first, and each status is as old as a pass",
			"flows", flows, "rate_per_second", c.cfg.Rate, "expected_pass", c.pass.Round(time.Second), "flow_status_interval", c.cfg.Interval)
	}
}

// check calls GetFlow for t with the slot its caller waited for. A call cut
// short by ctx is no check: its result has no time and is not applied.
func (c *FlowStatusChecker) check(ctx context.Context, t statusTarget) statusResult {
	callCtx := ctx
	if c.cfg.Pacer != nil {
		callCtx = client.WithLimiterSlot(ctx)
	}
	resp, err := c.cfg.Getter.GetFlow(callCtx, client.GetFlowRequest{FlowID: t.flow, CustSpaceID: t.space})
	res := statusResult{space: t.space, flow: t.flow, checked: c.cfg.Now().Unix()}
	switch {
	case err != nil && ctx.Err() != nil:
		res.checked = 0
	case err != nil:
		res.err = snapshot.NewErrorInfo(err)
	case resp.Data.FlowID != t.flow:
		res.err = &snapshot.ErrorInfo{Code: client.CodeInvalidResponse, RequestID: resp.RequestID, Class: client.ClassInvalidResponse.String(),
			Message: client.Cut(fmt.Sprintf("GetFlow answered flow %q when asked for %q", resp.Data.FlowID, t.flow), client.MaxTextBytes)}
	default:
		res.status = resp.Data.Status
	}
	return res
}

// collect applies the results every ApplyEvery, and what is left when
// results closes, then frees their flows for the next look.
func (c *FlowStatusChecker) collect(results <-chan statusResult) {
	tick := time.NewTicker(c.cfg.ApplyEvery)
	defer tick.Stop()
	var batch []statusResult
	apply := func() {
		var done []statusResult
		for _, res := range batch {
			if res.checked != 0 {
				done = append(done, res)
			}
		}
		c.mu.Lock()
		pass := c.pass
		c.mu.Unlock()
		c.r.applyFlowStatuses(done, pass)
		c.mu.Lock()
		for _, res := range batch {
			key := flowKey{res.space, res.flow}
			delete(c.inflight, key)
			if c.checked != nil && res.checked != 0 {
				c.checked[key] = struct{}{}
			}
		}
		c.dirty = c.dirty || len(batch) > 0
		noteFailures(&c.failures, c.cfg.Logger, c.cfg.Now(), done)
		c.mu.Unlock()
		batch = batch[:0]
	}
	for {
		select {
		case res, ok := <-results:
			if !ok {
				apply()
				return
			}
			batch = append(batch, res)
		case <-tick.C:
			apply()
		}
	}
}

// sleepCtx waits d; false when ctx ended first.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

// staler orders targets: the older check first (never checked is oldest),
// then by space and flow, so that a space's flows are checked together.
func staler(a, b statusTarget) bool {
	if a.checked != b.checked {
		return a.checked < b.checked
	}
	if a.space != b.space {
		return a.space < b.space
	}
	return a.flow < b.flow
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
