package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/health"
	"github.com/cams-exporter/cams_exporter/simulator"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// TestLimitInFlight: with n requests being served, the next one is
// answered 503 at once, saying why and when to try again; once one ends,
// a request is served again.
func TestLimitInFlight(t *testing.T) {
	const n = 2
	entered, release := make(chan struct{}), make(chan struct{})
	srv := httptest.NewServer(limitInFlight(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Has("block") {
			entered <- struct{}{}
			<-release
		}
		io.WriteString(w, "served")
	}), n, "/status"))
	defer srv.Close()
	get := func(query string) (int, string, string) {
		resp, err := http.Get(srv.URL + "/status" + query)
		if err != nil {
			t.Error(err)
			return 0, "", ""
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("Retry-After"), string(body)
	}
	done := make(chan int, n)
	for range n {
		go func() { code, _, _ := get("?block"); done <- code }()
		<-entered
	}
	code, retry, body := get("")
	if code != http.StatusServiceUnavailable || retry != "1" || !strings.Contains(body, "2 /status requests are being served") {
		t.Errorf("with %d requests in flight: %d, Retry-After %q, %q; want 503, 1 and why", n, code, retry, body)
	}
	release <- struct{}{}
	if code := <-done; code != http.StatusOK {
		t.Errorf("a blocked request ended with %d", code)
	}
	if code, _, body := get(""); code != http.StatusOK || body != "served" {
		t.Errorf("after one ended: %d %q, want 200", code, body)
	}
	close(release)
	if code := <-done; code != http.StatusOK {
		t.Errorf("a blocked request ended with %d", code)
	}
}

// serveAsTheExporter serves h as serveHTTP does (newHTTPServer's limits,
// stall the time a piece of an answer may wait), on loopback connections
// with small send buffers, so that an answer of a few hundred KB stalls
// when its client does not read. It returns the address and the count of
// requests in flight.
func serveAsTheExporter(t *testing.T, h http.Handler, stall time.Duration) (string, *inFlight) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv, requests := newHTTPServer(h, stall)
	go srv.Serve(smallSendBuffers{ln})
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String(), requests
}

type smallSendBuffers struct{ net.Listener }

func (l smallSendBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(16 << 10)
	}
	return c, err
}

// stalledReader sends a GET of path on a connection with a small receive
// buffer, reads the answer's status line and headers (the server has
// started writing the body), and reads nothing more. The connection is
// closed when the test ends.
func stalledReader(t *testing.T, addr, path string) (net.Conn, *http.Response) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.(*net.TCPConn).SetReadBuffer(4 << 10)
	req, _ := http.NewRequest(http.MethodGet, "http://"+addr+path, nil)
	if err := req.Write(c); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReaderSize(c, 4<<10), req)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("a stalled reader of %s got %d before it stalled", path, resp.StatusCode)
	}
	return c, resp
}

// manySpacesExporter is an exporter of n spaces restored from a cache,
// never listed: their /metrics answer is about 900 bytes a
// space, their /status JSON about 500.
func manySpacesExporter(t *testing.T, n int) *exporter {
	t.Helper()
	ids := make([]string, n)
	args := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("cams-stalled-%05d", i)
		args[i] = "--cams.space=" + ids[i]
	}
	h := newHarness(t, &simulator.Dataset{}, args...)
	listed := time.Now().Add(-time.Minute)
	states := make(map[string]*snapshot.SpaceState, n)
	for _, id := range ids {
		states[id] = &snapshot.SpaceState{ID: id, HasData: true, Up: true, LastSuccess: listed, LastAttempt: listed, Count: 40,
			ByCategory: map[string]int{"SIGN_UP": 10, "SIGN_IN": 10, "SURVEY": 10, "OTHER": 10}, Added: 40}
	}
	h.exp.refresher.Restore(states)
	return h.exp
}

// TestStalledMetricsReadersHoldNoSlot: 40 clients (--web.max-requests)
// ask for /metrics and never read their answers, which are larger than
// the connections' buffers; a real scrape is then served in full while all
// 40 are still stalled, and no timer can have freed them (they may stall
// for an hour).
func TestStalledMetricsReadersHoldNoSlot(t *testing.T) {
	const spaces = 3000
	e := manySpacesExporter(t, spaces)
	if e.opts.maxRequests != 40 {
		t.Fatalf("--web.max-requests defaults to %d", e.opts.maxRequests)
	}
	addr, requests := serveAsTheExporter(t, e.handler(nil), time.Hour)
	for range e.opts.maxRequests {
		_, resp := stalledReader(t, addr, "/metrics")
		if resp.ContentLength < 1<<20 {
			t.Fatalf("an answer of %d bytes: too small to stall", resp.ContentLength)
		}
	}
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("a scrape beside 40 stalled readers: %d, %v: %.200s", resp.StatusCode, err, body)
	}
	if n := strings.Count(string(body), "\ncams_space_up{space=\"cams-stalled-"); n != spaces {
		t.Errorf("the scrape has cams_space_up for %d spaces, want %d", n, spaces)
	}
	if n := requests.n.Load(); n != int64(e.opts.maxRequests) {
		t.Errorf("%d requests in flight after the scrape, want the %d stalled ones", n, e.opts.maxRequests)
	}
}

// TestStalledStatusReadersAreCut: two clients (the most /status serves at
// once) ask for /status and never read the JSON of 2,000 spaces; with a
// stall time of 1 s, both are cut while their connections stay open, and
// /status is served in full again.
func TestStalledStatusReadersAreCut(t *testing.T) {
	const spaces = 2000
	e := manySpacesExporter(t, spaces)
	addr, requests := serveAsTheExporter(t, e.handler(nil), time.Second)
	var stalled []*http.Response
	for range statusMaxRequests {
		_, resp := stalledReader(t, addr, "/status")
		stalled = append(stalled, resp)
	}
	// Less than webWriteTimeout, which freed them before.
	deadline := time.Now().Add(webWriteTimeout / 2)
	for requests.n.Load() > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d stalled /status requests still in flight after %s", requests.n.Load(), webWriteTimeout/2)
		}
		time.Sleep(10 * time.Millisecond)
	}
	for i, resp := range stalled {
		if n, err := io.Copy(io.Discard, resp.Body); err == nil {
			t.Errorf("stalled reader %d: the whole answer (%d bytes) after the cut", i, n)
		}
	}
	// A client that reads is served; it may itself be cut if it takes
	// nothing for a second on a loaded machine, so it may try again.
	for {
		status, err := statusSpaces(addr)
		if err == nil && status == spaces {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("/status after the stalled readers were cut: %d spaces, %v", status, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// statusSpaces gets /status's JSON and counts its spaces.
func statusSpaces(addr string) (int, error) {
	resp, err := http.Get("http://" + addr + "/status")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	var st health.Status
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil {
		return 0, err
	}
	return len(st.Spaces), nil
}
