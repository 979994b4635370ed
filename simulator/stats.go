package simulator

import (
	"maps"
	"sync"
)

// Stats counts what the server has done since it started.
type Stats struct {
	// Calls counts API requests (every request outside /-/).
	Calls int `json:"calls"`
	// Accepted counts calls that passed authentication and the rate limit
	// and so reached the operation, faults included.
	Accepted int `json:"accepted"`
	// Throttled counts calls the rate limit refused (System.LimitControl).
	Throttled int `json:"throttled"`
	// ThrottledByOperation counts them by operation (x-acs-action).
	ThrottledByOperation map[string]int `json:"throttledByOperation"`
	// Operations counts accepted calls by operation; they add up to
	// Accepted.
	Operations map[string]int `json:"operations"`
	// Faulted counts accepted calls an injected fault acted on.
	Faulted int `json:"faulted"`
	// Codes counts the error codes answered, whatever answered them (the
	// gateway checks, the rate limit, a space's error, a fault).
	Codes map[string]int `json:"codes"`
	// Faults counts the calls each kind of fault acted on.
	Faults map[string]int `json:"faults"`
	// ListFlow counts accepted ListFlow calls by CustSpaceId ("" for the
	// account's own space or none).
	ListFlow map[string]int `json:"listFlow"`
	// ListInstance counts accepted ListInstance calls.
	ListInstance int `json:"listInstance"`
	// GetFlow counts accepted GetFlow calls by CustSpaceId.
	GetFlow map[string]int `json:"getFlow"`
	// Spaces counts accepted calls of the other operations
	// (QueryChatappPhoneNumbers, QueryChatappBindWaba,
	// GetWhatsappHealthStatus) by operation, then CustSpaceId.
	Spaces map[string]map[string]int `json:"spaces"`
}

type statsCounter struct {
	mu sync.Mutex
	s  Stats
}

func newStatsCounter() *statsCounter {
	return &statsCounter{s: Stats{
		Codes: map[string]int{}, Faults: map[string]int{}, ThrottledByOperation: map[string]int{}, Operations: map[string]int{},
		ListFlow: map[string]int{}, GetFlow: map[string]int{}, Spaces: map[string]map[string]int{},
	}}
}

func (c *statsCounter) add(f func(*Stats)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	f(&c.s)
}

func (c *statsCounter) snapshot() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.s
	s.Codes = maps.Clone(c.s.Codes)
	s.Faults = maps.Clone(c.s.Faults)
	s.ListFlow = maps.Clone(c.s.ListFlow)
	s.GetFlow = maps.Clone(c.s.GetFlow)
	s.ThrottledByOperation = maps.Clone(c.s.ThrottledByOperation)
	s.Operations = maps.Clone(c.s.Operations)
	s.Spaces = make(map[string]map[string]int, len(c.s.Spaces))
	for op, bySpace := range c.s.Spaces {
		s.Spaces[op] = maps.Clone(bySpace)
	}
	return s
}

// Stats returns a copy of the server's counters.
func (s *Server) Stats() Stats {
	return s.stats.snapshot()
}
