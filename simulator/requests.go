package simulator

import (
	"sync"
	"time"
)

// RequestLogSize is how many calls the request log keeps: the latest ones.
// At the 5 calls/s of an account that is more than five hours.
const RequestLogSize = 100000

// Request is one accepted API call (one that passed authentication and the
// rate limit, faults included), as the request log keeps it.
type Request struct {
	// Time is when the call arrived, by the server's clock.
	Time time.Time `json:"time"`
	// Action is the operation, e.g. ListFlow.
	Action string `json:"action"`
	// Space is the call's CustSpaceId ("" when absent, and for
	// ListInstance).
	Space string `json:"space"`
	// Page is a ListFlow or ListChatappTemplate call's page index (1 when
	// absent, 0 when invalid).
	Page int `json:"page,omitempty"`
	// Node and PhoneNumber are a GetWhatsappHealthStatus call's NodeType
	// and PhoneNumber, as sent.
	Node        string `json:"node,omitempty"`
	PhoneNumber string `json:"phoneNumber,omitempty"`
}

// RequestLog is the request log: the latest RequestLogSize accepted calls,
// oldest first, and how many older ones were dropped to keep it bounded.
type RequestLog struct {
	Requests []Request `json:"requests"`
	Dropped  int       `json:"dropped"`
}

// requestLog is a ring of the latest accepted calls.
type requestLog struct {
	mu      sync.Mutex
	ring    []Request
	next    int // where the next call goes once the ring is full
	dropped int
}

func (l *requestLog) add(r Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.ring) < RequestLogSize {
		l.ring = append(l.ring, r)
		return
	}
	l.ring[l.next] = r
	l.next = (l.next + 1) % RequestLogSize
	l.dropped++
}

// Requests returns a copy of the request log (served as GET /-/requests).
func (s *Server) Requests() RequestLog {
	l := &s.requests
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make([]Request, 0, len(l.ring))
	out = append(out, l.ring[l.next:]...)
	out = append(out, l.ring[:l.next]...)
	return RequestLog{Requests: out, Dropped: l.dropped}
}
