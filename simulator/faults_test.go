package simulator

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/client/acs3"
)

func TestFaultKinds(t *testing.T) {
	small := loadSmall(t)
	h := newHarness(t, Config{Data: small})
	page := expectedPage(spaceOf(t, small, "").Flows, "", 1, 3)
	params := pageParams("", "", 1, 3)
	tests := []struct {
		name  string
		fault Fault
		check func(t *testing.T, r response, elapsed time.Duration)
	}{
		{"Ram.PermissionDeny, CAMS string detail", Fault{Kind: FaultError, Code: CodeRAMPermissionDeny}, func(t *testing.T, r response, _ time.Duration) {
			wantError(t, r, 400, CodeRAMPermissionDeny)
			var s string
			if err := json.Unmarshal(r.body.AccessDeniedDetail, &s); err != nil || s == "" {
				t.Errorf("AccessDeniedDetail = %s, want a string", r.body.AccessDeniedDetail)
			}
		}},
		{"Ram.PermissionDeny, gateway object detail", Fault{Kind: FaultError, Code: CodeRAMPermissionDeny, Detail: "object"}, func(t *testing.T, r response, _ time.Duration) {
			wantError(t, r, 400, CodeRAMPermissionDeny)
			var m map[string]string
			if err := json.Unmarshal(r.body.AccessDeniedDetail, &m); err != nil {
				t.Fatalf("AccessDeniedDetail = %s, want an object", r.body.AccessDeniedDetail)
			}
			for _, k := range []string{"PolicyType", "AuthAction", "AuthPrincipalType", "AuthPrincipalOwnerId", "AuthPrincipalDisplayName", "NoPermissionType", "EncodedDiagnosticMessage"} {
				if m[k] == "" {
					t.Errorf("AccessDeniedDetail lacks %s: %s", k, r.body.AccessDeniedDetail)
				}
			}
		}},
		{"custom detail string", Fault{Kind: FaultError, Code: CodeRAMPermissionDeny, Detail: "no cams:ListFlow"}, func(t *testing.T, r response, _ time.Duration) {
			wantError(t, r, 400, CodeRAMPermissionDeny)
			if string(r.body.AccessDeniedDetail) != `"no cams:ListFlow"` {
				t.Errorf("AccessDeniedDetail = %s", r.body.AccessDeniedDetail)
			}
		}},
		{"Throttling.User with 429", Fault{Kind: FaultError, Code: CodeThrottlingUser, Status: 429}, func(t *testing.T, r response, _ time.Duration) {
			wantError(t, r, 429, CodeThrottlingUser)
			if v := r.header.Get("x-ratelimit-user-api"); !strings.Contains(v, "TimeLeft:") {
				t.Errorf("x-ratelimit-user-api = %q", v)
			}
		}},
		{"Throttling.User as documented", Fault{Kind: FaultError, Code: CodeThrottlingUser}, func(t *testing.T, r response, _ time.Duration) {
			wantError(t, r, 400, CodeThrottlingUser)
		}},
		{"Product.Unsubscript", Fault{Kind: FaultError, Code: CodeProductUnsubscript}, func(t *testing.T, r response, _ time.Duration) {
			wantError(t, r, 400, CodeProductUnsubscript)
			wantEnvelope(t, r, h.host)
		}},
		{"InternalError takes its status", Fault{Kind: FaultError, Code: CodeInternalError}, func(t *testing.T, r response, _ time.Duration) {
			wantError(t, r, 500, CodeInternalError)
		}},
		{"a code the simulator does not know", Fault{Kind: FaultError, Code: "Cams.Something"}, func(t *testing.T, r response, _ time.Duration) {
			wantError(t, r, 400, "Cams.Something")
		}},
		{"http 503", Fault{Kind: FaultHTTP, Status: 503}, func(t *testing.T, r response, _ time.Duration) {
			wantError(t, r, 503, CodeServiceUnavailable)
			wantEnvelope(t, r, h.host)
		}},
		{"http 500", Fault{Kind: FaultHTTP, Status: 500}, func(t *testing.T, r response, _ time.Duration) {
			wantError(t, r, 500, CodeInternalError)
		}},
		{"http without a status", Fault{Kind: FaultHTTP}, func(t *testing.T, r response, _ time.Duration) {
			wantError(t, r, 500, CodeInternalError)
		}},
		{"http 502", Fault{Kind: FaultHTTP, Status: 502}, func(t *testing.T, r response, _ time.Duration) {
			wantError(t, r, 502, CodeInternalError)
		}},
		{"malformed", Fault{Kind: FaultMalformed}, func(t *testing.T, r response, _ time.Duration) {
			if r.status != 200 || json.Valid(r.raw) || string(r.raw) != "<html>502 Bad Gateway</html>" {
				t.Errorf("HTTP %d %q, want 200 and an HTML page", r.status, r.raw)
			}
		}},
		{"ok-error", Fault{Kind: FaultOKError, Code: CodeProductUnsubscript}, func(t *testing.T, r response, _ time.Duration) {
			if r.status != 200 || r.body.Code != CodeProductUnsubscript || r.body.RequestId == "" {
				t.Errorf("HTTP %d %s, want 200 with Code %s", r.status, r.raw, CodeProductUnsubscript)
			}
		}},
		{"ok-error Ram.PermissionDeny", Fault{Kind: FaultOKError, Code: CodeRAMPermissionDeny}, func(t *testing.T, r response, _ time.Duration) {
			if r.status != 200 || r.body.Code != CodeRAMPermissionDeny || !strings.HasPrefix(string(r.body.AccessDeniedDetail), `"`) {
				t.Errorf("HTTP %d %s, want 200, Ram.PermissionDeny and a string detail", r.status, r.raw)
			}
		}},
		{"latency", Fault{Kind: FaultLatency, Latency: Duration(150 * time.Millisecond)}, func(t *testing.T, r response, elapsed time.Duration) {
			wantFlows(t, r, page)
			if elapsed < 150*time.Millisecond {
				t.Errorf("answered after %v, want 150ms or more", elapsed)
			}
		}},
		{"truncated", Fault{Kind: FaultTruncated}, func(t *testing.T, r response, _ time.Duration) {
			if r.status != 200 || json.Valid(r.raw) {
				t.Fatalf("HTTP %d %s, want 200 and a cut body", r.status, r.raw)
			}
			// The whole answer, with this call's RequestId, cut in half.
			id := r.header.Get("x-acs-request-id")
			full := marshalTest(t, map[string]any{"RequestId": id, "Code": "OK", "Message": "SUCCESS", "Data": page})
			if want := full[:len(full)/2]; string(r.raw) != want {
				t.Errorf("body %s\nwant %s", r.raw, want)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.srv.ClearFaults()
			if _, err := h.srv.Inject(tt.fault); err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			r := h.list(params)
			tt.check(t, r, time.Since(start))
		})
	}
	st := h.srv.Stats()
	if st.Faulted != len(tests) || st.Faults[FaultError] != 8 || st.Faults[FaultHTTP] != 4 {
		t.Errorf("Stats Faulted %d Faults %v", st.Faulted, st.Faults)
	}
}

// marshalTest renders v the way the gateway does: keys in the order
// RequestId, Code, Message, Data, no HTML escaping.
func marshalTest(t *testing.T, v map[string]any) string {
	t.Helper()
	var parts []string
	for _, k := range []string{"RequestId", "Code", "Message", "Data"} {
		b, err := json.Marshal(v[k])
		if err != nil {
			t.Fatal(err)
		}
		parts = append(parts, `"`+k+`":`+string(b))
	}
	return "{" + strings.Join(parts, ",") + "}"
}

func TestFaultReset(t *testing.T) {
	h := newHarness(t, Config{})
	if _, err := h.srv.Inject(Fault{Kind: FaultReset, Count: 1}); err != nil {
		t.Fatal(err)
	}
	resp, err := h.hc.Do(h.signed(url.Values{}))
	if err == nil {
		resp.Body.Close()
		t.Fatalf("a reset call answered HTTP %d", resp.StatusCode)
	}
	if r := h.list(url.Values{}); r.status != 200 {
		t.Errorf("after the reset: HTTP %d %s", r.status, r.raw)
	}
	if n := h.srv.Stats().Faults[FaultReset]; n != 1 {
		t.Errorf("Stats.Faults[reset] = %d, want 1", n)
	}
}

func TestFaultHangEndsWithTheClient(t *testing.T) {
	h := newHarness(t, Config{})
	if _, err := h.srv.Inject(Fault{Kind: FaultHang}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	resp, err := h.hc.Do(h.signed(url.Values{}).WithContext(ctx))
	if err == nil {
		resp.Body.Close()
		t.Fatalf("a hanging call answered HTTP %d", resp.StatusCode)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %v, want the context's deadline", err)
	}
	if d := time.Since(start); d > time.Minute { // only a hang
		t.Errorf("the call took %v", d)
	}
}

func TestFaultHangEndsOnClose(t *testing.T) {
	for _, kind := range []string{FaultHang, FaultLatency} {
		t.Run(kind, func(t *testing.T) {
			h := newHarness(t, Config{Faults: []Fault{{Kind: kind, Latency: Duration(time.Hour)}}})
			done := make(chan error, 1)
			go func() {
				resp, err := h.hc.Do(h.signed(url.Values{}))
				if err == nil {
					resp.Body.Close()
				}
				done <- err
			}()
			waitFor(t, func() bool { return h.srv.Stats().Faults[kind] == 1 })
			if err := h.srv.Close(); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-done:
				if err == nil {
					t.Error("the held call got an answer")
				}
			case <-time.After(30 * time.Second): // before the client's own timeout of a minute
				t.Fatal("Close did not end the held call")
			}
		})
	}
}

// A server used as a plain handler ends its hangs on Close too, without an
// answer.
func TestFaultHangEndsOnCloseUnstarted(t *testing.T) {
	clock := newClock()
	s, err := New(Config{Now: clock.Now, AccessKeyID: testKeyID, AccessKeySecret: testSecret, Faults: []Fault{{Kind: FaultHang}}})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(s)
	defer ts.Close()
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodPost, ts.URL+"/", nil)
		req.Header.Set("x-acs-action", "ListFlow")
		req.Header.Set("x-acs-version", APIVersion)
		acs3.Signer{Now: clock.Now}.Sign(req, acs3.Credentials{AccessKeyID: testKeyID, AccessKeySecret: testSecret})
		resp, err := ts.Client().Do(req)
		if err == nil {
			resp.Body.Close()
		}
		done <- err
	}()
	waitFor(t, func() bool { return s.Stats().Faults[FaultHang] == 1 })
	s.Close()
	select {
	case err := <-done:
		if err == nil {
			t.Error("the held call got an answer")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Close did not end the held call")
	}
}

// waitFor polls cond for up to a minute: long enough for any machine.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out waiting")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestFaultCount(t *testing.T) {
	h := newHarness(t, Config{})
	id, err := h.srv.Inject(Fault{Kind: FaultHTTP, Status: 503, Count: 2})
	if err != nil {
		t.Fatal(err)
	}
	wantError(t, h.list(url.Values{}), 503, CodeServiceUnavailable)
	if f := h.srv.Faults(); len(f) != 1 || f[0].Count != 1 || f[0].ID != id {
		t.Errorf("after one call Faults() = %+v, want fault %d with 1 left", f, id)
	}
	wantError(t, h.list(url.Values{}), 503, CodeServiceUnavailable)
	if f := h.srv.Faults(); len(f) != 0 {
		t.Errorf("after two calls Faults() = %+v, want none", f)
	}
	if r := h.list(url.Values{}); r.status != 200 {
		t.Errorf("third call: HTTP %d %s", r.status, r.raw)
	}
}

func TestFaultMatching(t *testing.T) {
	h := newHarness(t, Config{})
	inject := func(f Fault) {
		t.Helper()
		if _, err := h.srv.Inject(f); err != nil {
			t.Fatal(err)
		}
	}
	inject(Fault{Space: ptr("cams-1a2b3c4d"), Kind: FaultError, Code: CodeProductUnsubscript})
	inject(Fault{Space: ptr(""), Kind: FaultError, Code: CodeRAMPermissionDeny})
	inject(Fault{Kind: FaultHTTP, Status: 503})
	wantError(t, h.list(pageParams("cams-1a2b3c4d", "", 1, 20)), 400, CodeProductUnsubscript)
	wantError(t, h.list(url.Values{}), 400, CodeRAMPermissionDeny)
	wantError(t, h.list(url.Values{"CustSpaceId": {""}}), 400, CodeRAMPermissionDeny)
	wantError(t, h.list(pageParams("cams-empty000", "", 1, 20)), 503, CodeServiceUnavailable)

	// The first fault that matches wins.
	h.srv.ClearFaults()
	inject(Fault{Kind: FaultHTTP, Status: 503})
	inject(Fault{Space: ptr(""), Kind: FaultError, Code: CodeRAMPermissionDeny})
	wantError(t, h.list(url.Values{}), 503, CodeServiceUnavailable)

	// A fault for one page leaves the others alone.
	h.srv.ClearFaults()
	inject(Fault{Kind: FaultHTTP, Status: 503, Page: 2})
	if r := h.list(pageParams("cams-1a2b3c4d", "", 1, 1)); r.status != 200 {
		t.Errorf("page 1 with a page-2 fault: HTTP %d", r.status)
	}
	wantError(t, h.list(pageParams("cams-1a2b3c4d", "", 2, 1)), 503, CodeServiceUnavailable)

	// RemoveFault takes one fault away.
	h.srv.ClearFaults()
	id, _ := h.srv.Inject(Fault{Kind: FaultHTTP, Status: 503})
	if !h.srv.RemoveFault(id) || h.srv.RemoveFault(id) {
		t.Error("RemoveFault does not remove once")
	}
	if r := h.list(url.Values{}); r.status != 200 {
		t.Errorf("after RemoveFault: HTTP %d", r.status)
	}
}

// Faults act after authentication and the rate limit, and calls refused
// before do not use them up.
func TestFaultOrder(t *testing.T) {
	h := newHarness(t, Config{RateLimit: 1})
	if _, err := h.srv.Inject(Fault{Kind: FaultHTTP, Status: 503, Count: 2}); err != nil {
		t.Fatal(err)
	}
	bad := h.request(url.Values{})
	h.sign(bad, acs3.Credentials{AccessKeyID: testKeyID, AccessKeySecret: "wrong"})
	wantError(t, h.do(bad), 400, CodeSignatureDoesNotMatch)
	wantError(t, h.list(url.Values{}), 503, CodeServiceUnavailable)
	wantError(t, h.list(url.Values{}), 400, CodeSystemLimitControl)
	if f := h.srv.Faults(); len(f) != 1 || f[0].Count != 1 {
		t.Errorf("Faults() = %+v, want one with 1 left", f)
	}
}

func TestInjectValidation(t *testing.T) {
	s, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		fault Fault
		ok    bool
	}{
		{Fault{Kind: FaultError, Code: CodeRAMPermissionDeny}, true},
		{Fault{Kind: FaultHang, Space: ptr("")}, true},
		{Fault{Kind: FaultReset, Count: 3}, true},
		{Fault{Kind: FaultHTTP, Status: 599}, true},
		{Fault{Kind: "explode"}, false},
		{Fault{Kind: ""}, false},
		{Fault{Kind: FaultError}, false},
		{Fault{Kind: FaultOKError}, false},
		{Fault{Kind: FaultHTTP, Status: 99}, false},
		{Fault{Kind: FaultHTTP, Status: 600}, false},
		{Fault{Kind: FaultLatency}, false},
		{Fault{Kind: FaultLatency, Latency: Duration(-time.Second)}, false},
		{Fault{Kind: FaultMalformed, Count: -1}, false},
	}
	for _, tt := range tests {
		_, err := s.Inject(tt.fault)
		if (err == nil) != tt.ok {
			t.Errorf("Inject(%+v) error %v, want ok %v", tt.fault, err, tt.ok)
		}
	}
	if n := len(s.Faults()); n != 4 {
		t.Errorf("%d faults active, want 4", n)
	}
}

func TestConfigFaults(t *testing.T) {
	s, err := New(Config{Faults: []Fault{{Kind: FaultHang}, {Kind: FaultMalformed, Space: ptr("")}}})
	if err != nil {
		t.Fatal(err)
	}
	if f := s.Faults(); len(f) != 2 || f[0].ID != 1 || f[1].ID != 2 || *f[1].Space != "" {
		t.Errorf("Faults() = %+v", f)
	}
	if _, err := New(Config{Faults: []Fault{{Kind: FaultHang}, {Kind: "nope"}}}); err == nil || !strings.Contains(err.Error(), "fault 1") {
		t.Errorf("New with a bad fault: %v", err)
	}
}

func TestFaultJSON(t *testing.T) {
	f := Fault{Space: ptr(""), Kind: FaultLatency, Latency: Duration(250 * time.Millisecond)}
	b, err := json.Marshal(f)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"space":"","kind":"latency","latency":"250ms"}`; string(b) != want {
		t.Errorf("Marshal = %s, want %s", b, want)
	}
	var g Fault
	if err := json.Unmarshal([]byte(`{"kind":"latency","latency":"1.5s","count":2}`), &g); err != nil || time.Duration(g.Latency) != 1500*time.Millisecond || g.Space != nil {
		t.Errorf("Unmarshal = %+v, %v", g, err)
	}
	for _, bad := range []string{`{"latency":250}`, `{"latency":"fast"}`} {
		if err := json.Unmarshal([]byte(bad), &g); err == nil {
			t.Errorf("Unmarshal(%s) accepted it", bad)
		}
	}
}
