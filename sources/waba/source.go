package waba

import (
	"context"
	"errors"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/engine"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/values"
)

// Name is the source's collector name.
const Name = "waba"

// DefaultInterval is --waba.interval's default: a WABA rarely changes.
const DefaultInterval = 6 * time.Hour

// documentedReviews are AccountReviewStatus's documented values.
var documentedReviews = []string{"PENDING", "APPROVED", "REJECTED", "DISABLED"}

// WABA is what the exporter keeps of a space's WABA: the SpacePart's Data
// of this source. It is immutable.
type WABA struct {
	// Bound is false for a space without a WABA; the rest is then empty.
	Bound               bool   `json:"bound"`
	ID                  string `json:"waba_id,omitempty"`
	BusinessID          string `json:"business_id,omitempty"`
	AccountReviewStatus string `json:"account_review_status,omitempty"`
	// Never labels.
	Name     string `json:"name,omitempty"`
	Currency string `json:"currency,omitempty"`
}

// Of returns the WABA of a space's part of this source; false when it has
// none (not read yet, or not bound).
func Of(data any) (WABA, bool) {
	w, ok := data.(WABA)
	return w, ok && w.Bound
}

// Binder reads a space's WABA; *client.Client is one.
type Binder interface {
	QueryBindWaba(ctx context.Context, space string) (*client.WABA, error)
}

// Source is the waba source.
type Source struct {
	api      Binder
	interval time.Duration
	reviews  *values.Cap
}

// New returns the source, calling api for each space every interval.
func New(api Binder, interval time.Duration) *Source {
	if interval <= 0 {
		interval = DefaultInterval
	}
	return &Source{api: api, interval: interval, reviews: values.NewCap(documentedReviews...)}
}

func (s *Source) Name() string      { return Name }
func (s *Source) Operation() string { return client.OperationQueryBindWaba }
func (s *Source) Folded() uint64    { return s.reviews.Folded() }

func (s *Source) Due(dst []engine.Task, space string, part *snapshot.SpacePart, _ *snapshot.Snapshot, now time.Time) ([]engine.Task, time.Time, float64) {
	return engine.DueEvery(dst, space, part, s.interval, now)
}

func (s *Source) Call(ctx context.Context, t engine.Task) (any, error) {
	w, err := s.api.QueryBindWaba(ctx, t.Space)
	switch {
	case errors.Is(err, client.ErrNoWABA):
		return WABA{}, nil
	case err != nil:
		return nil, err
	}
	return WABA{
		Bound: true, ID: values.Cut(w.ID), BusinessID: values.Cut(w.BusinessID), AccountReviewStatus: s.reviews.Fold(w.AccountReviewStatus),
		Name: client.Cut(w.Name, client.MaxTextBytes), Currency: values.Cut(w.Currency),
	}, nil
}

func (s *Source) Apply(_ string, prev *snapshot.SpacePart, done []engine.Done, _ *snapshot.Snapshot) *snapshot.SpacePart {
	d := engine.Last(done)
	return engine.Applied(prev, d, d.Value)
}
