package simulator

import (
	"math"
	"sync"
	"time"
)

// DefaultRateLimit is CAMS' documented limit: 5 calls per second per
// operation (ListFlow, GetFlow).
const DefaultRateLimit = 5

// rateKey is the bucket a call of action by accessKeyID counts against.
// CAMS limits ListFlow and GetFlow to 5 calls per second each, so GetFlow
// has a bucket of its own; ListInstance, whose limit is not documented,
// shares ListFlow's.
func rateKey(accessKeyID, action string) string {
	if action == "GetFlow" {
		return accessKeyID + "\x00GetFlow"
	}
	return accessKeyID
}

// slidingWindow accepts at most limit calls per key in any window: with a
// rate of r calls/s, limit is r rounded down (at least 1) and window
// limit/r seconds, so 5 gives 5 calls in any second and 0.5 one call in any
// two seconds. Rejected calls take no quota. A nil slidingWindow accepts
// everything.
type slidingWindow struct {
	limit  int
	window time.Duration

	mu   sync.Mutex
	hits map[string][]time.Time // accepted calls still in the window, oldest first
}

func newSlidingWindow(rate float64) *slidingWindow {
	if rate <= 0 {
		return nil
	}
	limit := max(1, int(math.Floor(rate)))
	return &slidingWindow{
		limit:  limit,
		window: time.Duration(float64(limit) / rate * float64(time.Second)),
		hits:   map[string][]time.Time{},
	}
}

// allow reports whether a call by key at now is within the limit, and if so
// counts it.
func (l *slidingWindow) allow(key string, now time.Time) bool {
	if l == nil {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	hits := l.hits[key]
	i := 0
	for i < len(hits) && now.Sub(hits[i]) >= l.window {
		i++
	}
	hits = hits[i:]
	if len(hits) >= l.limit {
		l.hits[key] = hits
		return false
	}
	l.hits[key] = append(hits, now)
	return true
}
