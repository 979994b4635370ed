package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
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
