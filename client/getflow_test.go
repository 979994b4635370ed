package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/client/acs3"
	"github.com/cams-exporter/cams_exporter/internal/officialsdk"
	"github.com/cams-exporter/cams_exporter/simulator"
)

// statusData holds flows of every documented status, one undocumented and
// one without a status (the simulator answers DRAFT for it).
func statusData() *simulator.Dataset {
	return &simulator.Dataset{Spaces: []simulator.Space{
		{ID: "", Flows: []simulator.Flow{{FlowId: "own-1", FlowName: "own", Categories: []string{"OTHER"}, Status: "PUBLISHED"}}},
		{ID: "cams-s", Flows: []simulator.Flow{
			{FlowId: "1", FlowName: "a", Categories: []string{"SIGN_UP", "SURVEY"}, Status: "PUBLISHED"},
			{FlowId: "2", FlowName: "b", Categories: []string{"SURVEY"}, Status: "DRAFT"},
			{FlowId: "3", FlowName: "c", Categories: []string{"OTHER"}, Status: "DEPRECATED"},
			{FlowId: "4", FlowName: "d", Categories: []string{"SHOPPING"}, Status: "BLOCKED"},
			{FlowId: "5", FlowName: "e"},
		}},
		{ID: "cams-denied", Error: "Ram.PermissionDeny"},
	}}
}

func TestGetFlowAgainstTheSimulator(t *testing.T) {
	data := statusData()
	sim, url := startSim(t, simulator.Config{Data: data, RateLimit: -1})
	c := newClient(t, url, client.Config{GetFlowRateLimit: 500})
	for _, sp := range data.Spaces {
		for _, f := range sp.Flows {
			resp, err := c.GetFlow(context.Background(), client.GetFlowRequest{FlowID: f.FlowId, CustSpaceID: sp.ID})
			if err != nil {
				t.Fatalf("%q/%s: %v", sp.ID, f.FlowId, err)
			}
			want := f.Status
			if want == "" {
				want = "DRAFT"
			}
			d := resp.Data
			if resp.Code != "OK" || resp.RequestID == "" || d.FlowID != f.FlowId || d.FlowName != f.FlowName || d.Status != want ||
				!slices.Equal(append([]string{}, d.Categories...), append([]string{}, f.Categories...)) || d.JSONVersion == "" || d.DataAPIVersion == "" || d.PreviewURL == "" || d.PreviewURLExpires < time.Now().UnixMilli() {
				t.Errorf("%q/%s: %+v %+v, want %+v with status %s", sp.ID, f.FlowId, resp, d, f, want)
			}
		}
	}
	if got := sim.Stats().GetFlow; got["cams-s"] != 5 || got[""] != 1 {
		t.Errorf("simulator counted GetFlow calls %v", got)
	}
	if _, err := c.GetFlow(context.Background(), client.GetFlowRequest{}); err == nil {
		t.Error("a GetFlow without FlowId was sent")
	}
	if _, err := c.GetFlow(context.Background(), client.GetFlowRequest{FlowID: strings.Repeat("1", 257)}); err == nil {
		t.Error("a FlowId of 257 bytes was sent")
	}
	if n := sim.Stats().Calls; n != 6 {
		t.Errorf("%d calls reached the simulator, want 6", n)
	}
}

// Errors decode as ListFlow's do, and attempts carry operation GetFlow.
func TestGetFlowErrors(t *testing.T) {
	sim, url := startSim(t, simulator.Config{Data: statusData(), RateLimit: -1})
	var mu sync.Mutex
	var seen []string
	c := newClient(t, url, client.Config{GetFlowRateLimit: 500, Observer: client.ObserverFunc(func(a client.Attempt) {
		mu.Lock()
		seen = append(seen, a.Operation+" "+a.Code)
		mu.Unlock()
	})})
	tests := []struct {
		space, flow, code string
		class             client.Class
		attempts          []string
	}{
		{"cams-denied", "1", "Ram.PermissionDeny", client.ClassPermanent, []string{"GetFlow Ram.PermissionDeny"}},
		{"cams-nobody", "1", "Unknown.ResourceOwnerId", client.ClassPermanent, []string{"GetFlow Unknown.ResourceOwnerId"}},
		{"cams-s", "404", "Unknown.ResourceOwnerId", client.ClassPermanent, []string{"GetFlow Unknown.ResourceOwnerId"}},
	}
	for _, tt := range tests {
		mu.Lock()
		seen = nil
		mu.Unlock()
		_, err := c.GetFlow(context.Background(), client.GetFlowRequest{FlowID: tt.flow, CustSpaceID: tt.space})
		var e *client.Error
		if !errors.As(err, &e) || e.Code != tt.code || e.Operation != client.OperationGetFlow || e.HTTPStatus != 400 || e.Class != tt.class || e.RequestID == "" {
			t.Errorf("%s/%s: %+v, want %s from GetFlow", tt.space, tt.flow, err, tt.code)
		}
		if tt.code == "Ram.PermissionDeny" && e != nil && e.AccessDeniedDetail.Text != "NoPermissionType: ImplicitDeny; AuthAction: cams:GetFlow" {
			t.Errorf("AccessDeniedDetail %q, want it to name cams:GetFlow", e.AccessDeniedDetail.Text)
		}
		mu.Lock()
		if !slices.Equal(seen, tt.attempts) {
			t.Errorf("%s/%s: observed %v, want %v", tt.space, tt.flow, seen, tt.attempts)
		}
		mu.Unlock()
	}
	// Transient faults are retried; a success without Data is a broken body.
	if _, err := sim.Inject(simulator.Fault{Kind: "http", Status: 503, Action: "GetFlow", Count: 1}); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	seen = nil
	mu.Unlock()
	if _, err := c.GetFlow(context.Background(), client.GetFlowRequest{FlowID: "1", CustSpaceID: "cams-s"}); err != nil {
		t.Errorf("after a 503: %v", err)
	}
	mu.Lock()
	if want := []string{"GetFlow ServiceUnavailable", "GetFlow OK"}; !slices.Equal(seen, want) {
		t.Errorf("observed %v, want %v", seen, want)
	}
	mu.Unlock()
}

func TestGetFlowWithoutDataIsAnInvalidResponse(t *testing.T) {
	for _, body := range []string{
		`{"RequestId":"R","Code":"OK"}`,
		`{"RequestId":"R","Code":"OK","Data":null}`,
		`{"RequestId":"R","Code":"OK","Data":{}}`,
		`{"RequestId":"R","Code":"OK","Data":[]}`,
	} {
		var calls int
		var mu sync.Mutex
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			mu.Lock()
			calls++
			mu.Unlock()
			fmt.Fprint(w, body)
		}))
		var codes []string
		c := newClient(t, srv.URL, client.Config{GetFlowRateLimit: 500, MaxRetries: 1, Observer: client.ObserverFunc(func(a client.Attempt) {
			mu.Lock()
			codes = append(codes, a.Code)
			mu.Unlock()
		})})
		_, err := c.GetFlow(context.Background(), client.GetFlowRequest{FlowID: "1"})
		mu.Lock()
		if client.CodeOf(err) != client.CodeInvalidResponse || calls != 2 || !slices.Equal(codes, []string{"InvalidResponse", "InvalidResponse"}) {
			t.Errorf("%s: %v after %d calls, observed %v; want InvalidResponse, retried once", body, err, calls, codes)
		}
		mu.Unlock()
		srv.Close()
	}
}

// Our GetFlow request is the official SDK's, byte for byte where it counts:
// method, query, signed headers and Authorization.
func TestGetFlowRequestIsTheOfficialClients(t *testing.T) {
	var mu sync.Mutex
	var reqs []*http.Request
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		reqs = append(reqs, r.Clone(context.Background()))
		mu.Unlock()
		fmt.Fprint(w, `{"RequestId":"R","Code":"OK","Data":{"FlowId":"92675332812643","Status":"DRAFT"}}`)
	}))
	defer srv.Close()
	const date, nonce = "2026-11-26T16:26:32Z", "0123456789abcdef0123456789abcdef"
	fixed, _ := time.Parse(acs3.DateFormat, date)
	official, err := officialsdk.New(srv.URL, "testAccessKeyId", "testAccessKeySecret", "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := officialsdk.GetFlow(official, "cams-abc123", "92675332812643", map[string]string{"x-acs-date": date, "x-acs-signature-nonce": nonce}); err != nil {
		t.Fatalf("official client: %v", err)
	}
	ours := newClient(t, srv.URL, client.Config{
		Credentials: client.StaticCredentials{AccessKeyID: "testAccessKeyId", AccessKeySecret: "testAccessKeySecret", ProviderName: "static_ak"},
		Signer:      acs3.Signer{Now: func() time.Time { return fixed }, Nonce: func() string { return nonce }},
	})
	if _, err := ours.GetFlow(context.Background(), client.GetFlowRequest{FlowID: "92675332812643", CustSpaceID: "cams-abc123"}); err != nil {
		t.Fatalf("our client: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(reqs) != 2 {
		t.Fatalf("server saw %d requests, want 2", len(reqs))
	}
	theirs, mine := reqs[0], reqs[1]
	if theirs.Method != http.MethodPost || mine.Method != http.MethodPost || theirs.URL.RawQuery != mine.URL.RawQuery {
		t.Errorf("request differs: official %s %s, ours %s %s", theirs.Method, theirs.URL, mine.Method, mine.URL)
	}
	if a, b := theirs.Header.Get("Authorization"), mine.Header.Get("Authorization"); a != b || a == "" {
		t.Errorf("Authorization differs:\nofficial %s\nours     %s", a, b)
	}
	for _, h := range []string{"x-acs-action", "x-acs-version", "x-acs-content-sha256"} {
		if theirs.Header.Get(h) != mine.Header.Get(h) {
			t.Errorf("header %s: official %q, ours %q", h, theirs.Header.Get(h), mine.Header.Get(h))
		}
	}
	if mine.Header.Get("x-acs-action") != "GetFlow" {
		t.Errorf("x-acs-action %q", mine.Header.Get("x-acs-action"))
	}
}
