package refresh_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/refresh"
)

// slowLister answers every page after latency with one flow, and notes
// when each call began.
type slowLister struct {
	latency time.Duration
	mu      sync.Mutex
	starts  []time.Time
}

func (l *slowLister) ListFlowPage(ctx context.Context, _, _ string, _, _ int) ([]client.Flow, error) {
	l.mu.Lock()
	l.starts = append(l.starts, time.Now())
	l.mu.Unlock()
	select {
	case <-time.After(l.latency):
		return []client.Flow{{FlowID: "1", FlowName: "f", Categories: []string{"SURVEY"}}}, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// A pass uses the account's budget: with each call taking three times the
// rate's interval, the default concurrency keeps calls in flight so that
// the achieved rate is within 5% of the configured one, and the account
// limiter never lets two calls closer than the interval (no throttling by a
// service that allows the rate). On synctest's clock, so that the figures
// are the refresher's and the limiter's, not the machine's.
func TestPassUsesTheBudget(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		const spaces, rate = 150, 100.0
		interval := time.Duration(float64(time.Second) / rate)
		var ids []string
		for i := range spaces {
			ids = append(ids, fmt.Sprintf("cams-%04d", i))
		}
		lister := &slowLister{latency: 3 * interval}
		r := refresh.New(refresh.Config{Lister: lister, Pacer: client.NewLimiter(rate), Spaces: func() []string { return ids }, PageSize: 20, Rate: rate, Interval: time.Hour})
		start := time.Now()
		snap := r.Refresh(context.Background())
		elapsed := time.Since(start)
		calls := len(lister.starts)
		// With a burst of one, n calls span n-1 intervals, plus the
		// latency of the last.
		efficiency := float64(calls-1) / (rate * (elapsed - lister.latency).Seconds())
		t.Logf("%d calls in %v: %.3f of the configured rate", calls, elapsed, efficiency)
		if calls != spaces || !snap.Up() || snap.Len() != spaces {
			t.Fatalf("%d calls, up %v, %d spaces; want %d, true, %d", calls, snap.Up(), snap.Len(), spaces, spaces)
		}
		if efficiency < 0.95 || efficiency > 1.05 {
			t.Errorf("achieved %.3f of the configured rate, want within 5%%", efficiency)
		}
		for i := 1; i < calls; i++ {
			if gap := lister.starts[i].Sub(lister.starts[i-1]); gap < interval*99/100 {
				t.Fatalf("calls %d and %d began %v apart, closer than the limiter's %v", i, i+1, gap, interval)
			}
		}
	})
}
