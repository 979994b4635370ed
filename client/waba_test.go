package client

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// fastRates lets every operation's limiter go at 1,000 calls a second.
func fastRates() map[string]float64 {
	rates := map[string]float64{}
	for _, op := range RateLimitedOperations() {
		rates[op] = 1000
	}
	return rates
}

// A full answer, with every field of the SDK's model (an object of
// international rate eligibility included): the WABA comes from Data.
func TestQueryBindWabaDecodesAFullAnswer(t *testing.T) {
	c, _ := newTestClient(t, &scripted{responses: []scriptedResponse{{200, string(readFixture(t, "bind-waba.json"))}}}, Config{})
	got, err := c.QueryBindWaba(context.Background(), "cams-abc123")
	if err != nil {
		t.Fatal(err)
	}
	want := WABA{ID: "203939883939930", Name: "Alibaba WABA", BusinessID: "192939880001", AccountReviewStatus: "APPROVED",
		Currency: "USD", MessageTemplateNamespace: "93e6b26e_8a67_4163_a093_ebfe645a66b0"}
	if got == nil || *got != want {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

// An answer that does not name its WABA is an invalid response, retried;
// long texts are cut.
func TestQueryBindWabaBounds(t *testing.T) {
	huge := strings.Repeat("é", 4096)
	tests := []struct {
		name, body, wantError string
	}{
		{"no Data", `{"RequestId":"R","Code":"OK"}`, "no Data"},
		{"null Data", `{"RequestId":"R","Code":"OK","Data":null}`, "no Data"},
		{"no Id", `{"RequestId":"R","Code":"OK","Data":{"Name":"w","AccountReviewStatus":"APPROVED"}}`, "Data.Id is empty"},
		{"Id too long", `{"RequestId":"R","Code":"OK","Data":{"Id":"` + strings.Repeat("9", MaxEntityIDBytes+1) + `"}}`, "Data.Id is 129 bytes long, more than 128"},
		{"Data a list", `{"RequestId":"R","Code":"OK","Data":[]}`, "cannot unmarshal array"},
		{"Id a number", `{"RequestId":"R","Code":"OK","Data":{"Id":203939883939930}}`, "cannot unmarshal number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := &scripted{responses: []scriptedResponse{{200, tt.body}}}
			c, _ := newTestClient(t, srv, Config{MaxRetries: 1, Rates: fastRates()})
			_, err := c.QueryBindWaba(context.Background(), "cams-abc123")
			if CodeOf(err) != CodeInvalidResponse || !strings.Contains(err.Error(), tt.wantError) || srv.count() != 2 {
				t.Fatalf("%v after %d calls, want an InvalidResponse saying %q, retried once", err, srv.count(), tt.wantError)
			}
		})
	}
	body := `{"RequestId":"R","Code":"OK","Data":{"Id":"1","Name":"` + huge + `","BusinessId":"` + huge + `","AccountReviewStatus":"` + huge +
		`","Currency":"` + huge + `","MessageTemplateNamespace":"` + huge + `"}}`
	c, _ := newTestClient(t, &scripted{responses: []scriptedResponse{{200, body}}}, Config{})
	w, err := c.QueryBindWaba(context.Background(), "cams-abc123")
	if err != nil {
		t.Fatal(err)
	}
	checkCut(t, "Name", w.Name, huge, 256)
	checkCut(t, "BusinessId", w.BusinessID, huge, 128)
	checkCut(t, "AccountReviewStatus", w.AccountReviewStatus, huge, 64)
	checkCut(t, "Currency", w.Currency, huge, 64)
	checkCut(t, "MessageTemplateNamespace", w.MessageTemplateNamespace, huge, 256)
}

// A space without a WABA is ERR-OPERATION-MAAP-0060, whatever the HTTP
// status it comes with: ErrNoWABA, permanent, asked once, and the limiter
// does not slow for it.
func TestNoWABAIsErrNoWABA(t *testing.T) {
	const body = `{"RequestId":"R","Code":"ERR-OPERATION-MAAP-0060","Message":"subscriber has not bind WABA","Success":false}`
	for _, status := range []int{200, 400} {
		srv := &scripted{responses: []scriptedResponse{{status, body}}}
		c, attempts := newTestClient(t, srv, Config{Rates: fastRates()})
		w, err := c.QueryBindWaba(context.Background(), "cams-abc123")
		var e *Error
		if w != nil || !errors.Is(err, ErrNoWABA) || !errors.As(err, &e) || e.Code != CodeNoWABA || e.Class != ClassPermanent || e.Operation != OperationQueryBindWaba {
			t.Errorf("HTTP %d: %+v, %v; want ErrNoWABA from %s, permanent", status, w, err, OperationQueryBindWaba)
		}
		if srv.count() != 1 || !equal(codes(*attempts), []string{CodeNoWABA}) {
			t.Errorf("HTTP %d: %d calls, observed %v; want one", status, srv.count(), codes(*attempts))
		}
		if r := c.LimiterOf(OperationQueryBindWaba).Rate(); r != 1000 {
			t.Errorf("HTTP %d: the limiter moved to %v", status, r)
		}
	}
	// Other errors are not ErrNoWABA.
	for _, err := range []error{&Error{Code: "ERR-OPERATION-MAAP-0065"}, &Error{Code: "Ram.PermissionDeny"}, errors.New(CodeNoWABA)} {
		if errors.Is(err, ErrNoWABA) {
			t.Errorf("%v is ErrNoWABA", err)
		}
	}
}
