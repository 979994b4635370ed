package main

import (
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

// withSources returns snap with the parts of every source (phone numbers,
// WABA, messaging health) for each of its spaces, as the engine would
// publish them once every call succeeded: numbers numbers a space, mostly
// CONNECTED and GREEN (one in ten FLAGGED and YELLOW), their tiers mixed; a
// WABA bound to 19 spaces in 20 (one business for 50 spaces, one app for
// all); the health of the WABA and of each number, one number in 50
// LIMITED; 1 % of parts failing with their data kept.
func withSources(snap *snapshot.Snapshot, seed int64, numbers int) *snapshot.Snapshot {
	r := rand.New(rand.NewPCG(uint64(seed), 3))
	now := time.Now()
	nums, wabas, health := map[string]*snapshot.SpacePart{}, map[string]*snapshot.SpacePart{}, map[string]*snapshot.SpacePart{}
	part := func(data any) *snapshot.SpacePart {
		p := &snapshot.SpacePart{Up: true, HasData: true, LastSuccess: now.Add(-time.Duration(r.Int64N(int64(time.Hour)))), Data: data}
		p.LastAttempt = p.LastSuccess
		if r.IntN(100) == 0 {
			p.Up, p.LastAttempt = false, now
			p.LastError = &snapshot.ErrorInfo{Code: "System.LimitControl", Message: "Request was denied due to flow control.", Class: "throttled"}
		}
		return p
	}
	for i, id := range snap.SpaceIDs() {
		var ns phonenumbers.Numbers
		var wabaNode *messaginghealth.Answer
		var phones []messaginghealth.Answer
		w := waba.WABA{}
		if r.IntN(20) != 0 {
			w = waba.WABA{Bound: true, ID: strconv.Itoa(100000000000 + i), BusinessID: strconv.Itoa(200000000000 + i%50), AccountReviewStatus: "APPROVED", Name: "Account " + strconv.Itoa(i), Currency: "USD"}
			wabaNode = &messaginghealth.Answer{Node: messaginghealth.Node{WabaID: w.ID, Checked: now, CanSendMessage: "AVAILABLE"}, Entities: []messaginghealth.Entity{
				{Type: "APP", ID: "300000000000", CanSendMessage: "AVAILABLE"},
				{Type: "BUSINESS", ID: w.BusinessID, CanSendMessage: "AVAILABLE"},
				{Type: "WABA", ID: w.ID, CanSendMessage: "AVAILABLE"},
			}}
		}
		for j := range numbers {
			n := phonenumbers.Number{
				PhoneNumber: "86138" + strconv.Itoa(10000000+i*numbers+j), Status: "CONNECTED", QualityRating: "GREEN",
				MessagingLimitTier:     []string{"TIER_1K", "TIER_10K", "TIER_100K", "TIER_UNLIMITED", "TIER_250"}[r.IntN(5)],
				CodeVerificationStatus: "VERIFIED", NameStatus: "APPROVED", VerifiedName: "Shop " + strconv.Itoa(i),
			}
			if r.IntN(10) == 0 {
				n.Status, n.QualityRating = "FLAGGED", "YELLOW"
			}
			ns = append(ns, n)
			node := messaginghealth.Answer{Node: messaginghealth.Node{PhoneNumber: n.PhoneNumber, Checked: now, CanSendMessage: "AVAILABLE"},
				Entities: []messaginghealth.Entity{{Type: "PHONE_NUMBER", ID: n.PhoneNumber, CanSendMessage: "AVAILABLE"}}}
			if r.IntN(50) == 0 {
				node.CanSendMessage = "LIMITED"
				node.Entities[0].CanSendMessage = "LIMITED"
				node.Entities[0].Errors = []messaginghealth.Error{{Code: "131049", Description: "Message limit reached."}}
			}
			phones = append(phones, node)
		}
		nums[id], wabas[id], health[id] = part(ns), part(w), part(messaginghealth.FromAnswers(wabaNode, phones...))
	}
	states := []*snapshot.SourceState{
		snapshot.NewSourceState(phonenumbers.Name, client.OperationQueryPhoneNumbers).WithParts(nums),
		snapshot.NewSourceState(waba.Name, client.OperationQueryBindWaba).WithParts(wabas),
		snapshot.NewSourceState(messaginghealth.Name, client.OperationGetHealthStatus).WithParts(health),
	}
	for i, iv := range []time.Duration{15 * time.Minute, 6 * time.Hour, time.Hour} {
		states[i].Interval, states[i].ExpectedPass = iv, time.Duration(len(nums))*time.Second/8
	}
	return snap.WithSources(states)
}

// metricsOptions returns the collector options of the scrape part, with
// every source's series if sources: new ones at every call, since a
// source's series keep the families of the one schema they are given to.
func metricsOptions(sources bool) collector.Options {
	opts := collector.Options{RefreshInterval: 5 * time.Minute, LimiterRate: func() float64 { return 4 }}
	if sources {
		opts.Sources = []collector.SourceSeries{&phonenumbers.Series{}, &waba.Series{}, &messaginghealth.Series{}}
		opts.SourceRates = map[string]func() float64{
			phonenumbers.Name: func() float64 { return 8 }, waba.Name: func() float64 { return 8 }, messaginghealth.Name: func() float64 { return 4 },
		}
	}
	return opts
}
