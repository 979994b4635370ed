package templates

import (
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/engine"
	"github.com/cams-exporter/cams_exporter/internal/failurelog"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// DefaultInterval is --templates.interval's default.
const DefaultInterval = time.Hour

// Lister starts the listing of a space's templates; *client.Client is one.
type Lister interface {
	TemplatePager(space string, pageSize, maxPages int) *client.TemplatePager
}

// Options are the source's settings beyond its listings.
type Options struct {
	// MaxProblemSeries is the most cams_template_problem_info series
	// across the exporter (--templates.max-problem-series,
	// DefaultMaxProblemSeries): 0 for none, every problem template folded.
	MaxProblemSeries int
	// Logger logs the listings whose pages disagreed with their Total; nil
	// for none.
	Logger log.Logger
	// KeepAll keeps every template one by one, not only those that need
	// attention (--collector.template-info: cams_template_info needs them).
	KeepAll bool
}

// Source is the templates source: an engine.PagedSource whose listings
// are client.TemplatePagers. It is an engine.Holder: its parts hold the
// problem series its budget grants them.
type Source struct {
	api      Lister
	interval time.Duration
	pageSize int
	maxPages int
	caps     caps
	budget   *budget
	logger   log.Logger
	keepAll  bool

	mu            sync.Mutex
	disagreements failurelog.Log
}

// New returns the source, listing each space every interval (DefaultInterval
// if not above 0) in pages of pageSize templates, at most maxPages pages a
// listing (the client's defaults below 1).
func New(api Lister, interval time.Duration, pageSize, maxPages int, opts Options) *Source {
	if interval <= 0 {
		interval = DefaultInterval
	}
	logger := opts.Logger
	if logger == nil {
		logger = log.NewNopLogger()
	}
	return &Source{api: api, interval: interval, pageSize: pageSize, maxPages: maxPages, caps: newCaps(),
		budget: newBudget(max(opts.MaxProblemSeries, 0)), logger: logger, keepAll: opts.KeepAll}
}

func (s *Source) Name() string      { return Name }
func (s *Source) Operation() string { return client.OperationListTemplates }
func (s *Source) Folded() uint64    { return s.caps.folded() }

// Totals is how the budget of problem series is used (a Budget).
func (s *Source) Totals() any { return s.budget.totals() }

// Due lists a space every interval; its calls are the pages its last
// listing took (1 before any), so that the expected pass counts pages.
func (s *Source) Due(dst []engine.Task, space string, part *snapshot.SpacePart, _ *snapshot.Snapshot, now time.Time) ([]engine.Task, time.Time, float64) {
	dst, next, calls := engine.DueEvery(dst, space, part, s.interval, now)
	if calls > 0 && part != nil {
		calls = float64(max(1, Of(part.Data).Pages))
	}
	return dst, next, calls
}

func (s *Source) Start(space string) *client.TemplatePager {
	return s.api.TemplatePager(space, s.pageSize, s.maxPages)
}

// Apply keeps a complete listing's templates after prev's, their problems
// granted series anew (the space's old ones released first); a failed
// listing keeps prev's, and what they hold (the space is down with its
// error).
func (s *Source) Apply(space string, prev *snapshot.SpacePart, done []engine.Done, _ *snapshot.Snapshot) *snapshot.SpacePart {
	d := engine.Last(done)
	if d.Err != nil {
		return engine.Applied(prev, d, nil)
	}
	listing := d.Value.(*client.TemplatePager)
	var before Templates
	if prev != nil {
		before = Of(prev.Data)
	}
	t := keep(before, listing.Templates(), listing.Total(), listing.Disagreement(), s.caps, s.keepAll)
	t.Pages = listing.Pages()
	t.ProblemSeries = s.budget.grant(space, t.problems())
	if t.Disagreement != "" {
		s.noteDisagreement(space, t, d.At)
	}
	return engine.Applied(prev, d, t)
}

// noteDisagreement logs a listing whose pages disagreed with their Total:
// the first at once, then at most once an hour with the count since
// (never once per space).
func (s *Source) noteDisagreement(space string, t Templates, at time.Time) {
	s.mu.Lock()
	n, last, ok := s.disagreements.Note("disagreement", at)
	s.mu.Unlock()
	if ok {
		level.Warn(s.logger).Log("msg", client.OperationListTemplates+"'s pages disagreed with the Total they gave: the space's template counts may be off (cams_template_listing_disagreement; /status shows each space's)",
			"space", space, "disagreement", t.Disagreement, "templates", t.Count(), "total", t.Total, "disagreeing_listings", n, "since", failurelog.Since(last))
	}
}

// Enter grants the parts entering the runner's state other than by Apply
// (restored from the cache, or back within their grace) their problem
// series anew, in the order of their spaces: each first what it held
// before (what the cache file says it held), then, while the budget lasts,
// the rest. So a restart keeps the series that were exported. Parts whose
// share changed are replaced in parts.
func (s *Source) Enter(parts map[string]*snapshot.SpacePart) {
	ids := slices.Sorted(maps.Keys(parts))
	reqs := make([]request, len(ids))
	for i, id := range ids {
		t := dataOf(parts[id])
		reqs[i] = request{space: id, problems: t.problems(), claims: max(t.ProblemSeries, t.claim)}
	}
	for i, granted := range s.budget.enter(reqs) {
		p := parts[ids[i]]
		t := dataOf(p)
		if granted == t.ProblemSeries && t.claim == 0 {
			continue
		}
		t.ProblemSeries, t.claim = granted, 0
		next := *p
		next.Data = t
		parts[ids[i]] = &next
	}
}

// Leave releases the series of the spaces whose part left the state.
func (s *Source) Leave(spaces []string) { s.budget.release(spaces) }

// dataOf returns the templates of part, the zero Templates for a part
// without any.
func dataOf(part *snapshot.SpacePart) Templates {
	if part == nil {
		return Templates{}
	}
	return Of(part.Data)
}
