package simulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"
)

// Faults apply to the new operations as to ListFlow: by action, by space,
// every kind a healthy or broken CAMS shows.
func TestFaultsOnAccountOperations(t *testing.T) {
	h := newHarness(t, Config{Data: accountWithFlow(t)})
	inject := func(f Fault) {
		t.Helper()
		h.srv.ClearFaults()
		if _, err := h.srv.Inject(f); err != nil {
			t.Fatal(err)
		}
	}
	ok := func(what string, r response) {
		t.Helper()
		if r.status != http.StatusOK {
			t.Errorf("%s: HTTP %d %s, want it untouched", what, r.status, r.raw)
		}
	}

	// A RAM denial of one operation on one space.
	inject(Fault{Kind: FaultError, Code: CodeRAMPermissionDeny, Action: OperationQueryPhoneNumbers, Space: ptr("cams-numbers0")})
	r, _ := h.queryNumbers("cams-numbers0")
	wantError(t, r, http.StatusBadRequest, CodeRAMPermissionDeny)
	if !bytes.Contains(r.body.AccessDeniedDetail, []byte("cams:QueryChatappPhoneNumbers")) {
		t.Errorf("AccessDeniedDetail %s", r.body.AccessDeniedDetail)
	}
	r, _ = h.queryNumbers("cams-healthy0")
	ok("another space", r)
	r, _ = h.queryWABA("cams-numbers0")
	ok("another operation", r)

	// A space's fault without action: every operation on the space.
	inject(Fault{Kind: FaultError, Code: CodeSystemLimitControl, Space: ptr("cams-healthy0")})
	for op, params := range map[string]map[string][]string{
		OperationQueryPhoneNumbers: spaceParams("cams-healthy0"),
		OperationQueryBindWaba:     spaceParams("cams-healthy0"),
		OperationGetHealthStatus:   wabaNode("cams-healthy0", "100000000000003"),
	} {
		wantError(t, h.call(op, params), http.StatusBadRequest, CodeSystemLimitControl)
	}
	_, b := h.listInstances(nil)
	if b.Code != "OK" {
		t.Error("a space's fault hit ListInstance")
	}

	// A page fault is ListFlow's only.
	inject(Fault{Kind: FaultError, Code: CodeInternalError, Page: 1})
	r, _ = h.queryNumbers("cams-numbers0")
	ok("a page fault", r)

	// ERR-FB-001 on the health of one space, then Meta answering late.
	inject(Fault{Kind: FaultError, Code: CodeMetaRequestFailed, Action: OperationGetHealthStatus, Count: 1})
	r, _ = h.health(wabaNode("cams-numbers0", "100000000000002"))
	wantError(t, r, http.StatusBadRequest, CodeMetaRequestFailed)
	r, _ = h.health(wabaNode("cams-numbers0", "100000000000002"))
	ok("a fault of count 1, once used", r)
	inject(Fault{Kind: FaultLatency, Latency: Duration(10 * time.Millisecond), Action: OperationGetHealthStatus})
	r, _ = h.health(phoneNode("cams-numbers0", "6591000001"))
	ok("after latency", r)

	// Broken answers.
	inject(Fault{Kind: FaultMalformed, Action: OperationQueryBindWaba})
	if r, _ = h.queryWABA("cams-numbers0"); r.status != http.StatusOK || json.Valid(r.raw) {
		t.Errorf("malformed: HTTP %d %s", r.status, r.raw)
	}
	inject(Fault{Kind: FaultTruncated, Action: OperationQueryPhoneNumbers})
	r, _ = h.queryNumbers("cams-numbers0")
	h.srv.ClearFaults()
	whole, _ := h.queryNumbers("cams-numbers0")
	if json.Valid(r.raw) || len(r.raw) < len(whole.raw)/2-40 || len(r.raw) > len(whole.raw)/2+40 {
		t.Errorf("truncated: %d bytes of %d: %s", len(r.raw), len(whole.raw), r.raw)
	}
	inject(Fault{Kind: FaultOKError, Code: CodeNoWABA, Action: OperationQueryBindWaba})
	if r, _ = h.queryWABA("cams-numbers0"); r.status != http.StatusOK || r.body.Code != CodeNoWABA {
		t.Errorf("ok-error: HTTP %d %s", r.status, r.raw)
	}
	inject(Fault{Kind: FaultHTTP, Status: 503})
	wantError(t, h.call(OperationGetHealthStatus, wabaNode("cams-numbers0", "100000000000002")), http.StatusServiceUnavailable, CodeServiceUnavailable)
}

// The hostile kinds that mean something to an operation apply to it:
// oversized answers, redirects, huge errors; the listing's own do not.
func TestHostileFaultsOnAccountOperations(t *testing.T) {
	h := newHarness(t, Config{Data: accountWithFlow(t)})
	inject := func(f Fault) {
		t.Helper()
		h.srv.ClearFaults()
		if _, err := h.srv.Inject(f); err != nil {
			t.Fatal(err)
		}
	}
	inject(Fault{Kind: FaultOversizedPage, Action: OperationQueryPhoneNumbers})
	if _, b := h.queryNumbers("cams-numbers0"); len(b.PhoneNumbers) != 10000 || b.Code != "OK" {
		t.Errorf("oversized, default: %d numbers, want 10000", len(b.PhoneNumbers))
	}
	inject(Fault{Kind: FaultOversizedPage, Items: 1001})
	if _, b := h.queryNumbers("cams-numbers0"); len(b.PhoneNumbers) != 1001 {
		t.Errorf("oversized: %d numbers, want 1001", len(b.PhoneNumbers))
	}
	if _, b := h.health(wabaNode("cams-numbers0", "100000000000002")); b.Data == nil || len(b.Data.Entities) != 1001 {
		t.Errorf("oversized health answer: %+v", b.Data)
	}
	if r, b := h.queryWABA("cams-numbers0"); r.status != http.StatusOK || b.Data.Id != "100000000000002" {
		t.Errorf("QueryChatappBindWaba took an oversized fault: %s", r.raw)
	}
	inject(Fault{Kind: FaultOversizedPage})
	if _, b := h.health(wabaNode("cams-numbers0", "100000000000002")); len(b.Data.Entities) != 1000 {
		t.Errorf("oversized health answer, default: %d entities, want 1000", len(b.Data.Entities))
	}

	inject(Fault{Kind: FaultRedirect, Location: "http://127.0.0.2:1/elsewhere", Action: OperationQueryBindWaba})
	req := h.request(spaceParams("cams-numbers0"))
	req.Header.Set("x-acs-action", OperationQueryBindWaba)
	h.sign(req, h.cred)
	resp, err := h.hc.Transport.RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTemporaryRedirect || resp.Header.Get("Location") != "http://127.0.0.2:1/elsewhere" {
		t.Errorf("redirect: HTTP %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	inject(Fault{Kind: FaultHugeMessage, Bytes: 1 << 16, Action: OperationGetHealthStatus})
	r, _ := h.health(wabaNode("cams-numbers0", "100000000000002"))
	if r.status != http.StatusBadRequest || len(r.body.Message) != 1<<16 {
		t.Errorf("huge message: HTTP %d, message of %d bytes", r.status, len(r.body.Message))
	}

	for _, kind := range []string{FaultNoFlowID, FaultEndlessPages} {
		inject(Fault{Kind: kind})
		if r, b := h.queryNumbers("cams-numbers0"); r.status != http.StatusOK || len(b.PhoneNumbers) != 4 {
			t.Errorf("%s hit QueryChatappPhoneNumbers: %s", kind, r.raw)
		}
		if len(h.srv.Faults()) != 1 {
			t.Errorf("%s was used up by another operation", kind)
		}
	}
}

// The request log tells each call's operation, time and space, and a
// health call's node and number, so that the bench can measure each
// operation's budget use.
func TestRequestLogOfAccountOperations(t *testing.T) {
	h := newHarness(t, Config{Data: accountWithFlow(t)})
	t0 := h.clock.Now()
	h.queryNumbers("cams-numbers0")
	h.clock.Advance(100 * time.Millisecond)
	h.queryWABA("cams-healthy0")
	h.clock.Advance(100 * time.Millisecond)
	h.health(wabaNode("cams-numbers0", "100000000000002"))
	h.clock.Advance(100 * time.Millisecond)
	h.health(phoneNode("cams-numbers0", "6591000002"))
	h.call("ListFlow", pageParams("", "", 2, 5))
	want := []Request{
		{Time: t0, Action: OperationQueryPhoneNumbers, Space: "cams-numbers0"},
		{Time: t0.Add(100 * time.Millisecond), Action: OperationQueryBindWaba, Space: "cams-healthy0"},
		{Time: t0.Add(200 * time.Millisecond), Action: OperationGetHealthStatus, Space: "cams-numbers0", Node: "waba"},
		{Time: t0.Add(300 * time.Millisecond), Action: OperationGetHealthStatus, Space: "cams-numbers0", Node: "phone", PhoneNumber: "6591000002"},
		{Time: t0.Add(300 * time.Millisecond), Action: "ListFlow", Page: 2},
	}
	got := h.srv.Requests().Requests
	if len(got) != len(want) {
		t.Fatalf("request log %+v, want %+v", got, want)
	}
	for i := range want {
		if !got[i].Time.Equal(want[i].Time) || got[i].Action != want[i].Action || got[i].Space != want[i].Space ||
			got[i].Node != want[i].Node || got[i].PhoneNumber != want[i].PhoneNumber || got[i].Page != want[i].Page {
			t.Errorf("request %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	_, body := h.control("GET", "/-/requests", "")
	if !bytes.Contains([]byte(body), []byte(`"action":"GetWhatsappHealthStatus","space":"cams-numbers0","node":"phone","phoneNumber":"6591000002"`)) {
		t.Errorf("GET /-/requests: %s", body)
	}
}
