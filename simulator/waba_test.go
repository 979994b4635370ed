package simulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
)

// Every space's WABA, QueryChatappBindWaba answers as the data set says; a
// space without one answers ERR-OPERATION-MAAP-0060.
func TestQueryBindWabaAnswersTheDataSet(t *testing.T) {
	for name, data := range map[string]*Dataset{"account.json": loadAccount(t), "generated": Generate(5, 60, 1)} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, Config{Data: data})
			unbound := 0
			for _, sp := range data.Spaces {
				if sp.Error != "" {
					continue
				}
				r, b := h.queryWABA(sp.ID)
				if sp.WABA == nil {
					unbound++
					wantError(t, r, http.StatusBadRequest, CodeNoWABA)
					wantEnvelope(t, r, h.host)
					if r.body.Message != "The subscriber has not bind WABA." {
						t.Errorf("%q: message %q", sp.ID, r.body.Message)
					}
					continue
				}
				if r.status != http.StatusOK || b.Code != "OK" || b.Success == nil || !*b.Success || b.Data == nil || *b.Data != *sp.WABA {
					t.Errorf("%q: HTTP %d %s, want Data %+v", sp.ID, r.status, r.raw, *sp.WABA)
				}
			}
			if unbound == 0 {
				t.Error("no space without a WABA was tried")
			}
		})
	}
}

func TestQueryBindWabaFields(t *testing.T) {
	h := newHarness(t, Config{Data: loadAccount(t)})
	r, _ := h.queryWABA("cams-numbers0")
	if keys := rawKeys(t, r.raw); string(keys["Success"]) != "true" || string(keys["Code"]) != `"OK"` || string(keys["Message"]) != `"SUCCESS"` {
		t.Errorf("Success, Code and Message: %s", r.raw)
	}
	var body struct{ Data map[string]any }
	if err := json.Unmarshal(r.raw, &body); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"Id": "100000000000002", "Name": "Lotus Travel", "BusinessId": "200000000000002", "AccountReviewStatus": "APPROVED",
		"Currency": "EUR", "MessageTemplateNamespace": "93e6b26e_8a67_4163_a093_ebfe645a66b0",
	}
	if len(body.Data) != len(want) {
		t.Errorf("Data %v, want %v", body.Data, want)
	}
	for k, v := range want {
		if body.Data[k] != v {
			t.Errorf("Data.%s = %v, want %v", k, body.Data[k], v)
		}
	}
	// Empty fields are left out.
	r, _ = h.queryWABA("cams-healthy0")
	if bytes.Contains(r.raw, []byte(`"Name"`)) || bytes.Contains(r.raw, []byte(`"Currency"`)) {
		t.Errorf("empty fields answered: %s", r.raw)
	}
	// No CustSpaceId is the own space.
	if _, b := h.queryWABA(""); b.Data == nil || b.Data.Id != "100000000000001" {
		t.Errorf("own space: %+v", b)
	}
}

func TestQueryBindWabaErrors(t *testing.T) {
	h := newHarness(t, Config{Data: loadAccount(t)})
	for space, code := range map[string]string{
		"cams-nosuch00": CodeUnknownResourceOwnerID,
		"cams-denied00": CodeRAMPermissionDeny,
		"cams-unsub000": CodeProductUnsubscript,
		"cams-meta0000": CodeMetaRequestFailed,
		"cams-orphan00": CodeNoWABA,
	} {
		r, _ := h.queryWABA(space)
		wantError(t, r, http.StatusBadRequest, code)
	}
	r, _ := h.queryWABA("cams-denied00")
	if !bytes.Contains(r.body.AccessDeniedDetail, []byte("AuthAction: cams:QueryChatappBindWaba")) {
		t.Errorf("AccessDeniedDetail %s", r.body.AccessDeniedDetail)
	}
}
