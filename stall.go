package main

import (
	"net/http"
	"time"
)

// cutStalledWrites gives each piece of a response, of up to webWritePiece
// bytes, stall to be written to the connection: a client that takes
// nothing for that long is cut, its writes fail and its request ends,
// giving back whatever it held. The whole answer still ends within
// webWriteTimeout.
func cutStalledWrites(h http.Handler, stall time.Duration) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		dw := &deadlineWriter{ResponseWriter: w, rc: http.NewResponseController(w), stall: stall, end: time.Now().Add(webWriteTimeout)}
		h.ServeHTTP(dw, r)
	})
}

// deadlineWriter sets the connection's write deadline before each piece it
// writes.
type deadlineWriter struct {
	http.ResponseWriter
	rc    *http.ResponseController
	stall time.Duration
	end   time.Time // the deadline of the whole answer
}

func (w *deadlineWriter) Write(p []byte) (int, error) {
	written := 0
	for {
		piece := p[:min(len(p), webWritePiece)]
		w.arm()
		n, err := w.ResponseWriter.Write(piece)
		written += n
		p = p[len(piece):]
		if err != nil || len(p) == 0 {
			return written, err
		}
	}
}

// Flush writes what the server buffers; promhttp's instrumentation looks
// for it.
func (w *deadlineWriter) Flush() {
	w.arm()
	_ = w.rc.Flush()
}

// Unwrap lets http.ResponseController reach the server's writer.
func (w *deadlineWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// arm gives the next write stall, within the whole answer's deadline. A
// writer that cannot have deadlines (none of the server's) keeps the
// server's WriteTimeout.
func (w *deadlineWriter) arm() {
	deadline := time.Now().Add(w.stall)
	if deadline.After(w.end) {
		deadline = w.end
	}
	_ = w.rc.SetWriteDeadline(deadline)
}
