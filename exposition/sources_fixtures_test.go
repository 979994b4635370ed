package exposition

import (
	"math/rand/v2"
	"reflect"
	"strconv"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

// withSources returns opts with the series of the three sources on, and
// their limiters' rates.
func withSources(opts collector.Options) collector.Options {
	opts.Sources = []collector.SourceSeries{&phonenumbers.Series{}, &waba.Series{}, &messaginghealth.Series{}}
	opts.SourceRates = map[string]func() float64{
		phonenumbers.Name:    func() float64 { return 8 },
		waba.Name:            func() float64 { return 8 },
		messaginghealth.Name: func() float64 { return 2.5 },
	}
	return opts
}

// ownSeries returns opts with series of its sources of their own: a
// source's series keep the families of the schema they were given to, so
// two schemas (the handler's and the reference's) must not share them.
func ownSeries(opts collector.Options) collector.Options {
	sources := make([]collector.SourceSeries, len(opts.Sources))
	for i, src := range opts.Sources {
		sources[i] = reflect.New(reflect.TypeOf(src).Elem()).Interface().(collector.SourceSeries)
	}
	opts.Sources = sources
	return opts
}

// sourceStates makes the states of the three sources, their figures set.
func sourceStates(numbers, wabas, health map[string]*snapshot.SpacePart) []*snapshot.SourceState {
	n := snapshot.NewSourceState(phonenumbers.Name, client.OperationQueryPhoneNumbers).WithParts(numbers)
	n.Interval, n.ExpectedPass, n.Folded = 15*time.Minute, 21*time.Minute, 3
	w := snapshot.NewSourceState(waba.Name, client.OperationQueryBindWaba).WithParts(wabas)
	w.Interval, w.ExpectedPass = 6*time.Hour, 1250*time.Millisecond
	h := snapshot.NewSourceState(messaginghealth.Name, client.OperationGetHealthStatus).WithParts(health)
	h.Interval, h.ExpectedPass = time.Hour, 2*time.Hour
	return []*snapshot.SourceState{n, w, h}
}

// oddSourcesSnapshot is oddSnapshot with the three sources' parts, whose
// values need escaping (quotes, backslashes, newlines, non-ASCII; sources
// keep valid UTF-8) in spaces whose ids need it too: numbers of every
// kind of tier (mapped, unlimited, unmapped, none), a space without
// numbers, an unbound WABA, failing parts with and without data kept, a
// part of a space the flows do not have, health nodes never answered,
// entities limited and blocked with an error code given twice, and a
// source the schema does not have.
func oddSourcesSnapshot() *snapshot.Snapshot {
	const quoted, bad = `cams-"quoted"`, "back\\slash\nand\xffbad"
	throttled := &snapshot.ErrorInfo{Code: "System.LimitControl", Class: "throttled"}
	numbers := map[string]*snapshot.SpacePart{
		"": {Up: true, HasData: true, LastSuccess: t0, LastAttempt: t0, Data: phonenumbers.Numbers{
			{PhoneNumber: "+86\"138\\", Status: "new\nstatus", QualityRating: "ünï", MessagingLimitTier: "TIER_10", NameStatus: "Pending_Review"},
			{PhoneNumber: "+8613800000001", Status: "CONNECTED", QualityRating: "GREEN", MessagingLimitTier: "TIER_1K", CodeVerificationStatus: "VERIFIED", NameStatus: "APPROVED", VerifiedName: "Shop \"One\""},
			{PhoneNumber: "+8613800000002", Status: "FLAGGED", QualityRating: "RED", MessagingLimitTier: "TIER_UNLIMITED", CodeVerificationStatus: "EXPIRED", NameStatus: "DECLINED"},
			{PhoneNumber: "+8613800000003"},
		}},
		quoted:       {HasData: true, LastSuccess: t0.Add(-time.Hour), LastAttempt: t0, LastError: throttled, Data: phonenumbers.Numbers{{PhoneNumber: "+1", Status: "BANNED", QualityRating: "UNKNOWN", MessagingLimitTier: "TIER_50"}}},
		bad:          {Up: true, HasData: true, LastSuccess: t0, LastAttempt: t0, Data: phonenumbers.Numbers{}},
		"cams-never": {LastAttempt: t0, LastError: &snapshot.ErrorInfo{Code: "Ram.PermissionDeny", Class: "permanent"}},
		"cams-only-numbers": {Up: true, HasData: true, LastSuccess: t0, Data: phonenumbers.Numbers{
			{PhoneNumber: "+449", Status: "_other", QualityRating: "YELLOW", MessagingLimitTier: "UNLIMITED"},
		}},
	}
	wabas := map[string]*snapshot.SpacePart{
		"":     {Up: true, HasData: true, LastSuccess: t0, Data: waba.WABA{Bound: true, ID: "waba-1", BusinessID: "biz-1", AccountReviewStatus: "APPROVED", Name: "Never a label"}},
		quoted: {Up: true, HasData: true, LastSuccess: t0, Data: waba.WABA{}},
		bad:    {HasData: true, LastSuccess: t0.Add(-time.Hour), LastAttempt: t0, LastError: &snapshot.ErrorInfo{Code: "HTTP_503"}, Data: waba.WABA{Bound: true, ID: "w\"a\\b\n", BusinessID: "ünï", AccountReviewStatus: "_other"}},
	}
	health := map[string]*snapshot.SpacePart{
		"": {Up: true, HasData: true, LastSuccess: t0, Data: messaginghealth.FromAnswers(
			&messaginghealth.Answer{Node: messaginghealth.Node{WabaID: "waba-1", Checked: t0, CanSendMessage: "LIMITED"}, Entities: []messaginghealth.Entity{
				{Type: "WABA", ID: "waba-1", CanSendMessage: "LIMITED", Errors: []messaginghealth.Error{{Code: "141010", Description: "Never a label"}, {Code: "141010"}}},
				{Type: "BUSINESS", ID: "biz-1", CanSendMessage: "AVAILABLE"},
				{Type: "APP", ID: "app \"1\"", CanSendMessage: "BLOCKED", Errors: []messaginghealth.Error{{Code: "odd\\code\n"}}},
			}},
			messaginghealth.Answer{Node: messaginghealth.Node{PhoneNumber: "+8613800000001", Checked: t0, CanSendMessage: "AVAILABLE"}, Entities: []messaginghealth.Entity{
				{Type: "PHONE_NUMBER", ID: "+8613800000001", CanSendMessage: "AVAILABLE"},
				{Type: "BUSINESS", ID: "biz-1", CanSendMessage: "AVAILABLE"},
			}},
			messaginghealth.Answer{Node: messaginghealth.Node{PhoneNumber: "+8613800000002", Checked: t0, CanSendMessage: "BLOCKED"}, Entities: []messaginghealth.Entity{
				{Type: "PHONE_NUMBER", ID: "+8613800000002", CanSendMessage: "BLOCKED", Errors: []messaginghealth.Error{{Code: "131031"}, {Code: "131042"}}},
			}},
			messaginghealth.Answer{Node: messaginghealth.Node{PhoneNumber: "+8613800000003", Checked: t0, LastError: &snapshot.ErrorInfo{Code: "Timeout"}}},
		)},
		quoted: {LastAttempt: t0, LastError: throttled},
		bad: {HasData: true, LastSuccess: t0, LastAttempt: t0, LastError: &snapshot.ErrorInfo{Code: "CHAT.APIError"}, Data: messaginghealth.FromAnswers(
			&messaginghealth.Answer{Node: messaginghealth.Node{WabaID: "w\"a\\b\n", CanSendMessage: "AVAILABLE"}, Entities: []messaginghealth.Entity{{Type: "WABA", ID: "w\"a\\b\n", CanSendMessage: "AVAILABLE"}}},
		)},
	}
	ghost := snapshot.NewSourceState("ghost", "GhostOperation").WithParts(map[string]*snapshot.SpacePart{"": {Up: true, HasData: true, LastSuccess: t0}})
	return oddSnapshot().WithSources(append(sourceStates(numbers, wabas, health), ghost))
}

// withTestSources returns snap with the three sources' parts for each of
// its spaces, shaped like the simulator's generated account: numbers
// numbers a space, mostly CONNECTED and GREEN, a WABA bound to most spaces
// (one business for 50 spaces, one app for all), the health of the WABA
// and of each number, 2 % of entities limited, 1 % of parts failing with
// their data kept.
func withTestSources(snap *snapshot.Snapshot, numbers int) *snapshot.Snapshot {
	r := rand.New(rand.NewPCG(3, 4))
	nums, wabas, health := map[string]*snapshot.SpacePart{}, map[string]*snapshot.SpacePart{}, map[string]*snapshot.SpacePart{}
	part := func(data any) *snapshot.SpacePart {
		p := &snapshot.SpacePart{Up: true, HasData: true, LastSuccess: t0.Add(time.Duration(r.Int64N(int64(time.Hour)))), Data: data}
		p.LastAttempt = p.LastSuccess
		if r.IntN(100) == 0 {
			p.Up, p.LastError = false, &snapshot.ErrorInfo{Code: "System.LimitControl", Class: "throttled"}
		}
		return p
	}
	for i, id := range snap.SpaceIDs() {
		var ns phonenumbers.Numbers
		var wabaNode *messaginghealth.Answer
		var phones []messaginghealth.Answer
		w := waba.WABA{}
		if r.IntN(20) != 0 {
			w = waba.WABA{Bound: true, ID: "waba-" + strconv.Itoa(i), BusinessID: "biz-" + strconv.Itoa(i%50), AccountReviewStatus: "APPROVED", Name: "Account " + strconv.Itoa(i)}
			wabaNode = &messaginghealth.Answer{Node: messaginghealth.Node{WabaID: w.ID, Checked: t0, CanSendMessage: "AVAILABLE"}, Entities: []messaginghealth.Entity{
				{Type: "WABA", ID: w.ID, CanSendMessage: "AVAILABLE"},
				{Type: "BUSINESS", ID: w.BusinessID, CanSendMessage: "AVAILABLE"},
				{Type: "APP", ID: "app-1", CanSendMessage: "AVAILABLE"},
			}}
		}
		for j := range numbers {
			n := phonenumbers.Number{
				PhoneNumber: "+86138" + strconv.Itoa(10000000+i*numbers+j), Status: "CONNECTED", QualityRating: "GREEN",
				MessagingLimitTier:     []string{"TIER_1K", "TIER_10K", "TIER_UNLIMITED", "TIER_250"}[r.IntN(4)],
				CodeVerificationStatus: "VERIFIED", NameStatus: "APPROVED", VerifiedName: "Shop " + strconv.Itoa(i),
			}
			if r.IntN(10) == 0 {
				n.Status, n.QualityRating = "FLAGGED", "YELLOW"
			}
			ns = append(ns, n)
			node := messaginghealth.Answer{Node: messaginghealth.Node{PhoneNumber: n.PhoneNumber, Checked: t0, CanSendMessage: "AVAILABLE"},
				Entities: []messaginghealth.Entity{{Type: "PHONE_NUMBER", ID: n.PhoneNumber, CanSendMessage: "AVAILABLE"}}}
			if r.IntN(50) == 0 {
				node.CanSendMessage = "LIMITED"
				node.Entities[0].CanSendMessage = "LIMITED"
				node.Entities[0].Errors = []messaginghealth.Error{{Code: "131049", Description: "Limited."}}
			}
			phones = append(phones, node)
		}
		nums[id], wabas[id], health[id] = part(ns), part(w), part(messaginghealth.FromAnswers(wabaNode, phones...))
	}
	return snap.WithSources(sourceStates(nums, wabas, health))
}
