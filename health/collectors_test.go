package health

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

// statusOf serves /status as JSON from c and decodes it.
func statusOf(t *testing.T, c Checker) (Status, []byte) {
	t.Helper()
	body := get(t, c, "/status", "application/json").Body.Bytes()
	var st Status
	if err := json.Unmarshal(body, &st); err != nil {
		t.Fatalf("/status is not JSON: %v", err)
	}
	return st, body
}

// dataJSON returns a part's data as compact JSON; "" without data.
func dataJSON(t *testing.T, p *CollectorPart) []byte {
	t.Helper()
	if p.Data == nil {
		return nil
	}
	b, err := json.Marshal(p.Data)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// keysOf returns the keys of a JSON object, sorted.
func keysOf(t *testing.T, raw []byte) []string {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	var keys []string
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Without sources, /status is what it was: the same keys, at the top and
// in each space.
func TestStatusJSONWithoutSourcesKeepsItsKeys(t *testing.T) {
	c := checkerOf(snapOf(space("a", true, time.Minute), space("b", false, never)))
	_, body := statusOf(t, c)
	wantTop := []string{"expected_pass_seconds", "last_refresh_duration_seconds", "limiter", "max_staleness_seconds", "ready", "reason",
		"refresh_failures", "refreshes", "spaces", "spaces_by_state"}
	if got := keysOf(t, body); !slices.Equal(got, wantTop) {
		t.Errorf("top-level keys %q, want %q", got, wantTop)
	}
	var raw struct{ Spaces []json.RawMessage }
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	for i, want := range [][]string{
		{"age_seconds", "flows", "flows_by_category", "last_attempt", "last_success", "space", "up"},
		{"last_attempt", "last_error", "remedy", "space", "up"},
	} {
		if got := keysOf(t, raw.Spaces[i]); !slices.Equal(got, want) {
			t.Errorf("space %d keys %q, want %q", i, got, want)
		}
	}
}

// The sources' summaries: each source that is on, in wiring order, its
// operation, interval, pass, spaces by state (pending: watched without a
// part), values folded and its limiter when it has one.
func TestStatusJSONCollectorSummaries(t *testing.T) {
	// 5 spaces listed and 3 pending: 8 watched. phone-numbers has parts
	// of 4 (one down), waba of 2, messaging-health of none.
	flows := withPending(snapOf(space("a", true, 0), space("b", true, 0), space("c", false, never), space("d", true, 0), space("e", true, 0)), 3)
	numbers := sourceState(phoneNumbers, 15*time.Minute, 21*time.Minute, 4, map[string]*snapshot.SpacePart{
		"a": upPart(time.Minute, numbersOf(0, 3)), "b": upPart(time.Minute, numbersOf(1, 1)), "c": downPart("Ram.PermissionDeny", nil),
		"p1": upPart(time.Minute, numbersOf(2, 2))})
	wabaState := sourceState(wabas, 6*time.Hour, 20*time.Minute, 0, map[string]*snapshot.SpacePart{"a": upPart(time.Hour, wabaOf(0)), "b": upPart(time.Hour, waba.WABA{})})
	health := sourceState(messagingHealth, time.Hour, 2*time.Hour, 0, nil)
	c := checkerOf(flows.WithSources([]*snapshot.SourceState{numbers, wabaState, health}))
	c.SourceLimiters = map[string]SourceLimiter{phoneNumbers: {Rate: func() float64 { return 6.5 }, MaxRate: 8}}
	st, _ := statusOf(t, c)
	want := []CollectorStatus{
		{Name: "phone-numbers", Operation: "QueryChatappPhoneNumbers", Interval: 900, ExpectedPass: 1260, SpacesByState: StateCounts{Pending: 4, Up: 3, Down: 1},
			Folded: 4, Limiter: &LimiterStatus{Rate: 6.5, MaxRate: 8}},
		{Name: "waba", Operation: "QueryChatappBindWaba", Interval: 21600, ExpectedPass: 1200, SpacesByState: StateCounts{Pending: 6, Up: 2}},
		{Name: "messaging-health", Operation: "GetWhatsappHealthStatus", Interval: 3600, ExpectedPass: 7200, SpacesByState: StateCounts{Pending: 8}},
	}
	if !reflect.DeepEqual(st.Collectors, want) {
		t.Errorf("collectors\n got %+v\nwant %+v", st.Collectors, want)
	}
	if st.SpacesByState != (StateCounts{Pending: 3, Up: 4, Down: 1}) {
		t.Errorf("the flows' counts changed: %+v", st.SpacesByState)
	}
}

// A space's part of each source: up, times and age, the last error with a
// remedy naming the source's operation and flag, and its data as the
// source's Data type encodes it.
func TestStatusJSONSpaceParts(t *testing.T) {
	ns := phonenumbers.Numbers{number(0, 0, "CONNECTED", "GREEN"), number(0, 1, "FLAGGED", "RED")}
	ns[1].VerifiedName = `Shop <b>"Ü"</b> & co`
	w := wabaOf(0)
	answers := healthAnswersOf(0, ns)
	answers.phones[1].CanSendMessage = "LIMITED"
	answers.phones[1].Entities[3] = withHealth(answers.phones[1].Entities[3], "LIMITED", "131049")
	h := answers.health()
	h.Phones[1].LastError = &snapshot.ErrorInfo{Code: "ERR-FB-001", Message: "meta failed", Class: "transient"}
	kept := numbersOf(1, 1)
	flows := snapOf(space("a", true, 0), space("b", true, 0), space("c", true, 0))
	snap := flows.WithSources([]*snapshot.SourceState{
		sourceState(phoneNumbers, 15*time.Minute, 0, 0, map[string]*snapshot.SpacePart{"a": upPart(90*time.Second, ns), "b": downPart("Ram.PermissionDeny", kept)}),
		sourceState(wabas, 6*time.Hour, 0, 0, map[string]*snapshot.SpacePart{"a": upPart(time.Hour, w), "b": upPart(time.Hour, waba.WABA{})}),
		sourceState(messagingHealth, time.Hour, 0, 0, map[string]*snapshot.SpacePart{"a": upPart(30*time.Minute, h), "b": downPart("System.LimitControl", nil)}),
	})
	st, _ := statusOf(t, checkerOf(snap))
	if len(st.Spaces) != 3 {
		t.Fatalf("%d spaces", len(st.Spaces))
	}
	a, b, c := st.Spaces[0].Collectors, st.Spaces[1].Collectors, st.Spaces[2].Collectors
	if c != nil {
		t.Errorf("a space no source has a part of has collectors: %v", c)
	}
	decode := func(p *CollectorPart, into any) {
		t.Helper()
		if p == nil || p.Data == nil {
			t.Fatalf("no data in %+v", p)
		}
		if err := json.Unmarshal(dataJSON(t, p), into); err != nil {
			t.Fatal(err)
		}
	}
	var gotNumbers phonenumbers.Numbers
	decode(a[phoneNumbers], &gotNumbers)
	if !reflect.DeepEqual(gotNumbers, ns) {
		t.Errorf("numbers\n got %+v\nwant %+v", gotNumbers, ns)
	}
	var gotWABA waba.WABA
	decode(a[wabas], &gotWABA)
	if gotWABA != w {
		t.Errorf("WABA %+v, want %+v", gotWABA, w)
	}
	var gotHealth messaginghealth.Health
	decode(a[messagingHealth], &gotHealth)
	if !reflect.DeepEqual(gotHealth, h) {
		t.Errorf("health\n got %+v\nwant %+v", gotHealth, h)
	}
	var unbound waba.WABA
	decode(b[wabas], &unbound)
	var compact bytes.Buffer
	if err := json.Compact(&compact, dataJSON(t, b[wabas])); err != nil || unbound.Bound || compact.String() != `{"bound":false}` {
		t.Errorf("an unbound space's WABA: %s", dataJSON(t, b[wabas]))
	}
	pa := a[phoneNumbers]
	if !pa.Up || pa.LastSuccess == nil || !pa.LastSuccess.Equal(t0.Add(-90*time.Second)) || pa.AgeSeconds == nil || *pa.AgeSeconds != 90 ||
		pa.LastAttempt == nil || pa.LastError != nil || pa.Remedy != "" || pa.DataOmitted != nil {
		t.Errorf("an up part: %+v", pa)
	}
	pb := b[phoneNumbers]
	var keptNumbers phonenumbers.Numbers
	decode(pb, &keptNumbers)
	if pb.Up || pb.LastError == nil || pb.LastError.Code != "Ram.PermissionDeny" || pb.LastError.RequestID != "REQ-Ram.PermissionDeny" ||
		pb.Remedy != "grant cams:QueryChatappPhoneNumbers to the RAM identity the exporter runs as, or run without --collector.phone-numbers" ||
		!reflect.DeepEqual(keptNumbers, kept) || pb.AgeSeconds == nil || *pb.AgeSeconds != 3600 {
		t.Errorf("a failing part keeping its data: %+v", pb)
	}
	hb := b[messagingHealth]
	if hb.Up || hb.Data != nil || hb.LastSuccess != nil || hb.AgeSeconds != nil || hb.LastAttempt == nil || !strings.Contains(hb.Remedy, "--cams.messaging-health-rate-limit") {
		t.Errorf("a failing part without data: %+v", hb)
	}
	// The free texts are in the JSON, never cut by /status.
	_, body := statusOf(t, checkerOf(snap))
	for _, text := range []string{`"description": "Meta says 131049"`, `"solution": "fix 131049"`, `"code": "ERR-FB-001"`,
		`"verified_name": "Shop \u003cb\u003e\"Ü\"\u003c/b\u003e \u0026 co"`} {
		if !bytes.Contains(body, []byte(text)) {
			t.Errorf("/status lacks %s", text)
		}
	}
}

// A source the health package does not know shows its data as it encodes
// it, within the bound; data that does not encode is left out, counted.
func TestStatusJSONOtherSources(t *testing.T) {
	type conversation struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	}
	small := []conversation{{"t1", "APPROVED"}}
	huge := make([]conversation, 10000)
	for i := range huge {
		huge[i] = conversation{fmt.Sprint("t", i), strings.Repeat("x", 20)}
	}
	tests := []struct {
		name        string
		data        any
		wantData    string
		wantOmitted map[string]int
	}{
		{"small", small, `[{"id":"t1","status":"APPROVED"}]`, nil},
		{"larger than the bound", huge, "", map[string]int{"data": 1}},
		{"not JSON", func() {}, "", map[string]int{"data": 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := snapOf(space("a", true, 0)).WithSources([]*snapshot.SourceState{
				snapshot.NewSourceState("conversations", "ListConversation").WithParts(map[string]*snapshot.SpacePart{"a": upPart(0, tt.data)})})
			st := checkerOf(snap).Status()
			p := st.Spaces[0].Collectors["conversations"]
			if got := dataJSON(t, p); string(got) != tt.wantData || !reflect.DeepEqual(p.DataOmitted, tt.wantOmitted) {
				t.Errorf("data %.80s, omitted %v; want %.80s and %v", got, p.DataOmitted, tt.wantData, tt.wantOmitted)
			}
		})
	}
}

// Spaces not listed yet that a source has a part of are in
// pending_spaces, with their parts; none once no space is pending.
func TestStatusJSONPendingSpaces(t *testing.T) {
	parts := map[string]*snapshot.SpacePart{"a": upPart(0, numbersOf(0, 1)), "z": upPart(0, numbersOf(1, 2)), "m": downPart("Ram.PermissionDeny", nil)}
	wabaParts := map[string]*snapshot.SpacePart{"z": upPart(0, wabaOf(1)), "q": upPart(0, waba.WABA{})}
	sources := []*snapshot.SourceState{sourceState(phoneNumbers, time.Minute, 0, 0, parts), sourceState(wabas, time.Minute, 0, 0, wabaParts)}
	tests := []struct {
		name    string
		pending int
		want    []string
	}{
		{"first pass", 4, []string{"m", "q", "z"}},
		{"nothing pending", 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snap := snapOf(space("a", true, 0)).WithSources(sources)
			snap.Pending = tt.pending
			st, _ := statusOf(t, checkerOf(snap))
			var got []string
			for _, p := range st.PendingSpaces {
				got = append(got, p.Space)
			}
			if !slices.Equal(got, tt.want) {
				t.Fatalf("pending_spaces %q, want %q", got, tt.want)
			}
			if len(st.Spaces) != 1 || st.Spaces[0].Collectors[phoneNumbers] == nil {
				t.Errorf("spaces %+v", st.Spaces)
			}
			if tt.want == nil {
				return
			}
			z := st.PendingSpaces[2].Collectors
			var ns phonenumbers.Numbers
			if err := json.Unmarshal(dataJSON(t, z[phoneNumbers]), &ns); err != nil || !reflect.DeepEqual(ns, numbersOf(1, 2)) || z[wabas] == nil {
				t.Errorf("z's parts: %+v (%v)", z, err)
			}
			if m := st.PendingSpaces[0].Collectors; len(m) != 1 || m[phoneNumbers].LastError == nil {
				t.Errorf("m's parts: %+v", m)
			}
		})
	}
}
