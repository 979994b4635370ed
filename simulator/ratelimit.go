package simulator

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"time"
)

// DefaultRateLimit is CAMS' documented limit: 5 calls per second per
// operation (ListFlow, GetFlow).
const DefaultRateLimit = 5

// DocumentedRates are CAMS's documented limits, calls per second per
// account, of the operations with a bucket of their own. ListInstance,
// whose limit is not documented, shares ListFlow's bucket.
var DocumentedRates = map[string]float64{
	"ListFlow":                 DefaultRateLimit,
	"GetFlow":                  DefaultRateLimit,
	OperationQueryPhoneNumbers: 10,
	OperationQueryBindWaba:     10,
	OperationGetHealthStatus:   5,
	OperationListTemplates:     5,
}

// bucketOf is the bucket a call of action counts against: its own, or
// ListFlow's for ListInstance.
func bucketOf(action string) string {
	if action == "ListInstance" {
		return "ListFlow"
	}
	return action
}

// limiters are the rate limits of the buckets, by bucket (see bucketOf);
// each counts per AccessKeyId.
type limiters map[string]*slidingWindow

// newLimiters gives each bucket its rate: rates[bucket] when set, else
// rateLimit for ListFlow and GetFlow, and for the others their documented
// rate, or no limit when rateLimit is negative. A negative rate is no
// limit.
func newLimiters(rateLimit float64, rates map[string]float64) (limiters, error) {
	for op, rate := range rates {
		if _, ok := DocumentedRates[op]; !ok {
			return nil, fmt.Errorf("no rate can be set for %q (want one of %s)", op, strings.Join(slices.Sorted(maps.Keys(DocumentedRates)), ", "))
		}
		if math.IsNaN(rate) || math.IsInf(rate, 0) {
			return nil, fmt.Errorf("the rate of %s must be a finite number, got %g", op, rate)
		}
	}
	l := limiters{}
	for bucket, documented := range DocumentedRates {
		rate := documented
		switch {
		case rates[bucket] != 0:
			rate = rates[bucket]
		case bucket == "ListFlow" || bucket == "GetFlow" || rateLimit < 0:
			rate = rateLimit
		}
		l[bucket] = newSlidingWindow(rate)
	}
	return l, nil
}

// allow reports whether a call of action by accessKeyID at now is within
// its bucket's limit, and if so counts it.
func (l limiters) allow(action, accessKeyID string, now time.Time) bool {
	return l[bucketOf(action)].allow(accessKeyID, now)
}

// limitOf is the number of calls a window of action's bucket accepts, or
// DefaultRateLimit when it has no limit.
func (l limiters) limitOf(action string) int {
	if w := l[bucketOf(action)]; w != nil {
		return w.limit
	}
	return DefaultRateLimit
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
