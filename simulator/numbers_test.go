package simulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
)

// Every space's numbers, QueryChatappPhoneNumbers answers as the data set
// says, all in one answer, in the SDK's shape: PhoneNumbers at the top
// level, undocumented values as they are, empty fields left out.
func TestQueryPhoneNumbersAnswersTheDataSet(t *testing.T) {
	for name, data := range map[string]*Dataset{"account.json": loadAccount(t), "generated": Generate(3, 40, 1)} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, Config{Data: data})
			calls := map[string]int{}
			for _, sp := range data.Spaces {
				if sp.Error != "" {
					continue
				}
				r, b := h.queryNumbers(sp.ID)
				calls[sp.ID]++
				if r.status != http.StatusOK || b.Code != "OK" || b.Message != "SUCCESS" || b.Success == nil || !*b.Success || len(b.RequestId) != 36 {
					t.Fatalf("%q: HTTP %d %s", sp.ID, r.status, r.raw)
				}
				keys := rawKeys(t, r.raw)
				if string(keys["Success"]) != "true" || string(keys["Code"]) != `"OK"` {
					t.Errorf("%q: Success %s and Code %s, want JSON true and \"OK\"", sp.ID, keys["Success"], keys["Code"])
				}
				if string(keys["PhoneNumbers"]) == "null" || keys["Data"] != nil || keys["PhoneNumbers"] == nil {
					t.Errorf("%q: PhoneNumbers must be a list at the top level, no Data: %s", sp.ID, r.raw)
				}
				if len(b.PhoneNumbers) != len(sp.PhoneNumbers) {
					t.Fatalf("%q: %d numbers, want %d: %s", sp.ID, len(b.PhoneNumbers), len(sp.PhoneNumbers), r.raw)
				}
				for i, want := range sp.PhoneNumbers {
					got := b.PhoneNumbers[i]
					if got.PhoneNumber != want.PhoneNumber || got.VerifiedName != want.VerifiedName || got.Status != want.Status ||
						got.QualityRating != want.QualityRating || got.MessagingLimitTier != want.MessagingLimitTier ||
						got.CodeVerificationStatus != want.CodeVerificationStatus || got.NameStatus != want.NameStatus ||
						got.NewNameStatus != want.NewNameStatus || got.IsOfficial != want.IsOfficial {
						t.Errorf("%q: number %d = %+v, want %+v", sp.ID, i, got, want)
					}
					if got.UpQueue == "" || got.StatusQueue == "" {
						t.Errorf("%q: number %d without its queues", sp.ID, i)
					}
				}
				if bytes.Contains(r.raw, []byte("health")) || bytes.Contains(r.raw, []byte("CanSendMessage")) {
					t.Errorf("%q: a number's health leaked into the listing: %s", sp.ID, r.raw)
				}
			}
			if st := h.srv.Stats(); !mapsEqual(st.Spaces[OperationQueryPhoneNumbers], calls) || st.Operations[OperationQueryPhoneNumbers] != len(data.Spaces)-errorSpaces(data) {
				t.Errorf("Stats: %v by space, %d calls; want %v", st.Spaces[OperationQueryPhoneNumbers], st.Operations[OperationQueryPhoneNumbers], calls)
			}
		})
	}
}

func errorSpaces(d *Dataset) int {
	n := 0
	for _, sp := range d.Spaces {
		if sp.Error != "" {
			n++
		}
	}
	return n
}

// The answer names every field the data set fills, with the SDK's names
// and JSON types, and leaves out those it leaves empty.
func TestQueryPhoneNumbersFields(t *testing.T) {
	h := newHarness(t, Config{Data: loadAccount(t)})
	r, _ := h.queryNumbers("cams-numbers0")
	var body struct {
		Success      bool
		PhoneNumbers []map[string]any
	}
	if err := json.Unmarshal(r.raw, &body); err != nil || len(body.PhoneNumbers) != 4 {
		t.Fatalf("%v: %s", err, r.raw)
	}
	full := body.PhoneNumbers[0]
	for _, field := range []string{"PhoneNumber", "VerifiedName", "Status", "QualityRating", "MessagingLimitTier", "CodeVerificationStatus", "NameStatus", "NewNameStatus", "IsOfficial", "UpQueue", "StatusQueue"} {
		if _, ok := full[field].(string); !ok {
			t.Errorf("%s is %T, want a string: %v", field, full[field], full)
		}
	}
	// The third number has no VerifiedName, an empty NewNameStatus and
	// IsOfficial: the answer leaves them out, as CAMS leaves out null ones.
	for _, field := range []string{"VerifiedName", "NewNameStatus", "IsOfficial"} {
		if _, ok := body.PhoneNumbers[2][field]; ok {
			t.Errorf("an empty %s is answered: %v", field, body.PhoneNumbers[2])
		}
	}
	// HTML-ish names are not escaped.
	if !bytes.Contains(r.raw, []byte(`"Lotus Travel & Tours <Support>"`)) {
		t.Errorf("VerifiedName escaped: %s", r.raw)
	}
}

func TestQueryPhoneNumbersParameters(t *testing.T) {
	data := loadAccount(t)
	h := newHarness(t, Config{Data: data})
	// No CustSpaceId is the own space (CAMS documents it as optional).
	if _, b := h.queryNumbers(""); len(b.PhoneNumbers) != 1 || b.PhoneNumbers[0].PhoneNumber != "8613800000001" {
		t.Errorf("own space: %+v", b)
	}
	// Status keeps the numbers of that status.
	r := h.call(OperationQueryPhoneNumbers, url.Values{"CustSpaceId": {"cams-numbers0"}, "Status": {"FLAGGED"}, "IsvCode": {"whatever"}})
	var b numbersAnswer
	if err := json.Unmarshal(r.raw, &b); err != nil || len(b.PhoneNumbers) != 1 || b.PhoneNumbers[0].PhoneNumber != "6591000002" {
		t.Errorf("Status=FLAGGED: %s", r.raw)
	}
	r = h.call(OperationQueryPhoneNumbers, url.Values{"CustSpaceId": {"cams-numbers0"}, "Status": {"BANNED"}})
	if keys := rawKeys(t, r.raw); string(keys["PhoneNumbers"]) != "[]" {
		t.Errorf("no BANNED number: PhoneNumbers %s, want []", keys["PhoneNumbers"])
	}
	// A space without numbers answers an empty list, not null.
	r, _ = h.queryNumbers("cams-nowaba00")
	if keys := rawKeys(t, r.raw); r.status != http.StatusOK || string(keys["PhoneNumbers"]) != "[]" {
		t.Errorf("a space without numbers: HTTP %d %s", r.status, r.raw)
	}
}

func TestQueryPhoneNumbersErrors(t *testing.T) {
	h := newHarness(t, Config{Data: loadAccount(t)})
	for _, tt := range []struct {
		space, code string
		status      int
	}{
		{"cams-nosuch00", CodeUnknownResourceOwnerID, 400},
		{"cams-denied00", CodeRAMPermissionDeny, 400},
		{"cams-unsub000", CodeProductUnsubscript, 400},
		{"cams-meta0000", CodeMetaRequestFailed, 400},
	} {
		r, _ := h.queryNumbers(tt.space)
		wantError(t, r, tt.status, tt.code)
		wantEnvelope(t, r, h.host)
	}
	// A RAM denial names the operation's RAM action.
	r, _ := h.queryNumbers("cams-denied00")
	if !bytes.Contains(r.body.AccessDeniedDetail, []byte("AuthAction: cams:QueryChatappPhoneNumbers")) {
		t.Errorf("AccessDeniedDetail %s", r.body.AccessDeniedDetail)
	}
}
