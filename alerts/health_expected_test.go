package alerts

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
)

// The thresholds and durations of the sources' alerts, as RUNBOOK.md
// documents them.
const (
	collectorStormShare = 0.1
	collectorStormMin   = 10
	collectorStormFor   = 5
	staleMargin         = 3 // periods
	staleFor            = 5
	entityFor           = 1
	perSpaceFor         = 5 // messaging, numbers, limits, WABAs
	limitWindow         = 60
	limitStep           = 5
	pendingDay          = 24 * 60
)

var credentialsCode = map[string]bool{"Credentials": true, "SignatureDoesNotMatch": true, "IncompleteSignature": true}

func isCredentialsCode(code string) bool {
	return credentialsCode[code] || strings.HasPrefix(code, "InvalidSecurityToken.") ||
		strings.HasPrefix(code, "InvalidAccessKeyId.") || strings.HasPrefix(code, "InvalidTimeStamp.")
}

// healthAlerts is what the rules must fire over a healthAccount's series,
// minute by minute: computed from the model and from what RUNBOOK.md says
// each alert means, never from the rules. An alert's labels identify it:
// one that fires at minute k has been present with the same labels at
// every evaluation of its for: window.
type healthAlerts struct {
	h *healthAccount
	// sample is the spaces whose own series are in the promtool input.
	sample []int
	// The model's views, by space and minute.
	numbersCache   map[[2]int][]phoneNumber
	wabaCache      map[[2]int]*waba
	healthCache    map[[2]int]*healthView
	templatesCache map[[2]int]*templatesView
	// perSpaceCache holds a per-space alert's alerts by alert, space and
	// minute.
	perSpaceCache map[perSpaceKey]keyed
	// storm[collector][code][k], firing likewise: the recording rule and
	// CAMSCollectorManySpacesFailing.
	storm, firing map[string]map[string][]bool
	// waveStorm[status][k], waveFiring likewise, waveCount the spaces: the
	// message templates' waves (templateWaves).
	waveStorm, waveFiring map[string][]bool
	waveCount             map[string][]int
	// ambiguous lists what Prometheus 2 and 3 could see differently (the
	// edge of a window): a scenario must have none.
	ambiguous []string
	// noErrorInfo: the promtool input has no cams_messaging_health_error_info
	// (the whole account's entities, without the rest).
	noErrorInfo bool
}

func newHealthAlerts(h *healthAccount, sample []int) *healthAlerts {
	a := &healthAlerts{h: h, sample: sample,
		numbersCache: map[[2]int][]phoneNumber{}, wabaCache: map[[2]int]*waba{}, healthCache: map[[2]int]*healthView{},
		templatesCache: map[[2]int]*templatesView{},
		perSpaceCache:  map[perSpaceKey]keyed{},
		storm:          map[string]map[string][]bool{}, firing: map[string]map[string][]bool{}}
	n := h.flows.samples
	for collector, m := range h.sources() {
		counts := map[string][]int{}
		for i := range m.failFrom {
			for k := range n {
				if st, _ := h.sourceAt(collector, i, k); st.code != "" {
					if counts[st.code] == nil {
						counts[st.code] = make([]int, n)
					}
					counts[st.code][k]++
				}
			}
		}
		a.storm[collector], a.firing[collector] = map[string][]bool{}, map[string][]bool{}
		for code, count := range counts {
			storm, firing := make([]bool, n), make([]bool, n)
			for k := range n {
				share := float64(count[k]) / float64(m.spaces)
				storm[k] = (!isCredentialsCode(code) && count[k] >= collectorStormMin && share > collectorStormShare) ||
					(count[k] > 0 && k > 0 && firing[k-1])
				firing[k] = held(k, collectorStormFor, func(j int) bool { return storm[j] })
			}
			a.storm[collector][code], a.firing[collector][code] = storm, firing
		}
	}
	return a
}

// cached returns cache[i, k], computing it with f the first time.
func cached[V any](cache map[[2]int]V, i, k int, f func(i, k int) V) V {
	v, ok := cache[[2]int{i, k}]
	if !ok {
		v = f(i, k)
		cache[[2]int{i, k}] = v
	}
	return v
}

func (a *healthAlerts) numbers(i, k int) []phoneNumber {
	return cached(a.numbersCache, i, k, a.h.numbersView)
}

func (a *healthAlerts) waba(i, k int) *waba { return cached(a.wabaCache, i, k, a.h.wabaView) }

func (a *healthAlerts) health(i, k int) *healthView {
	return cached(a.healthCache, i, k, a.h.healthView)
}

func (a *healthAlerts) minute(k int) float64 { return a.h.flows.at(k) }

// keyed is the alerts an alert expression yields at one evaluation, by
// their labels.
type keyed map[string]expAlert

// heldAlerts returns the alerts of at that fire at k with that for: the
// ones present at every minute of the window, with their labels and
// annotations of minute k.
func heldAlerts(k, forMinutes int, at func(j int) keyed) []expAlert {
	if k < forMinutes {
		return nil
	}
	now := at(k)
	if len(now) == 0 {
		return nil
	}
	held := maps.Clone(now)
	for j := k - forMinutes; j < k && len(held) > 0; j++ {
		then := at(j)
		maps.DeleteFunc(held, func(key string, _ expAlert) bool { _, ok := then[key]; return !ok })
	}
	var out []expAlert
	for _, key := range slices.Sorted(maps.Keys(held)) {
		out = append(out, now[key])
	}
	return out
}

func (a *healthAlerts) alert(labels map[string]string, summary, description, anchor string) expAlert {
	l := map[string]string{"job": "cams", "instance": a.h.flows.instance}
	maps.Copy(l, labels)
	for k, v := range l {
		if v == "" {
			delete(l, k) // an empty label is no label
		}
	}
	return expAlert{ExpLabels: l, ExpAnnotations: map[string]string{"summary": summary, "description": description, "runbook_url": runbookURL + anchor}}
}

func (a *healthAlerts) where(i int) string { return "space " + a.h.spaceID(i) }

// expect returns the alerts that fire at minute k, the per-space ones for
// the spaces given, the others as the promtool input has them (the
// sample's series, the failing spaces' error info).
func (a *healthAlerts) expect(alert string, k int, spaces []int) []expAlert {
	switch alert {
	case "CAMSCollectorManySpacesFailing":
		return a.collectorStorms(k)
	case "CAMSCollectorDataStale":
		return heldAlerts(k, staleFor, a.stale)
	case "CAMSMessagingEntityBlocked":
		return heldAlerts(k, entityFor, func(j int) keyed { return a.entities(j, spaces, "BLOCKED") })
	case "CAMSMessagingEntityLimited":
		return heldAlerts(k, entityFor, func(j int) keyed { return a.entities(j, spaces, "LIMITED") })
	case "CAMSMessagingBlocked":
		return a.perSpace(alert, k, spaces, func(i, j int) keyed { return a.messaging(i, j, "BLOCKED") })
	case "CAMSMessagingLimited":
		return a.perSpace(alert, k, spaces, func(i, j int) keyed { return a.messaging(i, j, "LIMITED") })
	case "CAMSPhoneNumberUnusable", "CAMSPhoneNumberDegraded", "CAMSPhoneNumberQualityRed":
		return a.perSpace(alert, k, spaces, func(i, j int) keyed { return a.numberAlerts(alert, i, j) })
	case "CAMSMessagingLimitDecreased":
		return heldAlerts(k, perSpaceFor, func(j int) keyed { return a.limitDecreased(j, spaces) })
	case "CAMSWabaReviewNotApproved":
		return a.perSpace(alert, k, spaces, a.wabaReview)
	case "CAMSTemplatePaused":
		return a.perSpace(alert, k, spaces, a.templatePaused)
	case "CAMSTemplateUnusable":
		return a.perSpace(alert, k, spaces, a.templateUnusable)
	case "CAMSTemplatesAllUnusable":
		return a.perSpace(alert, k, spaces, a.templatesNoneUsable)
	case "CAMSTemplateProblemsInManySpaces":
		return a.waves(k, false)
	case "CAMSManySpacesWithoutUsableTemplate":
		return a.waves(k, true)
	case "CAMSRefreshIntervalOutOfReach":
		return outOfReach(alert, k)
	}
	return nil // the flows are healthy: every other alert is silent
}

type perSpaceKey struct {
	alert string
	i, k  int
}

func (a *healthAlerts) perSpace(alert string, k int, spaces []int, at func(i, j int) keyed) []expAlert {
	var out []expAlert
	for _, i := range spaces {
		out = append(out, heldAlerts(k, perSpaceFor, func(j int) keyed {
			key := perSpaceKey{alert, i, j}
			v, ok := a.perSpaceCache[key]
			if !ok {
				v = at(i, j)
				a.perSpaceCache[key] = v
			}
			return v
		})...)
	}
	return out
}

func (a *healthAlerts) collectorStorms(k int) []expAlert {
	var out []expAlert
	for _, collector := range slices.Sorted(maps.Keys(a.firing)) {
		spaces := a.h.sources()[collector].spaces
		for _, code := range slices.Sorted(maps.Keys(a.firing[collector])) {
			if !a.firing[collector][code][k] {
				continue
			}
			n := 0
			for i := range a.h.sources()[collector].failFrom {
				if st, _ := a.h.sourceAt(collector, i, k); st.code == code {
					n++
				}
			}
			out = append(out, a.alert(map[string]string{"severity": "warning", "collector": collector, "code": code},
				"Many CAMS spaces fail one collector's calls with the same error code.",
				fmt.Sprintf("%d spaces of collector %s on %s (%s of them) failed their last call with %s: one cause. Their %s data keeps its last value and ages; /status lists them.",
					n, collector, a.h.flows.instance, humanizePercentage(float64(n)/float64(spaces)), code, collector),
				"camscollectormanyspacesfailing"))
		}
	}
	return out
}

// stale counts the sampled spaces whose data of a collector is stale at
// minute k, by collector and the code of a storm they fail with.
func (a *healthAlerts) stale(k int) keyed {
	counts := map[[2]string]int{}
	t := a.minute(k)
	for collector, m := range a.h.sources() {
		period := math.Max(m.interval, float64(m.spaces)/m.rate)
		for _, i := range a.sample {
			st, ok := a.h.sourceAt(collector, i, k)
			if !ok || !st.listed {
				continue
			}
			old := !math.IsNaN(st.lastSuccess) && t-st.lastSuccess > staleMargin*period
			never := math.IsNaN(st.lastSuccess) && !st.up && t > staleMargin*period // started at 0
			if !old && !never {
				continue
			}
			code := ""
			if st.code != "" && a.storm[collector][st.code] != nil && a.storm[collector][st.code][k] {
				code = st.code
			}
			counts[[2]string{collector, code}]++
		}
	}
	out := keyed{}
	for key, n := range counts {
		collector, code := key[0], key[1]
		because := ""
		if code != "" {
			because = fmt.Sprintf(", and fail with %s, which fails many spaces (CAMSCollectorManySpacesFailing)", code)
		}
		out[collector+"/"+code] = a.alert(map[string]string{"severity": "warning", "collector": collector, "code": code},
			"The data of a CAMS collector is stale for some spaces.",
			fmt.Sprintf("%d spaces of collector %s on %s have data older than three collection periods, or none since the exporter started three periods ago%s: their %s metrics are that old. /status names them.",
				n, collector, a.h.flows.instance, because, collector),
			"camscollectordatastale")
	}
	return out
}

// entities is the APP and BUSINESS entities in state among spaces at k,
// with how many spaces report each and the codes of the errors of the
// entities of its type in those spaces.
func (a *healthAlerts) entities(k int, spaces []int, state string) keyed {
	type found struct {
		n     int
		codes map[string]bool
	}
	byEntity := map[[2]string]*found{}
	for _, i := range spaces {
		hv := a.health(i, k)
		if hv == nil {
			continue
		}
		for _, e := range hv.entities {
			if (e.typ != "APP" && e.typ != "BUSINESS") || e.state != state {
				continue
			}
			f := byEntity[[2]string{e.typ, e.id}]
			if f == nil {
				f = &found{codes: map[string]bool{}}
				byEntity[[2]string{e.typ, e.id}] = f
			}
			f.n++
			for _, other := range hv.entities {
				if a.noErrorInfo {
					break
				}
				if other.typ == e.typ && other.state != "AVAILABLE" {
					for _, c := range other.errors {
						f.codes[c] = true
					}
				}
			}
		}
	}
	out := keyed{}
	for key, f := range byEntity {
		codes := ""
		if len(f.codes) > 0 {
			codes = " Meta's error codes: " + strings.Join(slices.Sorted(maps.Keys(f.codes)), " ") + "."
		}
		severity, verb, summary, mutes := "critical", "none of them can send messages.", "Meta blocks a business or app that CAMS spaces send messages through.", "CAMSMessagingBlocked"
		if state == "LIMITED" {
			severity, verb, summary, mutes = "warning", "they send with limits.", "Meta limits a business or app that CAMS spaces send messages through.", "CAMSMessagingLimited"
		}
		e := a.alert(map[string]string{"severity": severity, "entity_type": key[0], "entity_id": key[1]}, summary,
			fmt.Sprintf("%s %s is %s in the messaging health of %d spaces watched by %s: %s%s One cause: its spaces' %s alerts are muted; /status gives Meta's solutions.",
				key[0], key[1], state, f.n, a.h.flows.instance, verb, codes, mutes),
			"camsmessagingentity"+strings.ToLower(state))
		e.value = float64(f.n)
		out[key[0]+"/"+key[1]] = e
	}
	return out
}

// messaging is space i's per-space alerts of state at k: its WABA's, and
// each number's while the WABA is not as bad.
func (a *healthAlerts) messaging(i, k int, state string) keyed {
	hv := a.health(i, k)
	out := keyed{}
	if hv == nil {
		return out
	}
	e, explained := hv.blockingEntity(state)
	add := func(node, number string) {
		labels := map[string]string{"severity": "critical", "node": node, "space": a.h.spaceID(i), "phone_number": number, "can_send_message": state}
		verb, summary, because := "it cannot send messages", "A CAMS space's WhatsApp Business account or number cannot send messages.", ""
		if state == "LIMITED" {
			labels["severity"], verb, summary = "warning", "it sends with limits", "A CAMS space's WhatsApp Business account or number sends messages with limits."
		}
		if explained {
			labels["entity_type"], labels["entity_id"] = e.typ, e.id
			because = fmt.Sprintf(", because %s %s is %s (CAMSMessagingEntity%s)", e.typ, e.id, state, strings.ToUpper(state[:1])+strings.ToLower(state[1:]))
		}
		what := "The WABA"
		if number != "" {
			what = "Number " + number
		}
		out[node+"/"+number+"/"+e.id] = a.alert(labels, summary,
			fmt.Sprintf("%s of %s is %s (as %s read its messaging health): %s%s. /status gives Meta's errors and solutions.", what, a.where(i), state, a.h.flows.instance, verb, because),
			"camsmessaging"+strings.ToLower(state))
	}
	if hv.waba == state {
		add("waba", "")
	}
	if slices.Index(healthStates, hv.waba) < slices.Index(healthStates, state) {
		for n, s := range hv.phones {
			if s == state {
				add("phone", a.h.numberID(i, n))
			}
		}
	}
	return out
}

var (
	unusableStatus = map[string]bool{"BANNED": true, "DELETED": true}
	degradedStatus = map[string]bool{"FLAGGED": true, "RESTRICTED": true, "RATE_LIMITED": true, "DISCONNECTED": true, "OFFLINE": true}
)

func (a *healthAlerts) numberAlerts(alert string, i, k int) keyed {
	out := keyed{}
	for _, n := range a.numbers(i, k) {
		of := fmt.Sprintf("Number %s of %s is %s, as %s read it", n.id, a.where(i), n.status, a.h.flows.instance)
		switch {
		case alert == "CAMSPhoneNumberUnusable" && unusableStatus[n.status]:
			out[n.id+"/"+n.status] = a.alert(map[string]string{"severity": "critical", "space": a.h.spaceID(i), "phone_number": n.id, "status": n.status},
				"A WhatsApp number of a CAMS space is banned or deleted.", of+": it cannot send messages.", "camsphonenumberunusable")
		case alert == "CAMSPhoneNumberDegraded" && degradedStatus[n.status]:
			out[n.id+"/"+n.status] = a.alert(map[string]string{"severity": "warning", "space": a.h.spaceID(i), "phone_number": n.id, "status": n.status},
				"A WhatsApp number of a CAMS space is flagged, restricted or disconnected.", of+".", "camsphonenumberdegraded")
		case alert == "CAMSPhoneNumberQualityRed" && n.rating == "RED":
			out[n.id] = a.alert(map[string]string{"severity": "warning", "space": a.h.spaceID(i), "phone_number": n.id},
				"The quality rating of a WhatsApp number of a CAMS space is RED.",
				fmt.Sprintf("Meta rates the quality of number %s of %s RED, as %s read it: unless it recovers, Meta flags it and lowers its messaging limit.", n.id, a.where(i), a.h.flows.instance),
				"camsphonenumberqualityred")
		}
	}
	return out
}

// limit is number n of space i's limit at minute k, if it has one.
func (a *healthAlerts) limit(i, n, k int) (float64, bool) {
	if k < 0 {
		return 0, false
	}
	nums := a.numbers(i, k)
	if n >= len(nums) {
		return 0, false
	}
	l, ok := tierLimits[nums[n].tier]
	return l, ok
}

// decreased reports whether a number's limit at k is lower than at a
// 5-minute step of the hour before (Prometheus 3: the steps in (k-60, k];
// 2: [k-60, k]), and whether both agree.
func (a *healthAlerts) decreased(i, n, k int) (lower, certain bool) {
	now, ok := a.limit(i, n, k)
	if !ok {
		return false, true
	}
	max3, max2 := math.Inf(-1), math.Inf(-1)
	for s := k - limitWindow; s <= k; s++ {
		if s < 0 || s%limitStep != 0 {
			continue
		}
		if l, ok := a.limit(i, n, s); ok {
			max2 = math.Max(max2, l)
			if s > k-limitWindow {
				max3 = math.Max(max3, l)
			}
		}
	}
	return now < max3, (now < max3) == (now < max2)
}

func (a *healthAlerts) limitDecreased(k int, spaces []int) keyed {
	counts := map[[2]string]int{}
	for _, i := range spaces {
		for n := range a.h.numbersIn(i) {
			lower, certain := a.decreased(i, n, k)
			if !certain {
				a.ambiguous = append(a.ambiguous, fmt.Sprintf("%s at minute %d", a.h.numberID(i, n), k))
			}
			if !lower {
				continue
			}
			if w := a.waba(i, k); w != nil && w.id != "" && w.business != "" {
				counts[[2]string{"business_id", w.business}]++
			} else {
				counts[[2]string{"space", a.h.spaceID(i)}]++
			}
		}
	}
	out := keyed{}
	for key, n := range counts {
		who := "business portfolio " + key[1]
		if key[0] == "space" {
			who = "space " + key[1]
		}
		out[key[0]+"/"+key[1]] = a.alert(map[string]string{"severity": "warning", key[0]: key[1]},
			"The daily messaging limit of WhatsApp numbers of CAMS spaces decreased.",
			fmt.Sprintf("%d numbers of %s have a lower daily limit of business-initiated conversations than within the last hour, as %s read them: fewer customers can be messaged first.", n, who, a.h.flows.instance),
			"camsmessaginglimitdecreased")
	}
	return out
}

func (a *healthAlerts) wabaReview(i, k int) keyed {
	w := a.waba(i, k)
	out := keyed{}
	if w == nil || w.id == "" || w.review == "APPROVED" {
		return out
	}
	since := ""
	if w.review == "PENDING" {
		// PENDING at a scrape of (k-25h, k-24h] too.
		was := false
		for j := max(k-pendingDay-60+1, 0); j <= k-pendingDay; j++ {
			if p := a.waba(i, j); p != nil && p.id == w.id && p.review == "PENDING" {
				was = true
			}
		}
		if !was {
			return out
		}
		since = " since a day or more"
	}
	out[w.id+"/"+w.review] = a.alert(map[string]string{"severity": "warning", "space": a.h.spaceID(i), "waba_id": w.id, "business_id": w.business, "account_review_status": w.review},
		"The WhatsApp Business account of a CAMS space is not approved.",
		fmt.Sprintf("WABA %s of %s is %s in Meta's account review%s, as %s read it.", w.id, a.where(i), w.review, since, a.h.flows.instance),
		"camswabareviewnotapproved")
	return out
}

// allAlerts returns every alert firing at minute k, over spaces, as
// Prometheus sends them to Alertmanager (with their alertname); with
// names, only the alerts named.
func (a *healthAlerts) allAlerts(t *testing.T, k int, spaces []int, names ...string) []expAlert {
	t.Helper()
	alerts, _ := loadRules(t)
	var out []expAlert
	for _, r := range alerts {
		if len(names) > 0 && !slices.Contains(names, r.Alert) {
			continue
		}
		for _, e := range a.expect(r.Alert, k, spaces) {
			labels := maps.Clone(e.ExpLabels)
			labels["alertname"] = r.Alert
			out = append(out, expAlert{ExpLabels: labels, ExpAnnotations: e.ExpAnnotations})
		}
	}
	return out
}

func (a *healthAlerts) checkAmbiguity(t *testing.T) {
	t.Helper()
	if len(a.ambiguous) > 0 {
		t.Fatalf("Prometheus 2 and 3 could disagree at the edge of a window, or the model cannot tell what fires, in %d cases, such as %s: change the scenario", len(a.ambiguous), a.ambiguous[0])
	}
}
