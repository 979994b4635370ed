package simulator

import (
	"encoding/json"
	"net/url"
	"testing"
)

func loadAccount(t *testing.T) *Dataset {
	t.Helper()
	d, err := LoadDataset("testdata/account.json")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// call sends a signed call of action with params in the query, as the SDK
// sends every operation.
func (h *harness) call(action string, params url.Values) response {
	h.t.Helper()
	req := h.request(params)
	req.Header.Set("x-acs-action", action)
	h.sign(req, h.cred)
	return h.do(req)
}

// numbersAnswer is a QueryChatappPhoneNumbers answer as a test sees it.
type numbersAnswer struct {
	RequestId, Code, Message string
	Success                  *bool
	PhoneNumbers             []struct {
		PhoneNumber, VerifiedName, Status, QualityRating, MessagingLimitTier string
		CodeVerificationStatus, NameStatus, NewNameStatus, IsOfficial        string
		UpQueue, StatusQueue                                                 string
	}
}

// queryNumbers calls QueryChatappPhoneNumbers on space ("" leaves
// CustSpaceId out).
func (h *harness) queryNumbers(space string) (response, numbersAnswer) {
	h.t.Helper()
	r := h.call(OperationQueryPhoneNumbers, spaceParams(space))
	var b numbersAnswer
	_ = json.Unmarshal(r.raw, &b) // the caller checks what it expects
	return r, b
}

// wabaAnswer is a QueryChatappBindWaba answer as a test sees it.
type wabaAnswer struct {
	RequestId, Code, Message string
	Success                  *bool
	Data                     *WABA
}

func (h *harness) queryWABA(space string) (response, wabaAnswer) {
	h.t.Helper()
	r := h.call(OperationQueryBindWaba, spaceParams(space))
	var b wabaAnswer
	_ = json.Unmarshal(r.raw, &b) // the caller checks what it expects
	return r, b
}

// healthAnswer is a GetWhatsappHealthStatus answer as a test sees it.
type healthAnswer struct {
	RequestId, Code, Message string
	Success                  *bool
	Data                     *struct {
		CanSendMessage string
		Entities       []HealthEntity
	}
}

// health calls GetWhatsappHealthStatus with params.
func (h *harness) health(params url.Values) (response, healthAnswer) {
	h.t.Helper()
	r := h.call(OperationGetHealthStatus, params)
	var b healthAnswer
	_ = json.Unmarshal(r.raw, &b) // the caller checks what it expects
	return r, b
}

// wabaNode and phoneNode are the parameters of a health call on a node.
func wabaNode(space, wabaID string) url.Values {
	return url.Values{"CustSpaceId": {space}, "NodeType": {"waba"}, "WabaId": {wabaID}}
}

func phoneNode(space, number string) url.Values {
	return url.Values{"CustSpaceId": {space}, "NodeType": {"phone"}, "PhoneNumber": {number}}
}

func spaceParams(space string) url.Values {
	v := url.Values{}
	if space != "" {
		v.Set("CustSpaceId", space)
	}
	return v
}

// rawKeys decodes the top-level keys of a JSON object.
func rawKeys(t *testing.T, raw []byte) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("not a JSON object: %s", raw)
	}
	return m
}
