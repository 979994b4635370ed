package waba

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// Decode reads back what the cache wrote of a WABA (encoding/json) as it
// was, bound or not; an unbound WABA holds nothing else.
func TestDecode(t *testing.T) {
	for _, w := range []WABA{
		{Bound: true, ID: "waba-1", BusinessID: "biz-1", AccountReviewStatus: "APPROVED", Name: "Shop <1> & Co", Currency: "USD"},
		{Bound: true, ID: "waba-2"},
		{},
	} {
		raw, _ := json.Marshal(w)
		if got, err := New(nil, 0).Decode(raw); err != nil || got != w {
			t.Errorf("Decode(%s) = %+v, %v; want %+v", raw, got, err, w)
		}
	}
	if got, err := New(nil, 0).Decode(json.RawMessage(`{"bound":false,"waba_id":"left over","name":"x"}`)); err != nil || got != (WABA{}) {
		t.Errorf("unbound: %+v, %v; want nothing else", got, err)
	}
}

// A bound WABA without an id the client would take is refused (the part
// is read afresh); texts are cut and review statuses folded as an
// answer's are.
func TestDecodeBounds(t *testing.T) {
	for name, tt := range map[string]struct{ raw, err string }{
		"no id":          {`{"bound":true}`, "an empty id"},
		"an id too long": {`{"bound":true,"waba_id":"` + strings.Repeat("w", 129) + `"}`, "an id of 129 bytes, more than 128"},
		"not an object":  {`[1]`, "json: cannot unmarshal array"},
	} {
		if _, err := New(nil, 0).Decode(json.RawMessage(tt.raw)); err == nil || !strings.HasPrefix(err.Error(), tt.err) {
			t.Errorf("%s: %v, want an error %q", name, err, tt.err)
		}
	}
	src := New(nil, 0)
	for k := range 32 {
		got, err := src.Decode(json.RawMessage(fmt.Sprintf(`{"bound":true,"waba_id":"w","account_review_status":"R%d","name":"%s","business_id":"%s"}`, k, strings.Repeat("n", 600), strings.Repeat("b", 200))))
		if err != nil {
			t.Fatal(err)
		}
		w := got.(WABA)
		want := fmt.Sprint("R", k)
		if k >= 30 {
			want = "_other"
		}
		if w.AccountReviewStatus != want || len(w.Name) != 512 || len(w.BusinessID) != 128 {
			t.Errorf("review %q, name of %d bytes, business of %d; want %q, 512, 128", w.AccountReviewStatus, len(w.Name), len(w.BusinessID), want)
		}
	}
}
