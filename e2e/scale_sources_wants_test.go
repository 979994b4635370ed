package e2e

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
)

// sourceWants are the answers of the collectors' panels' queries that the
// model implies with the spaces of sel chosen, at time at, when Prometheus
// holds the scrapes sc, by panel title and refId.
func (a *scaleAccount) sourceWants(sel []*scaleSpace, at time.Time, sc scrapes) map[string]want {
	w := map[string]want{}
	addAll(w, a.numberWants(sel, sc))
	addAll(w, a.wabaWants(sel))
	addAll(w, a.healthWants(sel))
	addAll(w, a.collectorWants(sel, at))
	addAll(w, a.templateWants(sel, at, sc))
	return w
}

func addAll(dst, src map[string]want) {
	for k, v := range src {
		dst[k] = v
	}
}

// withData returns the spaces of sel that have data of collector c.
func withData(sel []*scaleSpace, c int) []*scaleSpace {
	var out []*scaleSpace
	for _, sp := range sel {
		if p := sp.src.parts[c]; p != nil && p.hasData {
			out = append(out, sp)
		}
	}
	return out
}

// key joins label values as checkWants does.
func key(values ...string) string { return strings.Join(values, "/") }

// count is a want of one series without labels: what count(...) or
// vector(0) answers.
func count(n int) want { return want{values: map[string]float64{"": float64(n)}} }

func (a *scaleAccount) numberWants(sel []*scaleSpace, sc scrapes) map[string]want {
	scrape := sc.number
	total, notConnected, red := 0, 0, 0
	byStatus, byRating, byTier := map[string]float64{}, map[string]float64{}, map[string]float64{}
	worst := map[string]float64{}
	now, highest := map[string]float64{}, map[string]float64{}
	perSpace := make([]int, 5) // 0, 1, 2-3, 4-10, more
	for _, sp := range withData(sel, scaleNumbers) {
		numbers := sp.src.numbers
		total += len(numbers)
		switch n := len(numbers); {
		case n <= 1:
			perSpace[n]++
		case n <= 3:
			perSpace[2]++
		case n <= 10:
			perSpace[3]++
		default:
			perSpace[4]++
		}
		for _, n := range numbers {
			if n.status != "CONNECTED" {
				notConnected++
			}
			if n.rating == "RED" {
				red++
			}
			tier := n.tierAt(scrape)
			byStatus[n.status]++
			byRating[n.rating]++
			byTier[tier]++
			if s := n.severity(); s > 0 {
				worst[key(sp.id, n.id, n.status, n.rating, tier)] = s
			}
			// The limit now below its highest in the range: the
			// scrapes Prometheus holds.
			limit, ok := n.limitAt(scrape)
			high := math.Inf(-1)
			for _, h := range sc.held {
				if v, ok := n.limitAt(h); ok {
					high = max(high, v)
				}
			}
			if ok && limit < high {
				now[key(sp.id, n.id)], highest[key(sp.id, n.id)] = limit, high
			}
		}
	}
	numberLabels := []string{"space", "phone_number", "status", "quality_rating", "messaging_limit_tier"}
	w := map[string]want{
		"Phone numbers/B":                   count(notConnected),
		"Phone numbers/C":                   count(red),
		"Phone numbers/D":                   count(len(now)),
		"Numbers by status/A":               {labels: []string{"status"}, values: byStatus},
		"Numbers by quality rating/A":       {labels: []string{"quality_rating"}, values: byRating},
		"Numbers by messaging limit tier/A": {labels: []string{"messaging_limit_tier"}, values: byTier},
		"Numbers needing attention/A":       {labels: numberLabels, values: worst, top: 20},
		"Messaging limit decreases/A":       {labels: []string{"space", "phone_number"}, values: now, top: 20, bottom: true},
		"Messaging limit decreases/B":       {labels: []string{"space", "phone_number"}, values: highest},
	}
	if len(now) > 20 {
		panic("the model's decreases are more than the table lists: Messaging limit decreases/B would need a want of the same 20")
	}
	if len(withData(sel, scaleNumbers)) > 0 {
		w["Phone numbers/A"] = count(total)
	}
	for i, n := range perSpace {
		w[fmt.Sprintf("Spaces by phone number count/%c", 'A'+i)] = count(n)
	}
	return w
}

func (a *scaleAccount) wabaWants(sel []*scaleSpace) map[string]want {
	bound, unbound := 0, 0
	byReview, notApproved := map[string]float64{}, map[string]float64{}
	for _, sp := range withData(sel, scaleWABA) {
		if !sp.src.bound {
			unbound++
			continue
		}
		bound++
		wb := sp.src.waba
		byReview[wb.review]++
		switch wb.review {
		case "APPROVED":
		case "REJECTED", "DISABLED":
			notApproved[key(sp.id, wb.id, wb.business, wb.review)] = 2
		default:
			notApproved[key(sp.id, wb.id, wb.business, wb.review)] = 1
		}
	}
	return map[string]want{
		"WABA binding/A":                 count(bound),
		"WABA binding/B":                 count(unbound),
		"Spaces by WABA review status/A": {labels: []string{"account_review_status"}, values: byReview},
		"WABAs not approved/A":           {labels: []string{"space", "waba_id", "business_id", "account_review_status"}, values: notApproved, top: 20},
	}
}

func (a *scaleAccount) healthWants(sel []*scaleSpace) map[string]want {
	nodes := map[string]float64{}
	entities := map[string]map[string]bool{} // type/id/can send: spaces
	codes := map[string]map[string]bool{}    // code: spaces
	for _, sp := range withData(sel, scaleHealth) {
		h := sp.healthData(time.Time{})
		nodes[key("waba", h.WABA.CanSendMessage)]++
		for _, n := range h.Phones {
			nodes[key("phone", n.CanSendMessage)]++
		}
		for _, e := range h.Entities {
			if e.CanSendMessage == "AVAILABLE" {
				continue
			}
			k := key(e.Type, e.ID, e.CanSendMessage)
			if entities[k] == nil {
				entities[k] = map[string]bool{}
			}
			entities[k][sp.id] = true
			for _, er := range e.Errors {
				if codes[er.Code] == nil {
					codes[er.Code] = map[string]bool{}
				}
				codes[er.Code][sp.id] = true
			}
		}
	}
	byType, bySpaces, byCode := map[string]float64{}, map[string]float64{}, map[string]float64{}
	for k, spaces := range entities {
		typ, rest, _ := strings.Cut(k, "/")
		_, canSend, _ := strings.Cut(rest, "/")
		byType[key(typ, canSend)]++
		bySpaces[k] = float64(len(spaces))
	}
	for code, spaces := range codes {
		byCode[code] = float64(len(spaces))
	}
	return map[string]want{
		"Nodes by can_send_message/A":      {labels: []string{"node", "can_send_message"}, values: nodes},
		"Entities not available by type/A": {labels: []string{"entity_type", "can_send_message"}, values: byType},
		"Spaces by health error code/A":    {labels: []string{"error_code"}, values: byCode},
		"Entities not available/A":         {labels: []string{"entity_type", "entity_id", "can_send_message"}, values: bySpaces, top: 20},
	}
}

func (a *scaleAccount) collectorWants(sel []*scaleSpace, at time.Time) map[string]want {
	states, pass, interval, rates := map[string]float64{}, map[string]float64{}, map[string]float64{}, map[string]float64{}
	for c, s := range scaleSources {
		parts, up := 0, 0
		for _, sp := range a.spaces {
			if p := sp.src.parts[c]; p != nil {
				parts++
				if p.code == "" {
					up++
				}
			}
		}
		states[key(s.name, "pending")] = float64(scaleSpaces + scalePending - parts)
		states[key(s.name, "up")] = float64(up)
		states[key(s.name, "down")] = float64(parts - up)
		pass[s.name], interval[s.name], rates[s.name] = s.pass.Seconds(), s.interval.Seconds(), s.rate
	}
	byCode, failing := map[string]float64{}, map[string]float64{}
	ages := make([]map[string]float64, 6) // by bucket, then collector
	for i := range ages {
		ages[i] = map[string]float64{}
	}
	for c, s := range scaleSources {
		for _, sp := range sel {
			p := sp.src.parts[c]
			if p == nil {
				continue
			}
			age := math.Inf(1)
			if p.hasData {
				age = 0.0 // a mover's
				if !p.mover {
					age = at.Sub(p.lastSuccess).Seconds()
				}
			}
			if p.code != "" {
				byCode[key(s.name, p.code)]++
				failing[key(s.name, sp.id, p.code)] = age
			}
			if !p.hasData {
				ages[5][s.name]++
				continue
			}
			periods := age / s.period().Seconds()
			for i, b := range []struct{ lo, hi float64 }{{math.Inf(-1), 1}, {1, 2}, {2, 3}, {3, 10}, {10, math.Inf(1)}} {
				if periods > b.lo && periods <= b.hi {
					ages[i][s.name]++
				}
			}
		}
	}
	throttled := map[string]float64{}
	for _, c := range scaleAPICalls {
		switch c.op {
		case client.OperationQueryPhoneNumbers, client.OperationQueryBindWaba, client.OperationGetHealthStatus, client.OperationListTemplates:
			throttled[c.op] += 0
			if c.code == "System.LimitControl" || c.code == "Throttling.User" {
				throttled[c.op] += float64(c.n)
			}
		}
	}
	w := map[string]want{
		"Collector spaces by state/A":        {labels: []string{"collector", "state"}, values: states},
		"Collector pass and interval/A":      {labels: []string{"collector"}, values: pass},
		"Collector pass and interval/B":      {labels: []string{"collector"}, values: interval},
		"Collector limiter rates/A":          {labels: []string{"collector"}, values: rates},
		"Collector limiter rates/B":          {labels: []string{"operation"}, values: throttled, ranked: true},
		"Failing collector spaces by code/A": {labels: []string{"collector", "code"}, values: byCode},
		"Collector spaces failing/A":         {labels: []string{"collector", "space", "code"}, values: failing, top: 20, tol: ageTolerance},
		"API errors by operation/A":          {labels: []string{"operation"}, values: apiErrors(), ranked: true},
	}
	for i, byCollector := range ages {
		w[fmt.Sprintf("Collector data age/%c", 'A'+i)] = want{labels: []string{"collector"}, values: byCollector}
	}
	return w
}

// apiErrors are the errors each scrape adds, by operation: every operation
// the exporter expects has a series, 0 without errors.
func apiErrors() map[string]float64 {
	out := map[string]float64{}
	for _, c := range scaleAPICalls {
		out[c.op] += 0
		if c.code != client.CodeOK && c.code != client.CodeNoWABA {
			out[c.op] += float64(c.n)
		}
	}
	return out
}
