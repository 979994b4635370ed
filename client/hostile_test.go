package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"
)

// recorder is a server that counts the requests it gets and keeps their
// headers.
type recorder struct {
	mu      sync.Mutex
	headers []http.Header
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.headers = append(r.headers, req.Header.Clone())
	r.mu.Unlock()
	_, _ = w.Write([]byte(`{"RequestId":"T","Code":"OK","Data":[]}`))
}

func (r *recorder) requests() []http.Header {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]http.Header(nil), r.headers...)
}

// serveOn starts h on addr (a loopback address other than 127.0.0.1 makes
// it another host) and returns its base URL.
func serveOn(t *testing.T, addr string, h http.Handler) string {
	t.Helper()
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("listen on %s: %v", addr, err)
	}
	srv := httptest.NewUnstartedServer(h)
	srv.Listener.Close()
	srv.Listener = l
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestRedirectIsNeverFollowed answers every call with a redirect to a server
// on another loopback host: the client makes one request, to the endpoint
// only, fails with HTTP_<status> without retrying, and the other host never
// hears of it, so no x-acs-* credential header can reach it. It holds with
// the client's own http.Client and with one given in Config.
func TestRedirectIsNeverFollowed(t *testing.T) {
	other := &recorder{}
	otherURL := serveOn(t, "127.0.0.2:0", other)
	otherHTTP := "http://localhost:" + otherURL[strings.LastIndex(otherURL, ":")+1:]
	for _, status := range []int{301, 302, 303, 307, 308} {
		for _, own := range []bool{true, false} {
			t.Run(fmt.Sprintf("%d/own-client=%v", status, own), func(t *testing.T) {
				var endpointCalls int
				var mu sync.Mutex
				redirect := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					mu.Lock()
					endpointCalls++
					mu.Unlock()
					target := otherURL
					if status%2 == 0 {
						target = otherHTTP // another host name, and plain http
					}
					http.Redirect(w, r, target+"/steal?"+r.URL.RawQuery, status)
				})
				cfg := Config{MaxRetries: 3}
				if !own {
					cfg.HTTPClient = &http.Client{}
				}
				cfg.Endpoint = serveOn(t, "127.0.0.1:0", redirect)
				cfg.Credentials = StaticCredentials{AccessKeyID: "STS.redirectKeyId", AccessKeySecret: "redirectSecret", SecurityToken: "redirectToken"}
				cfg.RateLimit, cfg.Backoff = 1000, fastBackoff
				var attempts []Attempt
				cfg.Observer = ObserverFunc(func(a Attempt) { mu.Lock(); attempts = append(attempts, a); mu.Unlock() })
				c, err := New(cfg)
				if err != nil {
					t.Fatal(err)
				}
				defer c.Close()

				_, err = c.ListFlow(context.Background(), ListFlowRequest{CustSpaceID: "cams-x", Page: &Page{Index: 1, Size: 20}})
				want := HTTPStatusCode(status)
				if CodeOf(err) != want || ClassOf(err) != ClassPermanent {
					t.Fatalf("got %v (code %q, class %v), want code %s, permanent", err, CodeOf(err), ClassOf(err), want)
				}
				if !strings.Contains(err.Error(), "redirect") || strings.Contains(err.Error(), "/steal") {
					t.Errorf("error %q should say a redirect was refused, naming the host only", err)
				}
				if got := other.requests(); len(got) != 0 {
					t.Fatalf("the other host got %d requests, headers %v", len(got), got)
				}
				mu.Lock()
				defer mu.Unlock()
				if endpointCalls != 1 || len(attempts) != 1 || attempts[0].Code != want {
					t.Errorf("endpoint got %d requests, observer saw %+v; want one attempt with %s", endpointCalls, attempts, want)
				}
			})
		}
	}
}

// TestHostilePagesAreInvalid feeds ListFlow pages a broken or hostile server
// could send: each is an InvalidResponse error naming what was wrong, and a
// listing that meets one returns no flow at all.
func TestHostilePagesAreInvalid(t *testing.T) {
	flows := func(n int, id func(i int) string) string {
		items := make([]string, n)
		for i := range items {
			items[i] = fmt.Sprintf(`{"FlowId":%s,"FlowName":"f%d","Categories":["SIGN_UP"]}`, id(i), i)
		}
		return `{"RequestId":"R","Code":"OK","Data":[` + strings.Join(items, ",") + `]}`
	}
	quoted := func(i int) string { return fmt.Sprintf("%q", fmt.Sprint("id", i)) }
	manyCategories := make([]string, MaxCategoriesPerFlow+1)
	for i := range manyCategories {
		manyCategories[i] = fmt.Sprintf("%q", fmt.Sprint("C", i))
	}
	tests := []struct {
		name, body, wantInMessage string
	}{
		{"more flows than Page.Size", flows(21, quoted), "page 1 holds 21 flows, more than the Page.Size of 20"},
		{"far more flows than Page.Size", flows(5000, quoted), "page 1 holds 5000 flows"},
		{"FlowId missing", `{"Code":"OK","Data":[{"FlowId":"1"},{"FlowName":"no id"},{"FlowId":"3"}]}`, "flow 2 of 3 has no FlowId"},
		{"FlowId empty", flows(3, func(i int) string { return `""` }), "flow 1 of 3 has no FlowId"},
		{"FlowId null", flows(2, func(i int) string { return `null` }), "has no FlowId"},
		{"too many categories", `{"Code":"OK","Data":[{"FlowId":"1","Categories":[` + strings.Join(manyCategories, ",") + `]}]}`,
			fmt.Sprintf("carries %d categories, more than %d", MaxCategoriesPerFlow+1, MaxCategoriesPerFlow)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := &scripted{responses: []scriptedResponse{{200, tt.body}}}
			c, attempts := newTestClient(t, srv, Config{MaxRetries: -1})
			flows, err := c.ListAllFlows(context.Background(), "cams-x", "", 20)
			if CodeOf(err) != CodeInvalidResponse || flows != nil {
				t.Fatalf("got %d flows and %v, want none and InvalidResponse", len(flows), err)
			}
			if !strings.Contains(err.Error(), tt.wantInMessage) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q does not say %q on one line", err, tt.wantInMessage)
			}
			if got := codes(*attempts); len(got) != 1 || got[0] != CodeInvalidResponse {
				t.Errorf("observer saw %v, want one InvalidResponse attempt", got)
			}
		})
	}
}

// TestListInstancePageHoldingMoreThanAskedIsInvalid: the same bound holds
// for ListInstance's PageSize.
func TestListInstancePageHoldingMoreThanAskedIsInvalid(t *testing.T) {
	items := make([]string, 11)
	for i := range items {
		items[i] = fmt.Sprintf(`{"CustSpaceId":"cams-%d","InstanceId":"i%d"}`, i, i)
	}
	srv := &scripted{responses: []scriptedResponse{{200, `{"Code":"OK","TotalCount":11,"Data":[` + strings.Join(items, ",") + `]}`}}}
	c, _ := newTestClient(t, srv, Config{MaxRetries: -1})
	_, err := c.ListAllSpaces(context.Background(), "", 10)
	if CodeOf(err) != CodeInvalidResponse || !strings.Contains(err.Error(), "page 1 holds 11 instances, more than the PageSize of 10") {
		t.Fatalf("got %v, want InvalidResponse naming the page size", err)
	}
}

// TestLongTextsAreCut sends an error and a page whose texts are far longer
// than their bounds: every one comes out cut to its bound, on a UTF-8
// boundary, and a FlowId cut to the same prefix is listed once.
func TestLongTextsAreCut(t *testing.T) {
	huge := strings.Repeat("é", 512<<10) // 1 MB, two bytes a character
	detail, _ := json.Marshal(map[string]string{"AuthAction": huge, "PolicyType": "x"})
	errBody, _ := json.Marshal(map[string]any{"Code": "Ram.PermissionDeny", "Message": huge, "RequestId": huge, "HostId": huge, "Recommend": huge})
	errBody = append(errBody[:len(errBody)-1], []byte(`,"AccessDeniedDetail":`+string(detail)+`}`)...)
	srv := &scripted{responses: []scriptedResponse{{400, string(errBody)}}}
	c, _ := newTestClient(t, srv, Config{MaxRetries: -1})
	_, err := c.ListFlow(context.Background(), ListFlowRequest{})
	e, ok := err.(*Error)
	if !ok || e.Code != "Ram.PermissionDeny" {
		t.Fatalf("got %v, want Ram.PermissionDeny", err)
	}
	for name, s := range map[string]string{"Message": e.Message, "RequestId": e.RequestID, "HostId": e.HostID, "Recommend": e.Recommend, "AccessDeniedDetail": e.AccessDeniedDetail.String()} {
		if len(s) > MaxTextBytes || len(s) < MaxTextBytes-8 || !utf8.ValidString(s) || !strings.HasSuffix(s, "...") {
			t.Errorf("%s is %d bytes (valid UTF-8 %v), want at most %d, cut and marked", name, len(s), utf8.ValidString(s), MaxTextBytes)
		}
	}
	if l := len(e.Error()); l > 3*MaxTextBytes {
		t.Errorf("Error() is %d bytes", l)
	}

	longID := strings.Repeat("7", 3*MaxFlowIDBytes)
	page, _ := json.Marshal(map[string]any{"Code": "OK", "Message": huge, "RequestId": huge, "Data": []map[string]any{
		{"FlowId": longID + "a", "FlowName": huge, "Categories": []string{huge, "SIGN_UP"}},
		{"FlowId": longID + "b", "FlowName": "short"},
	}})
	srv.responses = []scriptedResponse{{200, string(page)}}
	resp, err := c.ListFlow(context.Background(), ListFlowRequest{})
	if err != nil {
		t.Fatal(err)
	}
	f := resp.Data[0]
	wantID := longID[:MaxFlowIDBytes-3] + "..."
	if f.FlowID != wantID || resp.Data[1].FlowID != wantID {
		t.Errorf("FlowIds %q, %q, want both %q", f.FlowID, resp.Data[1].FlowID, wantID)
	}
	if len(f.FlowName) > MaxFlowNameBytes || !utf8.ValidString(f.FlowName) || len(f.Categories[0]) > MaxCategoryBytes || f.Categories[1] != "SIGN_UP" {
		t.Errorf("flow not cut: name %d bytes, categories %d bytes and %q", len(f.FlowName), len(f.Categories[0]), f.Categories[1])
	}
	if len(resp.Message) > MaxTextBytes || len(resp.RequestID) > MaxTextBytes {
		t.Errorf("envelope of a page not cut: Message %d bytes, RequestId %d bytes", len(resp.Message), len(resp.RequestID))
	}
	flows, err := c.ListAllFlows(context.Background(), "", "", 20)
	if err != nil || len(flows) != 1 {
		t.Errorf("listing gave %d flows (%v), want the two cut ids listed once", len(flows), err)
	}
}

func TestCut(t *testing.T) {
	tests := []struct {
		s    string
		n    int
		want string
	}{
		{"", 5, ""},
		{"abc", 3, "abc"},
		{"abcdef", 5, "ab..."},
		{"ééé", 5, "é..."},   // "é" is two bytes
		{"ééé", 6, "ééé"},    // fits whole
		{"éééé", 7, "éé..."}, // 4 bytes of text, then the mark
		{"aééé", 5, "a..."},  // never half a character
		{"ééé", 4, "..."},    // none fits before the mark
		{"abcdef", 2, ".."},
		{"abcdef", 0, ""},
		{"\xff\xfe\xfd\xfc", 3, "..."},
	}
	for _, tt := range tests {
		got := Cut(tt.s, tt.n)
		if got != tt.want {
			t.Errorf("Cut(%q, %d) = %q, want %q", tt.s, tt.n, got, tt.want)
		}
		if len(got) > tt.n {
			t.Errorf("Cut(%q, %d) is %d bytes", tt.s, tt.n, len(got))
		}
	}
}

// TestEnvelopeOfLongValues: values longer than maxEnvelopeField keep the
// beginning the envelope needs; escapes and characters across the cut
// never break the string.
func TestEnvelopeOfLongValues(t *testing.T) {
	for _, unit := range []string{`x`, `\"`, `\u00e9`, `é`, `\ud83d\ude00`, `x\ud83d\ude00`, `\\`} {
		long := strings.Repeat(unit, maxEnvelopeField/len(unit)+7)
		body := `{"Code":"Ram.PermissionDeny","Message":"` + long + `","Data":[` + strings.Repeat(`{"FlowId":"1"},`, maxEnvelopeField/10) + `{}]}`
		env, ok := decodeEnvelope([]byte(body))
		var full string
		json.Unmarshal([]byte(`"`+long+`"`), &full)
		if !ok || env.Code != "Ram.PermissionDeny" || !strings.HasPrefix(full, env.Message) || len(env.Message) < maxEnvelopeField/8 {
			t.Errorf("unit %s: ok %v, code %q, message of %d bytes is not a long prefix of the %d bytes sent", unit, ok, env.Code, len(env.Message), len(full))
		}
		if Cut(env.Message, MaxTextBytes) != Cut(full, MaxTextBytes) {
			t.Errorf("unit %s: the cut message differs from the cut of the whole", unit)
		}
	}
	number := strings.Repeat("9", maxEnvelopeField+10)
	env, ok := decodeEnvelope([]byte(`{"Code":"X","Message":` + number + `}`))
	if !ok || env.Message != number[:maxEnvelopeField] {
		t.Errorf("a long number kept as %d bytes, want its first %d", len(env.Message), maxEnvelopeField)
	}
}

// TestDiscoveredSpaceIDsAreBounded: a ListInstance page naming a space id
// longer than any space id can be is an invalid response, so that discovery
// never makes it a label value.
func TestDiscoveredSpaceIDsAreBounded(t *testing.T) {
	long := strings.Repeat("c", MaxSpaceIDBytes+1)
	srv := &scripted{responses: []scriptedResponse{{200, `{"Code":"OK","TotalCount":2,"Data":[{"CustSpaceId":"cams-a","InstanceId":"i1"},{"CustSpaceId":"` + long + `","InstanceId":"i2"}]}`}}}
	c, _ := newTestClient(t, srv, Config{MaxRetries: -1})
	spaces, err := c.ListAllSpaces(context.Background(), "", 10)
	if CodeOf(err) != CodeInvalidResponse || spaces != nil || !strings.Contains(err.Error(), fmt.Sprintf("instance 2 of 2 has a CustSpaceId of %d bytes, more than %d", MaxSpaceIDBytes+1, MaxSpaceIDBytes)) {
		t.Fatalf("got %v and %v, want an InvalidResponse naming the long id", spaces, err)
	}
}
