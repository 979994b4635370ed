package templates

import (
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/engine"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// DefaultInterval is --templates.interval's default.
const DefaultInterval = time.Hour

// Lister starts the listing of a space's templates; *client.Client is one.
type Lister interface {
	TemplatePager(space string, pageSize, maxPages int) *client.TemplatePager
}

// Source is the templates source: an engine.PagedSource whose listings
// are client.TemplatePagers.
type Source struct {
	api      Lister
	interval time.Duration
	pageSize int
	maxPages int
	caps     caps
}

// New returns the source, listing each space every interval (DefaultInterval
// if not above 0) in pages of pageSize templates, at most maxPages pages a
// listing (the client's defaults below 1).
func New(api Lister, interval time.Duration, pageSize, maxPages int) *Source {
	if interval <= 0 {
		interval = DefaultInterval
	}
	return &Source{api: api, interval: interval, pageSize: pageSize, maxPages: maxPages, caps: newCaps()}
}

func (s *Source) Name() string      { return Name }
func (s *Source) Operation() string { return client.OperationListTemplates }
func (s *Source) Folded() uint64    { return s.caps.folded() }

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

// Apply keeps a complete listing's templates after prev's; a failed
// listing keeps prev's (the space is down with its error).
func (s *Source) Apply(_ string, prev *snapshot.SpacePart, done []engine.Done, _ *snapshot.Snapshot) *snapshot.SpacePart {
	d := engine.Last(done)
	if d.Err != nil {
		return engine.Applied(prev, d, nil)
	}
	listing := d.Value.(*client.TemplatePager)
	var before Templates
	if prev != nil {
		before = Of(prev.Data)
	}
	t := keep(before, listing.Templates(), listing.Total(), listing.Disagreement(), s.caps)
	t.Pages = listing.Pages()
	return engine.Applied(prev, d, t)
}
