package client

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// scripted answers each request with the next of its responses (the last one
// repeats) and counts the requests.
type scripted struct {
	mu        sync.Mutex
	responses []scriptedResponse
	calls     int
}

type scriptedResponse struct {
	status int
	body   string
}

func (s *scripted) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	resp := s.responses[min(s.calls, len(s.responses)-1)]
	s.calls++
	s.mu.Unlock()
	w.WriteHeader(resp.status)
	_, _ = w.Write([]byte(resp.body))
}

func (s *scripted) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

const (
	okBody        = `{"RequestId":"R","Code":"OK","Data":[]}`
	limitBody     = `{"RequestId":"R","Code":"System.LimitControl","Message":"flow control"}`
	deniedBody    = `{"RequestId":"R","Code":"Ram.PermissionDeny","Message":"denied"}`
	internalBody  = `{"RequestId":"R","Code":"InternalError","Message":"oops"}`
	throttledBody = `{"RequestId":"R","Code":"Throttling.User","Message":"Request was denied due to user flow control."}`
)

var fastBackoff = Backoff{Base: time.Millisecond, ThrottledBase: time.Millisecond, Max: 2 * time.Millisecond}

func newTestClient(t *testing.T, h http.Handler, cfg Config) (*Client, *[]Attempt) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	var mu sync.Mutex
	attempts := &[]Attempt{}
	cfg.Endpoint = srv.URL
	cfg.Credentials = StaticCredentials{AccessKeyID: "id", AccessKeySecret: "secret"}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = 1000
	}
	if cfg.Backoff == (Backoff{}) {
		cfg.Backoff = fastBackoff
	}
	cfg.Observer = ObserverFunc(func(a Attempt) {
		mu.Lock()
		defer mu.Unlock()
		*attempts = append(*attempts, a)
	})
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c, attempts
}

func codes(attempts []Attempt) []string {
	var out []string
	for _, a := range attempts {
		out = append(out, a.Code)
	}
	return out
}

func TestRetries(t *testing.T) {
	tests := []struct {
		name       string
		responses  []scriptedResponse
		maxRetries int
		wantCalls  int
		wantCode   string // "" means success
		wantCodes  []string
	}{
		{"permanent is never retried", []scriptedResponse{{400, deniedBody}}, 3, 1, "Ram.PermissionDeny", []string{"Ram.PermissionDeny"}},
		{"throttled then ok", []scriptedResponse{{400, limitBody}, {200, okBody}}, 3, 2, "", []string{"System.LimitControl", "OK"}},
		{"5xx retried up to the bound", []scriptedResponse{{500, internalBody}}, 2, 3, "InternalError", []string{"InternalError", "InternalError", "InternalError"}},
		{"html 503 then ok", []scriptedResponse{{503, "<html>busy</html>"}, {200, okBody}}, 3, 2, "", []string{"HTTP_503", "OK"}},
		{"429 throttling", []scriptedResponse{{429, throttledBody}, {429, throttledBody}, {200, okBody}}, 3, 3, "", []string{"Throttling.User", "Throttling.User", "OK"}},
		{"malformed retried", []scriptedResponse{{200, "{"}, {200, okBody}}, 3, 2, "", []string{"InvalidResponse", "OK"}},
		{"no retries when negative", []scriptedResponse{{500, internalBody}}, -1, 1, "InternalError", []string{"InternalError"}},
		{"ok with error code", []scriptedResponse{{200, `{"RequestId":"R","Code":"Product.Unsubscript","Message":"x"}`}}, 3, 1, "Product.Unsubscript", []string{"Product.Unsubscript"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := &scripted{responses: tt.responses}
			c, attempts := newTestClient(t, s, Config{MaxRetries: tt.maxRetries})
			_, err := c.ListFlow(context.Background(), ListFlowRequest{})
			if tt.wantCode == "" && err != nil {
				t.Fatalf("ListFlow: %v", err)
			}
			if tt.wantCode != "" && CodeOf(err) != tt.wantCode {
				t.Fatalf("ListFlow error %v, want code %s", err, tt.wantCode)
			}
			if s.count() != tt.wantCalls {
				t.Errorf("server saw %d calls, want %d", s.count(), tt.wantCalls)
			}
			if got := codes(*attempts); !equal(got, tt.wantCodes) {
				t.Errorf("observed %v, want %v", got, tt.wantCodes)
			}
		})
	}
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestThrottlingSlowsTheSharedLimiter(t *testing.T) {
	s := &scripted{responses: []scriptedResponse{{400, limitBody}, {400, limitBody}, {200, okBody}}}
	c, _ := newTestClient(t, s, Config{RateLimit: 400})
	if _, err := c.ListFlow(context.Background(), ListFlowRequest{}); err != nil {
		t.Fatal(err)
	}
	// Two throttles halve 400 twice; the success then adds a twentieth of 400.
	if got, want := c.Limiter().Rate(), 400.0/4+400.0/20; got != want {
		t.Errorf("limiter rate %v, want %v", got, want)
	}
}

func TestTimeoutIsReportedAndRetried(t *testing.T) {
	release := make(chan struct{})
	var once sync.Once
	calls := 0
	var mu sync.Mutex
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		calls++
		first := calls == 1
		mu.Unlock()
		if first {
			select {
			case <-r.Context().Done():
			case <-release:
			}
			return
		}
		_, _ = w.Write([]byte(okBody))
	})
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	c, attempts := newTestClient(t, h, Config{Timeout: 50 * time.Millisecond})
	if _, err := c.ListFlow(context.Background(), ListFlowRequest{}); err != nil {
		t.Fatalf("ListFlow: %v", err)
	}
	if got := codes(*attempts); !equal(got, []string{"Timeout", "OK"}) {
		t.Errorf("observed %v, want [Timeout OK]", got)
	}
}

func TestNetworkErrorCode(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens there any more
	var got []string
	c, err := New(Config{Endpoint: url, Credentials: StaticCredentials{AccessKeyID: "i", AccessKeySecret: "s"},
		MaxRetries: 1, Backoff: fastBackoff, RateLimit: 1000,
		Observer: ObserverFunc(func(a Attempt) { got = append(got, a.Code) })})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.ListFlow(context.Background(), ListFlowRequest{})
	if CodeOf(err) != CodeNetworkError || ClassOf(err) != ClassTransient {
		t.Errorf("error %v: code %s class %v, want NetworkError transient", err, CodeOf(err), ClassOf(err))
	}
	if !equal(got, []string{"NetworkError", "NetworkError"}) {
		t.Errorf("observed %v, want two NetworkError attempts", got)
	}
}

func TestContextEndsBackoff(t *testing.T) {
	s := &scripted{responses: []scriptedResponse{{500, internalBody}}}
	c, _ := newTestClient(t, s, Config{MaxRetries: 5, Backoff: Backoff{Base: time.Hour, Max: time.Hour}})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() { _, err := c.ListFlow(ctx, ListFlowRequest{}); done <- err }()
	select {
	case err := <-done:
		if CodeOf(err) != "InternalError" {
			t.Errorf("got %v, want the last API error", err)
		}
	case <-time.After(time.Minute):
		t.Fatal("ListFlow kept sleeping after its context ended")
	}
	if s.count() != 1 {
		t.Errorf("server saw %d calls, want 1", s.count())
	}
}

func TestBackoffDelayBounds(t *testing.T) {
	b := Backoff{Base: 100 * time.Millisecond, ThrottledBase: time.Second, Max: 3 * time.Second}
	tests := []struct {
		retry    int
		class    Class
		min, max time.Duration
	}{
		{0, ClassTransient, 50 * time.Millisecond, 100 * time.Millisecond},
		{2, ClassTransient, 200 * time.Millisecond, 400 * time.Millisecond},
		{0, ClassThrottled, 500 * time.Millisecond, time.Second},
		{5, ClassThrottled, 1500 * time.Millisecond, 3 * time.Second},
		{63, ClassTransient, 1500 * time.Millisecond, 3 * time.Second},
	}
	for _, tt := range tests {
		for range 50 {
			if d := b.delay(tt.retry, tt.class); d < tt.min || d > tt.max {
				t.Fatalf("delay(%d, %v) = %v, want in [%v, %v]", tt.retry, tt.class, d, tt.min, tt.max)
			}
		}
	}
}

func TestCredentialsErrorStopsTheCall(t *testing.T) {
	s := &scripted{responses: []scriptedResponse{{200, okBody}}}
	c, attempts := newTestClient(t, s, Config{})
	c.creds = StaticCredentials{}
	_, err := c.ListFlow(context.Background(), ListFlowRequest{})
	var ce *CredentialsError
	if !errors.As(err, &ce) || ClassOf(err) != ClassCredentials {
		t.Fatalf("got %v, want a CredentialsError", err)
	}
	if s.count() != 0 || !equal(codes(*attempts), []string{"Credentials"}) {
		t.Errorf("server saw %d calls, observed %v; want 0 and [Credentials]", s.count(), codes(*attempts))
	}
}

func TestListAllFlowsKeepsARepeatedFlowIdOnce(t *testing.T) {
	// A flow shifted from page 1 to page 2 between the two calls.
	s := &scripted{responses: []scriptedResponse{
		{200, `{"RequestId":"R","Code":"OK","Data":[{"FlowId":"a"},{"FlowId":"b"}]}`},
		{200, `{"RequestId":"R","Code":"OK","Data":[{"FlowId":"b"},{"FlowId":"c"}]}`},
		{200, `{"RequestId":"R","Code":"OK","Data":[{"FlowId":"d"}]}`},
	}}
	c, _ := newTestClient(t, s, Config{})
	flows, err := c.ListAllFlows(context.Background(), "", "", 2)
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, f := range flows {
		ids = append(ids, f.FlowID)
	}
	if !equal(ids, []string{"a", "b", "c", "d"}) || s.count() != 3 {
		t.Errorf("got %v in %d calls, want [a b c d] in 3", ids, s.count())
	}
}

func TestListAllFlowsStopsAServerThatIgnoresPage(t *testing.T) {
	s := &scripted{responses: []scriptedResponse{{200, `{"RequestId":"R","Code":"OK","Data":[{"FlowId":"a"},{"FlowId":"b"}]}`}}}
	c, _ := newTestClient(t, s, Config{})
	_, err := c.ListAllFlows(context.Background(), "", "", 2)
	if CodeOf(err) != CodeInvalidResponse || !strings.Contains(err.Error(), "ignore Page") {
		t.Errorf("got %v, want an InvalidResponse about Page", err)
	}
	if s.count() != 2 {
		t.Errorf("%d calls, want 2", s.count())
	}
}

// Quota that answers with another error is quota: the limiter climbs back
// on permanent errors too, and not on server errors.
func TestLimiterRecoversOnNonThrottledAnswers(t *testing.T) {
	s := &scripted{responses: []scriptedResponse{{400, limitBody}, {400, limitBody}, {400, deniedBody}, {400, deniedBody}, {500, internalBody}}}
	c, _ := newTestClient(t, s, Config{RateLimit: 400, MaxRetries: -1})
	rates := []float64{}
	for range 5 {
		_, _ = c.ListFlow(context.Background(), ListFlowRequest{})
		rates = append(rates, c.Limiter().Rate())
	}
	want := []float64{200, 100, 120, 140, 140}
	for i := range want {
		if rates[i] != want[i] {
			t.Fatalf("rates after each answer %v, want %v", rates, want)
		}
	}
}

func TestAttemptsSayWhenTheyWereThrottled(t *testing.T) {
	s := &scripted{responses: []scriptedResponse{
		{400, limitBody},
		{429, `{"RequestId":"R","Code":"Gateway.Busy","Message":"slow down"}`},
		{400, deniedBody},
		{200, okBody},
	}}
	c, attempts := newTestClient(t, s, Config{MaxRetries: 3})
	if _, err := c.ListFlow(context.Background(), ListFlowRequest{}); err == nil {
		t.Fatal("want the permanent error")
	}
	var got []bool
	for _, a := range *attempts {
		got = append(got, a.Throttled)
	}
	if len(got) != 3 || !got[0] || !got[1] || got[2] {
		t.Errorf("Throttled per attempt %v (codes %v), want [true true false]: 429 throttles whatever its code", got, codes(*attempts))
	}
}

// A call with a limiter slot the caller waited for goes at once; the slot
// serves one attempt only: a second call with the same context, and a
// retry, wait for the limiter as usual.
func TestLimiterSlot(t *testing.T) {
	// With one call in 1000 s, a call that waited for the limiter could not
	// end within its minute: ending at all shows it did not wait.
	spent := &scripted{responses: []scriptedResponse{{200, okBody}}}
	slow, _ := newTestClient(t, spent, Config{RateLimit: 0.001})
	ctx := context.Background()
	if err := slow.Limiter().Wait(ctx); err != nil { // the caller's wait
		t.Fatal(err)
	}
	minute, cancel := context.WithTimeout(WithLimiterSlot(ctx), time.Minute)
	defer cancel()
	if _, err := slow.ListFlow(minute, ListFlowRequest{}); err != nil {
		t.Fatalf("a call with a slot: %v, want it to go without waiting for the limiter", err)
	}

	s := &scripted{responses: []scriptedResponse{{200, okBody}}}
	c, _ := newTestClient(t, s, Config{RateLimit: 2})
	if err := c.Limiter().Wait(ctx); err != nil { // the caller's wait: the limiter is now spent for 0.5 s
		t.Fatal(err)
	}
	slot := WithLimiterSlot(ctx)
	if _, err := c.ListFlow(slot, ListFlowRequest{}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, err := c.ListFlow(slot, ListFlowRequest{}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("a second call with a used slot waited only %v, want the limiter's 0.5 s", d)
	}

	retried := &scripted{responses: []scriptedResponse{{500, internalBody}, {200, okBody}}}
	c2, attempts := newTestClient(t, retried, Config{RateLimit: 2})
	if err := c2.Limiter().Wait(ctx); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	if _, err := c2.ListFlow(WithLimiterSlot(ctx), ListFlowRequest{}); err != nil || len(*attempts) != 2 {
		t.Fatalf("%v after %d attempts, want success after 2", err, len(*attempts))
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("a retry after a slot waited only %v, want the limiter's 0.5 s", d)
	}
}
