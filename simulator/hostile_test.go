package simulator

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// TestRepeatedFlowIDIsServed: a data file may list a FlowId twice in a space,
// as a listing shows a flow created while it pages; both are served, one per
// page of one, so that a client's de-duplication can be tested end to end.
func TestRepeatedFlowIDIsServed(t *testing.T) {
	d, err := LoadDataset("testdata/repeated-flowid.json")
	if err != nil {
		t.Fatalf("a data file with a repeated FlowId: %v", err)
	}
	h := newHarness(t, Config{Data: d})
	var ids []string
	for index := 1; index <= 4; index++ {
		r := h.list(pageParams("", "", index, 1))
		if r.status != 200 {
			t.Fatalf("page %d: HTTP %d %s", index, r.status, r.raw)
		}
		for _, f := range r.body.Data {
			ids = append(ids, f.FlowId)
		}
	}
	if got := strings.Join(ids, ","); got != "1,2,1" {
		t.Errorf("pages of one listed %s, want 1,2,1", got)
	}
	if err := h.srv.AddFlow("", Flow{FlowId: "2"}); err == nil {
		t.Error("AddFlow accepted a FlowId the space has: the control endpoint still refuses duplicates")
	}
}

// TestHostileFaults checks each hostile fault kind on a ListFlow call, and
// that ListInstance calls never take them.
func TestHostileFaults(t *testing.T) {
	small := loadSmall(t)
	h := newHarness(t, Config{Data: small})
	noRedirect := *h.hc
	noRedirect.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	h.hc = &noRedirect

	tests := []struct {
		name  string
		fault Fault
		check func(t *testing.T, r response)
	}{
		{"redirect", Fault{Kind: FaultRedirect, Location: "http://127.0.0.2:1/elsewhere"}, func(t *testing.T, r response) {
			if r.status != 307 || r.header.Get("Location") != "http://127.0.0.2:1/elsewhere" || len(r.raw) != 0 {
				t.Errorf("HTTP %d Location %q body %q", r.status, r.header.Get("Location"), r.raw)
			}
		}},
		{"redirect 301", Fault{Kind: FaultRedirect, Status: 301, Location: "/x"}, func(t *testing.T, r response) {
			if r.status != 301 {
				t.Errorf("HTTP %d", r.status)
			}
		}},
		{"oversized page, default", Fault{Kind: FaultOversizedPage}, func(t *testing.T, r response) {
			if r.status != 200 || len(r.body.Data) != 30 || r.body.Data[29].FlowId != "oversized-1-30" {
				t.Errorf("HTTP %d with %d flows, want 30 (10 x Page.Size 3)", r.status, len(r.body.Data))
			}
		}},
		{"oversized page, items", Fault{Kind: FaultOversizedPage, Items: 70000}, func(t *testing.T, r response) {
			if len(r.body.Data) != 70000 || len(r.raw) < 4<<20 {
				t.Errorf("%d flows in %d bytes", len(r.body.Data), len(r.raw))
			}
		}},
		{"no FlowId", Fault{Kind: FaultNoFlowID}, func(t *testing.T, r response) {
			if r.status != 200 || len(r.body.Data) != 3 || strings.Contains(string(r.raw), "FlowId") {
				t.Errorf("HTTP %d, %d flows: %s", r.status, len(r.body.Data), r.raw)
			}
		}},
		{"huge message", Fault{Kind: FaultHugeMessage, Bytes: 1 << 20}, func(t *testing.T, r response) {
			wantError(t, r, 400, CodeRAMPermissionDeny)
			var detail string
			_ = json.Unmarshal(r.body.AccessDeniedDetail, &detail)
			if len(r.body.Message) != 1<<20 || len(r.body.RequestId) != 1<<20 || len(r.body.Recommend) != 1<<20 || len(detail) != 1<<20 {
				t.Errorf("texts of %d, %d, %d, %d bytes, want 1 MiB each", len(r.body.Message), len(r.body.RequestId), len(r.body.Recommend), len(detail))
			}
		}},
		{"endless pages", Fault{Kind: FaultEndlessPages}, func(t *testing.T, r response) {
			if r.status != 200 || len(r.body.Data) != 3 || r.body.Data[0].FlowId != "endless-1-1" {
				t.Errorf("HTTP %d, flows %+v", r.status, r.body.Data)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h.srv.ClearFaults()
			if _, err := h.srv.Inject(tt.fault); err != nil {
				t.Fatal(err)
			}
			tt.check(t, h.list(pageParams("", "", 1, 3)))
		})
	}

	h.srv.ClearFaults()
	h.srv.Inject(Fault{Kind: FaultNoFlowID, Count: 1})
	r := h.list(pageParams("cams-empty000", "", 1, 3))
	if len(r.body.Data) != 1 || r.body.Data[0].FlowId != "" {
		t.Errorf("an empty page with no-flow-id: %s", r.raw)
	}
	h.srv.Inject(Fault{Kind: FaultEndlessPages})
	if r, _ := h.listInstances(nil); r.status != 200 || strings.Contains(string(r.raw), "endless") {
		t.Errorf("ListInstance took a hostile fault: HTTP %d %s", r.status, r.raw)
	}
	if n := len(h.srv.Faults()); n != 1 {
		t.Errorf("%d faults left, want the endless one untouched by ListInstance", n)
	}
}

func TestHostileFaultValidation(t *testing.T) {
	s, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		fault Fault
		ok    bool
	}{
		{Fault{Kind: FaultRedirect, Location: "http://x/"}, true},
		{Fault{Kind: FaultRedirect}, false},
		{Fault{Kind: FaultRedirect, Location: "http://x/", Status: 200}, false},
		{Fault{Kind: FaultError, Code: CodeInternalError, Location: "http://x/"}, false},
		{Fault{Kind: FaultOversizedPage, Items: -1}, false},
		{Fault{Kind: FaultOversizedPage, Items: maxFaultItems + 1}, false},
		{Fault{Kind: FaultHugeMessage, Bytes: maxFaultBytes + 1}, false},
		{Fault{Kind: FaultHugeMessage, Bytes: 10}, true},
		{Fault{Kind: FaultNoFlowID}, true},
		{Fault{Kind: FaultEndlessPages}, true},
	} {
		if _, err := s.Inject(tt.fault); (err == nil) != tt.ok {
			t.Errorf("Inject(%+v) error %v, want ok %v", tt.fault, err, tt.ok)
		}
	}
}
