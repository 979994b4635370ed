package client

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

// A full answer, with every field of the SDK's model (calling settings,
// callback URLs and queues included) and the unrelated Data string: the
// numbers come from the top-level PhoneNumbers, values raw, a number listed
// twice alike once.
func TestQueryPhoneNumbersDecodesAFullAnswer(t *testing.T) {
	c, _ := newTestClient(t, &scripted{responses: []scriptedResponse{{200, string(readFixture(t, "phone-numbers.json"))}}}, Config{})
	got, err := c.QueryPhoneNumbers(context.Background(), "cams-abc123")
	if err != nil {
		t.Fatal(err)
	}
	want := []PhoneNumber{
		{PhoneNumber: "8613800001111", VerifiedName: "Alibaba", Status: "CONNECTED", QualityRating: "GREEN", MessagingLimitTier: "TIER_10K",
			CodeVerificationStatus: "VERIFIED", NameStatus: "Approval", NewNameStatus: "Approval", IsOfficial: "N"},
		{PhoneNumber: "8613800002222", VerifiedName: "Alibaba Support", Status: "FLAGGED", QualityRating: "RED", MessagingLimitTier: "TIER_1K",
			CodeVerificationStatus: "NOT_VERIFIED", NameStatus: "PENDING_REVIEW", IsOfficial: "Y"},
		{PhoneNumber: "15550003333", Status: "SOMETHING_NEW", QualityRating: "UNKNOWN"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

// numbersBody is an OK answer listing n numbers.
func numbersBody(n int, number func(i int) map[string]any) string {
	list := make([]map[string]any, n)
	for i := range list {
		list[i] = number(i)
	}
	b, _ := json.Marshal(map[string]any{"RequestId": "R", "Code": "OK", "Data": "x", "PhoneNumbers": list})
	return string(b)
}

func plainNumber(i int) map[string]any {
	return map[string]any{"PhoneNumber": fmt.Sprintf("86138%08d", i), "Status": "CONNECTED", "QualityRating": "GREEN"}
}

// The bounds of an answer: MaxPhoneNumbersPerAnswer numbers pass, one more
// is an invalid response (retried like any); so is a number without a
// usable PhoneNumber, or listed twice with different values. An answer
// without PhoneNumbers is a space without numbers.
func TestQueryPhoneNumbersBounds(t *testing.T) {
	huge := strings.Repeat("é", 4096)
	tests := []struct {
		name      string
		body      string
		wantCount int    // numbers returned when valid
		wantError string // in the InvalidResponse message; "" when valid
	}{
		{"at the bound", numbersBody(MaxPhoneNumbersPerAnswer, plainNumber), MaxPhoneNumbersPerAnswer, ""},
		{"one beyond", numbersBody(MaxPhoneNumbersPerAnswer+1, plainNumber), 0, "more than 1000 PhoneNumbers"},
		{"far beyond", numbersBody(200_000, func(int) map[string]any { return map[string]any{} }), 0, "more than 1000 PhoneNumbers"},
		{"no PhoneNumbers", `{"RequestId":"R","Code":"OK","Data":"x"}`, 0, ""},
		{"null PhoneNumbers", `{"RequestId":"R","Code":"OK","PhoneNumbers":null}`, 0, ""},
		{"PhoneNumbers not a list", `{"RequestId":"R","Code":"OK","PhoneNumbers":{"PhoneNumber":"1"}}`, 0, "cannot unmarshal object"},
		{"a number without PhoneNumber", numbersBody(3, func(i int) map[string]any {
			if i == 2 {
				return map[string]any{"Status": "CONNECTED"}
			}
			return plainNumber(i)
		}), 0, "PhoneNumbers[2]: PhoneNumber is empty"},
		{"a PhoneNumber too long", numbersBody(1, func(int) map[string]any {
			return map[string]any{"PhoneNumber": strings.Repeat("1", MaxPhoneNumberBytes+1)}
		}), 0, "PhoneNumbers[0]: PhoneNumber is 33 bytes long, more than 32"},
		{"a PhoneNumber with a control character", numbersBody(1, func(int) map[string]any {
			return map[string]any{"PhoneNumber": "86138\n0001"}
		}), 0, "holds a control character"},
		{"a number twice, differently", numbersBody(2, func(i int) map[string]any {
			return map[string]any{"PhoneNumber": "8613800001111", "Status": []string{"CONNECTED", "BANNED"}[i]}
		}), 0, "number 8613800001111 listed twice with different values"},
		{"IsOfficial a bool, not the SDK's string", numbersBody(1, func(int) map[string]any {
			return map[string]any{"PhoneNumber": "1", "IsOfficial": true}
		}), 0, "cannot unmarshal bool"},
		{"long texts", numbersBody(1, func(int) map[string]any {
			return map[string]any{"PhoneNumber": "1", "VerifiedName": huge, "Status": huge, "QualityRating": huge, "MessagingLimitTier": huge,
				"CodeVerificationStatus": huge, "NameStatus": huge, "NewNameStatus": huge, "IsOfficial": huge}
		}), 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := &scripted{responses: []scriptedResponse{{200, tt.body}}}
			c, _ := newTestClient(t, srv, Config{MaxRetries: 1, Rates: fastRates()})
			got, err := c.QueryPhoneNumbers(context.Background(), "cams-abc123")
			if tt.wantError != "" {
				if CodeOf(err) != CodeInvalidResponse || !strings.Contains(err.Error(), tt.wantError) || srv.count() != 2 {
					t.Fatalf("%v after %d calls, want an InvalidResponse saying %q, retried once", err, srv.count(), tt.wantError)
				}
				return
			}
			if err != nil || len(got) != tt.wantCount {
				t.Fatalf("%d numbers, %v; want %d", len(got), err, tt.wantCount)
			}
			if tt.name != "long texts" {
				return
			}
			n := got[0]
			checkCut(t, "VerifiedName", n.VerifiedName, huge, MaxNameBytes)
			for name, v := range map[string]string{"Status": n.Status, "QualityRating": n.QualityRating, "MessagingLimitTier": n.MessagingLimitTier,
				"CodeVerificationStatus": n.CodeVerificationStatus, "NameStatus": n.NameStatus, "NewNameStatus": n.NewNameStatus, "IsOfficial": n.IsOfficial} {
				checkCut(t, name, v, huge, 64)
			}
		})
	}
}

// checkCut fails unless s is long cut to bound bytes: a prefix of it on a
// character boundary, as long as fits with the cut mark.
func checkCut(t *testing.T, name, s, long string, bound int) {
	t.Helper()
	kept, marked := strings.CutSuffix(s, cutMark)
	if !marked || len(s) > bound || len(s) < bound-utf8.UTFMax-len(cutMark) || !strings.HasPrefix(long, kept) || !utf8.ValidString(s) {
		t.Errorf("%s: %d bytes, ends %q; want %d at most, a prefix cut and marked", name, len(s), s[max(len(s)-8, 0):], bound)
	}
}
