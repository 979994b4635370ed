package health

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/templates"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

// The sources' names and operations, written out rather than read from
// their packages.
const (
	phoneNumbers    = "phone-numbers"
	wabas           = "waba"
	messagingHealth = "messaging-health"
	templateSource  = "templates"
)

var operations = map[string]string{
	phoneNumbers: "QueryChatappPhoneNumbers", wabas: "QueryChatappBindWaba", messagingHealth: "GetWhatsappHealthStatus",
	templateSource: "ListChatappTemplate",
}

// sourceState is the state of the source name with parts.
func sourceState(name string, interval, pass time.Duration, folded uint64, parts map[string]*snapshot.SpacePart) *snapshot.SourceState {
	st := snapshot.NewSourceState(name, operations[name]).WithParts(parts)
	st.Interval, st.ExpectedPass, st.Folded = interval, pass, folded
	return st
}

// upPart is a part whose last call, ago before t0, succeeded with data.
func upPart(ago time.Duration, data any) *snapshot.SpacePart {
	at := t0.Add(-ago)
	return &snapshot.SpacePart{Up: true, HasData: true, LastSuccess: at, LastAttempt: at, Data: data}
}

// downPart is a part whose last call (at t0) failed with code; data is
// kept from a success an hour before, or nil for none.
func downPart(code string, data any) *snapshot.SpacePart {
	p := &snapshot.SpacePart{LastAttempt: t0, LastError: &snapshot.ErrorInfo{Code: code, Message: "failed: " + code, RequestID: "REQ-" + code, Class: "permanent"}}
	if data != nil {
		p.HasData, p.LastSuccess, p.Data = true, t0.Add(-time.Hour), data
	}
	return p
}

// number is a number of space i: CONNECTED, GREEN, TIER_1K, unless set.
func number(i, j int, status, rating string) phonenumbers.Number {
	return phonenumbers.Number{PhoneNumber: fmt.Sprintf("86%05d%04d", i, j), Status: status, QualityRating: rating,
		MessagingLimitTier: "TIER_1K", CodeVerificationStatus: "VERIFIED", NameStatus: "APPROVED",
		VerifiedName: fmt.Sprintf("Shop %d number %d", i, j), IsOfficial: "false"}
}

// numbersOf returns n numbers of space i, all fine.
func numbersOf(i, n int) phonenumbers.Numbers {
	out := make(phonenumbers.Numbers, n)
	for j := range n {
		out[j] = number(i, j, "CONNECTED", "GREEN")
	}
	return out
}

// wabaOf is space i's WABA, APPROVED.
func wabaOf(i int) waba.WABA {
	return waba.WABA{Bound: true, ID: fmt.Sprintf("waba-%d", i), BusinessID: "biz-1", AccountReviewStatus: "APPROVED", Name: fmt.Sprintf("Shop %d", i), Currency: "USD"}
}

// healthAnswers are what Meta answered of a space's WABA and numbers.
type healthAnswers struct {
	waba   *messaginghealth.Answer
	phones []messaginghealth.Answer
}

// health is what the source keeps of the answers.
func (a healthAnswers) health() messaginghealth.Health {
	return messaginghealth.FromAnswers(a.waba, a.phones...)
}

// healthAnswersOf is what Meta says of space i's WABA and numbers: every
// node and entity AVAILABLE; the WABA, the business and the app in each
// node, the number in its own.
func healthAnswersOf(i int, numbers phonenumbers.Numbers) healthAnswers {
	shared := func() []messaginghealth.Entity {
		return []messaginghealth.Entity{
			{Type: "WABA", ID: fmt.Sprintf("waba-%d", i), CanSendMessage: "AVAILABLE"},
			{Type: "BUSINESS", ID: "biz-1", CanSendMessage: "AVAILABLE"},
			{Type: "APP", ID: "app-1", CanSendMessage: "AVAILABLE"},
		}
	}
	a := healthAnswers{waba: &messaginghealth.Answer{Node: messaginghealth.Node{WabaID: fmt.Sprintf("waba-%d", i), Checked: t0.Add(-time.Hour), CanSendMessage: "AVAILABLE"}, Entities: shared()}}
	for _, n := range numbers {
		a.phones = append(a.phones, messaginghealth.Answer{Node: messaginghealth.Node{PhoneNumber: n.PhoneNumber, Checked: t0.Add(-2 * time.Hour), CanSendMessage: "AVAILABLE"},
			Entities: append(shared(), messaginghealth.Entity{Type: "PHONE_NUMBER", ID: n.PhoneNumber, CanSendMessage: "AVAILABLE"})})
	}
	return a
}

// healthOf is what the source keeps of healthAnswersOf(i, numbers).
func healthOf(i int, numbers phonenumbers.Numbers) messaginghealth.Health {
	return healthAnswersOf(i, numbers).health()
}

// withHealth returns e BLOCKED (or LIMITED: canSend) with one error of
// code.
func withHealth(e messaginghealth.Entity, canSend, code string) messaginghealth.Entity {
	e.CanSendMessage = canSend
	e.Errors = []messaginghealth.Error{{Code: code, Description: "Meta says " + code, Solution: "fix " + code}}
	return e
}

// sourcesAccount is pageAccount(n) with the three sources on: space i has
// perSpace numbers (every 97th space's first number RED and every 101st's
// BANNED), its WABA (every 89th PENDING) and their health (every 103rd
// space's business BLOCKED); every 11th space's numbers call fails with
// Ram.PermissionDeny, without data.
func sourcesAccount(n, perSpace int) *snapshot.Snapshot {
	numbers, wabaParts, health := map[string]*snapshot.SpacePart{}, map[string]*snapshot.SpacePart{}, map[string]*snapshot.SpacePart{}
	for i := range n {
		id := fmt.Sprintf("cams-%06d", i)
		ns := numbersOf(i, perSpace)
		if perSpace > 0 && i%97 == 5 {
			ns[0].QualityRating = "RED"
		}
		if perSpace > 0 && i%101 == 7 {
			ns[0].Status = "BANNED"
		}
		w := wabaOf(i)
		if i%89 == 1 {
			w.AccountReviewStatus = "PENDING"
		}
		answers := healthAnswersOf(i, ns)
		if i%103 == 2 {
			answers.waba.CanSendMessage, answers.waba.Entities[1] = "BLOCKED", withHealth(answers.waba.Entities[1], "BLOCKED", "141010")
		}
		h := answers.health()
		numbers[id] = upPart(time.Minute, ns)
		if i%11 == 4 {
			numbers[id] = downPart("Ram.PermissionDeny", nil)
		}
		wabaParts[id], health[id] = upPart(time.Hour, w), upPart(time.Hour, h)
	}
	return pageAccount(n).WithSources([]*snapshot.SourceState{
		sourceState(phoneNumbers, 15*time.Minute, time.Duration(n)*time.Second/8, 0, numbers),
		sourceState(wabas, 6*time.Hour, time.Duration(n)*time.Second/8, 0, wabaParts),
		sourceState(messagingHealth, time.Hour, time.Duration(n*(perSpace+1))*time.Second/4, 2, health),
	})
}

// hostileText is size bytes of the character JSON and HTML escape the
// longest, after prefix.
func hostileText(prefix string, size int) string {
	return prefix + strings.Repeat("<", max(size-len(prefix), 0))
}

// tmpl is template j of space i in English: UTILITY, status, named
// after its code.
func tmpl(i, j int, status string) templates.Kept {
	code := fmt.Sprintf("t%05d_%03d", i, j)
	return templates.Kept{Code: code, Language: "en_US", Category: "UTILITY", AuditStatus: status, Name: "Name of " + code,
		Updated: t0.Add(-24 * time.Hour).UnixMilli()}
}

// templatesOf is a listing of n templates of space i, all pass, Total n,
// in the listing's order (by code).
func templatesOf(i, n int) templates.Templates {
	t := templates.Templates{Total: n, Pages: 1 + n/20, List: make([]templates.Kept, n)}
	for j := range n {
		t.List[j] = tmpl(i, j, "pass")
	}
	return t
}

// withStatus returns t with its template j of status and reason; t's list
// is not changed.
func withStatus(t templates.Templates, j int, status, reason string) templates.Templates {
	t.List = slices.Clone(t.List)
	t.List[j].AuditStatus, t.List[j].Reason = status, reason
	return t
}

// withTemplates is snap with the templates source on: every space of snap
// with perSpace templates, all pass but in every 13th space template 0
// paused, in every 17th template 1 disabled, in every 211th every one
// failed review (none usable); every 29th space's listing gave 2 fewer
// than its Total. Every 11th space's listing fails with
// Ram.PermissionDeny, without data.
func withTemplates(snap *snapshot.Snapshot, perSpace int) *snapshot.Snapshot {
	parts := map[string]*snapshot.SpacePart{}
	for id := range snap.All() {
		var i int
		if _, err := fmt.Sscanf(id, "cams-%d", &i); err != nil {
			continue
		}
		parts[id] = upPart(30*time.Minute, templatesAccountSpace(i, perSpace))
		if i%11 == 4 {
			parts[id] = downPart("Ram.PermissionDeny", nil)
		}
	}
	return snap.WithSources(append(slices.Clone(snap.Sources()), sourceState(templateSource, time.Hour, 2*time.Hour, 0, parts)))
}

// templatesAccountSpace is space i's templates in withTemplates.
func templatesAccountSpace(i, perSpace int) templates.Templates {
	t := templatesOf(i, perSpace)
	switch {
	case i%211 == 3:
		for j := range perSpace {
			t = withStatus(t, j, "fail", "contains a variable at the end")
		}
	case i%13 == 6 && i%17 == 8:
		t = withStatus(withStatus(t, 0, "paused", ""), 1, "disabled", "")
	case i%13 == 6:
		t = withStatus(t, 0, "paused", "")
	case i%17 == 8:
		t = withStatus(t, 1, "disabled", "")
	}
	if i%29 == 10 {
		t.Total = perSpace + 2
		t.Disagreement = fmt.Sprintf("%d templates at the last page, fewer than the Total of %d", perSpace, perSpace+2)
	}
	return t
}
