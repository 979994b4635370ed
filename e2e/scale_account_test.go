package e2e

import (
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/exposition"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// A model of a 10,000-space account as a running exporter knows it, served
// by the exporter's own exposition: the dashboard test loads it into a real
// Prometheus.
const (
	scaleSpaces   = 10_000
	scalePending  = 40 // watched spaces without a state yet
	scaleInterval = 5 * time.Minute
	// scalePass is the expected pass over 10,000 spaces at 4 calls/s: the
	// refresh period, being longer than the interval.
	scalePass = 42 * time.Minute
	// scaleRefreshes is cams_refreshes_total before the first scrape; each
	// scrape adds one.
	scaleRefreshes = 50
)

// scaleFailing are the model's failing spaces, by index: some with data
// kept from their last success, a few never listed successfully.
var scaleFailing = []struct {
	from, to int
	code     string
	hasData  bool
}{
	{9000, 9600, "Ram.PermissionDeny", true},
	{9600, 9750, "Product.Unsubscript", true},
	{9750, 9790, "Unknown.ResourceOwnerId", true},
	{9790, 9800, "TooManyPages", true},
	{9800, 9805, "Ram.PermissionDeny", false},
	{9805, 9808, "Unknown.ResourceOwnerId", false},
}

// scaleSpace is one space of the model.
type scaleSpace struct {
	id      string
	flows   int
	hasData bool
	code    string // of the last error; "" while the space is up
	// lastSuccess is when the last listing succeeded (zero without data);
	// a mover's is the time of the scrape.
	lastSuccess time.Time
	mover       bool // listed again before every scrape
	// added and removed count the flow changes before the first scrape;
	// each scrape adds churn to both (flows replaced), and growth new flows.
	added, removed, churn, growth uint64
	categories                    map[string]int // flows by category
	statuses                      map[string]int // flows by status, "" for not known; nil: never checked
	flowStatuses                  *snapshot.FlowStatuses
	index                         int              // in the model
	src                           scaleSourceSpace // numbers, WABA, health (scale_sources_test.go)
}

func (sp *scaleSpace) up() bool { return sp.code == "" }

// flowsAt is the space's flow count as served at the scrape-th scrape.
func (sp *scaleSpace) flowsAt(scrape int) int { return sp.flows + scrape*int(sp.growth) }

// changesPerScrape is how many flows are added and removed at each scrape.
func (sp *scaleSpace) changesPerScrape() uint64 { return 2*sp.churn + sp.growth }

// age is how old the space's data is at t; a mover's is about 0.
func (sp *scaleSpace) age(t time.Time) time.Duration {
	if sp.mover {
		return 0
	}
	return t.Sub(sp.lastSuccess)
}

// state is the space's state as the refresher would publish it before the
// scrape-th scrape, at now.
func (sp *scaleSpace) state(scrape int, now time.Time) *snapshot.SpaceState {
	st := &snapshot.SpaceState{ID: sp.id, Up: sp.up(), HasData: sp.hasData, LastAttempt: now}
	if !sp.up() {
		st.LastError = &snapshot.ErrorInfo{Code: sp.code, Message: "the model's failure", Class: "permanent"}
	}
	if sp.hasData {
		// A grower's new flows have no category and no status yet.
		st.Count, st.ByCategory, st.Statuses = sp.flowsAt(scrape), sp.categories, sp.flowStatuses
		st.LastSuccess = sp.lastSuccess
		if sp.mover {
			st.LastSuccess = now
		}
		st.Added = sp.added + uint64(scrape)*(sp.churn+sp.growth)
		st.Removed = sp.removed + uint64(scrape)*sp.churn
	}
	return st
}

// scaleAccount is the model: its spaces, made once from a fixed seed.
type scaleAccount struct {
	start  time.Time
	spaces []*scaleSpace
}

func newScaleAccount(start time.Time) *scaleAccount {
	r := rand.New(rand.NewPCG(scaleSpaces, 17))
	a := &scaleAccount{start: start}
	for i := range scaleSpaces {
		sp := &scaleSpace{id: fmt.Sprintf("cams-%05d", i), hasData: true, index: i}
		if i == 0 {
			sp.id = "" // the account's own space
		}
		for _, f := range scaleFailing {
			if i >= f.from && i < f.to {
				sp.code, sp.hasData = f.code, f.hasData
			}
		}
		if sp.hasData {
			sp.flows = scaleFlowCount(r, i)
			sp.categories, sp.statuses, sp.flowStatuses = scaleFlows(r, sp.flows)
			sp.lastSuccess = start.Add(-scaleAge(r, sp.up()) - time.Duration(i)*time.Millisecond)
			sp.added, sp.removed = 100+uint64(r.IntN(400)), 100+uint64(r.IntN(300))
			switch {
			case !sp.up():
			case i == scaleGrower:
				sp.growth, sp.mover = scaleGrowth, true
			case i >= 100 && i < 110: // the most changed, none alike
				sp.churn, sp.mover = uint64(i-98), true
			}
		}
		a.spaces = append(a.spaces, sp)
	}
	a.addSources(rand.New(rand.NewPCG(scaleSpaces, 18)))
	return a
}

// scaleGrower is a space that grows by scaleGrowth flows at every scrape:
// not among the 10 largest at the first scrape, among them from the second
// on, the largest from the fifth.
const (
	scaleGrower = 26
	scaleGrowth = 100
)

// scaleFlowCount spreads the flow counts as in a real account: most spaces
// small, some medium, a few large, some empty; the 25 largest are spaces 1
// to 25, none alike (and the grower), so that a top 10 or 20 is one set of
// spaces.
func scaleFlowCount(r *rand.Rand, i int) int {
	switch {
	case i >= 1 && i <= 25:
		return 900 + 37*i
	case i == scaleGrower:
		return 1350
	case i%33 == 5:
		return 0
	}
	switch p := r.IntN(100); {
	case p == 0:
		return 201 + r.IntN(600)
	case p < 11:
		return 31 + r.IntN(170)
	}
	return 1 + r.IntN(30)
}

// scaleAge is how old a space's data is at the start: within a period for
// most, one to three periods for some (the pass running late), and three
// periods to three days for a failing space.
func scaleAge(r *rand.Rand, up bool) time.Duration {
	period := float64(scalePass)
	if !up {
		return time.Duration(3.05*period + r.Float64()*float64(72*time.Hour))
	}
	switch p := r.IntN(100); {
	case p < 5:
		return time.Duration((1.05 + 0.9*r.Float64()) * period)
	case p < 7:
		return time.Duration((2.05 + 0.9*r.Float64()) * period)
	}
	return time.Duration(0.95 * r.Float64() * period)
}

// scaleFlows gives n flows their categories (one documented each, a fifth
// also SHOPPING) and statuses (mostly PUBLISHED, some not known yet); 2 %
// of spaces were never checked.
func scaleFlows(r *rand.Rand, n int) (map[string]int, map[string]int, *snapshot.FlowStatuses) {
	categories := map[string]int{}
	statuses := make([]string, n)
	checked := make([]int64, n)
	for f := range n {
		categories[collector.DocumentedCategories[r.IntN(len(collector.DocumentedCategories))]]++
		if r.IntN(5) == 0 {
			categories["SHOPPING"]++
		}
		switch p := r.IntN(100); {
		case p < 70:
			statuses[f] = client.FlowStatusPublished
		case p < 90:
			statuses[f] = client.FlowStatusDraft
		case p < 95:
			statuses[f] = client.FlowStatusDeprecated
		}
		if statuses[f] != "" {
			checked[f] = 1_700_000_000 + int64(f)
		}
	}
	if r.IntN(50) == 0 {
		return categories, nil, nil
	}
	fs, err := snapshot.NewFlowStatuses(statuses, checked, nil)
	if err != nil {
		panic(err)
	}
	byStatus := map[string]int{}
	for _, s := range statuses {
		byStatus[s]++
	}
	return categories, byStatus, fs
}

// scaleExporter serves the model's metrics with package exposition, as the
// exporter does, and moves
// them before each scrape: the movers are listed again (their data is new,
// the churners' flows change), the spaces of falling numbers answered
// again, a pass ends, and API calls are counted, so that rates and
// increases have something to show. The 11 movers are about what the
// exporter lists between two scrapes 2 s apart at 4 calls/s: each scrape
// renders their buckets again, not the whole exposition.
type scaleExporter struct {
	acct    *scaleAccount
	movers  []*scaleSpace
	api     *collector.APIMetrics
	metrics *exposition.Handler

	mu      sync.Mutex
	snap    *snapshot.Snapshot
	scrapes int
	stopped bool
}

func newScaleExporter(acct *scaleAccount) *scaleExporter {
	e := &scaleExporter{acct: acct, api: collector.NewAPIMetrics()}
	for _, op := range []string{client.OperationGetFlow, client.OperationQueryPhoneNumbers, client.OperationQueryBindWaba, client.OperationGetHealthStatus, client.OperationListTemplates} {
		e.api.Expect(op)
	}
	states := map[string]*snapshot.SpaceState{}
	for _, sp := range acct.spaces {
		states[sp.id] = sp.state(0, acct.start)
		if sp.mover {
			e.movers = append(e.movers, sp)
		}
	}
	e.snap = snapshot.Snapshot{
		Pending: scalePending, Completed: true, LastRefreshDuration: scalePass - time.Minute, LastRefreshEnd: acct.start,
		Refreshes: scaleRefreshes, RefreshFailures: 20, ExpectedPassDuration: scalePass,
		FlowStatus: snapshot.FlowStatusTotals{ExpectedPass: 35 * time.Hour},
	}.WithSpaces(states)
	e.snap = e.snap.WithSources(acct.sourceStates(0, acct.start))
	reg := prometheus.NewRegistry()
	reg.MustRegister(versioncollector.NewCollector("cams_exporter"), e.api)
	rate := func() float64 { return 4 }
	e.metrics = exposition.NewHandler(exposition.Options{
		Snapshot: e.snapshot, Gatherer: reg, MaxRequests: 1,
		Metrics: collector.Options{RefreshInterval: scaleInterval, StartTime: acct.start.Add(-72 * time.Hour), LimiterRate: rate,
			FlowStatus: true, FlowStatusInterval: time.Hour, GetFlowLimiterRate: rate, ErrorCodes: e.api.Codes(),
			Sources: scaleSourceSeries(), SourceRates: scaleSourceRates()},
	})
	return e
}

// render renders the whole model once, as the exporter's first scrape
// would, so that Prometheus' first scrape costs what later ones do (what
// changed), well within its timeout; it returns the exposition's size.
func (e *scaleExporter) render() int {
	rec := httptest.NewRecorder()
	e.serve(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	return rec.Body.Len()
}

func (e *scaleExporter) snapshot() *snapshot.Snapshot {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.snap
}

// ServeHTTP moves the model on and serves it; once stopped, it answers 503.
func (e *scaleExporter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !e.next() {
		http.Error(w, "stopped", http.StatusServiceUnavailable)
		return
	}
	e.serve(w, r)
}

// serve serves the snapshot's exposition.
func (e *scaleExporter) serve(w http.ResponseWriter, r *http.Request) { e.metrics.ServeHTTP(w, r) }

func (e *scaleExporter) next() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.stopped {
		return false
	}
	e.scrapes++
	now := time.Now()
	changed := make(map[string]*snapshot.SpaceState, len(e.movers))
	for _, sp := range e.movers {
		changed[sp.id] = sp.state(e.scrapes, now)
	}
	snap := e.snap.WithChanged(changed)
	snap.Refreshes++
	snap.RefreshFailures++
	e.snap = snap
	e.snap = e.snap.WithSources(e.acct.movedSourceStates(e.snap.Sources(), e.scrapes, now))
	for _, c := range scaleAPICalls {
		for i := range c.n {
			throttled := c.code == "System.LimitControl" || c.code == "Throttling.User"
			e.api.ObserveAttempt(client.Attempt{Operation: c.op, Code: c.code, Duration: time.Duration(i+1) * c.latency, Throttled: throttled})
		}
	}
	return true
}

// scaleAPICalls are the API calls each scrape adds: n attempts of an
// operation that ended with code, the i-th taking i times latency.
var scaleAPICalls = []struct {
	op, code string
	n        int
	latency  time.Duration
}{
	{client.OperationListFlow, client.CodeOK, 40, 30 * time.Millisecond},
	{client.OperationListFlow, "Ram.PermissionDeny", 2, 40 * time.Millisecond},
	{client.OperationListFlow, "Product.Unsubscript", 1, 80 * time.Millisecond},
	{client.OperationListFlow, "System.LimitControl", 1, 80 * time.Millisecond},
	{client.OperationListFlow, "Throttling.User", 1, 80 * time.Millisecond},
	{client.OperationGetFlow, client.CodeOK, 20, 20 * time.Millisecond},
	{client.OperationQueryPhoneNumbers, client.CodeOK, 15, 25 * time.Millisecond},
	{client.OperationQueryPhoneNumbers, "Ram.PermissionDeny", 1, 40 * time.Millisecond},
	{client.OperationQueryBindWaba, client.CodeOK, 6, 15 * time.Millisecond},
	{client.OperationQueryBindWaba, client.CodeNoWABA, 1, 15 * time.Millisecond}, // an answer, not an error
	{client.OperationQueryBindWaba, "System.LimitControl", 1, 15 * time.Millisecond},
	{client.OperationGetHealthStatus, client.CodeOK, 6, 200 * time.Millisecond},
	{client.OperationGetHealthStatus, client.CodeMetaCallFailed, 2, 400 * time.Millisecond},
	{client.OperationListTemplates, client.CodeOK, 12, 30 * time.Millisecond},
	{client.OperationListTemplates, "System.LimitControl", 1, 30 * time.Millisecond},
}

// stop makes every later scrape fail, so that Prometheus stops ingesting
// while the test queries it.
func (e *scaleExporter) stop() {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.stopped = true
}
