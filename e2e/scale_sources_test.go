package e2e

import (
	"cmp"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/templates"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

// The sources' part of the 10,000-space model (--collector.phone-numbers,
// --collector.waba, --collector.messaging-health, --collector.templates): 3
// numbers in most spaces (12 in the 5 largest, 1 in some, none in the 2%
// without a WABA), a known mix of statuses, quality ratings and tiers,
// numbers whose messaging limit falls at every scrape, WABAs in review or
// rejected, a business shared by 400 spaces that Meta BLOCKED, 5 to 11
// message templates a space with a known mix of statuses and categories
// (scale_templates_test.go), and each collector's own failing, pending and
// stale spaces.

// scaleSource is one collector of the model and its figures.
type scaleSource struct {
	name, operation string
	// interval is --<name>.interval; pass the expected pass at the
	// configured rate; rate the limiter's current rate.
	interval, pass time.Duration
	rate           float64
}

// period is the collector's refresh period: the longer of its interval and
// its expected pass.
func (s scaleSource) period() time.Duration { return max(s.interval, s.pass) }

// The collectors, in wiring order; a space's parts are in this order too.
const (
	scaleNumbers = iota
	scaleWABA
	scaleHealth
	scaleTemplates
)

var scaleSources = []scaleSource{
	// 9,999 calls at 8/s; and (9,800 WABAs + 29,000 numbers) at 4/s.
	{phonenumbers.Name, client.OperationQueryPhoneNumbers, 15 * time.Minute, 21 * time.Minute, 8},
	{waba.Name, client.OperationQueryBindWaba, 6 * time.Hour, 21 * time.Minute, 4}, // throttled: halved
	{messaginghealth.Name, client.OperationGetHealthStatus, time.Hour, 162 * time.Minute, 4},
	// 30,000 pages at 4/s.
	{templates.Name, client.OperationListTemplates, time.Hour, 125 * time.Minute, 4},
}

// scaleSourceFailing are each collector's failing spaces, by index: some
// with data kept from their last success, some never answered.
var scaleSourceFailing = []struct {
	source   int
	from, to int
	code     string
	hasData  bool
}{
	{scaleNumbers, 9000, 9050, "Ram.PermissionDeny", true},
	{scaleNumbers, 9050, 9060, "Ram.PermissionDeny", false},
	{scaleWABA, 9100, 9110, "InternalError", true},
	{scaleHealth, 9200, 9240, client.CodeMetaCallFailed, true},
	{scaleHealth, 9240, 9245, client.CodeMetaCallFailed, false},
	// The space of every trouble (scaleTroubled): its health is failing too.
	{scaleHealth, scaleTroubled, scaleTroubled + 1, client.CodeMetaCallFailed, true},
	{scaleTemplates, 9300, 9320, "Ram.PermissionDeny", true},
	{scaleTemplates, 9320, 9325, "Ram.PermissionDeny", false},
}

// scaleSourcePendingFrom is, per collector, the first of the last spaces
// that the collector has not called yet; the account's own space is
// pending for every collector (it has no call), and so are the spaces
// without a WABA for messaging health (nothing to ask).
var scaleSourcePendingFrom = [...]int{scaleNumbers: 9980, scaleWABA: 9990, scaleHealth: 9900, scaleTemplates: 9950}

const (
	// scaleTroubled is a space with every trouble (one of the 25 largest,
	// so 12 numbers): numbers BANNED, FLAGGED and RED, RESTRICTED, three
	// whose limit falls, a REJECTED WABA (BLOCKED), and failing messaging
	// health. The chosen spaces of the test hold it.
	scaleTroubled = 3
	// scaleDecreasers are the spaces, one number each, whose messaging
	// limit falls at every scrape, as scaleTroubled's first three numbers.
	scaleDecreasersFrom, scaleDecreasersTo = 36, 42
	// scaleApp is the ISV's Meta app, an entity of every space.
	scaleApp = "300000000000001"
	// scaleSharedBusiness is a business the WABAs of 400 spaces belong to
	// (i%25 == 9); Meta BLOCKED it.
	scaleSharedBusiness = "200000000000009"
)

// scaleFallingTiers are the tiers a falling number goes through, one a
// scrape, starting again at the top after the last.
var scaleFallingTiers = []string{"TIER_UNLIMITED", "TIER_100K", "TIER_10K", "TIER_2K", "TIER_1K", "TIER_250", "TIER_50"}

// scaleNumber is a phone number of the model.
type scaleNumber struct {
	id, status, rating, tier string
	// falling is 1 + the phase of a number whose tier falls at every
	// scrape (scaleFallingTiers); 0 for the others.
	falling int
}

// tierAt is the number's tier as served at the scrape-th scrape.
func (n scaleNumber) tierAt(scrape int) string {
	if n.falling == 0 {
		return n.tier
	}
	return scaleFallingTiers[(scrape+n.falling-1)%len(scaleFallingTiers)]
}

// limitAt is the number's messaging limit at the scrape-th scrape, as the
// documentation maps tiers; false for a tier that stands for none.
func (n scaleNumber) limitAt(scrape int) (float64, bool) {
	limits := map[string]float64{"TIER_50": 50, "TIER_250": 250, "TIER_1K": 1000, "TIER_2K": 2000, "TIER_10K": 10000,
		"TIER_100K": 100000, "TIER_UNLIMITED": math.Inf(1), "UNLIMITED": math.Inf(1)}
	v, ok := limits[n.tierAt(scrape)]
	return v, ok
}

// severity ranks a number for "Numbers needing attention": 3 BANNED or
// DELETED, 2 FLAGGED, RESTRICTED, RATE_LIMITED, DISCONNECTED or OFFLINE, 1
// quality RED, 0 fine.
func (n scaleNumber) severity() float64 {
	switch n.status {
	case "BANNED", "DELETED":
		return 3
	case "FLAGGED", "RESTRICTED", "RATE_LIMITED", "DISCONNECTED", "OFFLINE":
		return 2
	}
	if n.rating == "RED" {
		return 1
	}
	return 0
}

// health is whether the number can send (its PHONE_NUMBER entity) and the
// error code Meta gives why not.
func (n scaleNumber) health() (string, string) {
	switch n.status {
	case "BANNED":
		return "BLOCKED", "141001"
	case "DELETED":
		return "BLOCKED", "141000"
	case "RESTRICTED", "RATE_LIMITED":
		return "LIMITED", ""
	}
	return "AVAILABLE", ""
}

// scaleNumberOf is the k-th number of space i.
func scaleNumberOf(i, k int) scaleNumber {
	n := scaleNumber{id: fmt.Sprintf("8613%05d%03d", i, k), status: "CONNECTED", rating: "GREEN", tier: []string{"TIER_1K", "TIER_10K"}[(i+k)%2]}
	switch {
	case i == scaleTroubled && k < 3:
		n.falling = 1 + 2*k
	case i >= scaleDecreasersFrom && i <= scaleDecreasersTo && k == 0:
		n.falling = 1 + i - scaleDecreasersFrom
	case i == scaleTroubled && k == 3, k == 1 && i%500 == 11:
		n.status = "BANNED"
	case k == 2 && i%1000 == 311:
		n.status = "DELETED"
	case i == scaleTroubled && k == 4, k == 0 && i%100 == 17:
		n.status = "FLAGGED"
		if i%200 != 117 {
			n.rating = "RED"
		}
	case i == scaleTroubled && k == 5, k == 2 && i%250 == 33:
		n.status = "RESTRICTED"
	case k == 1 && i%700 == 222:
		n.status = "RATE_LIMITED"
	case i == scaleTroubled && k == 6, k == 1 && i%90 == 41:
		n.rating = "RED"
	case k == 0 && i%20 == 3:
		n.rating = "YELLOW"
	case k == 2 && i%333 == 1:
		n.tier = "TIER_1000" // one CAMS page's name: no limit known
	}
	return n
}

// scaleWABAModel is a space's WABA: its id, its business's, its review
// status, whether it can send and the error code why not.
type scaleWABAModel struct {
	id, business, review, health, code string
}

// scaleWABAOf is space i's WABA.
func scaleWABAOf(i int) scaleWABAModel {
	w := scaleWABAModel{id: fmt.Sprintf("1%014d", i), business: fmt.Sprintf("2%014d", i), review: "APPROVED", health: "AVAILABLE"}
	if i%25 == 9 {
		w.business = scaleSharedBusiness
	}
	switch {
	case i == scaleTroubled, i%1000 == 145:
		w.review, w.health, w.code = "REJECTED", "BLOCKED", "141008"
	case i%2500 == 245:
		w.review, w.health, w.code = "DISABLED", "BLOCKED", "141008"
	case i%300 == 45:
		w.review = "PENDING"
	case i%1500 == 777:
		w.health, w.code = "BLOCKED", "141006" // payment method
	case i%400 == 99:
		w.health = "LIMITED"
	}
	return w
}

// businessHealth is whether a space's business can send, and why not.
func (w scaleWABAModel) businessHealth(i int) (string, string) {
	switch {
	case w.business == scaleSharedBusiness:
		return "BLOCKED", "141010"
	case i%700 == 123:
		return "LIMITED", ""
	}
	return "AVAILABLE", ""
}

// scalePart is a space's state for one collector.
type scalePart struct {
	code    string // of the last error; "" while up
	hasData bool
	// lastSuccess is when the last call succeeded (zero without data); a
	// mover's is the time of the scrape.
	lastSuccess time.Time
	mover       bool
}

// scaleSourceSpace is a space's part of the sources' model.
type scaleSourceSpace struct {
	bound   bool          // a WABA is bound to the space
	numbers []scaleNumber // none when unbound
	waba    scaleWABAModel
	parts   [4]*scalePart // by collector; nil while pending
}

// addSources gives the spaces of a their numbers, WABA and health, and each
// collector's state, from a random stream of their own (the flows' stay
// what they were).
func (a *scaleAccount) addSources(r *rand.Rand) {
	for i, sp := range a.spaces {
		src := &sp.src
		src.bound = i > 0 && i%50 != 13
		if src.bound {
			n := 3
			switch {
			case i <= 5:
				n = 12
			case i%40 == 7:
				n = 1
			}
			for k := range n {
				src.numbers = append(src.numbers, scaleNumberOf(i, k))
			}
			src.waba = scaleWABAOf(i)
		}
		for c, s := range scaleSources {
			if i == 0 || i >= scaleSourcePendingFrom[c] || c == scaleHealth && !src.bound {
				continue
			}
			p := &scalePart{hasData: true}
			for _, f := range scaleSourceFailing {
				if f.source == c && i >= f.from && i < f.to {
					p.code, p.hasData = f.code, f.hasData
				}
			}
			if p.hasData {
				p.lastSuccess = a.start.Add(-scaleSourceAge(r, s.period(), p.code == "") - time.Duration(i)*time.Millisecond)
			}
			p.mover = c == scaleNumbers && slices.ContainsFunc(src.numbers, func(n scaleNumber) bool { return n.falling > 0 }) ||
				c == scaleTemplates && i == scaleTroubled
			src.parts[c] = p
		}
	}
}

// scaleSourceAge is how old a collector's data of a space is at the start,
// in periods: within 0.75 for most, 1.25 to 1.75 or 2.25 to 2.75 for some,
// 3.25 to 3 days for a failing space. A quarter of a period (5 minutes for
// phone numbers) keeps each space in its bucket while the test runs.
func scaleSourceAge(r *rand.Rand, period time.Duration, up bool) time.Duration {
	p := float64(period)
	if !up {
		return time.Duration(3.25*p + r.Float64()*float64(72*time.Hour))
	}
	switch x := r.IntN(100); {
	case x < 5:
		return time.Duration((1.25 + 0.5*r.Float64()) * p)
	case x < 7:
		return time.Duration((2.25 + 0.5*r.Float64()) * p)
	}
	return time.Duration(0.75 * r.Float64() * p)
}

// part is the space's part of collector c as published before the
// scrape-th scrape, at now; nil while pending.
func (sp *scaleSpace) part(c, scrape int, now time.Time) *snapshot.SpacePart {
	p := sp.src.parts[c]
	if p == nil {
		return nil
	}
	part := &snapshot.SpacePart{Up: p.code == "", HasData: p.hasData, LastAttempt: now, LastSuccess: p.lastSuccess}
	if p.mover {
		part.LastSuccess = now
	}
	if p.code != "" {
		part.LastError = &snapshot.ErrorInfo{Code: p.code, Message: "the model's failure", Class: "permanent"}
	}
	if !p.hasData {
		return part
	}
	switch c {
	case scaleNumbers:
		part.Data = sp.numbersData(scrape)
	case scaleWABA:
		part.Data = sp.wabaData()
	case scaleHealth:
		part.Data = sp.healthData(now)
	case scaleTemplates:
		part.Data = sp.templatesData(scrape)
	}
	return part
}

// numbersData is the space's numbers as the phone-numbers source keeps them.
func (sp *scaleSpace) numbersData(scrape int) phonenumbers.Numbers {
	out := phonenumbers.Numbers{}
	for _, n := range sp.src.numbers {
		out = append(out, phonenumbers.Number{PhoneNumber: n.id, Status: n.status, QualityRating: n.rating, MessagingLimitTier: n.tierAt(scrape),
			CodeVerificationStatus: "VERIFIED", NameStatus: "APPROVED", VerifiedName: "Model " + sp.id, IsOfficial: "N"})
	}
	slices.SortFunc(out, func(a, b phonenumbers.Number) int { return cmp.Compare(a.PhoneNumber, b.PhoneNumber) })
	return out
}

// wabaData is the space's WABA as the waba source keeps it.
func (sp *scaleSpace) wabaData() waba.WABA {
	if !sp.src.bound {
		return waba.WABA{}
	}
	w := sp.src.waba
	return waba.WABA{Bound: true, ID: w.id, BusinessID: w.business, AccountReviewStatus: w.review, Name: "Model " + sp.id, Currency: "USD"}
}

// entity is one of the space's health entities as Meta answers it.
func entity(typ, id, canSend, code string) messaginghealth.Entity {
	e := messaginghealth.Entity{Type: typ, ID: id, CanSendMessage: canSend}
	if code != "" {
		e.Errors = []messaginghealth.Error{{Code: code, Description: "the model's reason", Solution: "the model's remedy"}}
	}
	return e
}

// healthData is the space's messaging health as the messaging-health
// source keeps it: its WABA's node (the WABA, its business, the app) and
// each number's (the number, then the same three); a node can send as its
// worst entity.
func (sp *scaleSpace) healthData(checked time.Time) messaginghealth.Health {
	w := sp.src.waba
	business, businessCode := w.businessHealth(sp.index)
	shared := []messaginghealth.Entity{entity("WABA", w.id, w.health, w.code), entity("BUSINESS", w.business, business, businessCode), entity("APP", scaleApp, "AVAILABLE", "")}
	node := func(number string, entities []messaginghealth.Entity) messaginghealth.Answer {
		n := messaginghealth.Answer{Node: messaginghealth.Node{PhoneNumber: number, Checked: checked, CanSendMessage: "AVAILABLE"}, Entities: entities}
		for _, e := range entities {
			n.CanSendMessage = worse(n.CanSendMessage, e.CanSendMessage)
		}
		if number == "" {
			n.WabaID = w.id
		}
		return n
	}
	wabaNode := node("", shared)
	var phones []messaginghealth.Answer
	for _, n := range sp.src.numbers {
		canSend, code := n.health()
		phones = append(phones, node(n.id, append([]messaginghealth.Entity{entity("PHONE_NUMBER", n.id, canSend, code)}, shared...)))
	}
	return messaginghealth.FromAnswers(&wabaNode, phones...)
}

// worse returns the worse of two CanSendMessage values.
func worse(a, b string) string {
	rank := map[string]int{"AVAILABLE": 0, "LIMITED": 1, "BLOCKED": 2}
	if rank[b] > rank[a] {
		return b
	}
	return a
}

// sourceStates are the collectors' states as published before the
// scrape-th scrape, at now.
func (a *scaleAccount) sourceStates(scrape int, now time.Time) []*snapshot.SourceState {
	var out []*snapshot.SourceState
	for c, s := range scaleSources {
		parts := map[string]*snapshot.SpacePart{}
		for _, sp := range a.spaces {
			if p := sp.part(c, scrape, now); p != nil {
				parts[sp.id] = p
			}
		}
		st := snapshot.NewSourceState(s.name, s.operation)
		st.Interval, st.ExpectedPass = s.interval, s.pass
		out = append(out, st.WithParts(parts))
	}
	return out
}

// movedSourceStates are states with the movers' parts as published before
// the scrape-th scrape, at now: what the collectors changed since.
func (a *scaleAccount) movedSourceStates(states []*snapshot.SourceState, scrape int, now time.Time) []*snapshot.SourceState {
	out := slices.Clone(states)
	for c, st := range states {
		changed := map[string]*snapshot.SpacePart{}
		for _, sp := range a.spaces {
			if p := sp.src.parts[c]; p != nil && p.mover {
				changed[sp.id] = sp.part(c, scrape, now)
			}
		}
		if len(changed) > 0 {
			out[c] = st.WithParts(changed)
		}
	}
	return out
}
