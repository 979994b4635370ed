package main

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"
)

// deadlineRecorder records the writes and the write deadlines a handler's
// writer asks for, in order.
type deadlineRecorder struct {
	*httptest.ResponseRecorder
	events    []string
	deadlines []time.Time
}

func (r *deadlineRecorder) Write(p []byte) (int, error) {
	r.events = append(r.events, "write "+strconv.Itoa(len(p)))
	return r.ResponseRecorder.Write(p)
}

func (r *deadlineRecorder) Flush() { r.events = append(r.events, "flush") }

func (r *deadlineRecorder) SetWriteDeadline(t time.Time) error {
	r.events = append(r.events, "deadline")
	r.deadlines = append(r.deadlines, t)
	return nil
}

// TestCutStalledWritesArmsEachPiece: every write reaches the connection in
// pieces of at most 64 KiB, each given the stall time from when it starts
// (deadlines that never go back), but never past the whole answer's
// deadline; a flush likewise.
func TestCutStalledWritesArmsEachPiece(t *testing.T) {
	const piece = 64 << 10
	for _, tt := range []struct {
		name   string
		writes []int
		flush  bool
		stall  time.Duration
		want   []string
		capped bool // the deadline is the whole answer's
	}{
		{"one small write", []int{10}, false, time.Second, []string{"deadline", "write 10"}, false},
		{"an empty write, passed on", []int{0}, false, time.Second, []string{"deadline", "write 0"}, false},
		{"a piece exactly", []int{piece}, false, time.Second, []string{"deadline", "write 65536"}, false},
		{"a large write in pieces", []int{2*piece + 7}, false, time.Second,
			[]string{"deadline", "write 65536", "deadline", "write 65536", "deadline", "write 7"}, false},
		{"writes then a flush", []int{3, 4}, true, time.Second, []string{"deadline", "write 3", "deadline", "write 4", "deadline", "flush"}, false},
		{"a stall longer than the answer's deadline", []int{5}, false, 3 * webWriteTimeout, []string{"deadline", "write 5"}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := &deadlineRecorder{ResponseRecorder: httptest.NewRecorder()}
			before := time.Now()
			cutStalledWrites(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for _, n := range tt.writes {
					if got, err := w.Write(make([]byte, n)); got != n || err != nil {
						t.Errorf("Write(%d bytes) = %d, %v", n, got, err)
					}
				}
				if tt.flush {
					w.(http.Flusher).Flush()
				}
			}), tt.stall).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
			after := time.Now()
			if strings.Join(rec.events, ", ") != strings.Join(tt.want, ", ") {
				t.Fatalf("events %q, want %q", rec.events, tt.want)
			}
			lo, hi := before.Add(tt.stall), after.Add(tt.stall)
			if tt.capped {
				lo, hi = before.Add(webWriteTimeout), after.Add(webWriteTimeout)
			}
			for i, d := range rec.deadlines {
				if d.Before(lo) || d.After(hi) {
					t.Errorf("deadline %d is %s after the request started, want between %s and %s", i, d.Sub(before), lo.Sub(before), hi.Sub(before))
				}
				if i > 0 && d.Before(rec.deadlines[i-1]) {
					t.Errorf("deadline %d is before the one of the piece before it", i)
				}
			}
		})
	}
}
