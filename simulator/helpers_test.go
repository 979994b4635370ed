package simulator

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/client/acs3"
	"github.com/cams-exporter/cams_exporter/internal/fakeclock"
)

const (
	testKeyID  = "testAccessKeyId"
	testSecret = "testAccessKeySecret"
)

func newClock() *fakeclock.Clock {
	return fakeclock.New(time.Date(2026, 11, 26, 16, 26, 32, 0, time.UTC))
}

// harness is a started server, its clock and a client that signs with cred.
type harness struct {
	t     *testing.T
	srv   *Server
	base  string
	host  string
	clock *fakeclock.Clock
	cred  acs3.Credentials
	hc    *http.Client
}

// newHarness starts a server on loopback. Unless cfg says otherwise it
// serves testdata/small.json, accepts testKeyID/testSecret, runs on a fake
// clock and has no rate limit.
func newHarness(t *testing.T, cfg Config) *harness {
	t.Helper()
	clock := newClock()
	if cfg.Now == nil {
		cfg.Now = clock.Now
	}
	if cfg.AccessKeyID == "" {
		cfg.AccessKeyID, cfg.AccessKeySecret = testKeyID, testSecret
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = -1
	}
	if cfg.Data == nil {
		cfg.Data = loadSmall(t)
	}
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	base, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	u, _ := url.Parse(base)
	return &harness{
		t: t, srv: s, base: base, host: u.Host, clock: clock,
		cred: acs3.Credentials{AccessKeyID: cfg.AccessKeyID, AccessKeySecret: cfg.AccessKeySecret, SecurityToken: cfg.SecurityToken},
		hc:   &http.Client{Transport: tr, Timeout: time.Minute}, // only a hang: a 70,000-flow page takes seconds under -race on a loaded machine
	}
}

// startOnWallClock starts a server of data on a loopback port, without
// rate limits, on the wall clock (the official SDK signs with it), closed
// at the test's end; it returns the server and its base URL.
func startOnWallClock(t *testing.T, data *Dataset) (*Server, string) {
	t.Helper()
	s, err := New(Config{AccessKeyID: testKeyID, AccessKeySecret: testSecret, RateLimit: -1, Data: data})
	if err != nil {
		t.Fatal(err)
	}
	base, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, base
}

func loadSmall(t *testing.T) *Dataset {
	t.Helper()
	d, err := LoadDataset("testdata/small.json")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// request builds an unsigned ListFlow call the way the SDK does: POST, the
// parameters in the query, an empty body.
func (h *harness) request(params url.Values) *http.Request {
	h.t.Helper()
	req, err := http.NewRequest(http.MethodPost, h.base+"/?"+params.Encode(), nil)
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("x-acs-action", "ListFlow")
	req.Header.Set("x-acs-version", APIVersion)
	return req
}

// signed builds a ListFlow call signed with the harness' credentials at the
// harness' clock.
func (h *harness) signed(params url.Values) *http.Request {
	req := h.request(params)
	h.sign(req, h.cred)
	return req
}

func (h *harness) sign(req *http.Request, c acs3.Credentials) {
	acs3.Signer{Now: h.clock.Now}.Sign(req, c)
}

// response is an answer as a test sees it.
type response struct {
	status int
	header http.Header
	raw    []byte
	body   apiBody
}

// apiBody holds the fields of success and error answers alike.
type apiBody struct {
	RequestId          string
	HostId             string
	Code               string
	Message            string
	Recommend          string
	AccessDeniedDetail json.RawMessage
	Data               []Flow
}

// do sends req and reads the answer; the body is decoded when it is JSON.
func (h *harness) do(req *http.Request) response {
	h.t.Helper()
	resp, err := h.hc.Do(req)
	if err != nil {
		h.t.Fatalf("%s: %v", req.URL, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatal(err)
	}
	r := response{status: resp.StatusCode, header: resp.Header, raw: raw}
	_ = json.Unmarshal(raw, &r.body) // the caller checks what it expects
	return r
}

// list sends a signed ListFlow call.
func (h *harness) list(params url.Values) response {
	h.t.Helper()
	return h.do(h.signed(params))
}

// pageParams builds ListFlow parameters; an empty space leaves CustSpaceId
// out, index or size 0 leave them out of Page, and both 0 leave Page out.
func pageParams(space, name string, index, size int) url.Values {
	v := url.Values{}
	if space != "" {
		v.Set("CustSpaceId", space)
	}
	if name != "" {
		v.Set("FlowName", name)
	}
	var parts []string
	if index != 0 {
		parts = append(parts, `"Index":`+strconv.Itoa(index))
	}
	if size != 0 {
		parts = append(parts, `"Size":`+strconv.Itoa(size))
	}
	if len(parts) > 0 {
		v.Set("Page", "{"+strings.Join(parts, ",")+"}")
	}
	return v
}

// wantError checks that r is the error envelope of code with status.
func wantError(t *testing.T, r response, status int, code string) {
	t.Helper()
	if r.status != status || r.body.Code != code {
		t.Fatalf("got HTTP %d %s, want HTTP %d %s; body %s", r.status, r.body.Code, status, code, r.raw)
	}
}

// wantFlows checks that r is a success answer holding want.
func wantFlows(t *testing.T, r response, want []Flow) {
	t.Helper()
	if r.status != http.StatusOK || r.body.Code != "OK" {
		t.Fatalf("got HTTP %d %s, want 200 OK; body %s", r.status, r.body.Code, r.raw)
	}
	got := r.body.Data
	if len(got) == 0 && len(want) == 0 {
		return
	}
	if !flowsEqual(got, want) {
		t.Fatalf("Data = %+v\nwant   %+v", got, want)
	}
}

func flowsEqual(a, b []Flow) bool {
	return slices.EqualFunc(a, b, func(x, y Flow) bool {
		return x.FlowId == y.FlowId && x.FlowName == y.FlowName && slices.Equal(x.Categories, y.Categories)
	})
}

// spaceOf returns the flows of a space of d.
func spaceOf(t *testing.T, d *Dataset, id string) Space {
	t.Helper()
	for _, sp := range d.Spaces {
		if sp.ID == id {
			return sp
		}
	}
	t.Fatalf("no space %q in the data set", id)
	return Space{}
}

// expectedPage is the test's own model of ListFlow: filter by substring,
// then cut pages of size.
func expectedPage(flows []Flow, name string, index, size int) []Flow {
	var matched []Flow
	for _, f := range flows {
		if strings.Contains(f.FlowName, name) {
			matched = append(matched, f)
		}
	}
	lo := (index - 1) * size
	if lo >= len(matched) {
		return nil
	}
	return matched[lo:min(lo+size, len(matched))]
}

// control calls the control endpoint.
func (h *harness) control(method, path, body string) (int, string) {
	h.t.Helper()
	req, err := http.NewRequestWithContext(context.Background(), method, h.base+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	resp, err := h.hc.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func ptr[T any](v T) *T { return &v }

func nopCloser(s string) io.ReadCloser { return io.NopCloser(strings.NewReader(s)) }
