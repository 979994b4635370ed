package client

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/client/acs3"
	"github.com/cams-exporter/cams_exporter/internal/officialsdk"
)

// seenRequest is what a server saw of one request.
type seenRequest struct {
	method, path, rawQuery string
	query                  url.Values
	header                 http.Header
	body                   []byte
}

// wireRecorder keeps every request it sees and answers each action with its
// fixture.
type wireRecorder struct {
	answers map[string][]byte // by action
	mu      sync.Mutex
	seen    []seenRequest
}

func newWireRecorder(t *testing.T) *wireRecorder {
	return &wireRecorder{answers: map[string][]byte{
		OperationQueryPhoneNumbers: readFixture(t, "phone-numbers.json"),
		OperationQueryBindWaba:     readFixture(t, "bind-waba.json"),
		OperationGetHealthStatus:   readFixture(t, "health-waba.json"),
		OperationListTemplates:     readFixture(t, "templates.json"),
	}}
}

func (w *wireRecorder) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	w.mu.Lock()
	w.seen = append(w.seen, seenRequest{r.Method, r.URL.Path, r.URL.RawQuery, r.URL.Query(), r.Header.Clone(), body})
	w.mu.Unlock()
	_, _ = rw.Write(w.answers[r.Header.Get("x-acs-action")])
}

func (w *wireRecorder) requests() []seenRequest {
	w.mu.Lock()
	defer w.mu.Unlock()
	return append([]seenRequest(nil), w.seen...)
}

// wireCase is one call of a new operation and the parameters the official
// SDK sends for it.
type wireCase struct {
	name, operation, model string
	call                   func(*Client) error
	query                  map[string]string // exactly these parameters, in the query
}

var wireCases = []wireCase{
	{"phone numbers", OperationQueryPhoneNumbers, "QueryChatappPhoneNumbersRequest",
		func(c *Client) error { _, err := c.QueryPhoneNumbers(context.Background(), "cams-abc123"); return err },
		map[string]string{"CustSpaceId": "cams-abc123"}},
	{"bound WABA", OperationQueryBindWaba, "QueryChatappBindWabaRequest",
		func(c *Client) error { _, err := c.QueryBindWaba(context.Background(), "cams-abc123"); return err },
		map[string]string{"CustSpaceId": "cams-abc123"}},
	{"health of a WABA", OperationGetHealthStatus, "GetWhatsappHealthStatusRequest",
		func(c *Client) error {
			_, err := c.GetHealthStatus(context.Background(), "cams-abc123", HealthNode{Type: NodeTypeWABA, WabaID: "203939883939930"})
			return err
		},
		map[string]string{"CustSpaceId": "cams-abc123", "NodeType": "waba", "WabaId": "203939883939930"}},
	{"health of a number", OperationGetHealthStatus, "GetWhatsappHealthStatusRequest",
		func(c *Client) error {
			_, err := c.GetHealthStatus(context.Background(), "cams-abc123", HealthNode{Type: NodeTypePhone, PhoneNumber: "+8613800002222"})
			return err
		},
		map[string]string{"CustSpaceId": "cams-abc123", "NodeType": "phone", "PhoneNumber": "+8613800002222"}},
	{"a page of templates", OperationListTemplates, "ListChatappTemplateShrinkRequest",
		func(c *Client) error {
			_, err := c.ListTemplatePage(context.Background(), "cams-abc123", 2, 20)
			return err
		},
		map[string]string{"CustSpaceId": "cams-abc123", "Page": `{"Index":2,"Size":20}`}},
	{"a space id to escape", OperationQueryBindWaba, "QueryChatappBindWabaRequest",
		func(c *Client) error { _, err := c.QueryBindWaba(context.Background(), "cams a&b=c*~é"); return err },
		map[string]string{"CustSpaceId": "cams a&b=c*~é"}},
}

// Each operation goes out as the SDK's <Operation>WithOptions sends it:
// POST /, RPC style, exactly the parameters its request model declares (no
// IsvCode, no Status filter) in the query, an empty body, the action and
// version headers.
func TestNewOperationsRequestShape(t *testing.T) {
	for _, tc := range wireCases {
		t.Run(tc.name, func(t *testing.T) {
			rec := newWireRecorder(t)
			c, attempts := newTestClient(t, rec, Config{})
			if err := tc.call(c); err != nil {
				t.Fatal(err)
			}
			reqs := rec.requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.method != http.MethodPost || r.path != "/" || len(r.body) != 0 || (r.header.Get("Content-Length") != "" && r.header.Get("Content-Length") != "0") {
				t.Errorf("%s %s with a body of %d bytes, want POST / with none", r.method, r.path, len(r.body))
			}
			want := url.Values{}
			for k, v := range tc.query {
				want.Set(k, v)
			}
			if !reflect.DeepEqual(r.query, want) {
				t.Errorf("query %v, want exactly %v", r.query, want)
			}
			if got := r.header.Get("x-acs-action"); got != tc.operation {
				t.Errorf("x-acs-action %q, want %q", got, tc.operation)
			}
			if got := r.header.Get("x-acs-version"); got != "2020-06-06" {
				t.Errorf("x-acs-version %q", got)
			}
			sentParamsAreTheSDKs(t, tc.model, r.query)
			if len(*attempts) != 1 || (*attempts)[0].Operation != tc.operation || (*attempts)[0].Code != CodeOK {
				t.Errorf("observed %+v, want one OK attempt of %s", *attempts, tc.operation)
			}
		})
	}
}

// The requests are the official client's, byte for byte where it counts:
// with the same date and nonce, the same query and the same Authorization.
func TestNewOperationsRequestIsTheOfficialClients(t *testing.T) {
	const date, nonce = "2026-11-26T16:26:32Z", "0123456789abcdef0123456789abcdef"
	fixed, _ := time.Parse(acs3.DateFormat, date)
	for _, tc := range wireCases {
		t.Run(tc.name, func(t *testing.T) {
			rec := newWireRecorder(t)
			srv := httptest.NewServer(rec)
			defer srv.Close()
			official, err := officialsdk.New(srv.URL, "testAccessKeyId", "testAccessKeySecret", "")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := officialsdk.CallRPC(official, tc.operation, tc.query, map[string]string{"x-acs-date": date, "x-acs-signature-nonce": nonce}); err != nil {
				t.Fatalf("official client: %v", err)
			}
			ours, err := New(Config{Endpoint: srv.URL,
				Credentials: StaticCredentials{AccessKeyID: "testAccessKeyId", AccessKeySecret: "testAccessKeySecret", ProviderName: "static_ak"},
				Signer:      acs3.Signer{Now: func() time.Time { return fixed }, Nonce: func() string { return nonce }}})
			if err != nil {
				t.Fatal(err)
			}
			if err := tc.call(ours); err != nil {
				t.Fatalf("our client: %v", err)
			}
			reqs := rec.requests()
			if len(reqs) != 2 {
				t.Fatalf("server saw %d requests, want 2", len(reqs))
			}
			theirs, mine := reqs[0], reqs[1]
			if theirs.method != mine.method || theirs.rawQuery != mine.rawQuery || len(theirs.body) != len(mine.body) {
				t.Errorf("request differs: official %s ?%s (%d bytes), ours %s ?%s (%d bytes)", theirs.method, theirs.rawQuery, len(theirs.body), mine.method, mine.rawQuery, len(mine.body))
			}
			for _, h := range []string{"Authorization", "x-acs-action", "x-acs-version", "x-acs-content-sha256"} {
				if a, b := theirs.header.Get(h), mine.header.Get(h); a != b || a == "" {
					t.Errorf("%s: official %q, ours %q", h, a, b)
				}
			}
		})
	}
}
