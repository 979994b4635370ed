package alerts

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// The scenarios of the sources' alerts on a 10,000-space account with
// every collector on (healthAccount), as the storm tests do for the flows:
// promtool runs every rule over the series of the sampled spaces (every
// 100th, the last and the scenario's own: promtool's test engine refuses a
// query over 10,000 samples), with the exporter's own series and the
// series the rules count over the spaces in full, and checks every alert at
// every minute where one changes; a real Alertmanager with
// examples/alertmanager.yml is then given every alert the whole account
// fires, and must mute exactly those the inhibition rules explain.

// healthGroup is the promtool test group of a scenario: the sample's
// series, and at each minute of minutes every alert of the rules file as
// expected (those in counted by exprs instead).
func (a *healthAlerts) healthGroup(t *testing.T, minutes []int, counted map[string]bool, exprs []promqlExprTest) unitGroup {
	t.Helper()
	alerts, _ := loadRules(t)
	g := unitGroup{Interval: fmt.Sprintf("%gs", a.h.flows.scrape), InputSeries: a.h.inputSeries(a.sample), PromqlExprTests: exprs}
	slices.Sort(minutes)
	for _, minute := range slices.Compact(minutes) {
		for _, r := range alerts {
			if counted[r.Alert] {
				continue
			}
			g.AlertRuleTests = append(g.AlertRuleTests, alertRuleTest{EvalTime: fmt.Sprintf("%dm", minute), Alertname: r.Alert,
				ExpAlerts: append([]expAlert{}, a.expect(r.Alert, minute, a.sample)...)})
		}
	}
	return g
}

// writeGroups writes a promtool test file of groups of the rules of
// rulesPath.
func writeGroups(t *testing.T, rulesPath string, groups ...unitGroup) string {
	t.Helper()
	rules, err := filepath.Abs(rulesPath)
	if err != nil {
		t.Fatal(err)
	}
	b, err := yaml.Marshal(unitTests{RuleFiles: []string{rules}, EvaluationInterval: "1m", Tests: groups})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "health_tests.yml")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	for j, g := range groups {
		t.Logf("group %d: %d series, %d alert checks, %d expression checks", j+1, len(g.InputSeries), len(g.AlertRuleTests), len(g.PromqlExprTests))
	}
	t.Logf("%s: %d KB", filepath.Base(path), len(b)/1024)
	return path
}

// rulesOf writes a copy of the rules file with only the alerts named, their
// expression, for: and labels as they are, and their description reduced
// to the value. The whole account's entity series are up to 10,000 per
// query, the most promtool's test engine takes: the alerts that join them
// with the per-space series, and the description's query of the error
// codes (the entities once more), would need more.
func rulesOf(t *testing.T, names ...string) string {
	t.Helper()
	var f struct {
		Groups []struct {
			Name  string           `yaml:"name"`
			Rules []map[string]any `yaml:"rules"`
		} `yaml:"groups"`
	}
	readYAML(t, rulesFile, &f)
	type group struct {
		Name  string           `yaml:"name"`
		Rules []map[string]any `yaml:"rules"`
	}
	var out struct {
		Groups []group `yaml:"groups"`
	}
	found := 0
	for _, g := range f.Groups {
		kept := slices.DeleteFunc(g.Rules, func(r map[string]any) bool { name, _ := r["alert"].(string); return !slices.Contains(names, name) })
		for _, r := range kept {
			r["annotations"].(map[string]any)["description"] = "{{ $value }}"
		}
		if found += len(kept); len(kept) > 0 {
			out.Groups = append(out.Groups, group{g.Name, kept})
		}
	}
	if found != len(names) {
		t.Fatalf("%s has %d of the alerts %v", rulesFile, found, names)
	}
	b, err := yaml.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "rules.yml")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// changeMinutes returns every tenth minute and each minute at which the
// expected alerts over the sample change (but for those in skip), with the
// minute before: the edges of every for:.
func (a *healthAlerts) changeMinutes(t *testing.T, skip map[string]bool) []int {
	t.Helper()
	alerts, _ := loadRules(t)
	set := map[int]bool{}
	for _, r := range alerts {
		if skip[r.Alert] {
			continue
		}
		prev := alertKeys(a.expect(r.Alert, 0, a.sample))
		for k := 1; k < a.h.flows.samples; k++ {
			now := alertKeys(a.expect(r.Alert, k, a.sample))
			if now != prev {
				set[k-1], set[k] = true, true
			}
			prev = now
		}
	}
	minutes := everyTenMinutes(slices.Sorted(maps.Keys(set))...)
	return slices.DeleteFunc(minutes, func(k int) bool { return k >= a.h.flows.samples })
}

// firingCount checks how many alerts of name fire at minute.
func firingCount(name string, minute, n int) promqlExprTest {
	e := promqlExprTest{Expr: fmt.Sprintf(`count by (alertname) (ALERTS{alertname=%q, alertstate="firing"})`, name),
		EvalTime: fmt.Sprintf("%dm", minute), ExpSamples: []expSample{}}
	if n > 0 {
		e.ExpSamples = append(e.ExpSamples, expSample{Labels: fmt.Sprintf(`{alertname=%q}`, name), Value: float64(n)})
	}
	return e
}

func allSpaces(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func withSample(extra ...int) []int {
	s := append(spaceSample(10000), extra...)
	slices.Sort(s)
	return slices.Compact(s)
}

// sourceAlerts are the alerts of the sources (issues 18 and 19).
var sourceAlerts = []string{"CAMSCollectorManySpacesFailing", "CAMSCollectorDataStale", "CAMSMessagingEntityBlocked",
	"CAMSMessagingEntityLimited", "CAMSMessagingBlocked", "CAMSMessagingLimited", "CAMSPhoneNumberUnusable",
	"CAMSPhoneNumberDegraded", "CAMSPhoneNumberQualityRed", "CAMSMessagingLimitDecreased", "CAMSWabaReviewNotApproved",
	"CAMSTemplatePaused", "CAMSTemplateUnusable", "CAMSTemplatesAllUnusable", "CAMSTemplateProblemsInManySpaces",
	"CAMSManySpacesWithoutUsableTemplate"}

// TestHealthyLargeAccountWithEverySourceFiresNoAlert: the healthy
// 10,000-space account of scale_test.go with every collector on, over its
// first 3 hours: every source's first pass (spaces pending, then read one
// by one), the passes after it, and what is normal in a large account:
// YELLOW and UNKNOWN ratings, PENDING numbers, limits that rise, tiers the
// exporter cannot map (no limit series) and that turn into a mapped one,
// unlimited numbers, WABAs PENDING review (for less than a day), spaces
// without a WABA (nor numbers, nor messaging health), templates in review
// (some spaces' all of them, until Meta approves them), spaces without
// templates, templates in a status the exporter does not know (APPROVED).
// No source's alert fires: only the informational
// CAMSRefreshIntervalOutOfReach, as without the sources.
func TestHealthyLargeAccountWithEverySourceFiresNoAlert(t *testing.T) {
	h := newHealthAccount(181)
	h.numberAt = func(i, n int, at float64) phoneNumber {
		p := phoneNumber{id: h.numberID(i, n), status: "CONNECTED", rating: "GREEN", tier: "TIER_1K", codeVerification: "VERIFIED", nameStatus: "APPROVED"}
		switch {
		case (i+n)%7 == 0:
			p.rating = "YELLOW"
		case (i+n)%11 == 0:
			p.status, p.rating, p.codeVerification, p.nameStatus = "PENDING", "UNKNOWN", "NOT_VERIFIED", "PENDING_REVIEW"
		}
		switch {
		case i%4 == 0:
			p.tier = "TIER_UNLIMITED"
		case i%4 == 1 && at >= 3600:
			p.tier = "TIER_10K" // raised
		case i%4 == 2 && at < 5400:
			p.tier = "TIER_10" // no limit series, then TIER_250
		case i%4 == 2:
			p.tier = "TIER_250"
		}
		return p
	}
	h.wabaAt = func(i int, _ float64) waba {
		switch {
		case i%50 == 49:
			return waba{}
		case i%97 == 0:
			return waba{id: fmt.Sprintf("waba-%05d", i), business: fmt.Sprintf("biz-%05d", i), review: "PENDING"}
		}
		return waba{id: fmt.Sprintf("waba-%05d", i), business: fmt.Sprintf("biz-%05d", i), review: "APPROVED"}
	}
	h.templatesAt = func(i int, at float64) []string {
		switch {
		case i%97 == 0 && at < 5400:
			return []string{"auditing", "auditing", "unaudit"} // a new space, in review
		case i%97 == 0:
			return []string{"pass", "pass", "unaudit"}
		case i%1000 == 100:
			return slices.Repeat([]string{"APPROVED"}, 20)
		case i%1000 == 200:
			return append(slices.Repeat([]string{"pass"}, 45), "auditing", "auditing", "auditing", "unaudit", "unaudit")
		case i%1000 == 300:
			return nil
		}
		return allPass
	}
	sample := withSample(49, 97, 1049)
	a := newHealthAlerts(h, sample)
	for k := range h.flows.samples {
		for _, name := range sourceAlerts {
			if got := a.expect(name, k, sample); len(got) > 0 {
				t.Fatalf("the model expects %s at minute %d in a healthy account: %v", name, k, got[0].ExpLabels)
			}
		}
	}
	a.checkAmbiguity(t)
	testRules(t, writeGroups(t, rulesFile, a.healthGroup(t, everyTenMinutes(1, 29, 45, 61, 90, 91), nil, nil)))
}

const (
	// sharedBusiness is the business portfolio every space of the blocked
	// business scenario sends through but two.
	sharedBusiness = "biz-shared"
	// blockedAt is when Meta blocks it, 30 minutes after start-up, in the
	// middle of the messaging-health source's first pass (at space 7,196).
	blockedAt = 1800.0
	// ownWabaBlocked, ownWabaLimited have businesses of their own and their
	// own WABA BLOCKED, LIMITED; numberBlocked's first number is BLOCKED.
	ownWabaBlocked, ownWabaLimited, numberBlocked = 7007, 3003, 5005
)

// TestBusinessBlockedAcrossALargeAccount: 10,000 spaces send through one
// business portfolio, which Meta LIMITED before start-up and BLOCKS at
// 30 minutes. The messaging-health source (4 calls/s, a pass of 42
// minutes, an hour between passes) reads it space by space: the first pass
// reads LIMITED until space 7,195 and BLOCKED from 7,196, the second, an
// hour later, BLOCKED for all. CAMSMessagingEntityLimited, then
// CAMSMessagingEntityBlocked, fire once each for the business, counting its
// spaces; every space alerts on its own too (5 minutes after it is read),
// its alert carrying the business, and Alertmanager mutes every one of
// them. Three spaces alert for causes of their own, never muted: 7007's
// WABA blocked, 3003's WABA limited, 5005's number blocked (read in the
// first pass, while its WABA was only limited; when the second pass reads
// the WABA blocked, the number's alert gives way to the WABA's, which the
// business explains).
//
// Two promtool runs: the whole account's business entities (every space's)
// with the two business alerts alone, which count every space; and the
// sample's every series with every rule. promtool's test engine takes
// 10,000 samples a query: the first run is at that limit, so the alerts
// that join the entities with the per-space series are left out of it, and
// it runs under Prometheus 3 only (Debian's 2.42 counts an aggregation's
// input twice, and refuses a count of more than 5,000 series).
func TestBusinessBlockedAcrossALargeAccount(t *testing.T) {
	h := newHealthAccount(97)
	own := map[int]bool{ownWabaBlocked: true, ownWabaLimited: true}
	h.wabaAt = func(i int, _ float64) waba {
		w := waba{id: fmt.Sprintf("waba-%05d", i), business: sharedBusiness, review: "APPROVED"}
		if own[i] {
			w.business = fmt.Sprintf("biz-%05d", i)
		}
		return w
	}
	h.entitiesAt = func(i int, at float64) []entity {
		w := h.wabaAt(i, at)
		wabaEntity := entity{typ: "WABA", id: w.id, state: "AVAILABLE"}
		business := entity{typ: "BUSINESS", id: w.business, state: "AVAILABLE"}
		switch {
		case i == ownWabaBlocked:
			wabaEntity.state, wabaEntity.errors = "BLOCKED", []string{"131042"}
		case i == ownWabaLimited:
			wabaEntity.state, wabaEntity.errors = "LIMITED", []string{"131045"}
		case at < blockedAt:
			business.state, business.errors = "LIMITED", []string{"141006"}
		default:
			business.state, business.errors = "BLOCKED", []string{"131031", "141006"}
		}
		return []entity{wabaEntity, business, {typ: "APP", id: "app-isv", state: "AVAILABLE"}}
	}
	h.numberEntityAt = func(i, n int, _ float64) entity {
		e := entity{typ: "PHONE_NUMBER", id: h.numberID(i, n), state: "AVAILABLE"}
		if i == numberBlocked && n == 0 {
			e.state, e.errors = "BLOCKED", []string{"131056"}
		}
		return e
	}
	sample := withSample(ownWabaBlocked, ownWabaLimited, numberBlocked)
	a := newHealthAlerts(h, sample)
	all := allSpaces(10000)
	last := h.flows.samples - 1
	entityAlerts := []string{"CAMSMessagingEntityLimited", "CAMSMessagingEntityBlocked"}

	// The whole account: the business alerts count every space.
	whole := newHealthAlerts(h, all)
	whole.noErrorInfo = true
	blocked := whole.expect("CAMSMessagingEntityBlocked", last, all)
	if len(blocked) != 1 || blocked[0].value != 9998 {
		t.Fatalf("at the end the model has %d business alerts (%v), want one, for the 9,998 spaces under it", len(blocked), blocked)
	}
	t.Logf("the business alert: %s", blocked[0].ExpAnnotations["description"])
	testRulesWith(t, promtools(t)[:1], writeGroups(t, rulesOf(t, entityAlerts...), whole.entityGroup(t, entityAlerts)))

	// The sample, every rule.
	sampleGroup := a.healthGroup(t, a.changeMinutes(t, nil), nil, nil)
	a.checkAmbiguity(t)
	testRules(t, writeGroups(t, rulesFile, sampleGroup))

	// Alertmanager mutes every per-space alert the business explains: in
	// the middle of the first pass, when the spaces read before the block
	// are LIMITED and those after BLOCKED, and at the end.
	for _, minute := range []int{45, last} {
		alerts := slices.Concat(whole.allAlerts(t, minute, all, entityAlerts...),
			slices.DeleteFunc(a.allAlerts(t, minute, all), func(e expAlert) bool { return slices.Contains(entityAlerts, e.ExpLabels["alertname"]) }))
		explained, own := 0, 0
		for _, al := range alerts {
			switch name := al.ExpLabels["alertname"]; {
			case strings.HasPrefix(name, "CAMSMessagingEntity"):
			case al.ExpLabels["entity_id"] == sharedBusiness:
				explained++
			case strings.HasPrefix(name, "CAMSMessaging"):
				own++
			}
		}
		t.Logf("minute %d: %d alerts: %d per-space alerts the business explains, %d of spaces' own causes", minute, len(alerts), explained, own)
		if minute == last && (explained != 9998 || own != 2) {
			t.Fatalf("at the end %d per-space alerts carry the business and %d are the spaces' own, want 9,998 and 2 (7007's blocked WABA, 3003's limited one)", explained, own)
		}
		checkInhibition(t, alerts, mutedByEntity(alerts))
	}
}

// entityGroup is the promtool test group of the whole account's business
// entities: at the edges of the alerts named and every quarter of an hour,
// each alert with its value as its description (see rulesOf).
func (a *healthAlerts) entityGroup(t *testing.T, names []string) unitGroup {
	t.Helper()
	g := unitGroup{Interval: fmt.Sprintf("%gs", a.h.flows.scrape), InputSeries: a.h.entitySeries(a.sample, "BUSINESS")}
	var minutes []int
	for k := 0; k < a.h.flows.samples; k += 15 {
		minutes = append(minutes, k)
	}
	for _, name := range names {
		first := -1
		for k := range a.h.flows.samples {
			if len(a.expect(name, k, a.sample)) > 0 {
				first = k
				break
			}
		}
		if first < 0 {
			t.Fatalf("the model never fires %s", name)
		}
		minutes = append(minutes, first-1, first, a.h.flows.samples-1)
	}
	slices.Sort(minutes)
	for _, minute := range slices.Compact(minutes) {
		for _, name := range names {
			exp := []expAlert{}
			for _, e := range a.expect(name, minute, a.sample) {
				e.ExpAnnotations = maps.Clone(e.ExpAnnotations)
				e.ExpAnnotations["description"] = fmt.Sprint(e.value)
				exp = append(exp, e)
			}
			g.AlertRuleTests = append(g.AlertRuleTests, alertRuleTest{EvalTime: fmt.Sprintf("%dm", minute), Alertname: name, ExpAlerts: exp})
		}
	}
	return g
}

// mutedByEntity says which alerts mute each of alerts: a per-space
// messaging alert carrying an entity, that entity's alert of the same
// state; no other alert is muted.
func mutedByEntity(alerts []expAlert) func(expAlert) []expAlert {
	entityAlert := map[[3]string]expAlert{}
	for _, s := range alerts {
		if l := s.ExpLabels; strings.HasPrefix(l["alertname"], "CAMSMessagingEntity") {
			entityAlert[[3]string{l["alertname"], l["entity_type"], l["entity_id"]}] = s
		}
	}
	return func(al expAlert) []expAlert {
		l := al.ExpLabels
		source := map[string]string{"CAMSMessagingBlocked": "CAMSMessagingEntityBlocked", "CAMSMessagingLimited": "CAMSMessagingEntityLimited"}[l["alertname"]]
		if s, ok := entityAlert[[3]string{source, l["entity_type"], l["entity_id"]}]; ok && l["entity_id"] != "" {
			return []expAlert{s}
		}
		return nil
	}
}

const (
	// deniedAt is when a RAM policy edit denies QueryChatappPhoneNumbers on
	// 3 spaces in 10 (so that every pass meets them all along, and every
	// sampled space is among them): 30 minutes after start-up, in the
	// phone-numbers source's second pass (at space 4,392).
	deniedAt = 1800.0
	// metaDown fails on its own from 10 minutes on: ERR-FB-001.
	metaDown = 4444
)

// TestCollectorFailingAcrossALargeAccount: the phone-numbers source of the
// 10,000-space account (8 calls/s, a pass of 21 minutes back to back)
// meets the 3,000 denied spaces as it goes. More than 10% of the spaces
// (1,001) fail with Ram.PermissionDeny 7 minutes after the edit:
// CAMSCollectorManySpacesFailing fires once for the collector and code, 5
// minutes later. Their data goes stale three periods (3 × 1,250 s) after
// its last success: one CAMSCollectorDataStale for all of them, carrying
// the code, which Alertmanager mutes; space 4444, failing on its own,
// goes stale in an alert without code, which it keeps. The other
// collectors, and the numbers' data (kept from the last good answer), stay
// silent.
func TestCollectorFailingAcrossALargeAccount(t *testing.T) {
	h := newHealthAccount(101)
	h.phones.failCode = "Ram.PermissionDeny"
	h.phones.failFrom = map[int]float64{metaDown: 600}
	h.phones.failCodes = map[int]string{metaDown: "ERR-FB-001"}
	for i := range h.phones.spaces {
		if i%10 < 3 {
			h.phones.failFrom[i] = deniedAt
		}
	}
	a := newHealthAlerts(h, withSample(metaDown))
	last := h.flows.samples - 1
	storm := firstHealthAlert(a, "CAMSCollectorManySpacesFailing")
	stale := a.expect("CAMSCollectorDataStale", last, a.sample)
	if storm < 0 || len(stale) != 2 {
		t.Fatalf("the model fires the storm at minute %d and %d stale alerts at the end, want a storm and two", storm, len(stale))
	}
	t.Logf("the edit at minute %d; the storm fires at minute %d: %s", int(deniedAt/60), storm, a.expect("CAMSCollectorManySpacesFailing", storm, nil)[0].ExpAnnotations["description"])
	for _, s := range stale {
		t.Logf("at the end: %s", s.ExpAnnotations["description"])
	}
	a.checkAmbiguity(t)
	testRules(t, writeGroups(t, rulesFile, a.healthGroup(t, a.changeMinutes(t, nil), nil, nil)))

	alerts := a.allAlerts(t, last, allSpaces(10000))
	storms := withName(alerts, "CAMSCollectorManySpacesFailing")
	checkInhibition(t, alerts, func(al expAlert) []expAlert {
		if l := al.ExpLabels; l["alertname"] == "CAMSCollectorDataStale" && l["code"] != "" {
			return storms
		}
		return nil
	})
}

// firstHealthAlert returns the first minute at which alert fires over the
// sample, or -1.
func firstHealthAlert(a *healthAlerts, alert string) int {
	for k := range a.h.flows.samples {
		if len(a.expect(alert, k, a.sample)) > 0 {
			return k
		}
	}
	return -1
}

const (
	// numbersChangeAt is when Meta changes the numbers: 30 minutes after
	// start-up, in the phone-numbers source's second pass.
	numbersChangeAt = 1800.0
	// flaggedAt is when the first number of troubled, rated RED, is
	// FLAGGED.
	flaggedAt = 3600.0
	// troubled's numbers: RED then FLAGGED, BANNED (and RED), DELETED.
	troubled = 1234
	// degraded's numbers are RESTRICTED, RATE_LIMITED, DISCONNECTED;
	// offline's first OFFLINE.
	degraded, offline = 2345, 2346
	// disabledWaba's WABA is DISABLED; those of spaces 7, 1007, ... 9007
	// REJECTED.
	disabledWaba = 8008
	// portfolio is the business of spaces portfolioFrom to portfolioFrom+49,
	// whose limit Meta lowers from 10,000 to 2,000.
	portfolio     = "biz-portfolio"
	portfolioFrom = 5000
)

// TestNumbersAndWabasAcrossALargeAccount: at 30 minutes, in the
// 10,000-space account, a campaign rates every number of 1 space in 10 RED
// (3,000 numbers: one alert each, as Meta rates each), Meta lowers the
// limit of a business portfolio of 50 spaces (150 numbers: one alert for
// the business) and raises that of 1 space in 10 (no alert), and numbers
// of three spaces turn FLAGGED (an hour later, after RED), BANNED,
// DELETED, RESTRICTED, RATE_LIMITED, DISCONNECTED and OFFLINE. Eleven
// WABAs are REJECTED or DISABLED from the start; WABAs PENDING review for
// less than a day do not alert. Each alert fires 5 minutes after the pass
// reads the change; Alertmanager mutes the RED of the FLAGGED and of the
// BANNED number, and keeps the 3,000 others.
func TestNumbersAndWabasAcrossALargeAccount(t *testing.T) {
	h := newHealthAccount(76)
	inPortfolio := func(i int) bool { return i >= portfolioFrom && i < portfolioFrom+50 }
	h.numberAt = func(i, n int, at float64) phoneNumber {
		p := phoneNumber{id: h.numberID(i, n), status: "CONNECTED", rating: "GREEN", tier: "TIER_1K", codeVerification: "VERIFIED", nameStatus: "APPROVED"}
		if inPortfolio(i) {
			p.tier = "TIER_10K"
		}
		if at < numbersChangeAt {
			return p
		}
		switch {
		case i%10 == 0:
			p.rating = "RED"
		case i%10 == 1:
			p.tier = "TIER_10K" // raised
		}
		if inPortfolio(i) {
			p.tier = "TIER_2K"
		}
		switch [2]int{i, n} {
		case [2]int{troubled, 0}:
			p.rating = "RED"
			if at >= flaggedAt {
				p.status = "FLAGGED"
			}
		case [2]int{troubled, 1}:
			p.rating, p.status = "RED", "BANNED"
		case [2]int{troubled, 2}:
			p.status = "DELETED"
		case [2]int{degraded, 0}:
			p.status = "RESTRICTED"
		case [2]int{degraded, 1}:
			p.status = "RATE_LIMITED"
		case [2]int{degraded, 2}:
			p.status = "DISCONNECTED"
		case [2]int{offline, 0}:
			p.status = "OFFLINE"
		}
		return p
	}
	h.wabaAt = func(i int, _ float64) waba {
		w := waba{id: fmt.Sprintf("waba-%05d", i), business: fmt.Sprintf("biz-%05d", i), review: "APPROVED"}
		switch {
		case i%1000 == 7:
			w.review = "REJECTED"
		case i == disabledWaba:
			w.review = "DISABLED"
		case i%97 == 0:
			w.review = "PENDING"
		}
		if inPortfolio(i) {
			w.business = portfolio
		}
		return w
	}
	extra := []int{troubled, degraded, offline, disabledWaba}
	for i := range 10000 {
		if i%1000 == 7 || inPortfolio(i) {
			extra = append(extra, i)
		}
	}
	a := newHealthAlerts(h, withSample(extra...))
	last := h.flows.samples - 1
	all := allSpaces(10000)
	red := a.expect("CAMSPhoneNumberQualityRed", last, all)
	limits := a.expect("CAMSMessagingLimitDecreased", last, a.sample)
	if len(red) != 3002 || len(limits) != 1 || limits[0].ExpLabels["business_id"] != portfolio {
		t.Fatalf("the model fires %d CAMSPhoneNumberQualityRed and %d CAMSMessagingLimitDecreased at the end, want 3,002 (3,000 and troubled's two) and one, for %s", len(red), len(limits), portfolio)
	}
	t.Logf("at the end: %s", limits[0].ExpAnnotations["description"])

	// The RED numbers of the sample are counted, and two of them checked.
	counted := map[string]bool{"CAMSPhoneNumberQualityRed": true}
	minutes := a.changeMinutes(t, counted)
	var exprs []promqlExprTest
	for _, k := range everyTenMinutes(firstHealthAlert(a, "CAMSPhoneNumberQualityRed")-1, firstHealthAlert(a, "CAMSPhoneNumberQualityRed"), last) {
		if k < h.flows.samples {
			exprs = append(exprs, firingCount("CAMSPhoneNumberQualityRed", k, len(a.expect("CAMSPhoneNumberQualityRed", k, a.sample))))
		}
	}
	for _, i := range []int{troubled, 9900} {
		exprs = append(exprs, promqlExprTest{
			Expr:     fmt.Sprintf(`ALERTS{alertname="CAMSPhoneNumberQualityRed", alertstate="firing", space=%q}`, h.spaceID(i)),
			EvalTime: fmt.Sprintf("%dm", last), ExpSamples: []expSample{},
		})
		for _, e := range a.expect("CAMSPhoneNumberQualityRed", last, []int{i}) {
			exprs[len(exprs)-1].ExpSamples = append(exprs[len(exprs)-1].ExpSamples, expSample{Value: 1,
				Labels: fmt.Sprintf(`ALERTS{alertname="CAMSPhoneNumberQualityRed", alertstate="firing", severity="warning", job="cams", instance=%q, space=%q, phone_number=%q}`,
					largeInstance, e.ExpLabels["space"], e.ExpLabels["phone_number"])})
		}
	}
	a.checkAmbiguity(t)
	testRules(t, writeGroups(t, rulesFile, a.healthGroup(t, minutes, counted, exprs)))

	alerts := a.allAlerts(t, last, all)
	checkInhibition(t, alerts, func(al expAlert) []expAlert {
		l := al.ExpLabels
		if l["alertname"] != "CAMSPhoneNumberQualityRed" {
			return nil
		}
		var sources []expAlert
		for _, s := range slices.Concat(withName(alerts, "CAMSPhoneNumberUnusable"), withName(alerts, "CAMSPhoneNumberDegraded")) {
			if sl := s.ExpLabels; sl["phone_number"] == l["phone_number"] && (sl["alertname"] == "CAMSPhoneNumberUnusable" || sl["status"] == "FLAGGED") {
				sources = append(sources, s)
			}
		}
		return sources
	})
}
