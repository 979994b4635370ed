package messaginghealth

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/cache"
	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// Decode reads back what the cache wrote of a space's health
// (encoding/json) as it was; numbers out of order or twice come back
// sorted, the first of each kept.
func TestDecodeRoundTrip(t *testing.T) {
	// The WABA's node names the business and the WABA, number 1 its own
	// entity; number 2's only call failed.
	h := Health{
		WABA: &Node{WabaID: "waba-1", Checked: t0, CanSendMessage: "LIMITED", NamedEntities: []uint32{0, 2}},
		Phones: []Node{
			{PhoneNumber: "8613800000001", Checked: t0, CanSendMessage: "AVAILABLE", NamedEntities: []uint32{1}},
			{PhoneNumber: "8613800000002", Checked: t0, LastError: &snapshot.ErrorInfo{Code: "ERR-FB-001", Message: "Meta failed", RequestID: "R", Class: "transient"}},
		},
		Entities: []Entity{
			{Type: "BUSINESS", ID: "biz-1", CanSendMessage: "LIMITED", Errors: []Error{{Code: "131049", Description: "<why> & more", Solution: "wait"}, {Code: "368"}}},
			{Type: "PHONE_NUMBER", ID: "8613800000001", CanSendMessage: "AVAILABLE"},
			{Type: "WABA", ID: "waba-1", CanSendMessage: "AVAILABLE"},
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
	// An entity no node names is left out; a node naming one twice names
	// it once.
	got, err = New(nil, 0, 0).Decode(json.RawMessage(`{"waba":{"waba_id":"w","can_send_message":"AVAILABLE","entities":[1,1]},"entities":[{"type":"APP","id":"","can_send_message":"BLOCKED"},{"type":"WABA","id":"w","can_send_message":"AVAILABLE"}]}`))
	want := Health{WABA: &Node{WabaID: "w", CanSendMessage: "AVAILABLE", NamedEntities: []uint32{0}}, Entities: []Entity{{Type: "WABA", ID: "w", CanSendMessage: "AVAILABLE"}}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Decode = %+v, %v; want %+v", got, err, want)
	}
	// A node of an older file naming an entity twice keeps the first.
	got, err = New(nil, 0, 0).Decode(json.RawMessage(`{"waba":{"waba_id":"w","can_send_message":"BLOCKED","entities":[{"type":"APP","id":"","can_send_message":"BLOCKED"},{"type":"APP","id":"","can_send_message":"AVAILABLE"}]}}`))
	want = Health{WABA: &Node{WabaID: "w", CanSendMessage: "BLOCKED", NamedEntities: []uint32{0}}, Entities: []Entity{{Type: "APP", CanSendMessage: "BLOCKED"}}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("Decode = %+v, %v; want %+v", got, err, want)
	}
}

// testdata/main-5010183.cache is a cache file as main wrote it before each
// space kept each entity once (each node with its answer's entities; see
// main-5010183_gen.go), and main-5010183.series the series main made of
// those parts. Read today, the parts become today's shape, each entity
// once as the freshest answer gave it, and make the same series.
func TestDecodeReadsTheShapeOfMain5010183(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cams.cache")
	data, err := os.ReadFile(filepath.Join("testdata", "main-5010183.cache"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(path, data, 0o600)
	src := New(nil, 0, 0)
	c, err := cache.ReadWith(path, cache.Meta{Endpoint: "https://cams.ap-southeast-1.aliyuncs.com/"}, cache.Codecs{Name: src.Decode})
	if err != nil || c.Dropped != nil || len(c.Parts[Name]) != 3 {
		t.Fatalf("%v, dropped %v, %d parts; want the 3 parts of the file", err, c.Dropped, len(c.Parts[Name]))
	}
	parts := c.Parts[Name]

	schema := collector.NewSchema(collector.Options{Sources: []collector.SourceSeries{&Series{}}})
	var got []string
	for space, p := range parts {
		for _, s := range schema.PartSeries(nil, Name, space, p) {
			if strings.HasPrefix(s.Family.Name, "cams_messaging_health") {
				got = append(got, fmt.Sprintf("%s %q %g", s.Family.Name, s.LabelValues(), s.Value))
			}
		}
	}
	slices.Sort(got)
	want, err := os.ReadFile(filepath.Join("testdata", "main-5010183.series"))
	if err != nil {
		t.Fatal(err)
	}
	if g := strings.Join(got, "\n") + "\n"; g != string(want) {
		t.Errorf("series of the parts read:\n%s\nwant main's:\n%s", g, want)
	}

	// cams-a: the WABA answered at 08:00 with its business BLOCKED,
	// numbers 1 and 2 at 09:00 and 10:00 with it AVAILABLE (the freshest),
	// number 3's only call failed at 09:30.
	at := func(h int) time.Time { return time.Date(2026, 12, 1, h, 0, 0, 0, time.UTC) }
	a := Of(parts["cams-a"].Data)
	wantA := Health{
		WABA: &Node{WabaID: "waba-cams-a", Checked: at(8), Answered: at(8), CanSendMessage: "BLOCKED", NamedEntities: []uint32{4, 1, 0}},
		Phones: []Node{
			{PhoneNumber: "8613800000001", Checked: at(9), Answered: at(9), CanSendMessage: "AVAILABLE", NamedEntities: []uint32{2, 4, 1, 0}},
			{PhoneNumber: "8613800000002", Checked: at(10), Answered: at(10), CanSendMessage: "LIMITED", NamedEntities: []uint32{3, 4, 1, 0}},
			{PhoneNumber: "8613800000003", Checked: at(9).Add(30 * time.Minute)},
		},
		Entities: []Entity{
			{Type: "APP", CanSendMessage: "AVAILABLE"},
			{Type: "BUSINESS", ID: "biz-cams-a", CanSendMessage: "AVAILABLE"},
			{Type: "PHONE_NUMBER", ID: "8613800000001", CanSendMessage: "AVAILABLE"},
			{Type: "PHONE_NUMBER", ID: "8613800000002", CanSendMessage: "LIMITED", Errors: []Error{{Code: "131049", Description: "Meta chose not to deliver this message.", Solution: "Wait a day."}}},
			{Type: "WABA", ID: "waba-cams-a", CanSendMessage: "AVAILABLE"},
		},
	}
	if len(a.Phones) == 3 {
		if e := a.Phones[2].LastError; e == nil || e.Code != "ERR-FB-001" || e.RequestID != "REQ-cams-a/8613800000003" {
			t.Errorf("number 3's error %+v, want ERR-FB-001 with its RequestId", e)
		}
		a.Phones[2].LastError = nil
	}
	if !reflect.DeepEqual(a, wantA) {
		t.Errorf("cams-a read as\n%+v\nwant\n%+v", a, wantA)
	}
	// cams-b: the WABA's call failed after an answer: the answer's
	// entities stay.
	if b := Of(parts["cams-b"].Data); b.WABA == nil || b.WABA.LastError == nil || len(b.Entities) != 3 || !slices.Equal(b.WABA.NamedEntities, []uint32{2, 1, 0}) {
		t.Errorf("cams-b read as %+v, want the WABA's failure and the 3 entities of its answer before", b)
	}
	// Written again, today's shape reads back the same.
	for space, p := range parts {
		raw, _ := json.Marshal(p.Data)
		again, err := src.Decode(raw)
		if err != nil || !reflect.DeepEqual(again, p.Data) {
			t.Errorf("%s written again read back as %+v, %v; want %+v", space, again, err, p.Data)
		}
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
	const anApp = `{"type":"APP","id":"","can_send_message":"AVAILABLE"}`
	tooManyErrors := `{"type":"APP","id":"a","can_send_message":"BLOCKED","errors":[` + strings.Repeat(`{"code":"1"},`, client.MaxHealthErrorsPerEntity) + `{"code":"1"}]}`
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
		// Today's shape.
		"an index beyond the entities":  {`{"waba":{"waba_id":"w","entities":[2]},"entities":[` + anApp + `]}`, "the WABA's node: names entity 2 of 1"},
		"entities of its own beside":    {`{"waba":{"waba_id":"w","entities":[` + anApp + `]},"entities":[` + anApp + `]}`, "the WABA's node: entities of its own beside the space's"},
		"more entities than nodes name": {`{"waba":{"waba_id":"w"},"entities":[` + strings.Repeat(anApp+",", client.MaxHealthEntities) + anApp + `]}`, "101 entities, more than the 100 the answers of 1 nodes can name"},
		"a node naming too many":        {`{"waba":{"waba_id":"w","entities":[` + strings.Repeat("0,", client.MaxHealthEntities) + `0]},"entities":[` + anApp + `]}`, "the WABA's node: 101 entities, more than the 100 of an answer"},
		"an entity's errors":            {`{"waba":{"waba_id":"w","entities":[0]},"entities":[` + tooManyErrors + `]}`, "entity 0: 21 errors, more than the 20 of an answer"},
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
	h := got.(Health)
	w, e, app := h.WABA, entityOf(h, "BUSINESS", long[:128]), entityOf(h, "APP", "app")
	if len(w.WabaID) != 128 || len(w.CanSendMessage) != 128 || len(w.LastError.Code) != 512 || len(w.LastError.Message) != 512 || len(e.ID) != 128 {
		t.Errorf("WABA id of %d bytes, value of %d, error of %d and %d, entity id of %d; want 128, 128, 512, 512, 128", len(w.WabaID), len(w.CanSendMessage), len(w.LastError.Code), len(w.LastError.Message), len(e.ID))
	}
	for k, er := range append(e.Errors, app.Errors...) {
		want := fmt.Sprint("C", k)
		if k >= 30 {
			want = "_other"
		}
		if er.Code != want || len(er.Description) != 512 || len(er.Solution) != 512 {
			t.Errorf("error %d: code %q, texts of %d and %d bytes; want %q, 512 each", k, er.Code, len(er.Description), len(er.Solution), want)
		}
	}
}
