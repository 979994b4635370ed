package simulator

import (
	"bytes"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/cams-exporter/cams_exporter/client/acs3"
)

func TestListFlowPaging(t *testing.T) {
	small := loadSmall(t)
	gen := Generate(7, 6, 12)
	// The generated data set holds a space whose count is a positive
	// multiple of 20, and an empty one; find them from the data.
	var round, empty string = "-", "-"
	for _, sp := range gen.Spaces {
		switch n := len(sp.Flows); {
		case n > 0 && n%20 == 0:
			round = sp.ID
		case n == 0:
			empty = sp.ID
		}
	}
	if round == "-" || empty == "-" {
		t.Fatalf("Generate(7, 6, 12) lacks a space with a multiple of 20 flows or an empty one")
	}
	tests := []struct {
		name  string
		data  *Dataset
		space string
		size  int // 0: leave Size out, the default 20 applies
	}{
		{"own space, last page short", small, "", 3},
		{"multiple of the size, last page empty", small, "cams-1a2b3c4d", 3},
		{"page size 1", small, "cams-1a2b3c4d", 1},
		{"one page holds all", small, "", 50},
		{"empty space", small, "cams-empty000", 0},
		{"generated, default size, multiple of 20", gen, round, 0},
		{"generated, own space", gen, "", 7},
		{"generated, empty space", gen, empty, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Config{Data: tt.data})
			flows := spaceOf(t, tt.data, tt.space).Flows
			size := tt.size
			if size == 0 {
				size = 20
			}
			var all []Flow
			calls := 0
			for index := 1; ; index++ {
				r := h.list(pageParams(tt.space, "", index, tt.size))
				calls++
				wantFlows(t, r, expectedPage(flows, "", index, size))
				if !bytes.Contains(r.raw, []byte(`"Data":[`)) {
					t.Fatalf("Data is not a JSON array: %s", r.raw)
				}
				all = append(all, r.body.Data...)
				if len(r.body.Data) < size {
					break
				}
				if calls > len(flows)+1 {
					t.Fatal("paging does not end")
				}
			}
			if !flowsEqual(all, flows) {
				t.Errorf("pages put together = %v, want %v", all, flows)
			}
			if want := len(flows)/size + 1; calls != want {
				t.Errorf("paging took %d calls, want %d", calls, want)
			}
		})
	}
}

func TestListFlowDefaults(t *testing.T) {
	gen := Generate(3, 2, 30)
	h := newHarness(t, Config{Data: gen})
	own := spaceOf(t, gen, "").Flows
	if len(own) <= 20 {
		t.Fatalf("own space has %d flows; the test needs more than 20", len(own))
	}
	tests := []struct {
		name   string
		params url.Values
		want   []Flow
	}{
		{"no parameters: page 1 of 20", url.Values{}, own[:20]},
		{"Page without Size", url.Values{"Page": {`{"Index":2}`}}, expectedPage(own, "", 2, 20)},
		{"Page without Index", url.Values{"Page": {`{"Size":5}`}}, own[:5]},
		{"empty CustSpaceId is the own space", url.Values{"CustSpaceId": {""}, "Page": {`{"Size":5}`}}, own[:5]},
		{"Page null", url.Values{"Page": {"null"}}, own[:20]},
		{"index far beyond the end", url.Values{"Page": {`{"Index":1000000000,"Size":100}`}}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantFlows(t, h.list(tt.params), tt.want)
		})
	}
}

func TestListFlowBody(t *testing.T) {
	h := newHarness(t, Config{})
	r := h.list(pageParams("", "", 1, 2))
	if r.body.Message != "SUCCESS" || r.body.Code != "OK" {
		t.Errorf("Code, Message = %q, %q; want OK, SUCCESS", r.body.Code, r.body.Message)
	}
	if !regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$`).MatchString(r.body.RequestId) {
		t.Errorf("RequestId %q is not an upper-case UUID", r.body.RequestId)
	}
	if got := r.header.Get("x-acs-request-id"); got != r.body.RequestId {
		t.Errorf("x-acs-request-id %q differs from RequestId %q", got, r.body.RequestId)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
	// A flow without categories still has an array.
	r = h.list(url.Values{"FlowName": {"uncategorised"}})
	if !bytes.Contains(r.raw, []byte(`"Categories":[]`)) {
		t.Errorf("a flow without categories: %s", r.raw)
	}
}

func TestListFlowFilter(t *testing.T) {
	small := loadSmall(t)
	h := newHarness(t, Config{Data: small})
	tests := []struct {
		space, name string
	}{
		{"cams-1a2b3c4d", "sign up"}, // case-sensitive: "Sign Up f" is out
		{"cams-1a2b3c4d", "Sign"},
		{"", "my flow*"}, // a space and a '*' on the wire
		{"", "sign"},
		{"", "no such flow"},
		{"cams-1a2b3c4d", ""},
	}
	for _, tt := range tests {
		t.Run(tt.space+"/"+tt.name, func(t *testing.T) {
			want := expectedPage(spaceOf(t, small, tt.space).Flows, tt.name, 1, 20)
			if tt.name != "no such flow" && len(want) == 0 {
				t.Fatal("the case matches nothing; it tests nothing")
			}
			wantFlows(t, h.list(pageParams(tt.space, tt.name, 1, 20)), want)
		})
	}
}

func TestListFlowSpaceErrors(t *testing.T) {
	h := newHarness(t, Config{})
	tests := []struct {
		space, code string
		status      int
	}{
		{"cams-nosuch00", CodeUnknownResourceOwnerID, 400},
		{"cams-denied00", CodeRAMPermissionDeny, 400},
		{"cams-unsub000", CodeProductUnsubscript, 400},
	}
	for _, tt := range tests {
		t.Run(tt.space, func(t *testing.T) {
			r := h.list(pageParams(tt.space, "", 1, 20))
			wantError(t, r, tt.status, tt.code)
			isString := len(r.body.AccessDeniedDetail) > 0 && r.body.AccessDeniedDetail[0] == '"'
			if want := tt.code == CodeRAMPermissionDeny; isString != want {
				t.Errorf("AccessDeniedDetail = %s; want a string: %v", r.body.AccessDeniedDetail, want)
			}
		})
	}
}

func TestListFlowInvalidParameter(t *testing.T) {
	h := newHarness(t, Config{MaxPageSize: 50})
	tests := []struct{ page, names string }{
		{`{`, "Page"},
		{`[]`, "Page"},
		{`{"Index":"1"}`, "Page"},
		{`{"Index":1.5}`, "Page"},
		{`{"Index":0}`, "Page.Index"},
		{`{"Index":-3,"Size":5}`, "Page.Index"},
		{`{"Size":0}`, "Page.Size"},
		{`{"Size":51}`, "Page.Size"},
	}
	for _, tt := range tests {
		t.Run(tt.page, func(t *testing.T) {
			r := h.list(url.Values{"Page": {tt.page}})
			wantError(t, r, http.StatusBadRequest, CodeInvalidParameter)
			if !strings.Contains(r.body.Message, tt.names+" ") {
				t.Errorf("message %q does not name %s", r.body.Message, tt.names)
			}
		})
	}
	wantFlows(t, h.list(url.Values{"Page": {`{"Size":50}`}}), expectedPage(spaceOf(t, loadSmall(t), "").Flows, "", 1, 50))
}

// signForm signs a call whose parameters travel in a form body. sdk true
// signs like the official SDK (the body through its hash only); false puts
// the form's fields in the canonical query as well.
func (h *harness) signForm(method string, query, form url.Values, sdk bool) *http.Request {
	h.t.Helper()
	body := form.Encode()
	req, err := http.NewRequest(method, h.base+"/?"+query.Encode(), strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	hdr := req.Header
	hdr.Set("content-type", "application/x-www-form-urlencoded")
	hdr.Set("x-acs-action", "ListFlow")
	hdr.Set("x-acs-version", APIVersion)
	hdr.Set("x-acs-date", h.clock.Now().UTC().Format(acs3.DateFormat))
	hdr.Set("x-acs-signature-nonce", acs3.RandomNonce())
	hash := acs3.HexSHA256([]byte(body))
	hdr.Set("x-acs-content-sha256", hash)
	signedQuery := url.Values{}
	for k, v := range query {
		signedQuery[k] = v
	}
	if !sdk {
		for k, v := range form {
			signedQuery[k] = append(signedQuery[k], v...)
		}
	}
	r := acs3.Request{Method: method, Path: "/", Query: signedQuery, Header: hdr, Host: h.host,
		SignedHeaders: acs3.SignableHeaders(hdr), PayloadHash: hash}
	hdr.Set("Authorization", acs3.Authorization(h.cred.AccessKeyID, r.SignedHeaders, acs3.Sign(r, h.cred.AccessKeySecret)))
	return req
}

func TestListFlowFormBodyAndGET(t *testing.T) {
	small := loadSmall(t)
	h := newHarness(t, Config{Data: small})
	sub := spaceOf(t, small, "cams-1a2b3c4d").Flows
	form := url.Values{"CustSpaceId": {"cams-1a2b3c4d"}, "FlowName": {"sign up"}}
	query := url.Values{"Page": {`{"Index":1,"Size":1}`}}
	want := expectedPage(sub, "sign up", 1, 1)
	t.Run("form body signed like the SDK", func(t *testing.T) {
		wantFlows(t, h.do(h.signForm(http.MethodPost, query, form, true)), want)
	})
	t.Run("form body in the canonical query", func(t *testing.T) {
		wantFlows(t, h.do(h.signForm(http.MethodPost, query, form, false)), want)
	})
	t.Run("tampered form body", func(t *testing.T) {
		req := h.signForm(http.MethodPost, query, form, true)
		tampered := url.Values{"CustSpaceId": {"cams-1a2b3c4e"}, "FlowName": {"sign up"}}.Encode()
		req.Body, req.ContentLength = nopCloser(tampered), int64(len(tampered))
		wantError(t, h.do(req), http.StatusBadRequest, CodeSignatureDoesNotMatch)
	})
	t.Run("GET", func(t *testing.T) {
		req := h.request(pageParams("cams-1a2b3c4d", "", 2, 4))
		req.Method = http.MethodGet
		h.sign(req, h.cred)
		wantFlows(t, h.do(req), expectedPage(sub, "", 2, 4))
	})
}
