package simulator

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/client/acs3"
)

func TestRateLimit(t *testing.T) {
	h := newHarness(t, Config{RateLimit: 5})
	h.srv.AddCredential(Credential{AccessKeyID: "otherKey", AccessKeySecret: "otherSecret"})
	call := func() response { return h.list(url.Values{}) }
	ok := func(when string, r response) {
		t.Helper()
		if r.status != http.StatusOK {
			t.Fatalf("%s: HTTP %d %s", when, r.status, r.raw)
		}
	}
	for i := range 5 {
		ok("call "+string(rune('1'+i)), call())
	}
	r := call()
	wantError(t, r, http.StatusBadRequest, CodeSystemLimitControl)
	if !strings.Contains(r.body.Message, "flow control") {
		t.Errorf("message %q", r.body.Message)
	}
	// Another AccessKeyId has its own quota.
	other := h.request(url.Values{})
	h.sign(other, acs3.Credentials{AccessKeyID: "otherKey", AccessKeySecret: "otherSecret"})
	ok("another key", h.do(other))
	// Refused calls take no quota: half a second on, still refused; a
	// second after the first five, accepted again.
	h.clock.Advance(500 * time.Millisecond)
	for range 3 {
		wantError(t, call(), http.StatusBadRequest, CodeSystemLimitControl)
	}
	h.clock.Advance(500 * time.Millisecond)
	for i := range 5 {
		ok("after a second, call "+string(rune('1'+i)), call())
	}
	wantError(t, call(), http.StatusBadRequest, CodeSystemLimitControl)
	st := h.srv.Stats()
	if st.Throttled != 5 || st.Accepted != 11 || st.Codes[CodeSystemLimitControl] != 5 {
		t.Errorf("Stats Throttled %d Accepted %d Codes %v; want 5, 11 and 5 System.LimitControl", st.Throttled, st.Accepted, st.Codes)
	}
}

// The default limit is 5 calls/s, with the wall clock.
func TestRateLimitDefault(t *testing.T) {
	s, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	codes := make([]int, 6)
	for i := range codes {
		req := httptest.NewRequest(http.MethodPost, "http://cams.test/", nil)
		req.Header.Set("x-acs-action", "ListFlow")
		req.Header.Set("x-acs-version", APIVersion)
		acs3.Signer{}.Sign(req, acs3.Credentials{AccessKeyID: DefaultAccessKeyID, AccessKeySecret: DefaultAccessKeySecret})
		w := httptest.NewRecorder()
		s.ServeHTTP(w, req)
		codes[i] = w.Code
	}
	want := []int{200, 200, 200, 200, 200, 400}
	for i := range want {
		if codes[i] != want[i] {
			t.Fatalf("statuses %v, want %v", codes, want)
		}
	}
}

func TestSlidingWindow(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		rate   float64
		limit  int
		window time.Duration
	}{
		{5, 5, time.Second},
		{2.5, 2, 800 * time.Millisecond},
		{0.5, 1, 2 * time.Second},
		{1, 1, time.Second},
	}
	for _, tt := range tests {
		l := newSlidingWindow(tt.rate)
		if l.limit != tt.limit || l.window != tt.window {
			t.Errorf("rate %v: limit %d window %v, want %d and %v", tt.rate, l.limit, l.window, tt.limit, tt.window)
			continue
		}
		for i := range tt.limit {
			if !l.allow("k", t0.Add(time.Duration(i)*time.Millisecond)) {
				t.Errorf("rate %v: call %d refused", tt.rate, i+1)
			}
		}
		if l.allow("k", t0.Add(tt.window-time.Millisecond)) {
			t.Errorf("rate %v: a call over the limit within the window accepted", tt.rate)
		}
		if !l.allow("k", t0.Add(tt.window)) {
			t.Errorf("rate %v: a call a window after the first refused", tt.rate)
		}
	}
	if newSlidingWindow(-1) != nil || !newSlidingWindow(-1).allow("k", t0) {
		t.Error("a negative rate does not mean no limit")
	}
}
