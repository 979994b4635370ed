package client_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/client/acs3"
	"github.com/cams-exporter/cams_exporter/internal/officialsdk"
	"github.com/cams-exporter/cams_exporter/simulator"
)

func officialClient(t *testing.T, endpoint, id, secret string) *openapi.Client {
	t.Helper()
	c, err := officialsdk.New(endpoint, id, secret, "")
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// recorder keeps the requests it sees and answers an empty page.
type recorder struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req.Clone(context.Background()))
	r.mu.Unlock()
	_, _ = w.Write([]byte(`{"RequestId":"R","Code":"OK","Data":[]}`))
}

func TestSameAuthorizationAsTheOfficialClient(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	const date, nonce = "2026-11-26T16:26:32Z", "d98ee2c34f3ad3c1f34493dd371034ea"
	fixed, _ := time.Parse(acs3.DateFormat, date)

	official := officialClient(t, srv.URL, "testAccessKeyId", "testAccessKeySecret")
	if _, err := officialsdk.ListFlow(official, "cams-abc123", 1, 50,
		map[string]string{"x-acs-date": date, "x-acs-signature-nonce": nonce}); err != nil {
		t.Fatalf("official client: %v", err)
	}
	ours, err := client.New(client.Config{
		Endpoint: srv.URL, RateLimit: 100,
		// The official client's static AccessKey provider names itself static_ak.
		Credentials: client.StaticCredentials{AccessKeyID: "testAccessKeyId", AccessKeySecret: "testAccessKeySecret", ProviderName: "static_ak"},
		Signer:      acs3.Signer{Now: func() time.Time { return fixed }, Nonce: func() string { return nonce }},
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ours.ListFlow(context.Background(), client.ListFlowRequest{CustSpaceID: "cams-abc123", Page: &client.Page{Index: 1, Size: 50}}); err != nil {
		t.Fatalf("our client: %v", err)
	}
	if len(rec.reqs) != 2 {
		t.Fatalf("server saw %d requests, want 2", len(rec.reqs))
	}
	theirs, mine := rec.reqs[0], rec.reqs[1]
	if a, b := theirs.Header.Get("Authorization"), mine.Header.Get("Authorization"); a != b || a == "" {
		t.Errorf("Authorization differs:\nofficial %s\nours     %s", a, b)
	}
	if theirs.Method != mine.Method || theirs.URL.Query().Encode() != mine.URL.Query().Encode() {
		t.Errorf("request differs: official %s %s, ours %s %s", theirs.Method, theirs.URL, mine.Method, mine.URL)
	}
	for _, h := range []string{"x-acs-action", "x-acs-version", "x-acs-date", "x-acs-signature-nonce", "x-acs-content-sha256", "x-acs-credentials-provider", "Accept"} {
		if theirs.Header.Get(h) != mine.Header.Get(h) {
			t.Errorf("header %s: official %q, ours %q", h, theirs.Header.Get(h), mine.Header.Get(h))
		}
	}
}

func TestOfficialClientAgainstTheSimulator(t *testing.T) {
	data := &simulator.Dataset{Spaces: []simulator.Space{{ID: "cams-1", Flows: []simulator.Flow{
		{FlowId: "11", FlowName: "book", Categories: []string{"APPOINTMENT_BOOKING"}},
		{FlowId: "12", FlowName: "survey", Categories: []string{"SURVEY", "OTHER"}},
	}}}}
	sim, err := simulator.New(simulator.Config{AccessKeyID: "simId", AccessKeySecret: "simSecret", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	url, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()

	body, err := officialsdk.ListFlow(officialClient(t, url, "simId", "simSecret"), "cams-1", 1, 20, nil)
	if err != nil {
		t.Fatalf("official client against the simulator: %v", err)
	}
	flows, _ := body["Data"].([]any)
	if body["Code"] != "OK" || len(flows) != 2 {
		t.Errorf("official client got %v, want Code OK and 2 flows", body)
	}

	_, err = officialsdk.ListFlow(officialClient(t, url, "simId", "wrongSecret"), "cams-1", 1, 20, nil)
	if err == nil || !strings.Contains(err.Error(), "SignatureDoesNotMatch") {
		t.Errorf("official client with a wrong secret: %v, want SignatureDoesNotMatch", err)
	}
	if got := sim.Stats().Codes["SignatureDoesNotMatch"]; got < 1 {
		t.Errorf("simulator counted %d SignatureDoesNotMatch", got)
	}
}
