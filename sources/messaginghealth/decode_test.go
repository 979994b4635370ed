package messaginghealth

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// Decode reads back what the cache wrote of a space's health
// (encoding/json) as it was; numbers out of order or twice come back
// sorted, the first of each kept.
func TestDecodeRoundTrip(t *testing.T) {
	h := Health{
		WABA: &Node{WabaID: "waba-1", Checked: t0, CanSendMessage: "LIMITED", Entities: []Entity{
			{Type: "WABA", ID: "waba-1", CanSendMessage: "AVAILABLE"},
			{Type: "BUSINESS", ID: "biz-1", CanSendMessage: "LIMITED", Errors: []Error{{Code: "131049", Description: "<why> & more", Solution: "wait"}, {Code: "368"}}},
		}},
		Phones: []Node{
			{PhoneNumber: "8613800000001", Checked: t0, CanSendMessage: "AVAILABLE", Entities: []Entity{{Type: "PHONE_NUMBER", ID: "8613800000001", CanSendMessage: "AVAILABLE"}}},
			{PhoneNumber: "8613800000002", Checked: t0, LastError: &snapshot.ErrorInfo{Code: "ERR-FB-001", Message: "Meta failed", RequestID: "R", Class: "transient"}},
		},
	}
	raw, _ := json.Marshal(h)
	got, err := New(nil, 0, 0).Decode(raw)
	if err != nil || !reflect.DeepEqual(got, h) {
		t.Errorf("Decode = %+v, %v; want %+v", got, err, h)
	}
	got, err = New(nil, 0, 0).Decode(json.RawMessage(`{"phones":[{"phone_number":"2","can_send_message":"BLOCKED"},{"phone_number":"1"},{"phone_number":"2"}]}`))
	if want := (Health{Phones: []Node{{PhoneNumber: "1"}, {PhoneNumber: "2", CanSendMessage: "BLOCKED"}}}); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Decode = %+v, %v; want %+v", got, err, want)
	}
}

// Data beyond what the answers can bring is refused (the part is read
// afresh); texts are cut and label values folded as an answer's are.
func TestDecodeBounds(t *testing.T) {
	node := func(entities, errors int) string {
		var es []string
		for range entities {
			var ers []string
			for range errors {
				ers = append(ers, `{"code":"1"}`)
			}
			es = append(es, `{"type":"APP","id":"a","can_send_message":"BLOCKED","errors":[`+strings.Join(ers, ",")+`]}`)
		}
		return `{"waba_id":"w","entities":[` + strings.Join(es, ",") + `]}`
	}
	phones := make([]string, client.MaxPhoneNumbersPerAnswer+1)
	for i := range phones {
		phones[i] = fmt.Sprintf(`{"phone_number":"%d"}`, i)
	}
	for name, tt := range map[string]struct{ raw, err string }{
		"too many numbers":     {`{"phones":[` + strings.Join(phones, ",") + `]}`, "1001 numbers, more than the 1000 of an answer"},
		"too many entities":    {`{"waba":` + node(client.MaxHealthEntities+1, 0) + `}`, "the WABA's node: 101 entities, more than the 100 of an answer"},
		"too many errors":      {`{"waba":` + node(1, client.MaxHealthErrorsPerEntity+1) + `}`, "the WABA's node: an entity with 21 errors, more than the 20 of an answer"},
		"a number without one": {`{"phones":[{"can_send_message":"AVAILABLE"}]}`, "number 0: an empty id"},
		"a number too long":    {`{"phones":[{"phone_number":"` + strings.Repeat("1", 33) + `"}]}`, "number 0: an id of 33 bytes, more than 32"},
		"a WABA node's number": {`{"waba":{"waba_id":"w","phone_number":"1"}}`, "the WABA's node has a phone number"},
		"not an object":        {`"health"`, "json: cannot unmarshal string"},
	} {
		if _, err := New(nil, 0, 0).Decode(json.RawMessage(tt.raw)); err == nil || !strings.HasPrefix(err.Error(), tt.err) {
			t.Errorf("%s: %v, want an error %q", name, err, tt.err)
		}
	}
	if _, err := New(nil, 0, 0).Decode(json.RawMessage(`{"waba":` + node(client.MaxHealthEntities, client.MaxHealthErrorsPerEntity) + `}`)); err != nil {
		t.Errorf("a node at the bounds: %v", err)
	}

	long := strings.Repeat("d", 600)
	var codes []string
	for k := range 32 {
		codes = append(codes, fmt.Sprintf(`{"code":"C%d","description":"%s","solution":"%s"}`, k, long, long))
	}
	raw := `{"waba":{"waba_id":"` + strings.Repeat("w", 200) + `","can_send_message":"` + long + `","last_error":{"code":"` + long + `","message":"` + long + `"},"entities":[{"type":"BUSINESS","id":"` + long + `","can_send_message":"BLOCKED","errors":[` +
		strings.Join(codes[:16], ",") + `]},{"type":"APP","id":"app","can_send_message":"BLOCKED","errors":[` + strings.Join(codes[16:], ",") + `]}]}}`
	got, err := New(nil, 0, 0).Decode(json.RawMessage(raw))
	if err != nil {
		t.Fatal(err)
	}
	w := got.(Health).WABA
	e := w.Entities[0]
	if len(w.WabaID) != 128 || len(w.CanSendMessage) != 128 || len(w.LastError.Code) != 512 || len(w.LastError.Message) != 512 || len(e.ID) != 128 {
		t.Errorf("WABA id of %d bytes, value of %d, error of %d and %d, entity id of %d; want 128, 128, 512, 512, 128", len(w.WabaID), len(w.CanSendMessage), len(w.LastError.Code), len(w.LastError.Message), len(e.ID))
	}
	for k, er := range append(e.Errors, w.Entities[1].Errors...) {
		want := fmt.Sprint("C", k)
		if k >= 30 {
			want = "_other"
		}
		if er.Code != want || len(er.Description) != 512 || len(er.Solution) != 512 {
			t.Errorf("error %d: code %q, texts of %d and %d bytes; want %q, 512 each", k, er.Code, len(er.Description), len(er.Solution), want)
		}
	}
}
