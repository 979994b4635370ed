package simulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/cams-exporter/cams_exporter/client/acs3"
)

// The control endpoint moves a number through YELLOW, RED and FLAGGED, and
// down a tier, as the demo and end-to-end tests do; each step is what the
// next QueryChatappPhoneNumbers answers.
func TestControlMovesANumber(t *testing.T) {
	h := newHarness(t, Config{Data: loadAccount(t)})
	const path = "/-/spaces/cams-numbers0/phone-numbers/6591000001"
	steps := []struct {
		method, body                 string
		status, rating, tier, newNam string
	}{
		{"PUT", `{"QualityRating":"YELLOW"}`, "CONNECTED", "YELLOW", "TIER_1K", "PENDING_REVIEW"},
		{"PUT", `{"QualityRating":"RED"}`, "CONNECTED", "RED", "TIER_1K", "PENDING_REVIEW"},
		{"POST", `{"Status":"FLAGGED","MessagingLimitTier":"TIER_250"}`, "FLAGGED", "RED", "TIER_250", "PENDING_REVIEW"},
		{"PUT", `{"Status":"CONNECTED","QualityRating":"GREEN","NewNameStatus":""}`, "CONNECTED", "GREEN", "TIER_250", ""},
	}
	for _, s := range steps {
		if status, body := h.control(s.method, path, s.body); status != http.StatusNoContent {
			t.Fatalf("%s %s: HTTP %d %s", s.method, s.body, status, body)
		}
		_, b := h.queryNumbers("cams-numbers0")
		n := b.PhoneNumbers[0]
		if n.Status != s.status || n.QualityRating != s.rating || n.MessagingLimitTier != s.tier || n.NewNameStatus != s.newNam {
			t.Errorf("after %s: %+v, want %s %s %s %q", s.body, n, s.status, s.rating, s.tier, s.newNam)
		}
		if n.VerifiedName != "Lotus Travel" || n.CodeVerificationStatus != "VERIFIED" {
			t.Errorf("after %s, fields not named changed: %+v", s.body, n)
		}
	}
	// The other numbers did not move.
	want := loadAccount(t).Spaces[1].PhoneNumbers[1:]
	if got := h.srv.Dataset().Spaces[1].PhoneNumbers[1:]; !jsonEqual(got, want) {
		t.Errorf("other numbers changed: %+v", got)
	}
}

// Health entities change: a number's, a space's WABA and BUSINESS, and the
// account's APP, which every space's answers carry.
func TestControlSetsHealth(t *testing.T) {
	h := newHarness(t, Config{Data: loadAccount(t)})
	put := func(path, body string) {
		t.Helper()
		if status, answer := h.control("PUT", path, body); status != http.StatusNoContent {
			t.Fatalf("PUT %s %s: HTTP %d %s", path, body, status, answer)
		}
	}
	entity := func(b healthAnswer, typ string) HealthEntity {
		for _, e := range b.Data.Entities {
			if e.EntityType == typ {
				return e
			}
		}
		t.Fatalf("no %s entity: %+v", typ, b.Data)
		return HealthEntity{}
	}
	put("/-/spaces/cams-healthy0/phone-numbers/6281000000001/health", `{"CanSendMessage":"BLOCKED","Errors":[{"ErrorCode":"141000","ErrorDescription":"d","PossibleSolution":"s"}]}`)
	_, b := h.health(phoneNode("cams-healthy0", "6281000000001"))
	if e := entity(b, "PHONE_NUMBER"); e.CanSendMessage != "BLOCKED" || len(e.Errors) != 1 || e.Errors[0] != (HealthError{"141000", "d", "s"}) || b.Data.CanSendMessage != "BLOCKED" {
		t.Errorf("number BLOCKED: %+v", b.Data)
	}
	put("/-/spaces/cams-healthy0/phone-numbers/6281000000001/health", `{}`)
	if _, b = h.health(phoneNode("cams-healthy0", "6281000000001")); b.Data.CanSendMessage != "AVAILABLE" || entity(b, "PHONE_NUMBER").Errors != nil {
		t.Errorf("number cleared: %+v", b.Data)
	}

	put("/-/spaces/cams-healthy0/health/waba", `{"CanSendMessage":"LIMITED"}`)
	put("/-/spaces/cams-healthy0/health/business", `{"CanSendMessage":"BLOCKED","Errors":[{"ErrorCode":"141010"}]}`)
	_, b = h.health(wabaNode("cams-healthy0", "100000000000003"))
	if entity(b, "WABA").CanSendMessage != "LIMITED" || entity(b, "BUSINESS").CanSendMessage != "BLOCKED" || b.Data.CanSendMessage != "BLOCKED" {
		t.Errorf("WABA LIMITED, BUSINESS BLOCKED: %+v", b.Data)
	}
	if _, other := h.health(wabaNode("cams-numbers0", "100000000000002")); entity(other, "WABA").CanSendMessage != "LIMITED" || entity(other, "BUSINESS").Errors[0].ErrorCode != "141010" {
		t.Errorf("another space's entities changed: %+v", other.Data)
	}

	// The APP blocks every space at once.
	if status, body := h.control("POST", "/-/app/health", `{"CanSendMessage":"BLOCKED","Errors":[{"ErrorCode":"131000"}]}`); status != http.StatusNoContent {
		t.Fatalf("POST /-/app/health: HTTP %d %s", status, body)
	}
	for _, sp := range []struct{ space, waba string }{{"cams-healthy0", "100000000000003"}, {"cams-numbers0", "100000000000002"}} {
		_, b := h.health(wabaNode(sp.space, sp.waba))
		if e := entity(b, "APP"); e.CanSendMessage != "BLOCKED" || e.Errors[0].ErrorCode != "131000" || b.Data.CanSendMessage != "BLOCKED" {
			t.Errorf("%s with the APP BLOCKED: %+v", sp.space, b.Data)
		}
	}
	if d := h.srv.Dataset(); d.AppHealth == nil || d.AppHealth.CanSendMessage != "BLOCKED" {
		t.Errorf("Dataset().AppHealth = %+v", d.AppHealth)
	}
}

// A WABA is bound, replaced and unbound; numbers are added and removed.
func TestControlWABAAndNumbers(t *testing.T) {
	h := newHarness(t, Config{Data: loadAccount(t)})
	steps := []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"PUT", "/-/spaces/cams-nowaba00/waba", `{"Id":"555","BusinessId":"666","AccountReviewStatus":"REJECTED"}`, 204, ""},
		{"POST", "/-/spaces/cams-nowaba00/phone-numbers", `{"PhoneNumber":"6599999999","Status":"PENDING","QualityRating":"UNKNOWN"}`, 200, `"PhoneNumber":"6599999999"`},
		{"POST", "/-/spaces/cams-nowaba00/phone-numbers", `{"PhoneNumber":"6599999999"}`, 409, "duplicate PhoneNumber"},
		{"POST", "/-/spaces/_/phone-numbers", `{"PhoneNumber":"8613800000002","Status":"CONNECTED"}`, 200, ""},
		{"DELETE", "/-/spaces/cams-numbers0/phone-numbers/6591000003", "", 204, ""},
		{"DELETE", "/-/spaces/cams-numbers0/phone-numbers/6591000003", "", 404, "unknown phone number"},
		{"DELETE", "/-/spaces/cams-healthy0/waba", "", 204, ""},
	}
	for _, s := range steps {
		status, body := h.control(s.method, s.path, s.body)
		if status != s.status || !strings.Contains(body, s.want) {
			t.Fatalf("%s %s %s: HTTP %d %q, want %d with %q", s.method, s.path, s.body, status, body, s.status, s.want)
		}
	}
	if _, b := h.queryWABA("cams-nowaba00"); b.Data == nil || *b.Data != (WABA{Id: "555", BusinessId: "666", AccountReviewStatus: "REJECTED"}) {
		t.Errorf("bound WABA: %+v", b.Data)
	}
	if _, b := h.queryNumbers("cams-nowaba00"); len(b.PhoneNumbers) != 1 || b.PhoneNumbers[0].Status != "PENDING" {
		t.Errorf("added number: %+v", b.PhoneNumbers)
	}
	if _, b := h.health(phoneNode("cams-nowaba00", "6599999999")); b.Data == nil || b.Data.Entities[1].WabaId != "555" {
		t.Errorf("health of the added number: %+v", b.Data)
	}
	if _, b := h.queryNumbers(""); len(b.PhoneNumbers) != 2 {
		t.Errorf("own space numbers: %+v", b.PhoneNumbers)
	}
	if _, b := h.queryNumbers("cams-numbers0"); len(b.PhoneNumbers) != 3 {
		t.Errorf("after removing one: %d numbers, want 3", len(b.PhoneNumbers))
	}
	wantError(t, h.call(OperationGetHealthStatus, phoneNode("cams-numbers0", "6591000003")), http.StatusBadRequest, CodePhoneNotBound)
	r, _ := h.queryWABA("cams-healthy0")
	wantError(t, r, http.StatusBadRequest, CodeNoWABA)
	wantError(t, h.call(OperationGetHealthStatus, wabaNode("cams-healthy0", "100000000000003")), http.StatusBadRequest, CodeNoWABA)
}

func TestControlAccountErrors(t *testing.T) {
	h := newHarness(t, Config{Data: loadAccount(t)})
	before := h.srv.Dataset()
	for _, s := range []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"PUT", "/-/spaces/cams-numbers0/phone-numbers/6591000001", `{}`, 400, "nothing to set"},
		{"PUT", "/-/spaces/cams-numbers0/phone-numbers/6591000001", `{"PhoneNumber":"1"}`, 400, "unknown field"},
		{"PUT", "/-/spaces/cams-numbers0/phone-numbers/6591000001", `{"Status":7}`, 400, "bad phone number change"},
		{"PUT", "/-/spaces/cams-numbers0/phone-numbers/6591000001", ``, 400, "empty body"},
		{"PUT", "/-/spaces/cams-numbers0/phone-numbers/0000", `{"Status":"BANNED"}`, 404, "unknown phone number"},
		{"PUT", "/-/spaces/cams-nosuch00/phone-numbers/6591000001", `{"Status":"BANNED"}`, 404, "unknown space"},
		{"PUT", "/-/spaces/cams-numbers0/phone-numbers/0000/health", `{"CanSendMessage":"BLOCKED"}`, 404, "unknown phone number"},
		{"PUT", "/-/spaces/cams-numbers0/phone-numbers/6591000001/health", `{"CanSendMessage":"BLOCKED","Reason":"x"}`, 400, "unknown field"},
		{"PUT", "/-/spaces/cams-numbers0/health/app", `{"CanSendMessage":"BLOCKED"}`, 404, "/-/app/health"},
		{"PUT", "/-/spaces/cams-numbers0/health/phone", `{"CanSendMessage":"BLOCKED"}`, 404, "want waba or business"},
		{"PUT", "/-/spaces/cams-nosuch00/health/waba", `{"CanSendMessage":"BLOCKED"}`, 404, "unknown space"},
		{"PUT", "/-/spaces/cams-numbers0/waba", `{"Name":"no id"}`, 400, "empty WABA Id"},
		{"PUT", "/-/spaces/cams-nosuch00/waba", `{"Id":"1"}`, 404, "unknown space"},
		{"DELETE", "/-/spaces/cams-nosuch00/waba", ``, 404, "unknown space"},
		{"POST", "/-/spaces/cams-numbers0/phone-numbers", `{"Status":"CONNECTED"}`, 400, "empty PhoneNumber"},
		{"POST", "/-/spaces/cams-nosuch00/phone-numbers", `{"PhoneNumber":"1"}`, 404, "unknown space"},
		{"PUT", "/-/app/health", `[]`, 400, "bad health"},
	} {
		status, body := h.control(s.method, s.path, s.body)
		if status != s.status || !strings.Contains(body, s.want) || strings.Count(body, "\n") != 1 {
			t.Errorf("%s %s %s: HTTP %d %q, want %d with %q on one line", s.method, s.path, s.body, status, body, s.status, s.want)
		}
	}
	if after := h.srv.Dataset(); !jsonEqual(after, before) {
		t.Error("a refused change changed the data set")
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// Numbers, WABAs and health change while the three operations answer and
// the data set is read (run with -race); every answer is whole.
func TestConcurrentAccountMutation(t *testing.T) {
	clock := newClock()
	s, err := New(Config{Now: clock.Now, AccessKeyID: testKeyID, AccessKeySecret: testSecret, RateLimit: -1, Data: loadAccount(t)})
	if err != nil {
		t.Fatal(err)
	}
	ratings := []string{"GREEN", "YELLOW", "RED"}
	var wg sync.WaitGroup
	for g := range 3 {
		wg.Go(func() {
			for i := range 50 {
				number := fmt.Sprintf("65%d%03d", g, i)
				_ = s.AddPhoneNumber("cams-numbers0", PhoneNumber{PhoneNumber: number, Status: "CONNECTED"})
				_ = s.SetPhoneNumber("cams-numbers0", "6591000001", NumberChange{QualityRating: &ratings[i%3]})
				_ = s.SetNumberHealth("cams-numbers0", number, Health{CanSendMessage: "LIMITED"})
				_ = s.SetEntityHealth("", "app", Health{CanSendMessage: []string{"AVAILABLE", "BLOCKED"}[i%2]})
				_ = s.SetWABA("cams-healthy0", []*WABA{nil, {Id: "100000000000003"}}[i%2])
				if i%2 == 0 {
					_ = s.RemovePhoneNumber("cams-numbers0", number)
				}
			}
		})
		wg.Go(func() {
			for i := range 50 {
				action, query := OperationQueryPhoneNumbers, "CustSpaceId=cams-numbers0"
				switch i % 3 {
				case 1:
					action, query = OperationGetHealthStatus, "CustSpaceId=cams-numbers0&NodeType=phone&PhoneNumber=6591000001"
				case 2:
					action, query = OperationQueryBindWaba, "CustSpaceId=cams-numbers0"
				}
				req := httptest.NewRequest(http.MethodPost, "http://cams.test/?"+query, nil)
				req.Header.Set("x-acs-action", action)
				req.Header.Set("x-acs-version", APIVersion)
				acs3.Signer{Now: clock.Now}.Sign(req, acs3.Credentials{AccessKeyID: testKeyID, AccessKeySecret: testSecret})
				w := httptest.NewRecorder()
				s.ServeHTTP(w, req)
				if w.Code != http.StatusOK || !json.Valid(w.Body.Bytes()) {
					t.Errorf("%s: HTTP %d %s", action, w.Code, w.Body)
					return
				}
				_ = s.Dataset()
			}
		})
	}
	wg.Wait()
	if n := len(spaceOf(t, s.Dataset(), "cams-numbers0").PhoneNumbers); n != 4+3*25 {
		t.Errorf("%d numbers, want %d", n, 4+3*25)
	}
}
