package client

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"
)

// FuzzHealthAnswers drives QueryPhoneNumbers (op 0), QueryBindWaba (1) or
// GetHealthStatus (2) with an arbitrary answer and checks what a hostile
// server must not break: a success holds at most the bounded number of
// numbers, entities and errors, unique numbers and entities, every key
// usable and every text within its bound; a failure is an *Error.
func FuzzHealthAnswers(f *testing.F) {
	for op, name := range []string{"phone-numbers.json", "bind-waba.json", "health-waba.json", "health-phone.json"} {
		body, err := os.ReadFile(filepath.Join("testdata", "responses", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(200, body, uint8(min(op, 2)))
	}
	f.Add(400, []byte(`{"Code":"ERR-OPERATION-MAAP-0060","Message":"subscriber has not bind WABA"}`), uint8(1))
	f.Add(200, []byte(`{"Code":"OK","PhoneNumbers":[{"PhoneNumber":"1"},{"PhoneNumber":"1"}]}`), uint8(0))
	f.Add(200, []byte(`{"Code":"OK","Data":{"CanSendMessage":"X","Entities":[{"EntityType":"APP"},{"EntityType":"APP","Errors":[{}]}]}}`), uint8(2))
	f.Fuzz(func(t *testing.T, status int, body []byte, op uint8) {
		status = 100 + (status%900+900)%900
		tr := &cannedTransport{status: status, header: http.Header{}, body: body}
		c, err := New(Config{Endpoint: "http://" + fuzzEndpointHost, Credentials: StaticCredentials{AccessKeyID: "id", AccessKeySecret: "secret"},
			Rates:      map[string]float64{OperationQueryPhoneNumbers: 1e6, OperationQueryBindWaba: 1e6, OperationGetHealthStatus: 1e6},
			MaxRetries: -1, HTTPClient: &http.Client{Transport: tr}})
		if err != nil {
			t.Fatal(err)
		}
		ctx := context.Background()
		switch op % 3 {
		case 0:
			var numbers []PhoneNumber
			if numbers, err = c.QueryPhoneNumbers(ctx, "cams-fuzz"); err == nil {
				checkNumbers(t, numbers)
			}
		case 1:
			var w *WABA
			if w, err = c.QueryBindWaba(ctx, "cams-fuzz"); err == nil {
				if idProblem(w.ID, MaxEntityIDBytes) != "" || len(w.Name) > MaxNameBytes || len(w.BusinessID) > MaxEntityIDBytes ||
					len(w.AccountReviewStatus) > MaxValueBytes || len(w.Currency) > MaxValueBytes || len(w.MessageTemplateNamespace) > MaxNameBytes {
					t.Fatalf("WABA out of bounds: %+v", w)
				}
			}
		case 2:
			var s *HealthStatus
			if s, err = c.GetHealthStatus(ctx, "cams-fuzz", HealthNode{Type: NodeTypeWABA, WabaID: "1"}); err == nil {
				checkHealth(t, s)
			}
		}
		if err == nil {
			if !is2xx(status) {
				t.Fatalf("success on HTTP %d", status)
			}
			return
		}
		if e, ok := err.(*Error); !ok || e.Code == "" {
			t.Fatalf("got %T (%v), want an *Error with a Code", err, err)
		}
	})
}

func checkNumbers(t *testing.T, numbers []PhoneNumber) {
	t.Helper()
	if len(numbers) > MaxPhoneNumbersPerAnswer {
		t.Fatalf("%d numbers", len(numbers))
	}
	seen := map[string]bool{}
	for _, n := range numbers {
		if idProblem(n.PhoneNumber, MaxPhoneNumberBytes) != "" || seen[n.PhoneNumber] {
			t.Fatalf("number %q unusable or repeated", n.PhoneNumber)
		}
		seen[n.PhoneNumber] = true
		if len(n.VerifiedName) > MaxNameBytes {
			t.Fatalf("VerifiedName of %d bytes", len(n.VerifiedName))
		}
		for _, v := range []string{n.Status, n.QualityRating, n.MessagingLimitTier, n.CodeVerificationStatus, n.NameStatus, n.NewNameStatus, n.IsOfficial} {
			if len(v) > MaxValueBytes {
				t.Fatalf("a value of %d bytes", len(v))
			}
		}
	}
}

func checkHealth(t *testing.T, s *HealthStatus) {
	t.Helper()
	if s.CanSendMessage == "" || len(s.CanSendMessage) > MaxValueBytes || len(s.Entities) > MaxHealthEntities {
		t.Fatalf("status %q with %d entities", s.CanSendMessage, len(s.Entities))
	}
	type key struct{ typ, id string }
	seen := map[key]bool{}
	for _, e := range s.Entities {
		k := key{e.EntityType, e.ID}
		if e.EntityType == "" || seen[k] || len(e.Errors) > MaxHealthErrorsPerEntity {
			t.Fatalf("entity %+v: no type, repeated or too many errors", e)
		}
		seen[k] = true
		for _, v := range []string{e.EntityType, e.CanSendMessage, e.Language} {
			if len(v) > MaxValueBytes {
				t.Fatalf("a value of %d bytes", len(v))
			}
		}
		if len(e.ID) > MaxEntityIDBytes || len(e.WabaID) > MaxEntityIDBytes || len(e.BusinessID) > MaxEntityIDBytes ||
			len(e.TemplateCode) > MaxEntityIDBytes || len(e.PhoneNumber) > MaxPhoneNumberBytes {
			t.Fatalf("an id out of bounds: %+v", e)
		}
		for _, er := range e.Errors {
			if len(er.ErrorCode) > MaxValueBytes {
				t.Fatalf("ErrorCode of %d bytes", len(er.ErrorCode))
			}
			checkTexts(t, er.ErrorDescription, er.PossibleSolution)
		}
	}
}
