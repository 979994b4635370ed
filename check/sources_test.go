package check

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/templates"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

var t0 = time.Unix(1_700_000_000, 0)

// answered is a source's part of a space whose last call succeeded with
// data.
func answered(data any) *snapshot.SpacePart {
	return &snapshot.SpacePart{Up: true, HasData: true, LastAttempt: t0, LastSuccess: t0, Data: data}
}

// failedPart is a source's part of a space whose only call failed.
func failedPart(code string) *snapshot.SpacePart {
	return &snapshot.SpacePart{LastAttempt: t0, LastError: &snapshot.ErrorInfo{Code: code, Message: "m", RequestID: "R-" + code, Class: "permanent"}}
}

func number(n, status, rating, tier string) phonenumbers.Number {
	return phonenumbers.Number{PhoneNumber: n, Status: status, QualityRating: rating, MessagingLimitTier: tier, CodeVerificationStatus: "VERIFIED", NameStatus: "APPROVED"}
}

func good(n string) phonenumbers.Number { return number(n, "CONNECTED", "GREEN", "TIER_1K") }

func bound(id, review string) waba.WABA {
	return waba.WABA{Bound: true, ID: id, BusinessID: "b-" + id, AccountReviewStatus: review}
}

// entities are the WABA, BUSINESS and APP entities every answer carries,
// AVAILABLE unless set.
func entities(wabaID string, set map[string]string) []messaginghealth.Entity {
	out := []messaginghealth.Entity{{Type: "WABA", ID: wabaID}, {Type: "BUSINESS", ID: "b-" + wabaID}, {Type: "APP", ID: ""}}
	for i := range out {
		out[i].CanSendMessage = "AVAILABLE"
		if v, ok := set[out[i].Type]; ok {
			out[i].CanSendMessage = v
			if v != "AVAILABLE" {
				out[i].Errors = []messaginghealth.Error{{Code: "1410" + out[i].Type, Description: "why", Solution: "what to do"}}
			}
		}
	}
	return out
}

// worstOf is the overall CanSendMessage of entities, as CAMS answers it.
func worstOf(es []messaginghealth.Entity) string {
	w := "AVAILABLE"
	for _, e := range es {
		if e.CanSendMessage == "BLOCKED" || (e.CanSendMessage == "LIMITED" && w != "BLOCKED") {
			w = e.CanSendMessage
		}
	}
	return w
}

func wabaNode(id string, set map[string]string) *messaginghealth.Answer {
	es := entities(id, set)
	return &messaginghealth.Answer{Node: messaginghealth.Node{WabaID: id, Checked: t0, CanSendMessage: worstOf(es)}, Entities: es}
}

// phoneNode is a number's answer: its PHONE_NUMBER entity (phone), then
// the WABA's.
func phoneNode(wabaID, n, phone string, set map[string]string) messaginghealth.Answer {
	es := append([]messaginghealth.Entity{{Type: "PHONE_NUMBER", ID: n, CanSendMessage: phone}}, entities(wabaID, set)...)
	if phone != "AVAILABLE" {
		es[0].Errors = []messaginghealth.Error{{Code: "141000"}}
	}
	return messaginghealth.Answer{Node: messaginghealth.Node{PhoneNumber: n, Checked: t0, CanSendMessage: worstOf(es)}, Entities: es}
}

func failedNode(n, code string) messaginghealth.Answer {
	return messaginghealth.Answer{Node: messaginghealth.Node{PhoneNumber: n, Checked: t0, LastError: &snapshot.ErrorInfo{Code: code, Message: "m", RequestID: "R-9"}}}
}

// health is what the source keeps of a space's answers.
func health(wabaNode *messaginghealth.Answer, phones ...messaginghealth.Answer) messaginghealth.Health {
	return messaginghealth.FromAnswers(wabaNode, phones...)
}

// account is what the sources read of each space.
type account struct {
	numbers   map[string]*snapshot.SpacePart
	wabas     map[string]*snapshot.SpacePart
	health    map[string]*snapshot.SpacePart
	templates map[string]*snapshot.SpacePart
}

// healthyAccount: spaces a and b, a with two numbers, b with one, each
// with an APPROVED WABA; everything can send; a has three templates, b
// two, every one pass.
func healthyAccount() account {
	return account{
		numbers: map[string]*snapshot.SpacePart{
			"a": answered(phonenumbers.Numbers{good("111"), good("112")}),
			"b": answered(phonenumbers.Numbers{good("221")}),
		},
		wabas: map[string]*snapshot.SpacePart{"a": answered(bound("wa", "APPROVED")), "b": answered(bound("wb", "APPROVED"))},
		health: map[string]*snapshot.SpacePart{
			"a": answered(health(wabaNode("wa", nil), phoneNode("wa", "111", "AVAILABLE", nil), phoneNode("wa", "112", "AVAILABLE", nil))),
			"b": answered(health(wabaNode("wb", nil), phoneNode("wb", "221", "AVAILABLE", nil))),
		},
		templates: map[string]*snapshot.SpacePart{
			"a": answered(listing(3, "ta", "pass", "pass", "pass")),
			"b": answered(listing(2, "tb", "pass", "pass")),
		},
	}
}

// snapshotOf is a snapshot of flows (spaces a and b listed, 2 flows each,
// and the own space) with the sources on is.
func (acc account) snapshotOf(on ...string) *snapshot.Snapshot {
	states := map[string]*snapshot.SpaceState{"": space("", true, "", time.Second), "a": space("a", true, "", time.Second), "b": space("b", true, "", time.Second)}
	var sources []*snapshot.SourceState
	for _, name := range on {
		switch name {
		case phonenumbers.Name:
			sources = append(sources, snapshot.NewSourceState(name, client.OperationQueryPhoneNumbers).WithParts(acc.numbers))
		case waba.Name:
			sources = append(sources, snapshot.NewSourceState(name, client.OperationQueryBindWaba).WithParts(acc.wabas))
		case messaginghealth.Name:
			sources = append(sources, snapshot.NewSourceState(name, client.OperationGetHealthStatus).WithParts(acc.health))
		case templates.Name:
			sources = append(sources, snapshot.NewSourceState(name, client.OperationListTemplates).WithParts(acc.templates))
		}
	}
	return snapshot.Snapshot{Completed: true}.WithSpaces(states).WithSources(sources)
}

var allSources = []string{phonenumbers.Name, waba.Name, messaginghealth.Name}

func TestEvaluateSources(t *testing.T) {
	tests := []struct {
		name        string
		change      func(*account)
		on          []string
		timedOut    time.Duration
		want        Status
		wantSummary string
		wantText    []string // in the text report
	}{
		{"everything healthy", nil, allSources, 0,
			OK, "3 spaces, 6 flows, 3 numbers, 2 WABAs bound, 5 health checks", []string{"NUMBERS: WORST", "2: CONNECTED GREEN TIER_1K", "APPROVED", "AVAILABLE"}},
		{"one source on", nil, []string{phonenumbers.Name}, 0,
			OK, "3 spaces, 6 flows, 3 numbers", []string{"NUMBERS: WORST"}},
		{"a number BANNED", func(a *account) {
			a.numbers["a"] = answered(phonenumbers.Numbers{number("111", "BANNED", "GREEN", "TIER_1K"), good("112")})
		}, allSources, 0, Critical, "1 number BANNED; 3 spaces, 6 flows", []string{"2: BANNED GREEN TIER_1K", "a      phone-numbers  number 111 BANNED GREEN TIER_1K (CRITICAL)"}},
		{"a number DELETED", func(a *account) {
			a.numbers["b"] = answered(phonenumbers.Numbers{number("221", "DELETED", "GREEN", "TIER_1K")})
		}, allSources, 0, Critical, "1 number DELETED; 3 spaces, 6 flows", []string{"number 221 DELETED GREEN TIER_1K (CRITICAL)"}},
		{"two numbers RED", func(a *account) {
			a.numbers["a"] = answered(phonenumbers.Numbers{number("111", "CONNECTED", "RED", "TIER_250"), good("112")})
			a.numbers["b"] = answered(phonenumbers.Numbers{number("221", "CONNECTED", "RED", "TIER_1K")})
		}, allSources, 0, Warning, "2 numbers RED; 3 spaces, 6 flows", []string{"2: CONNECTED RED TIER_250", "number 111 CONNECTED RED TIER_250 (WARNING)"}},
		{"the worst first in the summary", func(a *account) {
			a.numbers["a"] = answered(phonenumbers.Numbers{number("111", "FLAGGED", "RED", "TIER_250"), number("112", "BANNED", "YELLOW", "TIER_1K")})
		}, allSources, 0, Critical, "1 number BANNED; 1 number RED, 1 number FLAGGED; 3 spaces, 6 flows", []string{"2: BANNED RED TIER_250"}},
		{"PAUSED, PENDING and an undocumented status are no problem", func(a *account) {
			a.numbers["a"] = answered(phonenumbers.Numbers{number("111", "PAUSED", "UNKNOWN", "TIER_10"), number("112", "WARMING_UP", "PURPLE", "")})
			a.numbers["b"] = answered(phonenumbers.Numbers{number("221", "PENDING", "YELLOW", "TIER_UNLIMITED")})
		}, allSources, 0, OK, "3 spaces, 6 flows, 3 numbers", []string{"2: PAUSED UNKNOWN", "1: PENDING YELLOW TIER_UNLIMITED"}},
		{"a space without a WABA", func(a *account) {
			a.wabas["b"] = answered(waba.WABA{})
			delete(a.health, "b")
			a.health["b"] = answered(health(nil, failedNode("221", client.CodeNoWABA)))
		}, allSources, 0, OK, "3 spaces, 6 flows, 3 numbers, 1 WABA bound, 3 health checks", []string{"not bound"}},
		{"a WABA review PENDING", func(a *account) { a.wabas["a"] = answered(bound("wa", "PENDING")) }, allSources, 0,
			Warning, "1 WABA review PENDING; 3 spaces, 6 flows", []string{"WABA wa review PENDING (WARNING)"}},
		{"WABA reviews REJECTED and not given", func(a *account) {
			a.wabas["a"], a.wabas["b"] = answered(bound("wa", "REJECTED")), answered(bound("wb", ""))
		}, allSources, 0, Warning, "1 WABA review REJECTED, 1 WABA review not given", []string{"review not given"}},
		{"a business BLOCKED, in every answer of its space", func(a *account) {
			blocked := map[string]string{"BUSINESS": "BLOCKED"}
			a.health["a"] = answered(health(wabaNode("wa", blocked), phoneNode("wa", "111", "AVAILABLE", blocked), phoneNode("wa", "112", "AVAILABLE", blocked)))
		}, allSources, 0, Critical, "1 business BLOCKED; 3 spaces, 6 flows", []string{"BLOCKED", "BUSINESS b-wa BLOCKED: 1410BUSINESS (CRITICAL)"}},
		{"the app BLOCKED in every space is one", func(a *account) {
			app := map[string]string{"APP": "BLOCKED"}
			a.health["a"] = answered(health(wabaNode("wa", app), phoneNode("wa", "111", "AVAILABLE", app)))
			a.health["b"] = answered(health(wabaNode("wb", app), phoneNode("wb", "221", "AVAILABLE", app)))
		}, allSources, 0, Critical, "1 app BLOCKED; 3 spaces, 6 flows", []string{"APP  BLOCKED: 1410APP (CRITICAL)"}},
		{"a number BLOCKED and a WABA LIMITED", func(a *account) {
			a.health["a"] = answered(health(wabaNode("wa", map[string]string{"WABA": "LIMITED"}), phoneNode("wa", "111", "BLOCKED", nil), phoneNode("wa", "112", "AVAILABLE", nil)))
		}, allSources, 0, Critical, "1 number BLOCKED; 1 WABA LIMITED; 3 spaces, 6 flows", []string{"PHONE_NUMBER 111 BLOCKED: 141000 (CRITICAL)", "WABA wa LIMITED: 1410WABA (WARNING)"}},
		{"a node LIMITED without an entity saying why", func(a *account) {
			n := wabaNode("wb", nil)
			n.CanSendMessage = "LIMITED"
			a.health["b"] = answered(health(n, phoneNode("wb", "221", "AVAILABLE", nil)))
		}, allSources, 0, Warning, "1 WABA LIMITED", []string{"WABA wb LIMITED (WARNING)"}},
		{"QueryChatappPhoneNumbers denied in every space", func(a *account) {
			a.numbers["a"], a.numbers["b"] = failedPart("Ram.PermissionDeny"), failedPart("Ram.PermissionDeny")
			a.health["a"] = answered(health(wabaNode("wa", nil)))
			a.health["b"] = answered(health(wabaNode("wb", nil)))
		}, allSources, 0, Critical, "QueryChatappPhoneNumbers failed for 2 spaces of 2 (Ram.PermissionDeny); 3 spaces, 6 flows",
			[]string{"FAILED Ram.PermissionDeny", "QueryChatappPhoneNumbers Ram.PermissionDeny (RequestId R-Ram.PermissionDeny): grant cams:QueryChatappPhoneNumbers"}},
		{"QueryChatappBindWaba denied in one space of two", func(a *account) {
			a.wabas["b"] = failedPart("Ram.PermissionDeny")
			a.health["b"] = answered(health(nil, phoneNode("wb", "221", "AVAILABLE", nil)))
		}, allSources, 0, Warning, "QueryChatappBindWaba failed for 1 space of 2 (Ram.PermissionDeny)", []string{"grant cams:QueryChatappBindWaba"}},
		{"Meta failing in every space is not a permission", func(a *account) {
			a.wabas["a"], a.wabas["b"] = failedPart(client.CodeMetaCallFailed), failedPart(client.CodeMetaCallFailed)
			a.health["a"] = answered(health(nil, phoneNode("wa", "111", "AVAILABLE", nil), phoneNode("wa", "112", "AVAILABLE", nil)))
			a.health["b"] = answered(health(nil, phoneNode("wb", "221", "AVAILABLE", nil)))
		}, allSources, 0, Warning, "QueryChatappBindWaba failed for 2 spaces of 2 (ERR-FB-001)", []string{"call to Meta failed"}},
		{"a number's health check answered MAAP-0065", func(a *account) {
			part := answered(health(wabaNode("wa", nil), phoneNode("wa", "111", "AVAILABLE", nil), failedNode("112", client.CodePhoneNotBound)))
			a.health["a"] = part
		}, allSources, 0, Warning, "GetWhatsappHealthStatus failed for 1 space of 2 (ERR-OPERATION-MAAP-0065)",
			[]string{"AVAILABLE, FAILED ERR-OPERATION-MAAP-0065", "not bound to the space"}},
		{"every call without credentials", func(a *account) {
			for _, id := range []string{"a", "b"} {
				a.numbers[id], a.wabas[id] = failedPart(client.CodeCredentials), failedPart(client.CodeCredentials)
				delete(a.health, id)
			}
		}, []string{phonenumbers.Name, waba.Name}, 0, Unknown, "no usable credentials", nil},
		{"cut short", func(a *account) {
			delete(a.numbers, "b")
			a.health["a"] = answered(health(wabaNode("wa", nil), phoneNode("wa", "111", "AVAILABLE", nil)))
		}, allSources, time.Minute, Unknown,
			"QueryChatappPhoneNumbers not finished for 1 space of 2 before --check.timeout 1m0s; GetWhatsappHealthStatus not finished for 1 space of 2 before --check.timeout 1m0s; 3 spaces, 6 flows",
			[]string{"UNFINISHED", "GetWhatsappHealthStatus NotFinished: GetWhatsappHealthStatus: 1 health check of 3 not made when --check.timeout (1m0s) expired"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			acc := healthyAccount()
			if tt.change != nil {
				tt.change(&acc)
			}
			r := Evaluate(Input{Snapshot: acc.snapshotOf(tt.on...), SlowAfter: time.Hour, TimedOut: tt.timedOut})
			var text bytes.Buffer
			if err := r.WriteText(&text); err != nil {
				t.Fatal(err)
			}
			if r.Status != tt.want || !strings.Contains(r.Summary, tt.wantSummary) || r.State != tt.want.String() {
				t.Errorf("got %v %q\nwant %v %q\n%s", r.Status, r.Summary, tt.want, tt.wantSummary, text.String())
			}
			for _, s := range tt.wantText {
				if !strings.Contains(text.String(), s) {
					t.Errorf("the report lacks %q:\n%s", s, text.String())
				}
			}
		})
	}
}

// Every status the judgement names gives its status alone, and counts.
func TestEvaluateNumberStatuses(t *testing.T) {
	for status, want := range map[string]Status{
		"BANNED": Critical, "DELETED": Critical,
		"FLAGGED": Warning, "RESTRICTED": Warning, "RATE_LIMITED": Warning, "DISCONNECTED": Warning, "OFFLINE": Warning,
		"CONNECTED": OK, "PENDING": OK, "MIGRATED": OK, "UNKNOWN": OK, "UNVERIFIED": OK, "PAUSED": OK, "": OK, "_other": OK,
	} {
		acc := healthyAccount()
		acc.numbers["a"] = answered(phonenumbers.Numbers{number("111", status, "GREEN", "TIER_1K"), number("112", status, "GREEN", "TIER_1K")})
		r := Evaluate(Input{Snapshot: acc.snapshotOf(phonenumbers.Name)})
		wantSummary := "3 spaces, 6 flows, 3 numbers"
		if want != OK {
			wantSummary = "2 numbers " + status + "; 3 spaces, 6 flows"
		}
		if r.Status != want || r.Summary != wantSummary {
			t.Errorf("two numbers %q: %v %q, want %v %q", status, r.Status, r.Summary, want, wantSummary)
		}
	}
}

// The flows' judgement and the sources' combine: the worst status, the
// flows' failure named first among the CRITICAL.
func TestEvaluateFlowsAndSources(t *testing.T) {
	acc := healthyAccount()
	acc.numbers["a"] = answered(phonenumbers.Numbers{number("111", "BANNED", "RED", "TIER_1K")})
	snap := acc.snapshotOf(allSources...)
	spaces := map[string]*snapshot.SpaceState{"a": space("a", true, "", time.Second), "b": space("b", false, "Ram.PermissionDeny", 0)}
	snap = snapshot.Snapshot{}.WithSpaces(spaces).WithSources(snap.Sources())
	r := Evaluate(Input{Snapshot: snap, Throttled: 3})
	if want := "1 space of 2 failed; 1 number BANNED; 1 number RED"; r.Status != Critical || r.Summary != want {
		t.Errorf("got %v %q, want CRITICAL %q", r.Status, r.Summary, want)
	}
	// Throttled listings are a WARNING; a RED number another.
	acc = healthyAccount()
	acc.numbers["b"] = answered(phonenumbers.Numbers{number("221", "CONNECTED", "RED", "TIER_1K")})
	r = Evaluate(Input{Snapshot: acc.snapshotOf(allSources...), Throttled: 3})
	if want := "complete, but CAMS throttled 3 calls; 1 number RED"; r.Status != Warning || r.Summary != want {
		t.Errorf("got %v %q, want WARNING %q", r.Status, r.Summary, want)
	}
}

// A source that is off is not mentioned at all: no column, no JSON key,
// no count in the summary; the own space has no result of any source.
func TestEvaluateSourcesOffAreNotMentioned(t *testing.T) {
	acc := healthyAccount()
	for _, tt := range []struct {
		on      []string
		absent  []string
		present []string
	}{
		{nil, []string{`"phone_numbers"`, `"waba"`, `"messaging_health"`, `"templates"`, "NUMBERS", "WABA", "MESSAGING", "TEMPLATES", "bound", "health check", "template"}, nil},
		{[]string{templates.Name}, []string{`"phone_numbers"`, `"waba"`, `"messaging_health"`, "NUMBERS", "MESSAGING", "health check"},
			[]string{`"templates"`, "TEMPLATES", "5 templates"}},
		{[]string{waba.Name}, []string{`"phone_numbers"`, `"messaging_health"`, `"templates"`, "NUMBERS", "MESSAGING", "TEMPLATES", "health check"},
			[]string{`"waba"`, "WABA", "2 WABAs bound"}},
		{[]string{phonenumbers.Name, waba.Name}, []string{`"messaging_health"`, `"templates"`, "MESSAGING", "TEMPLATES", "health check"}, []string{`"phone_numbers"`, `"waba"`}},
	} {
		r := Evaluate(Input{Snapshot: acc.snapshotOf(tt.on...)})
		var out bytes.Buffer
		r.WriteText(&out)
		r.WriteJSON(&out)
		for _, s := range tt.absent {
			if strings.Contains(out.String(), s) {
				t.Errorf("with %v on, the report names %s:\n%s", tt.on, s, out.String())
			}
		}
		for _, s := range tt.present {
			if !strings.Contains(out.String(), s) {
				t.Errorf("with %v on, the report lacks %s:\n%s", tt.on, s, out.String())
			}
		}
		if own := r.Spaces[0]; own.Space != "" || own.PhoneNumbers != nil || own.WABA != nil || own.MessagingHealth != nil || own.Templates != nil {
			t.Errorf("the own space has source results: %+v", own)
		}
	}
}

// The JSON report keeps today's fields and gives each source's result
// per space.
func TestEvaluateSourcesJSON(t *testing.T) {
	acc := healthyAccount()
	acc.numbers["a"] = answered(phonenumbers.Numbers{number("111", "FLAGGED", "RED", "TIER_250"), good("112")})
	acc.wabas["b"] = failedPart("Ram.PermissionDeny")
	blocked := map[string]string{"BUSINESS": "BLOCKED"}
	acc.health["a"] = answered(health(wabaNode("wa", blocked), phoneNode("wa", "111", "LIMITED", blocked), phoneNode("wa", "112", "AVAILABLE", blocked)))
	acc.health["b"] = answered(health(nil, phoneNode("wb", "221", "AVAILABLE", nil)))
	var js bytes.Buffer
	Evaluate(Input{Snapshot: acc.snapshotOf(allSources...)}).WriteJSON(&js)
	var got struct {
		Status, Summary string
		Spaces          []map[string]json.RawMessage
	}
	if err := json.Unmarshal(js.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Status != "CRITICAL" || got.Summary != "1 business BLOCKED; 1 number RED, 1 number FLAGGED; QueryChatappBindWaba failed for 1 space of 2 (Ram.PermissionDeny); 1 number LIMITED; 3 spaces, 6 flows" {
		t.Errorf("status %s %q", got.Status, got.Summary)
	}
	a := got.Spaces[1]
	for key, want := range map[string]string{
		"space": `"a"`, "ok": `true`, "flows": `2`, "flows_by_category": `{"SURVEY":2}`,
		"phone_numbers": `{"ok":true,"count":2,"worst_status":"FLAGGED","worst_quality_rating":"RED","lowest_messaging_limit_tier":"TIER_250",` +
			`"problems":[{"phone_number":"111","severity":"WARNING","status":"FLAGGED","quality_rating":"RED","messaging_limit_tier":"TIER_250"}]}`,
		"waba": `{"ok":true,"bound":true,"waba_id":"wa","business_id":"b-wa","account_review_status":"APPROVED"}`,
		"messaging_health": `{"ok":true,"can_send_message":"BLOCKED",` +
			`"numbers":[{"phone_number":"111","can_send_message":"BLOCKED"},{"phone_number":"112","can_send_message":"BLOCKED"}],` +
			`"entities":[{"entity_type":"BUSINESS","entity_id":"b-wa","can_send_message":"BLOCKED","error_codes":["1410BUSINESS"]},` +
			`{"entity_type":"PHONE_NUMBER","entity_id":"111","can_send_message":"LIMITED","error_codes":["141000"]}]}`,
	} {
		if compact(t, a[key]) != want {
			t.Errorf("space a's %s:\n got %s\nwant %s", key, compact(t, a[key]), want)
		}
	}
	b := got.Spaces[2]
	var w struct {
		OK     bool
		Error  struct{ Code, RequestID string }
		Remedy string
		Bound  bool
	}
	if err := json.Unmarshal(b["waba"], &w); err != nil || w.OK || w.Bound || w.Error.Code != "Ram.PermissionDeny" || !strings.Contains(w.Remedy, "grant cams:QueryChatappBindWaba") {
		t.Errorf("space b's waba: %s (%v)", b["waba"], err)
	}
}

func compact(t *testing.T, raw json.RawMessage) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatalf("%s: %v", raw, err)
	}
	return b.String()
}

// At 10,000 spaces with three numbers each, an app BLOCKED in every answer
// is one app, and every RED number is counted.
func TestEvaluateSourcesAtScale(t *testing.T) {
	const spaces = 10_000
	acc := account{numbers: map[string]*snapshot.SpacePart{}, wabas: map[string]*snapshot.SpacePart{}, health: map[string]*snapshot.SpacePart{}}
	states := map[string]*snapshot.SpaceState{}
	app := map[string]string{"APP": "BLOCKED"}
	for i := range spaces {
		id := fmt.Sprintf("cams-%05d", i)
		states[id] = space(id, true, "", time.Millisecond)
		w := "w" + id
		nums := phonenumbers.Numbers{good(id + "1"), good(id + "2"), number(id+"3", "CONNECTED", "RED", "TIER_250")}
		acc.numbers[id], acc.wabas[id] = answered(nums), answered(bound(w, "APPROVED"))
		var phones []messaginghealth.Answer
		for _, n := range nums {
			phones = append(phones, phoneNode(w, n.PhoneNumber, "AVAILABLE", app))
		}
		acc.health[id] = answered(health(wabaNode(w, app), phones...))
	}
	snap := snapshot.Snapshot{}.WithSpaces(states).WithSources(acc.snapshotOf(allSources...).Sources())
	r := Evaluate(Input{Snapshot: snap})
	if want := "1 app BLOCKED; 10000 numbers RED; 10000 spaces, 20000 flows"; r.Status != Critical || r.Summary != want {
		t.Errorf("got %v %q, want CRITICAL %q", r.Status, r.Summary, want)
	}
}

// The messaging health of a space it asked nothing (its WABA not read, no
// number known) is absent, not OK: nothing is known of it.
func TestEvaluateHealthNotAsked(t *testing.T) {
	acc := healthyAccount()
	acc.wabas["b"] = failedPart("Ram.PermissionDeny")
	delete(acc.health, "b")
	r := Evaluate(Input{Snapshot: acc.snapshotOf(waba.Name, messaginghealth.Name)})
	a, b := r.Spaces[1], r.Spaces[2]
	if a.MessagingHealth == nil || !a.MessagingHealth.OK || b.MessagingHealth != nil {
		t.Errorf("messaging health of a %+v, of b %+v; want a's OK, b's absent", a.MessagingHealth, b.MessagingHealth)
	}
	if want := "QueryChatappBindWaba failed for 1 space of 2 (Ram.PermissionDeny); 3 spaces, 6 flows"; r.Status != Warning || r.Summary != want {
		t.Errorf("got %v %q, want WARNING %q", r.Status, r.Summary, want)
	}
}
