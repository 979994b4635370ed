package simulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/client/acs3"
	"github.com/cams-exporter/cams_exporter/internal/officialsdk"
)

// getFlowBodyOf is a GetFlow answer as a test sees it.
type getFlowBodyOf struct {
	RequestId string
	Code      string
	Message   string
	Data      struct {
		FlowId, FlowName, Status, JSONVersion, DataApiVersion, EndpointUri, PreviewUrl string
		Categories                                                                     []string
		PreviewUrlExpires                                                              int64
	}
}

// getFlowRequest builds an unsigned GetFlow call as the SDK does: POST,
// FlowId and CustSpaceId in the query, an empty body.
func (h *harness) getFlowRequest(space, flowID string) *http.Request {
	v := url.Values{}
	if flowID != "" {
		v.Set("FlowId", flowID)
	}
	if space != "" {
		v.Set("CustSpaceId", space)
	}
	req := h.request(v)
	req.Header.Set("x-acs-action", "GetFlow")
	return req
}

// getFlow sends a signed GetFlow call and decodes its answer.
func (h *harness) getFlow(space, flowID string) (response, getFlowBodyOf) {
	h.t.Helper()
	req := h.getFlowRequest(space, flowID)
	h.sign(req, h.cred)
	r := h.do(req)
	var b getFlowBodyOf
	_ = json.Unmarshal(r.raw, &b) // the caller checks what it expects
	return r, b
}

// wantStatus is the test's own model of a flow's status: the data set's, or
// DRAFT when it has none.
func wantStatus(f Flow) string {
	if f.Status == "" {
		return "DRAFT"
	}
	return f.Status
}

// Every flow of every space, GetFlow answers as the data set says, with
// the SDK's fields; ListFlow never tells a status.
func TestGetFlowAnswersTheDataSet(t *testing.T) {
	for name, data := range map[string]*Dataset{"small": loadSmall(t), "generated": Generate(3, 4, 9)} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, Config{Data: data})
			statuses := map[string]int{}
			calls := map[string]int{}
			for _, sp := range data.Spaces {
				if sp.Error != "" {
					continue
				}
				for _, f := range sp.Flows {
					r, b := h.getFlow(sp.ID, f.FlowId)
					calls[sp.ID]++
					if r.status != http.StatusOK || b.Code != "OK" || b.RequestId == "" {
						t.Fatalf("%q/%s: HTTP %d %s", sp.ID, f.FlowId, r.status, r.raw)
					}
					d := b.Data
					cats := f.Categories
					if cats == nil {
						cats = []string{}
					}
					if d.FlowId != f.FlowId || d.FlowName != f.FlowName || !slices.Equal(d.Categories, cats) || d.Status != wantStatus(f) {
						t.Errorf("%q/%s: Data %+v, want %+v with status %s", sp.ID, f.FlowId, d, f, wantStatus(f))
					}
					if d.JSONVersion == "" || d.DataApiVersion == "" || !strings.Contains(d.PreviewUrl, f.FlowId) {
						t.Errorf("%q/%s: versions or preview missing: %s", sp.ID, f.FlowId, r.raw)
					}
					if want := h.clock.Now().Add(30 * 24 * time.Hour).UnixMilli(); d.PreviewUrlExpires != want {
						t.Errorf("PreviewUrlExpires %d, want %d (30 days on, in ms)", d.PreviewUrlExpires, want)
					}
					for _, field := range []string{"FlowId", "FlowName", "Categories", "Status", "JSONVersion", "DataApiVersion", "EndpointUri", "PreviewUrl", "PreviewUrlExpires"} {
						if !bytes.Contains(r.raw, []byte(`"`+field+`":`)) {
							t.Errorf("Data lacks %s: %s", field, r.raw)
						}
					}
					statuses[d.Status]++
				}
				lr := h.list(pageParams(sp.ID, "", 1, 100))
				if lr.status != http.StatusOK || bytes.Contains(lr.raw, []byte("Status")) {
					t.Errorf("ListFlow of %q tells a status: %s", sp.ID, lr.raw)
				}
			}
			for _, s := range DocumentedFlowStatuses {
				if statuses[s] == 0 {
					t.Errorf("no %s flow answered: %v", s, statuses)
				}
			}
			if st := h.srv.Stats(); !mapsEqual(st.GetFlow, calls) {
				t.Errorf("Stats GetFlow %v, want %v", st.GetFlow, calls)
			}
		})
	}
}

func mapsEqual(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestGetFlowErrors(t *testing.T) {
	h := newHarness(t, Config{})
	tests := []struct {
		name, space, flow string
		code, inMessage   string
	}{
		{"no FlowId", "cams-1a2b3c4d", "", "MissingFlowId", "FlowId is mandatory"},
		{"unknown FlowId", "cams-1a2b3c4d", "9999", CodeUnknownResourceOwnerID, `"9999"`},
		{"a flow of another space", "cams-1a2b3c4d", "1001", CodeUnknownResourceOwnerID, `"1001"`},
		{"unknown space", "cams-nosuch00", "2001", CodeUnknownResourceOwnerID, ""},
		{"space denied", "cams-denied00", "1", CodeRAMPermissionDeny, ""},
		{"space not subscribed", "cams-unsub000", "1", CodeProductUnsubscript, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := h.getFlow(tt.space, tt.flow)
			wantError(t, r, http.StatusBadRequest, tt.code)
			if !strings.Contains(r.body.Message, tt.inMessage) || r.body.RequestId == "" || r.body.Recommend == "" {
				t.Errorf("body %s; want the envelope and %q in the message", r.raw, tt.inMessage)
			}
		})
	}
	// The own space is the default, as for ListFlow.
	if r, b := h.getFlow("", "1001"); r.status != http.StatusOK || b.Data.FlowName != "sign up 1" {
		t.Errorf("own space: HTTP %d %s", r.status, r.raw)
	}
	// A RAM denial names GetFlow's action, in the CAMS string and the
	// gateway's object alike.
	r, _ := h.getFlow("cams-denied00", "1")
	if !bytes.Contains(r.body.AccessDeniedDetail, []byte("AuthAction: cams:GetFlow")) {
		t.Errorf("AccessDeniedDetail %s, want it to name cams:GetFlow", r.body.AccessDeniedDetail)
	}
	if _, err := h.srv.Inject(Fault{Kind: FaultError, Code: CodeRAMPermissionDeny, Detail: "object", Action: "GetFlow", Count: 1}); err != nil {
		t.Fatal(err)
	}
	r, _ = h.getFlow("cams-1a2b3c4d", "2001")
	var detail map[string]string
	if err := json.Unmarshal(r.body.AccessDeniedDetail, &detail); err != nil || detail["AuthAction"] != "cams:GetFlow" {
		t.Errorf("object detail %s, want AuthAction cams:GetFlow", r.body.AccessDeniedDetail)
	}
	// ListFlow's denial still names ListFlow.
	lr := h.list(pageParams("cams-denied00", "", 1, 20))
	if !bytes.Contains(lr.body.AccessDeniedDetail, []byte("AuthAction: cams:ListFlow")) {
		t.Errorf("ListFlow's AccessDeniedDetail %s", lr.body.AccessDeniedDetail)
	}
}

// GetFlow passes the gateway's checks as every operation does.
func TestGetFlowGateway(t *testing.T) {
	h := newHarness(t, Config{})
	wrong := h.getFlowRequest("cams-1a2b3c4d", "2001")
	h.sign(wrong, acs3.Credentials{AccessKeyID: testKeyID, AccessKeySecret: "wrong"})
	wantError(t, h.do(wrong), http.StatusBadRequest, CodeSignatureDoesNotMatch)

	unsigned := h.getFlowRequest("cams-1a2b3c4d", "2001")
	wantError(t, h.do(unsigned), http.StatusBadRequest, CodeIncompleteSignature)

	// The signature covers the action and the parameters.
	swapped := h.signed(url.Values{"FlowId": {"2001"}, "CustSpaceId": {"cams-1a2b3c4d"}})
	swapped.Header.Set("x-acs-action", "GetFlow")
	wantError(t, h.do(swapped), http.StatusBadRequest, CodeSignatureDoesNotMatch)
	other := h.getFlowRequest("cams-1a2b3c4d", "2001")
	h.sign(other, h.cred)
	other.URL.RawQuery = url.Values{"FlowId": {"2002"}, "CustSpaceId": {"cams-1a2b3c4d"}}.Encode()
	wantError(t, h.do(other), http.StatusBadRequest, CodeSignatureDoesNotMatch)

	old := h.getFlowRequest("cams-1a2b3c4d", "2001")
	h.sign(old, h.cred)
	h.clock.Advance(16 * time.Minute)
	wantError(t, h.do(old), http.StatusBadRequest, CodeInvalidTimeStampExpired)
	if st := h.srv.Stats(); len(st.GetFlow) != 0 || st.Accepted != 0 {
		t.Errorf("refused calls were counted: %+v", st)
	}
}

// GetFlow has a bucket of its own: 5 calls a second besides ListFlow's 5.
func TestGetFlowRateLimitIsItsOwn(t *testing.T) {
	h := newHarness(t, Config{RateLimit: 5})
	for i := range 5 {
		if r, _ := h.getFlow("cams-1a2b3c4d", "2001"); r.status != http.StatusOK {
			t.Fatalf("GetFlow call %d: HTTP %d %s", i+1, r.status, r.raw)
		}
		if r := h.list(url.Values{}); r.status != http.StatusOK {
			t.Fatalf("ListFlow call %d: HTTP %d %s", i+1, r.status, r.raw)
		}
	}
	r, _ := h.getFlow("cams-1a2b3c4d", "2001")
	wantError(t, r, http.StatusBadRequest, CodeSystemLimitControl)
	wantError(t, h.list(url.Values{}), http.StatusBadRequest, CodeSystemLimitControl)
	h.clock.Advance(time.Second)
	if r, _ := h.getFlow("cams-1a2b3c4d", "2001"); r.status != http.StatusOK {
		t.Errorf("a second later: HTTP %d %s", r.status, r.raw)
	}
	if st := h.srv.Stats(); st.Throttled != 2 || st.GetFlow["cams-1a2b3c4d"] != 6 || st.ListFlow[""] != 5 {
		t.Errorf("Stats %+v; want 2 throttled, 6 GetFlow and 5 ListFlow calls accepted", st)
	}
}

func TestGetFlowFaults(t *testing.T) {
	h := newHarness(t, Config{})
	sub := "cams-1a2b3c4d"
	ok := func(when string) {
		t.Helper()
		if r, _ := h.getFlow(sub, "2001"); r.status != http.StatusOK {
			t.Fatalf("%s: HTTP %d %s", when, r.status, r.raw)
		}
	}
	// A page fault, a fault on another space and one for another action
	// leave GetFlow alone.
	for _, f := range []Fault{
		{Kind: FaultHTTP, Status: 503, Page: 1},
		{Kind: FaultError, Code: CodeInternalError, Space: ptr("cams-empty000")},
		{Kind: FaultError, Code: CodeInternalError, Action: "ListFlow"},
		{Kind: FaultError, Code: CodeInternalError, Action: "ListInstance"},
	} {
		if _, err := h.srv.Inject(f); err != nil {
			t.Fatal(err)
		}
	}
	ok("with faults aimed elsewhere")
	wantError(t, h.list(pageParams(sub, "", 2, 20)), http.StatusInternalServerError, CodeInternalError) // the ListFlow fault
	h.srv.ClearFaults()
	// Faults on its space, for its action or for all apply, Count and all.
	for _, f := range []Fault{
		{Kind: FaultError, Code: CodeThrottlingUser, Space: ptr(sub), Count: 1},
		{Kind: FaultHTTP, Status: 503, Action: "GetFlow", Count: 1},
		{Kind: FaultOKError, Code: CodeProductUnsubscript, Count: 1},
	} {
		if _, err := h.srv.Inject(f); err != nil {
			t.Fatal(err)
		}
	}
	r, _ := h.getFlow(sub, "2001")
	wantError(t, r, http.StatusBadRequest, CodeThrottlingUser)
	r, _ = h.getFlow(sub, "2001")
	wantError(t, r, http.StatusServiceUnavailable, CodeServiceUnavailable)
	r, _ = h.getFlow(sub, "2001")
	wantError(t, r, http.StatusOK, CodeProductUnsubscript)
	ok("after the counted faults")
	if _, err := h.srv.Inject(Fault{Kind: FaultTruncated, Action: "GetFlow", Count: 1}); err != nil {
		t.Fatal(err)
	}
	if r, _ := h.getFlow(sub, "2001"); r.status != http.StatusOK || json.Valid(r.raw) || !bytes.HasPrefix(r.raw, []byte(`{"RequestId":`)) {
		t.Errorf("truncated: HTTP %d %s", r.status, r.raw)
	}
	for _, bad := range []Fault{
		{Kind: FaultHang, Action: "DeleteFlow"},
		{Kind: FaultHang, Action: "GetFlow", Page: 2},
	} {
		if _, err := h.srv.Inject(bad); err == nil {
			t.Errorf("fault %+v was accepted", bad)
		}
	}
}

func TestSetFlowStatus(t *testing.T) {
	h := newHarness(t, Config{})
	status := func() string {
		t.Helper()
		_, b := h.getFlow("cams-1a2b3c4d", "2003")
		return b.Data.Status
	}
	if got := status(); got != "DRAFT" {
		t.Fatalf("loaded status %s, want DRAFT", got)
	}
	if err := h.srv.SetFlowStatus("cams-1a2b3c4d", "2003", "PUBLISHED"); err != nil || status() != "PUBLISHED" {
		t.Errorf("after SetFlowStatus PUBLISHED: %v, %s", err, status())
	}
	run := []struct {
		path, body string
		want       int
		after      string
	}{
		{"/-/spaces/cams-1a2b3c4d/flows/2003/status", `{"status":"DEPRECATED"}`, 204, "DEPRECATED"},
		{"/-/spaces/cams-1a2b3c4d/flows/2003/status", `{"status":""}`, 204, "DRAFT"}, // back to the default
		{"/-/spaces/cams-1a2b3c4d/flows/2003/status", `{"status":"published"}`, 400, "DRAFT"},
		{"/-/spaces/cams-1a2b3c4d/flows/2003/status", `{"state":"PUBLISHED"}`, 400, "DRAFT"},
		{"/-/spaces/cams-1a2b3c4d/flows/9999/status", `{"status":"PUBLISHED"}`, 404, "DRAFT"},
		{"/-/spaces/cams-nosuch00/flows/2003/status", `{"status":"PUBLISHED"}`, 404, "DRAFT"},
	}
	for _, s := range run {
		if code, body := h.control(http.MethodPut, s.path, s.body); code != s.want {
			t.Errorf("PUT %s %s: %d %s, want %d", s.path, s.body, code, body, s.want)
		}
		if got := status(); got != s.after {
			t.Errorf("after PUT %s: status %s, want %s", s.body, got, s.after)
		}
	}
	if got := spaceOf(t, h.srv.Dataset(), "cams-1a2b3c4d").Flows[2].Status; got != "" {
		t.Errorf("Dataset() has status %q for the flow reset to the default", got)
	}
}

func TestGenerateFlowStatuses(t *testing.T) {
	for _, tc := range []struct {
		seed          int64
		spaces, flows int
	}{{1, 5, 12}, {4, 1, 3}, {2, 100, 20}} {
		d := Generate(tc.seed, tc.spaces, tc.flows)
		count := map[string]int{}
		total := 0
		for _, sp := range d.Spaces {
			for _, f := range sp.Flows {
				count[f.Status]++
				total++
			}
		}
		for _, s := range DocumentedFlowStatuses {
			if count[s] == 0 {
				t.Errorf("seed %d: no %s flow: %v", tc.seed, s, count)
			}
		}
		if len(count) != 3 {
			t.Errorf("seed %d: statuses %v, want the three documented ones only", tc.seed, count)
		}
		if total >= 1000 {
			// Roughly 70/20/10 over many flows.
			if p := float64(count["PUBLISHED"]) / float64(total); p < 0.6 || p > 0.8 {
				t.Errorf("seed %d: %.2f of %d flows published, want about 0.7", tc.seed, p, total)
			}
		}
	}
}

// The official SDK's generic client (darabonba-openapi), an implementation
// independent of ours, reads a flow's status from the simulator's GetFlow.
func TestOfficialSDKGetFlow(t *testing.T) {
	small := loadSmall(t)
	_, base := startOnWallClock(t, small)
	c, err := officialsdk.New(base, testKeyID, testSecret, "")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range spaceOf(t, small, "cams-1a2b3c4d").Flows {
		body, err := officialsdk.GetFlow(c, "cams-1a2b3c4d", f.FlowId, nil)
		if err != nil {
			t.Fatalf("GetFlow %s: %v", f.FlowId, err)
		}
		data, _ := body["Data"].(map[string]any)
		if body["Code"] != "OK" || data["FlowId"] != f.FlowId || data["Status"] != wantStatus(f) {
			t.Errorf("GetFlow %s: %v, want status %s", f.FlowId, body, wantStatus(f))
		}
	}
	_, err = officialsdk.GetFlow(c, "cams-1a2b3c4d", "9999", nil)
	if err == nil || !strings.Contains(err.Error(), CodeUnknownResourceOwnerID) {
		t.Errorf("unknown flow: %v, want %s", err, CodeUnknownResourceOwnerID)
	}
	bad, _ := officialsdk.New(base, testKeyID, "wrong", "")
	if _, err := officialsdk.GetFlow(bad, "cams-1a2b3c4d", "2001", nil); err == nil || !strings.Contains(err.Error(), CodeSignatureDoesNotMatch) {
		t.Errorf("wrong secret: %v, want %s", err, CodeSignatureDoesNotMatch)
	}
}
