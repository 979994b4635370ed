package simulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/cams-exporter/cams_exporter/client/acs3"
)

// checkParsePage checks parsePage's contract on one server: an
// InvalidParameter error with no page, or index >= 1 and 1 <= size <=
// maxPageSize; the defaults (1, and DefaultPageSize or maxPageSize if
// smaller) for an empty parameter; only a JSON object or null accepted; and
// the page it reads, written back as JSON, read the same.
func checkParsePage(t *testing.T, s *Server, raw string) (index, size int, e *apiError) {
	t.Helper()
	index, size, e = s.parsePage(raw)
	if e != nil {
		if e.code != CodeInvalidParameter || e.status != http.StatusBadRequest || index != 0 || size != 0 {
			t.Fatalf("parsePage(%q) = %d, %d, %+v; want InvalidParameter (HTTP 400) and no page", raw, index, size, e)
		}
		if !strings.HasPrefix(e.message, "The specified parameter Page") {
			t.Fatalf("parsePage(%q): message %q does not name Page", raw, e.message)
		}
		return index, size, e
	}
	if index < 1 || size < 1 || size > s.maxPageSize {
		t.Fatalf("parsePage(%q) = index %d, size %d; want index >= 1 and 1 <= size <= %d", raw, index, size, s.maxPageSize)
	}
	if raw == "" {
		if want := min(DefaultPageSize, s.maxPageSize); index != 1 || size != want {
			t.Fatalf("parsePage(\"\") = %d, %d; want 1, %d", index, size, want)
		}
		return index, size, e
	}
	trimmed := strings.TrimSpace(raw)
	if !json.Valid([]byte(raw)) || !strings.HasPrefix(trimmed, "{") && trimmed != "null" {
		t.Fatalf("parsePage accepted %q, which is not a JSON object", raw)
	}
	again := fmt.Sprintf(`{"Index":%d,"Size":%d}`, index, size)
	if i2, s2, e2 := s.parsePage(again); e2 != nil || i2 != index || s2 != size {
		t.Fatalf("parsePage(%q) = %d, %d, but parsePage(%q) = %d, %d, %v", raw, index, size, again, i2, s2, e2)
	}
	return index, size, e
}

// FuzzParsePage checks parsePage (see checkParsePage) on servers with the
// default and a small MaxPageSize, which must agree wherever the size is
// within both limits, but for the default size, which the small limit caps.
func FuzzParsePage(f *testing.F) {
	f.Add("")
	f.Add(`{"Index":1,"Size":20}`)
	f.Add(`{"Index":2}`)
	f.Add(`{"Size":100}`)
	f.Add(`{"Size":101}`)
	f.Add(`{"Index":0,"Size":5}`)
	f.Add(`{"index":3,"SIZE":4}`)
	f.Add(`{"Index":1e3}`)
	f.Add(`{"Index":9223372036854775807,"Size":1}`)
	f.Add(`{"Index":9223372036854775808}`)
	f.Add(`null`)
	f.Add(`[1,2]`)
	f.Add(`{"Index":"1"}`)
	f.Add(`{"Index":1,"Index":-1}`)
	big, err := New(Config{})
	if err != nil {
		f.Fatal(err)
	}
	small, err := New(Config{MaxPageSize: 5})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		bi, bs, be := checkParsePage(t, big, raw)
		si, ss, se := checkParsePage(t, small, raw)
		switch {
		case se == nil && (be != nil || bi != si || bs != ss && (ss != small.maxPageSize || bs != DefaultPageSize)):
			t.Fatalf("MaxPageSize 5 reads %q as %d, %d; MaxPageSize 100 as %d, %d, %v", raw, si, ss, bi, bs, be)
		case be == nil && bs <= small.maxPageSize && (se != nil || si != bi || ss != bs):
			t.Fatalf("MaxPageSize 100 reads %q as %d, %d; MaxPageSize 5 as %d, %d, %v", raw, bi, bs, si, ss, se)
		}
	})
}

// ListFlow parameters that FuzzListFlowRequest sets; the others are left out.
const (
	sendFlowName = 1 << iota
	sendSpace
	sendPage
)

// FuzzListFlowRequest sends correctly signed ListFlow calls with arbitrary
// FlowName, CustSpaceId and Page through ServeHTTP, with no faults. The
// answer is always a JSON body with a RequestId (the x-acs-request-id
// header's): Code "OK" with HTTP 200 and an array of Data, or an error Code
// with a 4xx status, never 5xx. It is also the answer the data set and
// parsePage call for: InvalidParameter for a bad Page, Unknown.ResourceOwnerId
// for an unknown space, the space's error code, or the page of matching flows.
func FuzzListFlowRequest(f *testing.F) {
	f.Add("", "", "", uint8(0))
	f.Add("sign", "cams-1a2b3c4d", `{"Index":1,"Size":2}`, uint8(sendFlowName|sendSpace|sendPage))
	f.Add("", "", `{"Index":2,"Size":3}`, uint8(sendPage))
	f.Add("", "", "", uint8(sendFlowName|sendSpace|sendPage))
	f.Add("my flow*", "", `{"Size":101}`, uint8(sendFlowName|sendPage))
	f.Add("x", "cams-denied00", "", uint8(sendSpace))
	f.Add("x", "cams-unknown", "", uint8(sendSpace))
	f.Add("& =+%", "cams-empty000", `{"Index":0}`, uint8(sendFlowName|sendSpace|sendPage))
	f.Add("\xff", "\x00", "{", uint8(sendFlowName|sendSpace|sendPage))
	data, err := LoadDataset("testdata/small.json")
	if err != nil {
		f.Fatal(err)
	}
	spaces := map[string]Space{}
	for _, sp := range data.Spaces {
		spaces[sp.ID] = sp
	}
	f.Fuzz(func(t *testing.T, flowName, space, page string, send uint8) {
		clock := newClock()
		s, err := New(Config{AccessKeyID: testKeyID, AccessKeySecret: testSecret, RateLimit: -1, Data: data, Now: clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		h := &harness{t: t, srv: s, base: "http://cams.test", host: "cams.test", clock: clock,
			cred: acs3.Credentials{AccessKeyID: testKeyID, AccessKeySecret: testSecret}}
		params := url.Values{}
		if send&sendFlowName != 0 {
			params.Set("FlowName", flowName)
		}
		if send&sendSpace != 0 {
			params.Set("CustSpaceId", space)
		}
		if send&sendPage != 0 {
			params.Set("Page", page)
		}
		req := h.signed(params)
		req.Body = http.NoBody // as net/http hands requests to handlers
		rec := httptest.NewRecorder()
		s.ServeHTTP(rec, req)

		status, raw := rec.Code, rec.Body.Bytes()
		if status >= 500 {
			t.Fatalf("HTTP %d for %v: %s", status, params, raw)
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(raw, &fields); err != nil {
			t.Fatalf("HTTP %d for %v: body is not a JSON object (%v): %q", status, params, err, raw)
		}
		var body apiBody
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Fatalf("HTTP %d for %v: body does not decode (%v): %s", status, params, err, raw)
		}
		if body.RequestId == "" || body.RequestId != rec.Header().Get("x-acs-request-id") {
			t.Fatalf("RequestId %q, x-acs-request-id %q: %s", body.RequestId, rec.Header().Get("x-acs-request-id"), raw)
		}
		if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Fatalf("Content-Type %q", ct)
		}
		if body.Code == "OK" {
			if status != http.StatusOK || !bytes.HasPrefix(fields["Data"], []byte("[")) {
				t.Fatalf("Code OK with HTTP %d and Data %s", status, fields["Data"])
			}
		} else if body.Code == "" || status < 400 || status > 499 || status != StatusOf(body.Code) {
			t.Fatalf("HTTP %d Code %q for %v: want Code OK with 200, or an error Code with its 4xx status", status, body.Code, params)
		}

		// The answer the data set calls for.
		index, size, perr := s.parsePage(params.Get("Page"))
		sp, known := spaces[params.Get("CustSpaceId")]
		switch {
		case perr != nil:
			wantError(t, response{status: status, raw: raw, body: body}, http.StatusBadRequest, CodeInvalidParameter)
		case !known:
			wantError(t, response{status: status, raw: raw, body: body}, http.StatusBadRequest, CodeUnknownResourceOwnerID)
		case sp.Error != "":
			wantError(t, response{status: status, raw: raw, body: body}, StatusOf(sp.Error), sp.Error)
		default:
			var want []Flow
			if index-1 <= len(sp.Flows) { // beyond that, (index-1)*size may overflow
				want = expectedPage(sp.Flows, params.Get("FlowName"), index, size)
			}
			wantFlows(t, response{status: status, raw: raw, body: body}, want)
		}
	})
}
