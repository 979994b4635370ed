package client

import "time"

// Attempt describes one HTTP attempt of an operation.
type Attempt struct {
	Operation string        // e.g. "ListFlow"
	Code      string        // OK, the API's error code, HTTP_<status>, Timeout, NetworkError, InvalidResponse or Credentials
	Duration  time.Duration // from signing the request to reading the whole body; 0 for Credentials
	Throttled bool          // the API throttled it (System.LimitControl, Throttling.*, HTTP 429)
}

// Observer is told of every attempt, so that a caller can count requests,
// errors and latency without the client knowing how they are exported. It
// must be safe for concurrent use and must not block.
type Observer interface {
	ObserveAttempt(Attempt)
}

// ObserverFunc adapts a function to Observer.
type ObserverFunc func(Attempt)

// ObserveAttempt implements Observer.
func (f ObserverFunc) ObserveAttempt(a Attempt) { f(a) }
