package client

import (
	"fmt"
	"math"
	"slices"
	"strings"
)

// Default rates, in calls per second for the account: 80% of each
// operation's documented limit (ListFlow and GetFlow 5, the number and WABA
// queries 10, the health status and the templates' listing 5), so that the exporter never meets the
// limit itself and leaves some for other callers.
const (
	DefaultPhoneNumbersRateLimit = 8.0
	DefaultBindWabaRateLimit     = 8.0
	DefaultHealthStatusRateLimit = 4.0
	DefaultTemplatesRateLimit    = 4.0
)

// defaultRates holds the default rate of every operation with a limiter of
// its own, keyed by operation. ListInstance has none: it shares ListFlow's.
var defaultRates = map[string]float64{
	OperationListFlow:          DefaultRateLimit,
	OperationGetFlow:           DefaultRateLimit,
	OperationQueryPhoneNumbers: DefaultPhoneNumbersRateLimit,
	OperationQueryBindWaba:     DefaultBindWabaRateLimit,
	OperationGetHealthStatus:   DefaultHealthStatusRateLimit,
	OperationListTemplates:     DefaultTemplatesRateLimit,
}

// DefaultRate returns the default rate of an operation with a limiter of its
// own, and 0 for any other.
func DefaultRate(operation string) float64 { return defaultRates[operation] }

// RateLimitedOperations returns, sorted, the operations Config.Rates may
// name: each waits on an account limiter of its own.
func RateLimitedOperations() []string {
	ops := make([]string, 0, len(defaultRates))
	for op := range defaultRates {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	return ops
}

// rates resolves the rate of every limited operation from cfg: Rates, or
// RateLimit for ListFlow and GetFlowRateLimit for GetFlow, or the default.
// It refuses an unknown operation, a negative rate and two different rates
// given for one operation.
func (cfg Config) rates() (map[string]float64, error) {
	for op, r := range cfg.Rates {
		if _, ok := defaultRates[op]; !ok {
			return nil, fmt.Errorf("rate limit of unknown operation %q: known are %s", op, strings.Join(RateLimitedOperations(), ", "))
		}
		if err := checkRate(op, r); err != nil {
			return nil, err
		}
	}
	shorthands := map[string]float64{OperationListFlow: cfg.RateLimit, OperationGetFlow: cfg.GetFlowRateLimit}
	fields := map[string]string{OperationListFlow: "RateLimit", OperationGetFlow: "GetFlowRateLimit"}
	for op, r := range shorthands {
		if err := checkRate(op, r); err != nil {
			return nil, err
		}
		if other := cfg.Rates[op]; r != 0 && other != 0 && other != r {
			return nil, fmt.Errorf("two rate limits for %s: %g in %s and %g in Rates; give one", op, r, fields[op], other)
		}
	}
	out := make(map[string]float64, len(defaultRates))
	for op, def := range defaultRates {
		out[op] = orDefault(orDefault(cfg.Rates[op], shorthands[op]), def)
	}
	return out, nil
}

func checkRate(op string, r float64) error {
	if r < 0 || math.IsNaN(r) {
		return fmt.Errorf("rate limit of %s must be positive, got %g", op, r)
	}
	return nil
}

// LimiterOf returns the account limiter an operation's calls wait on, nil
// for an operation the client does not call. ListInstance shares ListFlow's;
// every other operation has its own, since CAMS counts each operation's
// calls apart: a throttled operation slows only its own limiter.
func (c *Client) LimiterOf(operation string) *Limiter {
	if operation == OperationListInstance {
		operation = OperationListFlow
	}
	return c.limiters[operation]
}
