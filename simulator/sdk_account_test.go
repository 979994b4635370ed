package simulator

import (
	"strings"
	"testing"

	"github.com/cams-exporter/cams_exporter/internal/officialsdk"
)

// deref is a model's string field, "" for nil.
func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

// The official generic client (darabonba-openapi, under every product
// SDK) calls each account operation as the CAMS SDK does, and the answers
// decode into the SDK's models as the SDK decodes them, with the data
// file's values.
func TestOfficialSDKAccountOperations(t *testing.T) {
	data := loadAccount(t)
	// The SDK signs with the wall clock, so the server runs on it too.
	s, err := New(Config{AccessKeyID: testKeyID, AccessKeySecret: testSecret, RateLimit: -1, Data: data})
	if err != nil {
		t.Fatal(err)
	}
	s.AddCredential(Credential{AccessKeyID: "STS.sdk", AccessKeySecret: "sdkSecret", SecurityToken: "sdkToken"})
	base, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	c, err := officialsdk.New(base, testKeyID, testSecret, "")
	if err != nil {
		t.Fatal(err)
	}
	sts, err := officialsdk.New(base, "STS.sdk", "sdkSecret", "sdkToken")
	if err != nil {
		t.Fatal(err)
	}

	t.Run("QueryChatappPhoneNumbers", func(t *testing.T) {
		for _, sp := range data.Spaces {
			if sp.Error != "" {
				continue
			}
			body, err := officialsdk.QueryPhoneNumbers(c, sp.ID, nil)
			if err != nil {
				t.Fatalf("%q: %v", sp.ID, err)
			}
			var m officialsdk.QueryChatappPhoneNumbersResponseBody
			if err := officialsdk.Decode(body, &m); err != nil {
				t.Fatalf("%q: decoding into the SDK's model: %v", sp.ID, err)
			}
			if deref(m.Code) != "OK" || m.Success == nil || !*m.Success || deref(m.RequestId) == "" || len(m.PhoneNumbers) != len(sp.PhoneNumbers) {
				t.Fatalf("%q: %v", sp.ID, body)
			}
			for i, want := range sp.PhoneNumbers {
				got := m.PhoneNumbers[i]
				if deref(got.PhoneNumber) != want.PhoneNumber || deref(got.VerifiedName) != want.VerifiedName || deref(got.Status) != want.Status ||
					deref(got.QualityRating) != want.QualityRating || deref(got.MessagingLimitTier) != want.MessagingLimitTier ||
					deref(got.CodeVerificationStatus) != want.CodeVerificationStatus || deref(got.NameStatus) != want.NameStatus ||
					deref(got.NewNameStatus) != want.NewNameStatus || deref(got.IsOfficial) != want.IsOfficial {
					t.Errorf("%q: number %d decoded as %v, want %+v", sp.ID, i, body["PhoneNumbers"], want)
				}
			}
		}
	})

	t.Run("QueryChatappBindWaba", func(t *testing.T) {
		for _, sp := range data.Spaces {
			if sp.Error != "" {
				continue
			}
			body, err := officialsdk.QueryBindWaba(sts, sp.ID, nil)
			if sp.WABA == nil {
				if err == nil || !strings.Contains(err.Error(), CodeNoWABA) {
					t.Errorf("%q without a WABA: %v, want %s", sp.ID, err, CodeNoWABA)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%q: %v", sp.ID, err)
			}
			var m officialsdk.QueryChatappBindWabaResponseBody
			if err := officialsdk.Decode(body, &m); err != nil {
				t.Fatalf("%q: decoding into the SDK's model: %v", sp.ID, err)
			}
			w := sp.WABA
			if deref(m.Code) != "OK" || m.Data == nil || deref(m.Data.Id) != w.Id || deref(m.Data.Name) != w.Name || deref(m.Data.BusinessId) != w.BusinessId ||
				deref(m.Data.AccountReviewStatus) != w.AccountReviewStatus || deref(m.Data.Currency) != w.Currency ||
				deref(m.Data.MessageTemplateNamespace) != w.MessageTemplateNamespace {
				t.Errorf("%q: %v, want %+v", sp.ID, body, *w)
			}
		}
	})

	t.Run("GetWhatsappHealthStatus", func(t *testing.T) {
		calls := 0
		for _, sp := range data.Spaces {
			if sp.Error != "" || sp.WABA == nil || sp.ID == "" {
				continue
			}
			nodes := []map[string]string{{"NodeType": "waba", "WabaId": sp.WABA.Id}}
			wants := [][]HealthEntity{wantEntities(data, sp, nil)}
			for _, n := range sp.PhoneNumbers {
				nodes = append(nodes, map[string]string{"NodeType": "phone", "PhoneNumber": n.PhoneNumber})
				wants = append(wants, wantEntities(data, sp, &n))
			}
			for i, node := range nodes {
				body, err := officialsdk.GetHealthStatus(c, sp.ID, node, nil)
				if err != nil {
					t.Fatalf("%q %v: %v", sp.ID, node, err)
				}
				calls++
				var m officialsdk.GetWhatsappHealthStatusResponseBody
				if err := officialsdk.Decode(body, &m); err != nil {
					t.Fatalf("%q %v: decoding into the SDK's model: %v", sp.ID, node, err)
				}
				if deref(m.Code) != "OK" || m.Data == nil || deref(m.Data.CanSendMessage) != wantOverall(wants[i]) || len(m.Data.Entities) != len(wants[i]) {
					t.Fatalf("%q %v: %v", sp.ID, node, body)
				}
				for j, want := range wants[i] {
					got := m.Data.Entities[j]
					if deref(got.EntityType) != want.EntityType || deref(got.CanSendMessage) != want.CanSendMessage || deref(got.WabaId) != want.WabaId ||
						deref(got.BusinessId) != want.BusinessId || deref(got.PhoneNumber) != want.PhoneNumber ||
						deref(got.TemplateCode) != want.TemplateCode || deref(got.Language) != want.Language || len(got.Errors) != len(want.Errors) {
						t.Errorf("%q %v: entity %d %v, want %+v", sp.ID, node, j, body, want)
						continue
					}
					for k, e := range want.Errors {
						g := got.Errors[k]
						if deref(g.ErrorCode) != e.ErrorCode || deref(g.ErrorDescription) != e.ErrorDescription || deref(g.PossibleSolution) != e.PossibleSolution {
							t.Errorf("%q %v: entity %d error %d %v, want %+v", sp.ID, node, j, k, g, e)
						}
					}
				}
			}
		}
		if calls < 7 {
			t.Errorf("%d health calls, want every WABA and number of the file", calls)
		}
		if _, err := officialsdk.GetHealthStatus(c, "cams-numbers0", map[string]string{"WabaId": "1"}, nil); err == nil || !strings.Contains(err.Error(), "MissingNodeType") {
			t.Errorf("no NodeType: %v", err)
		}
		if _, err := officialsdk.GetHealthStatus(c, "cams-numbers0", map[string]string{"NodeType": "phone", "PhoneNumber": "1"}, nil); err == nil || !strings.Contains(err.Error(), CodePhoneNotBound) {
			t.Errorf("a number not bound: %v", err)
		}
	})

	if st := s.Stats(); st.Operations[OperationQueryPhoneNumbers] == 0 || st.Operations[OperationQueryBindWaba] == 0 || st.Operations[OperationGetHealthStatus] == 0 {
		t.Errorf("Stats.Operations %v", st.Operations)
	}
}
