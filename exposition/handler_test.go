package exposition

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// TestMaxRequests holds max scrapes inside the handler and checks that the
// next one is answered 503 at once, and that scrapes are served again once
// the others are done.
func TestMaxRequests(t *testing.T) {
	const max = 3
	snap := testSnapshot(10, 0)
	var calls atomic.Int32
	entered, release := make(chan struct{}, max), make(chan struct{})
	h := NewHandler(Options{MaxRequests: max, Snapshot: func() *snapshot.Snapshot {
		if calls.Add(1) <= max {
			entered <- struct{}{}
			<-release
		}
		return snap
	}})
	get := func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		return rec
	}
	var wg sync.WaitGroup
	codes := make(chan int, max)
	for range max {
		wg.Go(func() { codes <- get().Code })
	}
	for range max {
		<-entered
	}
	rec := get()
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(rec.Body.String(), "Limit of concurrent requests reached (3)") {
		t.Errorf("scrape beyond the limit: %d %q, want 503 and the limit", rec.Code, rec.Body)
	}
	close(release)
	wg.Wait()
	close(codes)
	for c := range codes {
		if c != http.StatusOK {
			t.Errorf("a scrape within the limit answered %d", c)
		}
	}
	if rec := get(); rec.Code != http.StatusOK {
		t.Errorf("after the others finished: %d", rec.Code)
	}
}

// TestNoLimit serves more scrapes at once than any limit when MaxRequests
// is 0.
func TestNoLimit(t *testing.T) {
	const n = 50
	var calls atomic.Int32
	entered, release := make(chan struct{}, n), make(chan struct{})
	h := NewHandler(Options{Snapshot: func() *snapshot.Snapshot {
		if calls.Add(1) <= n {
			entered <- struct{}{}
			<-release
		}
		return nil
	}})
	var wg sync.WaitGroup
	var ok atomic.Int32
	for range n {
		wg.Go(func() {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
			if rec.Code == http.StatusOK {
				ok.Add(1)
			}
		})
	}
	for range n {
		<-entered
	}
	close(release)
	wg.Wait()
	if ok.Load() != n {
		t.Errorf("%d of %d scrapes served", ok.Load(), n)
	}
}

func TestResponseHeaders(t *testing.T) {
	h := fresh(oddSnapshot(), collector.Options{})
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if got := rec.Header().Values("Vary"); strings.Join(got, ",") != "Accept,Accept-Encoding" {
		t.Errorf("Vary %q, want Accept and Accept-Encoding as promhttp has them", got)
	}
	if got := rec.Header().Get("Content-Type"); got != "text/plain; version=0.0.4; charset=utf-8; escaping=underscores" {
		t.Errorf("Content-Type %q for no Accept", got)
	}
}

func TestAcceptsGzip(t *testing.T) {
	for _, tt := range []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"GZIP", true},
		{"gzip, deflate, br", true},
		{"deflate", false},
		{"identity", false},
		{"*", false}, // identity is offered first
		{"gzip;q=0", false},
		{"gzip; q=0.5, identity;q=0.8", false},
		{"identity;q=0.5, gzip", true},
		{"gzip;q=0.5, *;q=0.5", false},
		{"*;q=0.2, gzip;q=0.3", true},
		{"gzip;q=2", false}, // not a weight
		{"x-gzip", false},
	} {
		h := http.Header{}
		if tt.header != "" {
			h.Set("Accept-Encoding", tt.header)
		}
		if got := acceptsGzip(h); got != tt.want {
			t.Errorf("Accept-Encoding %q: gzip %v, want %v", tt.header, got, tt.want)
		}
	}
}

// Accept headers that name no format rendered in advance.
const (
	acceptProtoText    = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=text"
	acceptProtoCompact = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=compact-text"
)

// TestUnrenderedFormatsGetText: a scrape that accepts no format rendered in
// advance (the protobuf text formats, an unknown encoding, another media
// type) gets the text format, saying so: the same bytes as a text scrape of
// the same snapshot, which hold the same samples as client_golang's text.
func TestUnrenderedFormatsGetText(t *testing.T) {
	const (
		textUnderscores = "text/plain; version=0.0.4; charset=utf-8; escaping=underscores"
		textUTF8        = "text/plain; version=0.0.4; charset=utf-8; escaping=allow-utf-8"
	)
	snap := testSnapshot(300, 3)
	opts := collector.Options{FlowInfo: true, RefreshInterval: time.Minute}
	self := selfRegistry()
	h := NewHandler(Options{Snapshot: func() *snapshot.Snapshot { return snap }, Metrics: opts, Gatherer: self})
	for _, tt := range []struct {
		accept     string
		textAccept string // the text scrape it must equal
		wantType   string
	}{
		{acceptProtoText, "", textUnderscores},
		{acceptProtoCompact, "", textUnderscores},
		{acceptProtoText + ";escaping=allow-utf-8", "text/plain;version=0.0.4;escaping=allow-utf-8", textUTF8},
		{"application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=json", "", textUnderscores},
		{"application/vnd.google.protobuf", "", textUnderscores},
		{"application/json, text/html;q=0.9", "", textUnderscores},
	} {
		for _, enc := range []string{"identity", "gzip"} {
			t.Run(tt.accept+"/"+enc, func(t *testing.T) {
				got, gotType := scrape(t, h, tt.accept, enc, "")
				if gotType != tt.wantType {
					t.Errorf("Content-Type %q, want %q", gotType, tt.wantType)
				}
				text, _ := scrape(t, h, tt.textAccept, enc, "")
				if !bytes.Equal(got, text) {
					t.Errorf("%d bytes, not those of a text scrape (%d bytes)", len(got), len(text))
				}
				want, _ := scrape(t, reference(snap, opts, self), "text/plain;version=0.0.4", enc, "")
				compareExpositions(t, gotType, got, want)
			})
		}
	}
}

// TestUnrenderedFormatsGatherNoSeries: a scrape in a format that is not
// rendered in advance writes the rendered bytes of 10,000 spaces, as a text
// scrape does: after the first, it allocates less than once per hundred
// series, where gathering them through client_golang allocates at least
// once per series (a dto.Metric each).
func TestUnrenderedFormatsGatherNoSeries(t *testing.T) {
	snap := testSnapshot(10000, 0)
	h := NewHandler(Options{Snapshot: func() *snapshot.Snapshot { return snap }})
	for _, accept := range []string{acceptProtoText, acceptProtoCompact} {
		t.Run(accept, func(t *testing.T) {
			body, _ := scrape(t, h, accept, "identity", "")
			series := 0
			for line := range strings.Lines(string(body)) {
				if !strings.HasPrefix(line, "#") {
					series++
				}
			}
			if series < 100000 {
				t.Fatalf("%d series; the snapshot of 10,000 spaces has more", series)
			}
			req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
			req.Header.Set("Accept", accept)
			allocs := testing.AllocsPerRun(5, func() { h.ServeHTTP(&discard{h: http.Header{}}, req) })
			if allocs*100 >= float64(series) {
				t.Errorf("%.0f allocations a scrape of %d series: the series are gathered, not written from rendered bytes", allocs, series)
			}
		})
	}
}

// blockedWriter is a ResponseWriter whose writes wait until released, as
// a client that does not read makes them wait.
type blockedWriter struct {
	h       http.Header
	entered chan struct{} // one send, at the first write
	release chan struct{}
	once    sync.Once
}

func (w *blockedWriter) Header() http.Header { return w.h }
func (w *blockedWriter) WriteHeader(int)     {}
func (w *blockedWriter) Write(p []byte) (int, error) {
	w.once.Do(func() { w.entered <- struct{}{} })
	<-w.release
	return len(p), nil
}

// TestStalledWritesHoldNoSlot: with MaxRequests scrapes stalled in their
// writes, which hold every write buffer, a scrape is served, the same
// bytes as an unhindered one, written without a buffer; the stalled ones
// end once released.
func TestStalledWritesHoldNoSlot(t *testing.T) {
	const max = 2
	snap := testSnapshot(500, 0)
	h := NewHandler(Options{MaxRequests: max, Snapshot: func() *snapshot.Snapshot { return snap }})
	for _, enc := range []string{"identity", "gzip"} {
		t.Run(enc, func(t *testing.T) {
			want, _ := scrape(t, h, "", enc, "")
			entered, release := make(chan struct{}), make(chan struct{})
			var wg sync.WaitGroup
			for range max {
				wg.Go(func() {
					req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
					req.Header.Set("Accept-Encoding", enc)
					h.ServeHTTP(&blockedWriter{h: http.Header{}, entered: entered, release: release}, req)
				})
				<-entered
			}
			if lent := lentBuffers(h); lent != max {
				t.Errorf("%d write buffers lent while %d scrapes are written, want %d", lent, max, max)
			}
			got, _ := scrape(t, h, "", enc, "")
			if !bytes.Equal(got, want) {
				t.Errorf("a scrape beside %d stalled ones: %d bytes, not those of an unhindered one (%d)", max, len(got), len(want))
			}
			close(release)
			wg.Wait()
			if lent := lentBuffers(h); lent != 0 {
				t.Errorf("%d write buffers lent after the writes ended, want none", lent)
			}
		})
	}
}

func lentBuffers(h *Handler) int {
	h.buffers.mu.Lock()
	defer h.buffers.mu.Unlock()
	return h.buffers.lent
}

// TestScrapesOneAtATimeShareABuffer: scrapes that come one after another
// are written through one buffer, not one each until MaxRequests are held.
func TestScrapesOneAtATimeShareABuffer(t *testing.T) {
	snap := testSnapshot(50, 0)
	h := NewHandler(Options{MaxRequests: 40, Snapshot: func() *snapshot.Snapshot { return snap }})
	for range 10 {
		scrape(t, h, "", "gzip", "")
	}
	h.buffers.mu.Lock()
	defer h.buffers.mu.Unlock()
	if n := len(h.buffers.idle); n != 1 || h.buffers.lent != 0 {
		t.Errorf("after 10 scrapes one at a time: %d buffers kept, %d lent; want 1 and 0", n, h.buffers.lent)
	}
}
