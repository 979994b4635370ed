package phonenumbers

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/cams-exporter/cams_exporter/client"
)

// Decode reads back what the cache wrote of Numbers (encoding/json) as it
// was; a space's numbers out of order or listed twice come back sorted,
// the first of each kept, as an answer's are.
func TestDecodeRoundTrip(t *testing.T) {
	numbers := Numbers{
		{PhoneNumber: "8613800000001", Status: "CONNECTED", QualityRating: "GREEN", MessagingLimitTier: "TIER_1K", CodeVerificationStatus: "VERIFIED", NameStatus: "APPROVED",
			VerifiedName: "Shop <1> & Co", NewNameStatus: "PENDING_REVIEW", IsOfficial: "true"},
		{PhoneNumber: "8613800000002", Status: "FLAGGED", QualityRating: "RED", MessagingLimitTier: "TIER_50"},
	}
	raw, _ := json.Marshal(numbers)
	got, err := New(nil, 0).Decode(raw)
	if err != nil || !reflect.DeepEqual(got, numbers) {
		t.Errorf("Decode = %+v, %v; want %+v", got, err, numbers)
	}
	shuffled := `[{"phone_number":"2","status":"BANNED"},{"phone_number":"1"},{"phone_number":"2","status":"CONNECTED"}]`
	got, err = New(nil, 0).Decode(json.RawMessage(shuffled))
	if want := (Numbers{{PhoneNumber: "1"}, {PhoneNumber: "2", Status: "BANNED"}}); err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Decode = %+v, %v; want %+v", got, err, want)
	}
}

// Numbers read back share their label values: 200,000 spaces of numbers
// hold one "CONNECTED", not one a number.
func TestDecodeSharesValues(t *testing.T) {
	a, _ := New(nil, 0).Decode(json.RawMessage(`[{"phone_number":"1","status":"CONNECTED","quality_rating":"GREEN"}]`))
	b, _ := New(nil, 0).Decode(json.RawMessage(`[{"phone_number":"2","status":"CONNECTED","quality_rating":"GREEN"}]`))
	x, y := a.(Numbers)[0], b.(Numbers)[0]
	if unsafe.StringData(x.Status) != unsafe.StringData(y.Status) || unsafe.StringData(x.QualityRating) != unsafe.StringData(y.QualityRating) {
		t.Error("two numbers read back hold their values in memory of their own")
	}
}

// Data beyond what an answer can bring is refused (the part is read
// afresh); texts are cut and label values folded as an answer's are.
func TestDecodeBounds(t *testing.T) {
	many := make([]string, client.MaxPhoneNumbersPerAnswer+1)
	for i := range many {
		many[i] = fmt.Sprintf(`{"phone_number":"86%011d"}`, i)
	}
	for name, tt := range map[string]struct{ raw, err string }{
		"more than an answer": {"[" + strings.Join(many, ",") + "]", "1001 numbers, more than the 1000 of an answer"},
		"a number too long":   {`[{"phone_number":"` + strings.Repeat("1", 33) + `"}]`, "number 0: an id of 33 bytes, more than 32"},
		"an empty number":     {`[{"phone_number":"1"},{"phone_number":""}]`, "number 1: an empty id"},
		"a control character": {`[{"phone_number":"86\n1"}]`, `number 0: id "86\n1" holds a control character`},
		"not a list":          {`{"phone_number":"1"}`, "json: cannot unmarshal object"},
	} {
		if _, err := New(nil, 0).Decode(json.RawMessage(tt.raw)); err == nil || !strings.HasPrefix(err.Error(), tt.err) {
			t.Errorf("%s: %v, want an error %q", name, err, tt.err)
		}
	}
	var statuses []string
	for k := range 35 {
		statuses = append(statuses, fmt.Sprintf(`{"phone_number":"%02d","status":"S%d","verified_name":"%s","new_name_status":"%s"}`, k, k, strings.Repeat("n", 600), strings.Repeat("s", 200)))
	}
	got, err := New(nil, 0).Decode(json.RawMessage("[" + strings.Join(statuses, ",") + "]"))
	if err != nil {
		t.Fatal(err)
	}
	for k, n := range got.(Numbers) {
		wantStatus := fmt.Sprint("S", k)
		if k >= 30 {
			wantStatus = "_other"
		}
		if n.Status != wantStatus || len(n.VerifiedName) != client.MaxTextBytes || len(n.NewNameStatus) != 128 {
			t.Errorf("number %d: status %q, name of %d bytes, new name status of %d; want %q, 512, 128", k, n.Status, len(n.VerifiedName), len(n.NewNameStatus), wantStatus)
		}
	}
}
