package messaginghealth

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/engine"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

var t0 = time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)

// snapWith returns a snapshot in which the waba and phone-numbers sources
// know space's WABA (none for "") and numbers.
func snapWith(space, wabaID string, numbers ...phonenumbers.Number) *snapshot.Snapshot {
	w := waba.WABA{}
	if wabaID != "" {
		w = waba.WABA{Bound: true, ID: wabaID}
	}
	wabas := snapshot.NewSourceState(waba.Name, "QueryChatappBindWaba").WithParts(map[string]*snapshot.SpacePart{space: {Up: true, HasData: true, Data: w}})
	phones := snapshot.NewSourceState(phonenumbers.Name, "QueryChatappPhoneNumbers").WithParts(map[string]*snapshot.SpacePart{space: {Up: true, HasData: true, Data: phonenumbers.Numbers(numbers)}})
	return (&snapshot.Snapshot{}).WithSpaces(nil).WithSources([]*snapshot.SourceState{wabas, phones})
}

func green(n string) phonenumbers.Number {
	return phonenumbers.Number{PhoneNumber: n, Status: "CONNECTED", QualityRating: "GREEN"}
}

func TestDueAsksTheKnownNodesUrgentFirst(t *testing.T) {
	src := New(nil, time.Hour, 12*time.Hour)
	red := phonenumbers.Number{PhoneNumber: "2", Status: "CONNECTED", QualityRating: "RED"}
	snap := snapWith("s", "waba-1", green("1"), red, green("3"))
	// A part in which the WABA was asked 2 h ago, number 1 an hour ago and
	// number 2 13 h ago; number 3 was never asked.
	part := &snapshot.SpacePart{HasData: true, Data: Health{
		WABA:   &Node{WabaID: "waba-1", Checked: t0.Add(-2 * time.Hour), CanSendMessage: "AVAILABLE"},
		Phones: []Node{{PhoneNumber: "1", Checked: t0.Add(-time.Hour)}, {PhoneNumber: "2", Checked: t0.Add(-13 * time.Hour)}},
	}}
	tasks, next, calls := src.Due(nil, "s", part, snap, t0)
	var got []string
	for _, task := range tasks {
		got = append(got, fmt.Sprintf("%s urgent=%v", task.Key, task.Urgent))
	}
	want := []string{"waba/waba-1 urgent=false", "phone/2 urgent=true", "phone/3 urgent=true"}
	if !slices.Equal(got, want) {
		t.Errorf("due %v, want %v", got, want)
	}
	// Per WABA interval (1h): the WABA once, each of 3 numbers a twelfth.
	if math.Abs(calls-1.25) > 1e-9 || !next.Equal(t0.Add(11*time.Hour)) {
		t.Errorf("calls %g next %v; want 1.25 and number 1's next at +11h", calls, next)
	}
	// Without a WABA or numbers known, nothing is asked.
	if tasks, _, calls := src.Due(nil, "s", nil, snapWith("s", ""), t0); len(tasks) != 0 || calls != 0 {
		t.Errorf("space without WABA or numbers: %d tasks, %g calls; want none", len(tasks), calls)
	}
	if tasks, _, _ := src.Due(nil, "s", nil, nil, t0); len(tasks) != 0 {
		t.Errorf("without the other sources: %d tasks, want none", len(tasks))
	}
}

type fakeAPI map[string]*client.HealthStatus // node key -> answer; missing: error

func (f fakeAPI) GetHealthStatus(_ context.Context, space string, node client.HealthNode) (*client.HealthStatus, error) {
	key := wabaKey + node.WabaID
	if node.Type == "phone" {
		key = phoneKey + node.PhoneNumber
	}
	if st, ok := f[key]; ok {
		return st, nil
	}
	return nil, &client.Error{Code: "ERR-FB-001", Message: "meta failed"}
}

func entities(business, app string) []client.HealthEntity {
	return []client.HealthEntity{
		{EntityType: "WABA", ID: "waba-1", CanSendMessage: "AVAILABLE"},
		{EntityType: "BUSINESS", ID: "biz-1", CanSendMessage: business, Errors: []client.HealthError{{ErrorCode: "141000", ErrorDescription: "Business verification required", PossibleSolution: "verify"}}},
		{EntityType: "APP", ID: "app-1", CanSendMessage: app},
	}
}

func callAll(t *testing.T, src *Source, snap *snapshot.Snapshot, prev *snapshot.SpacePart, at time.Time) *snapshot.SpacePart {
	t.Helper()
	tasks, _, _ := src.Due(nil, "s", prev, snap, at)
	var done []engine.Done
	for _, task := range tasks {
		v, err := src.Call(context.Background(), task)
		done = append(done, engine.Done{Task: task, At: at, Value: v, Err: err})
	}
	return src.Apply("s", prev, done, snap)
}

func TestSeriesOfABlockedBusiness(t *testing.T) {
	api := fakeAPI{
		"waba/waba-1": {CanSendMessage: "BLOCKED", Entities: entities("BLOCKED", "AVAILABLE")},
		"phone/1": {CanSendMessage: "BLOCKED", Entities: append(entities("BLOCKED", "AVAILABLE"),
			client.HealthEntity{EntityType: "PHONE_NUMBER", ID: "1", CanSendMessage: "LIMITED", Errors: []client.HealthError{{ErrorCode: "131049"}}})},
	}
	src := New(api, 0, 0)
	snap := snapWith("s", "waba-1", green("1"), green("2"))
	part := callAll(t, src, snap, nil, t0)
	schema := collector.NewSchema(collector.Options{Sources: []collector.SourceSeries{&Series{}}})
	var got []string
	for _, s := range schema.PartSeries(nil, Name, "s", part) {
		if strings.HasPrefix(s.Family.Name, "cams_messaging") {
			got = append(got, fmt.Sprintf("%s%v %g", s.Family.Name, s.LabelValues(), s.Value))
		}
	}
	// Number 2's call failed (ERR-FB-001): no health series for it yet.
	// The business and the app, answered for both nodes, are one series
	// each; the business's error is one series.
	want := []string{
		"cams_messaging_health[BLOCKED waba  s] 1",
		"cams_messaging_health[BLOCKED phone 1 s] 1",
		"cams_messaging_health_entity[AVAILABLE waba-1 WABA s] 1",
		"cams_messaging_health_entity[BLOCKED biz-1 BUSINESS s] 1",
		"cams_messaging_health_entity[AVAILABLE app-1 APP s] 1",
		"cams_messaging_health_entity[LIMITED 1 PHONE_NUMBER s] 1",
		"cams_messaging_health_error_info[BUSINESS 141000 s] 1",
		"cams_messaging_health_error_info[PHONE_NUMBER 131049 s] 1",
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("series:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	h := Of(part.Data)
	if n := h.phone("2"); n == nil || n.LastError == nil || n.LastError.Code != "ERR-FB-001" || !n.Checked.Equal(t0) {
		t.Errorf("number 2's node = %+v, want its failure recorded at t0", n)
	}
	if b := entityOf(h, "BUSINESS", "biz-1"); len(b.Errors) == 0 || b.Errors[0].Description != "Business verification required" {
		t.Errorf("business kept as %+v, want its error's description for /status", b)
	}
}

func TestNodesFollowTheOtherSources(t *testing.T) {
	api := fakeAPI{"waba/waba-1": {CanSendMessage: "AVAILABLE"}, "phone/1": {CanSendMessage: "AVAILABLE"}, "phone/2": {CanSendMessage: "AVAILABLE"}, "waba/waba-2": {CanSendMessage: "LIMITED"}}
	src := New(api, 0, 0)
	part := callAll(t, src, snapWith("s", "waba-1", green("1"), green("2")), nil, t0)
	if h := Of(part.Data); h.WABA == nil || len(h.Phones) != 2 {
		t.Fatalf("health %+v, want the WABA and two numbers", h)
	}
	// Number 2 is gone and the space's WABA is now waba-2: the next
	// results keep neither number 2 nor waba-1.
	later := t0.Add(13 * time.Hour)
	part = callAll(t, src, snapWith("s", "waba-2", green("1")), part, later)
	h := Of(part.Data)
	if h.WABA == nil || h.WABA.WabaID != "waba-2" || h.WABA.CanSendMessage != "LIMITED" || len(h.Phones) != 1 || h.Phones[0].PhoneNumber != "1" {
		t.Errorf("health %+v, want waba-2 and number 1 only", h)
	}
}

// TestEntityStateIsTheFreshestAnswers: the business is in every node's
// answer; its series says what the latest successful answer said, whatever
// the order of the nodes, and a failed call's node does not count.
func TestEntityStateIsTheFreshestAnswers(t *testing.T) {
	api := fakeAPI{
		"waba/waba-1": {CanSendMessage: "BLOCKED", Entities: entities("BLOCKED", "AVAILABLE")},
		"phone/1":     {CanSendMessage: "BLOCKED", Entities: entities("BLOCKED", "AVAILABLE")},
	}
	src := New(api, time.Hour, time.Hour)
	snap := snapWith("s", "waba-1", green("1"))
	part := callAll(t, src, snap, nil, t0)
	// Two hours later the business is unblocked: the WABA's answer says so;
	// number 1's call fails and keeps its older answer.
	api["waba/waba-1"] = &client.HealthStatus{CanSendMessage: "AVAILABLE", Entities: entities("AVAILABLE", "AVAILABLE")}
	delete(api, "phone/1")
	part = callAll(t, src, snap, part, t0.Add(2*time.Hour))
	schema := collector.NewSchema(collector.Options{Sources: []collector.SourceSeries{&Series{}}})
	for _, s := range schema.PartSeries(nil, Name, "s", part) {
		if s.Family.Name == "cams_messaging_health_entity" && s.LabelValues()[2] == "BUSINESS" {
			if got := s.LabelValues()[0]; got != "AVAILABLE" {
				t.Errorf("business %s, want AVAILABLE as the freshest answer (the WABA's) says", got)
			}
			return
		}
	}
	t.Error("no business series")
}

// entityOf returns the entity typ id of h, the zero Entity without one.
func entityOf(h Health, typ, id string) Entity {
	for _, e := range h.Entities {
		if e.Type == typ && e.ID == id {
			return e
		}
	}
	return Entity{}
}

// shared is what every answer about the space's WABA or a number names:
// the WABA, its business (canSend) and the app.
func shared(wabaID, business string) []client.HealthEntity {
	return []client.HealthEntity{
		{EntityType: "WABA", ID: wabaID, CanSendMessage: "AVAILABLE"},
		{EntityType: "BUSINESS", ID: "biz-1", CanSendMessage: business},
		{EntityType: "APP", CanSendMessage: "AVAILABLE"},
	}
}

// numberAnswer is a number's answer: its own entity, then shared.
func numberAnswer(number, wabaID, business string) *client.HealthStatus {
	return &client.HealthStatus{CanSendMessage: "AVAILABLE", Entities: append([]client.HealthEntity{{EntityType: "PHONE_NUMBER", ID: number, CanSendMessage: "AVAILABLE"}}, shared(wabaID, business)...)}
}

// describe lists h's entities and what each node names, by type and id.
func describe(h Health) []string {
	var out []string
	for _, e := range h.Entities {
		out = append(out, e.Type+" "+e.ID+" "+e.CanSendMessage)
	}
	node := func(name string, n *Node) {
		var named []string
		for e := range h.NamedBy(n) {
			named = append(named, e.Type+" "+e.ID)
		}
		out = append(out, name+" names "+strings.Join(named, ", "))
	}
	if h.WABA != nil {
		node("waba "+h.WABA.WabaID, h.WABA)
	}
	for i := range h.Phones {
		node("number "+h.Phones[i].PhoneNumber, &h.Phones[i])
	}
	return out
}

// A space of 3 numbers whose 4 answers all name the WABA, the business and
// the app keeps each once: 6 entities, each node naming its own in the
// order its answer listed them.
func TestEachEntityOnceASpace(t *testing.T) {
	api := fakeAPI{"waba/waba-1": {CanSendMessage: "AVAILABLE", Entities: shared("waba-1", "AVAILABLE")}}
	for _, n := range []string{"1", "2", "3"} {
		api["phone/"+n] = numberAnswer(n, "waba-1", "AVAILABLE")
	}
	part := callAll(t, New(api, 0, 0), snapWith("s", "waba-1", green("1"), green("2"), green("3")), nil, t0)
	h := Of(part.Data)
	want := []string{
		"APP  AVAILABLE", "BUSINESS biz-1 AVAILABLE", "PHONE_NUMBER 1 AVAILABLE", "PHONE_NUMBER 2 AVAILABLE", "PHONE_NUMBER 3 AVAILABLE", "WABA waba-1 AVAILABLE",
		"waba waba-1 names WABA waba-1, BUSINESS biz-1, APP ",
		"number 1 names PHONE_NUMBER 1, WABA waba-1, BUSINESS biz-1, APP ",
		"number 2 names PHONE_NUMBER 2, WABA waba-1, BUSINESS biz-1, APP ",
		"number 3 names PHONE_NUMBER 3, WABA waba-1, BUSINESS biz-1, APP ",
	}
	if got := describe(h); !slices.Equal(got, want) {
		t.Errorf("health:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !slices.Equal(h.WABA.NamedEntities, []uint32{5, 1, 0}) || !slices.Equal(h.Phones[0].NamedEntities, []uint32{2, 5, 1, 0}) {
		t.Errorf("the WABA names %v, number 1 %v; want indexes [5 1 0] and [2 5 1 0], in the answers' order", h.WABA.NamedEntities, h.Phones[0].NamedEntities)
	}
}

// An entity stays while a node's last answer names it: a number gone
// takes its own along, a WABA replaced stays until no number's answer
// names it any longer.
func TestEntitiesLeaveWithTheLastNodeNamingThem(t *testing.T) {
	api := fakeAPI{"waba/waba-1": {CanSendMessage: "AVAILABLE", Entities: shared("waba-1", "AVAILABLE")},
		"phone/1": numberAnswer("1", "waba-1", "AVAILABLE"), "phone/2": numberAnswer("2", "waba-1", "AVAILABLE")}
	src := New(api, time.Hour, 12*time.Hour)
	part := callAll(t, src, snapWith("s", "waba-1", green("1"), green("2")), nil, t0)

	// Number 2 is gone and the WABA is waba-2 now; number 1 is not due yet.
	api["waba/waba-2"] = &client.HealthStatus{CanSendMessage: "AVAILABLE", Entities: shared("waba-2", "AVAILABLE")}
	snap := snapWith("s", "waba-2", green("1"))
	part = callAll(t, src, snap, part, t0.Add(time.Hour))
	want := []string{
		"APP  AVAILABLE", "BUSINESS biz-1 AVAILABLE", "PHONE_NUMBER 1 AVAILABLE", "WABA waba-1 AVAILABLE", "WABA waba-2 AVAILABLE",
		"waba waba-2 names WABA waba-2, BUSINESS biz-1, APP ",
		"number 1 names PHONE_NUMBER 1, WABA waba-1, BUSINESS biz-1, APP ",
	}
	if got := describe(Of(part.Data)); !slices.Equal(got, want) {
		t.Errorf("after number 2 left and the WABA changed:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Number 1 answers again, naming waba-2: waba-1 is gone.
	api["phone/1"] = numberAnswer("1", "waba-2", "AVAILABLE")
	part = callAll(t, src, snap, part, t0.Add(13*time.Hour))
	want = []string{
		"APP  AVAILABLE", "BUSINESS biz-1 AVAILABLE", "PHONE_NUMBER 1 AVAILABLE", "WABA waba-2 AVAILABLE",
		"waba waba-2 names WABA waba-2, BUSINESS biz-1, APP ",
		"number 1 names PHONE_NUMBER 1, WABA waba-2, BUSINESS biz-1, APP ",
	}
	if got := describe(Of(part.Data)); !slices.Equal(got, want) {
		t.Errorf("after number 1 answered again:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// Of the answers of one batch, the latest gives an entity's state,
// whatever their order; of answers at the same time, the first node's:
// the WABA's, then the lowest number's (as the series chose when every
// node kept its answer's entities).
func TestFreshestAnswerOfABatch(t *testing.T) {
	src := New(nil, 0, 0)
	snap := snapWith("s", "waba-1", green("1"), green("2"))
	done := func(key string, at time.Duration, business string) engine.Done {
		st := &client.HealthStatus{CanSendMessage: "AVAILABLE", Entities: shared("waba-1", business)}
		if number, ok := strings.CutPrefix(key, phoneKey); ok {
			st = numberAnswer(number, "waba-1", business)
		}
		node := client.HealthNode{Type: "waba", WabaID: "waba-1"}
		if number, ok := strings.CutPrefix(key, phoneKey); ok {
			node = client.HealthNode{Type: "phone", PhoneNumber: number}
		}
		return engine.Done{Task: engine.Task{Space: "s", Key: key}, At: t0.Add(at), Value: src.answer(node, st)}
	}
	for _, tt := range []struct {
		name string
		done []engine.Done
		want string
	}{
		{"the latest last", []engine.Done{done("waba/waba-1", 0, "BLOCKED"), done("phone/2", time.Minute, "LIMITED")}, "LIMITED"},
		{"the latest first", []engine.Done{done("phone/2", time.Minute, "LIMITED"), done("waba/waba-1", 0, "BLOCKED")}, "LIMITED"},
		{"at once, the WABA's", []engine.Done{done("phone/1", 0, "LIMITED"), done("waba/waba-1", 0, "BLOCKED")}, "BLOCKED"},
		{"at once, the lowest number's", []engine.Done{done("phone/2", 0, "LIMITED"), done("phone/1", 0, "BLOCKED")}, "BLOCKED"},
	} {
		h := Of(src.Apply("s", nil, tt.done, snap).Data)
		if got := entityOf(h, "BUSINESS", "biz-1").CanSendMessage; got != tt.want {
			t.Errorf("%s: business %s, want %s", tt.name, got, tt.want)
		}
	}
}

// A space's new WABA whose first call fails gets a node of its own with
// the failure, and is asked again an interval later, not at every look:
// the old WABA's node and answer are not taken for it.
func TestANewWABAFailingFirst(t *testing.T) {
	api := fakeAPI{"waba/waba-1": {CanSendMessage: "AVAILABLE", Entities: shared("waba-1", "AVAILABLE")}}
	src := New(api, time.Hour, 12*time.Hour)
	part := callAll(t, src, snapWith("s", "waba-1"), nil, t0)
	snap := snapWith("s", "waba-2") // waba/waba-2 fails
	part = callAll(t, src, snap, part, t0.Add(2*time.Hour))
	h := Of(part.Data)
	if h.WABA == nil || h.WABA.WabaID != "waba-2" || h.WABA.LastError == nil || h.WABA.CanSendMessage != "" || len(h.Entities) != 0 {
		t.Fatalf("health %+v, want waba-2's node with its failure, nothing of waba-1's", h)
	}
	if tasks, next, _ := src.Due(nil, "s", part, snap, t0.Add(2*time.Hour+time.Minute)); len(tasks) != 0 || !next.Equal(t0.Add(3*time.Hour)) {
		t.Errorf("a minute later %d calls due, next at %v; want none until an hour after the failure", len(tasks), next)
	}
}
