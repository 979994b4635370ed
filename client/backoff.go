package client

import (
	"context"
	"math/rand/v2"
	"time"
)

// Backoff sets the waits between retries: exponential from Base, capped at
// Max, each wait drawn between half and all of that. Throttled calls start from ThrottledBase, since the
// quota needs time to come back.
type Backoff struct {
	Base          time.Duration
	ThrottledBase time.Duration
	Max           time.Duration
}

// DefaultBackoff is used for the zero fields of Config.Backoff.
var DefaultBackoff = Backoff{Base: 250 * time.Millisecond, ThrottledBase: time.Second, Max: 10 * time.Second}

func (b Backoff) withDefaults() Backoff {
	return Backoff{
		Base:          orDefault(b.Base, DefaultBackoff.Base),
		ThrottledBase: orDefault(b.ThrottledBase, DefaultBackoff.ThrottledBase),
		Max:           orDefault(b.Max, DefaultBackoff.Max),
	}
}

// delay returns the wait before retry number retry (0 for the first), between
// half and all of the capped exponential.
func (b Backoff) delay(retry int, class Class) time.Duration {
	base := b.Base
	if class == ClassThrottled {
		base = b.ThrottledBase
	}
	d := base << min(retry, 20)
	if d <= 0 || d > b.Max {
		d = b.Max
	}
	half := d / 2
	return half + rand.N(half+1)
}

// sleep waits for d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
