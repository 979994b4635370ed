package main

import (
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/simulator"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/templates"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

// withSources returns snap with the parts of every source (phone numbers,
// WABA, messaging health) for each of its spaces, as the engine would
// publish them once every call succeeded: numbers numbers a space, mostly
// CONNECTED and GREEN (one in ten FLAGGED and YELLOW), their tiers mixed; a
// WABA bound to 19 spaces in 20 (one business for 50 spaces, one app for
// all); the health of the WABA and of each number, one number in 50
// LIMITED; with templates above 0, that many message templates in each space
// with a WABA (simulator.AddTemplates: about 90 % pass, 6.5 % fail, paused or
// disabled), as the templates source keeps them (templateParts); 1 % of
// parts failing with their data kept.
func withSources(snap *snapshot.Snapshot, seed int64, numbers, templatesPerSpace int) *snapshot.Snapshot {
	r := rand.New(rand.NewPCG(uint64(seed), 3))
	now := time.Now()
	nums, wabas, health := map[string]*snapshot.SpacePart{}, map[string]*snapshot.SpacePart{}, map[string]*snapshot.SpacePart{}
	// The spaces of the templates' data set, a WABA where waba's part has one.
	ids := snap.SpaceIDs()
	accounts := &simulator.Dataset{Spaces: make([]simulator.Space, 0, len(ids))}
	part := func(data any) *snapshot.SpacePart {
		p := &snapshot.SpacePart{Up: true, HasData: true, LastSuccess: now.Add(-time.Duration(r.Int64N(int64(time.Hour)))), Data: data}
		p.LastAttempt = p.LastSuccess
		if r.IntN(100) == 0 {
			p.Up, p.LastAttempt = false, now
			p.LastError = &snapshot.ErrorInfo{Code: "System.LimitControl", Message: "Request was denied due to flow control.", Class: "throttled"}
		}
		return p
	}
	for i, id := range ids {
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
		accounts.Spaces = append(accounts.Spaces, simulator.Space{ID: id})
		if w.Bound {
			accounts.Spaces[i].WABA = &simulator.WABA{Id: w.ID, BusinessId: w.BusinessID}
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
	if templatesPerSpace > 0 {
		simulator.AddTemplates(seed, accounts, templatesPerSpace)
		listed := templateParts(newDatasetAPI(accounts), ids, now)
		parts, pages := make(map[string]*snapshot.SpacePart, len(listed)), 0
		for _, id := range ids {
			parts[id] = part(listed[id].Data)
			pages += templates.Of(listed[id].Data).Pages
		}
		st := snapshot.NewSourceState(templates.Name, client.OperationListTemplates).WithParts(parts)
		st.Interval, st.ExpectedPass = templates.DefaultInterval, time.Duration(pages)*time.Second/4
		states = append(states, st)
	}
	return snap.WithSources(states)
}

// metricsOptions returns the collector options of the scrape part, with
// the series of phone numbers, WABA and messaging health if sources, and
// of templates (default flags: no cams_template_info) if withTemplates:
// new ones at every call, since a source's series keep the families of the
// one schema they are given to.
func metricsOptions(sources, withTemplates bool) collector.Options {
	opts := collector.Options{RefreshInterval: 5 * time.Minute, LimiterRate: func() float64 { return 4 }}
	if sources {
		opts.Sources = []collector.SourceSeries{&phonenumbers.Series{}, &waba.Series{}, &messaginghealth.Series{}}
		opts.SourceRates = map[string]func() float64{
			phonenumbers.Name: func() float64 { return 8 }, waba.Name: func() float64 { return 8 }, messaginghealth.Name: func() float64 { return 4 },
		}
	}
	if withTemplates {
		opts.Sources = append(opts.Sources, &templates.Series{})
		if opts.SourceRates == nil {
			opts.SourceRates = map[string]func() float64{}
		}
		opts.SourceRates[templates.Name] = func() float64 { return 4 }
	}
	return opts
}
