package client

import (
	"context"
	"sync"
	"sync/atomic"

	"golang.org/x/time/rate"
)

// Limiter is the account's shared rate limiter: every space and every page of
// one account waits on the same one. It halves its rate when the API says it
// is throttling, and climbs back towards the configured rate step by step as
// calls succeed (additive increase, multiplicative decrease).
type Limiter struct {
	mu      sync.Mutex
	limiter *rate.Limiter
	max     rate.Limit
	min     rate.Limit
	step    rate.Limit
}

// NewLimiter returns a limiter of perSecond calls per second with a burst of
// one, so calls are spread evenly and never bunch.
func NewLimiter(perSecond float64) *Limiter {
	max := rate.Limit(perSecond)
	return &Limiter{
		limiter: rate.NewLimiter(max, 1),
		max:     max,
		min:     max / 64,
		step:    max / 20,
	}
}

// Wait blocks until the next call may go, or ctx ends. When the next call
// could only go after ctx's deadline, x/time/rate gives up at once with an
// error of its own; Wait then waits for the deadline and returns ctx's
// error, so that a caller cut short by its deadline always sees it as such.
func (l *Limiter) Wait(ctx context.Context) error {
	err := l.limiter.Wait(ctx)
	if err != nil && ctx.Err() == nil {
		if _, ok := ctx.Deadline(); ok {
			<-ctx.Done()
			return ctx.Err()
		}
	}
	return err
}

// Throttled halves the rate, down to 1/64 of the configured rate.
func (l *Limiter) Throttled() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.limiter.SetLimit(max(l.limiter.Limit()/2, l.min))
}

// Succeeded raises the rate by a twentieth of the configured rate, never
// above it.
func (l *Limiter) Succeeded() {
	l.mu.Lock()
	defer l.mu.Unlock()
	if cur := l.limiter.Limit(); cur < l.max {
		l.limiter.SetLimit(min(cur+l.step, l.max))
	}
}

// Rate returns the current rate in calls per second.
func (l *Limiter) Rate() float64 { return float64(l.limiter.Limit()) }

// MaxRate returns the configured rate in calls per second.
func (l *Limiter) MaxRate() float64 { return float64(l.max) }

// slotKey keys the limiter slot a context carries.
type slotKey struct{}

// WithLimiterSlot returns a context carrying one call's slot on the account
// limiter of the operation the caller makes with it (LimiterOf that
// operation), which the caller has already waited for
// (Limiter.Wait): the first attempt of the next call made with it goes at
// once, and any other attempt waits as usual. A caller that paces its own
// calls on the account limiter uses it to choose what to call at the moment
// the limiter allows a call, rather than queueing several calls in the
// limiter.
func WithLimiterSlot(ctx context.Context) context.Context {
	return context.WithValue(ctx, slotKey{}, new(atomic.Bool))
}

// takeSlot reports whether ctx carries an unused slot, and uses it.
func takeSlot(ctx context.Context) bool {
	used, ok := ctx.Value(slotKey{}).(*atomic.Bool)
	return ok && used.CompareAndSwap(false, true)
}
