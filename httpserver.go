package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
)

// Limits of the HTTP server. A scrape of 10,000 spaces is several MB and one
// of 200,000 spaces tens of MB, written to a scraper that may be slow.
const (
	// webReadHeaderTimeout bounds reading a request's headers, a TLS
	// handshake included.
	webReadHeaderTimeout = 10 * time.Second
	// webWriteTimeout bounds a request from the end of its headers to the
	// end of its answer: the longest scrape.
	webWriteTimeout = 2 * time.Minute
	// webReadTimeout bounds reading a whole request. It is as long as
	// webWriteTimeout because Go's server cancels a request's context once
	// the read deadline passes, even while its answer is still being
	// written.
	webReadTimeout = webWriteTimeout
	// webStallTimeout cuts a response whose client takes nothing: each
	// piece of it, of up to webWritePiece bytes, must be taken within
	// webStallTimeout (a rate of at least 2.2 KB/s), or the connection is
	// closed and the request ends, with whatever it held (a /status slot).
	// It is lenient to slow networks (nginx's send_timeout is 60 s), and
	// longer than shutdownTimeout: a client stalled at SIGTERM is cut by
	// the shutdown, which logs it.
	webStallTimeout = 30 * time.Second
	webWritePiece   = 64 << 10
	// webIdleTimeout closes a keep-alive connection that has carried no
	// request for that long, so that idle connections cannot use up the
	// process's file descriptors.
	webIdleTimeout = 30 * time.Second
	// shutdownTimeout bounds how long in-flight requests may take at
	// shutdown; those still running then are cut.
	shutdownTimeout = 10 * time.Second
	// statusMaxRequests bounds the /status answers built at once: the JSON
	// of 200,000 spaces (95 MB with the flows alone, about 0.94 GB with the
	// three sources of the account's health on; written as it is built)
	// takes seconds to tens of seconds of a core. A client that does not
	// read holds one until webStallTimeout cuts it.
	statusMaxRequests = 2
)

// newHTTPServer returns a server of h with the limits above, which cuts an
// answer whose client takes nothing for stall (webStallTimeout; shorter in
// tests), and the count of requests in flight.
func newHTTPServer(h http.Handler, stall time.Duration) (*http.Server, *inFlight) {
	counted := &inFlight{next: cutStalledWrites(h, stall)}
	return &http.Server{
		Handler:           counted,
		ReadHeaderTimeout: webReadHeaderTimeout,
		ReadTimeout:       webReadTimeout,
		WriteTimeout:      webWriteTimeout,
		IdleTimeout:       webIdleTimeout,
	}, counted
}

// inFlight counts the requests being served.
type inFlight struct {
	next http.Handler
	n    atomic.Int64
}

func (f *inFlight) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.n.Add(1)
	defer f.n.Add(-1)
	f.next.ServeHTTP(w, r)
}

// limitInFlight serves at most n requests of h at once; beyond them it
// answers 503 at once, saying so, rather than queue them.
func limitInFlight(h http.Handler, n int, what string) http.Handler {
	slots := make(chan struct{}, n)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case slots <- struct{}{}:
			defer func() { <-slots }()
			h.ServeHTTP(w, r)
		default:
			w.Header().Set("Retry-After", "1")
			http.Error(w, fmt.Sprintf("%d %s requests are being served, the most at once; try again", n, what), http.StatusServiceUnavailable)
		}
	})
}

// shutdown stops srv: it stops accepting, lets the requests in flight finish
// within shutdownTimeout, then cuts those still running. A stop that had to
// cut requests is still a clean stop: it logs how many and returns nil.
func shutdown(srv *http.Server, requests *inFlight, logger log.Logger) error {
	ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	err := srv.Shutdown(ctx)
	if !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	cut := requests.n.Load()
	level.Warn(logger).Log("msg", "requests still running at the end of the shutdown timeout were cut", "requests_cut", cut, "timeout", shutdownTimeout)
	if err := srv.Close(); err != nil {
		return err
	}
	return nil
}
