package phonenumbers

import (
	"context"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/engine"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// Name is the source's collector name.
const Name = "phone-numbers"

// DefaultInterval is --phone-numbers.interval's default.
const DefaultInterval = 15 * time.Minute

// Querier reads a space's numbers; *client.Client is one.
type Querier interface {
	QueryPhoneNumbers(ctx context.Context, space string) ([]client.PhoneNumber, error)
}

// Source is the phone-numbers source.
type Source struct {
	api      Querier
	interval time.Duration
	caps     caps
}

// New returns the source, calling api for each space every interval.
func New(api Querier, interval time.Duration) *Source {
	if interval <= 0 {
		interval = DefaultInterval
	}
	return &Source{api: api, interval: interval, caps: newCaps()}
}

func (s *Source) Name() string      { return Name }
func (s *Source) Operation() string { return client.OperationQueryPhoneNumbers }
func (s *Source) Folded() uint64    { return s.caps.folded() }

func (s *Source) Due(dst []engine.Task, space string, part *snapshot.SpacePart, _ *snapshot.Snapshot, now time.Time) ([]engine.Task, time.Time, float64) {
	return engine.DueEvery(dst, space, part, s.interval, now)
}

func (s *Source) Call(ctx context.Context, t engine.Task) (any, error) {
	numbers, err := s.api.QueryPhoneNumbers(ctx, t.Space)
	if err != nil {
		return nil, err
	}
	return keep(numbers, s.caps), nil
}

func (s *Source) Apply(_ string, prev *snapshot.SpacePart, done []engine.Done, _ *snapshot.Snapshot) *snapshot.SpacePart {
	d := engine.Last(done)
	return engine.Applied(prev, d, d.Value)
}
