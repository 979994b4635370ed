package refresh

import (
	"context"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/engine"
)

// listFlow is ListFlow as a paged source of the engine (engine.Lister): it
// lists each space's flows a page at a time into the refresher's states.
type listFlow struct{ r *Refresher }

// flowListing is one space's ListFlow listing under way: its pager
// fetches the pages (engine.Listing).
type flowListing struct {
	*client.Pager
	start time.Time
	// answered is set when the call of the page being fetched succeeded;
	// cleared once a page that did not end the listing is noted.
	answered bool
}

// listings lists spaces a page at a time until ctx ends (engine.RunPaged).
// With once, it lists the spaces given, claimed, and returns when they are
// all listed; otherwise it starts the spaces as they come due.
func (r *Refresher) listings(ctx context.Context, initial []string, once bool) {
	engine.RunPaged(ctx, engine.PagedConfig[*flowListing]{Lister: listFlow{r}, Pacer: r.cfg.Pacer, Rate: r.cfg.Rate,
		Concurrency: r.cfg.Concurrency, Now: r.cfg.Now, Wake: r.wake}, initial, once)
}

func (s listFlow) Due() ([]string, time.Duration) { return s.r.due() }

func (s listFlow) Start(space string) *flowListing {
	r := s.r
	l := &flowListing{start: r.cfg.Now()}
	l.Pager = client.NewPager(func(ctx context.Context, index, size int) ([]client.Flow, error) {
		flows, err := r.cfg.Lister.ListFlowPage(ctx, space, r.cfg.FlowName, index, size)
		l.answered = err == nil
		return flows, err
	}, r.cfg.PageSize, r.cfg.MaxPages)
	return l
}

func (s listFlow) Watching(space string) bool { return s.r.watching(space) }

func (s listFlow) Record(space string, l *flowListing, err error) {
	var flows []client.Flow
	if err == nil {
		flows = l.Flows()
	}
	s.r.record(listResult{space: space, flows: flows, err: err, pages: l.Pages(), answered: l.answered, start: l.start, finish: s.r.cfg.Now()})
}

func (s listFlow) Answered(l *flowListing, at time.Time) {
	l.answered = false
	s.r.answered(at)
}

func (s listFlow) Release(spaces ...string) { s.r.release(spaces...) }

func (s listFlow) Idle(until time.Time) { s.r.idle(until) }

func (s listFlow) Changed() { s.r.flush() }
