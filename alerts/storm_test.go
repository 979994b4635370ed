package alerts

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"
)

const (
	// stormCode is the code of the storm: a RAM policy edit.
	stormCode = "Ram.PermissionDeny"
	// stormStart is when the edit happens in the large account: 50 minutes
	// after start-up, in the middle of its second pass (at space ~2,000).
	stormStart = 3000.0
	// unknownSpace fails on its own beside the storm: it no longer belongs
	// to the account.
	unknownSpace = 7007
	// stormMinutes is how long the storm test runs: until every denied
	// space has failed and its alert fired. Its data goes stale only two
	// hours after that, which tests.yml and the e2e test show: here every
	// minute with 3,000 alerts costs promtool about a third of a second.
	stormMinutes = 100
)

// stormAccount is the large account in which the edit denies 3,000 of the
// 10,000 spaces: 3 of every 10, so that the pass meets them all along, and
// the sampled spaces (every 100th) among them. It returns the sample with
// the isolated space added.
func stormAccount() (accountModel, []int) {
	m := largeAccount()
	m.samples = stormMinutes + 1
	m.failCode = stormCode
	m.failFrom = map[int]float64{unknownSpace: stormStart}
	m.failCodes = map[int]string{unknownSpace: "Unknown.ResourceOwnerId"}
	for i := range m.spaces {
		if i%10 < 3 {
			m.failFrom[i] = stormStart
		}
	}
	return m, append(spaceSample(m.spaces), unknownSpace)
}

// TestStormOfALargeAccount runs every rule over the storm account's first
// 100 minutes. The edit denies its first spaces at minute 50, in the middle
// of a pass: within a minute more than 10% of the listing calls fail with
// the code (3 in 10), while the denied spaces are still far from 10% of the
// watched ones (72 of 10,000), and CAMSManySpacesFailing fires a minute
// later, once, for the code, with the count and the share: before any
// CAMSPermissionDenied (for: 5m), all of which (counted) carry the code.
// The unknown space fires CAMSUnknownSpace on its own. Alertmanager, run
// with examples/alertmanager.yml and given the alerts of the last minute,
// mutes every per-space alert of the code and nothing else.
func TestStormOfALargeAccount(t *testing.T) {
	m, sample := stormAccount()
	want := newAccountAlerts(m, sample)
	want.checkGroupOrder(t)
	want.checkCallShare(t)

	first := want.firstStorm(stormCode)
	denied := want.failingCount(stormCode, m.samples-1)
	if denied != 3000 || first < 0 {
		t.Fatalf("the model has %d spaces denied at the end and its storm starts at minute %d, want 3,000 and a storm", denied, first)
	}
	cause := int(stormStart / 60)
	perSpace := firstFiring(want, "CAMSPermissionDenied")
	t.Logf("the edit at minute %d; the storm fires from minute %d, %d spaces failing (%.2f%%); the first CAMSPermissionDenied at minute %d, %d of them by then",
		cause, first, want.failingCount(stormCode, first), 100*float64(want.failingCount(stormCode, first))/float64(m.spaces),
		perSpace, len(want.expect("CAMSPermissionDenied", perSpace)))
	if onset := first - cause; onset < 1 || onset > 3 {
		t.Errorf("the storm fires %d minutes after the edit, want 2: 1 for 10%% of the calls of the last 2 minutes to fail (3 in 10 do), then for: 1m", onset)
	}
	if perSpace <= first {
		t.Errorf("CAMSPermissionDenied fires from minute %d, the storm from minute %d: the storm must come first", perSpace, first)
	}
	for _, name := range []string{"CAMSUnknownSpace", "CAMSRefreshFailing"} {
		if len(want.expect(name, m.samples-1)) == 0 {
			t.Fatalf("the scenario has no %s at its end: it tests nothing of it", name)
		}
	}

	minutes := append(changes(t, want, map[string]bool{"CAMSPermissionDenied": true}), first-1, first, perSpace-1, perSpace)
	var exprs []promqlExprTest
	for _, minute := range minutes {
		exprs = append(exprs, countFiring("CAMSPermissionDenied", minute, len(want.expect("CAMSPermissionDenied", minute)), stormCode))
	}
	last := m.samples - 1
	exprs = append(exprs, callShareAbove(cause+1, stormCode, true), callShareAbove(cause, stormCode, false), promqlExprTest{
		Expr:     `ALERTS{alertname="CAMSPermissionDenied", space="cams-02000"}`,
		EvalTime: fmt.Sprintf("%dm", last),
		ExpSamples: []expSample{{Value: 1, Labels: fmt.Sprintf(`ALERTS{alertname="CAMSPermissionDenied", alertstate="firing", severity="critical", job="cams", instance=%q, space="cams-02000", code=%q}`,
			largeInstance, stormCode)}},
	})
	testRules(t, writeUnitTests(t, m, scaleChecks{minutes: minutes, expect: want.expect,
		counted: map[string]bool{"CAMSPermissionDenied": true}, exprs: exprs, sample: sample}))

	// In Alertmanager: the storm's per-space alerts are muted by the storm;
	// the others are active.
	alerts := want.allAlerts(t, last)
	storm := withName(alerts, "CAMSManySpacesFailing")
	if len(storm) != 1 || len(alerts) != 3000+4 {
		t.Fatalf("%d alerts at the end, %d of them CAMSManySpacesFailing; want the storm, 3,000 CAMSPermissionDenied, CAMSUnknownSpace, CAMSRefreshFailing and CAMSRefreshIntervalOutOfReach", len(alerts), len(storm))
	}
	checkInhibition(t, alerts, func(a expAlert) []expAlert {
		if l := a.ExpLabels; l["alertname"] != "CAMSManySpacesFailing" && l["code"] == stormCode {
			return storm
		}
		return nil
	})
}

// TestStormOfASmallAccount: 50 spaces, listed in 12.5 s every 5 minutes,
// and scraped every minute from 4.5 s after start-up: a scrape falls about
// 3 s into each pass. The edit denies 30 of them (3 in 5) just before a
// pass, so that the scrape in its middle finds only the first 7 denied: too
// few for a storm, and their CAMSPermissionDenied start pending a minute
// before the others'. CAMSManySpacesFailing fires 2
// minutes after the edit, before any of them (for: 5m); the unknown space
// alerts on its own. In Alertmanager, at the minute the first
// CAMSPermissionDenied fires, the storm mutes it.
func TestStormOfASmallAccount(t *testing.T) {
	const unknown = 49
	m := accountModel{spaces: 50, rate: 4, interval: 300, firstCall: 1, latency: 0.08, retries: 3,
		scrape: 60, samples: 81, phase: 4.5, instance: largeInstance,
		failCode: stormCode, failFrom: map[int]float64{unknown: stormStart}, failCodes: map[int]string{unknown: "Unknown.ResourceOwnerId"}}
	for i := range m.spaces {
		if i%5 < 3 {
			m.failFrom[i] = stormStart
		}
	}
	var sample []int
	for i := range m.spaces {
		sample = append(sample, i)
	}
	want := newAccountAlerts(m, sample)
	want.checkGroupOrder(t)
	want.checkCallShare(t)

	first, perSpace := want.firstStorm(stormCode), firstFiring(want, "CAMSPermissionDenied")
	seen := -1 // the first minute a denied space shows
	for k := range m.samples {
		if want.failingCount(stormCode, k) > 0 {
			seen = k
			break
		}
	}
	if seen < 0 {
		t.Fatal("no denied space ever shows")
	}
	if n := want.failingCount(stormCode, seen); n >= stormMin {
		t.Fatalf("the first scrape after the edit finds %d spaces denied, want 1 to %d: the scrape must fall in the middle of the pass", n, stormMin-1)
	}
	cause := (stormStart - m.phase) / 60 // in promtool's minutes
	t.Logf("the edit at minute %.2f; %d spaces denied at minute %d, %d a minute later; the storm fires from minute %d; the first CAMSPermissionDenied at minute %d, %d of them by then",
		cause, want.failingCount(stormCode, seen), seen, want.failingCount(stormCode, seen+1), first, perSpace, len(want.expect("CAMSPermissionDenied", perSpace)))
	if first < 0 || float64(first)-cause > 3 || perSpace <= first {
		t.Fatalf("the storm fires at minute %d and the first CAMSPermissionDenied at %d, the edit at %.2f: want the storm within 3 minutes, first", first, perSpace, cause)
	}
	if len(want.expect("CAMSUnknownSpace", m.samples-1)) != 1 || len(want.expect("CAMSSpaceDataStale", m.samples-1)) == 0 {
		t.Fatal("the scenario must end with the unknown space's own alert and stale spaces")
	}

	minutes := append(changes(t, want, nil), seen, first-1, first, perSpace-1, perSpace)
	testRules(t, writeUnitTests(t, m, scaleChecks{minutes: minutes, expect: want.expect, sample: sample}))

	for _, minute := range []int{perSpace, m.samples - 1} {
		alerts := want.allAlerts(t, minute)
		storm := withName(alerts, "CAMSManySpacesFailing")
		if len(storm) != 1 {
			t.Fatalf("minute %d: %d CAMSManySpacesFailing, want 1", minute, len(storm))
		}
		checkInhibition(t, alerts, func(a expAlert) []expAlert {
			l := a.ExpLabels
			switch {
			case l["alertname"] != "CAMSManySpacesFailing" && l["code"] == stormCode:
				return storm
			case l["alertname"] == "CAMSSpaceDataStale" && l["space"] == m.spaceID(unknown):
				return withName(alerts, "CAMSUnknownSpace")
			}
			return nil
		})
	}
}

// TestTimeoutBlipOfALargeAccount: in the large account, 20 spaces listed in
// one minute time out (4 attempts each), then the network is well again.
// More than 10% of that minute's calls failed with Timeout, and the 20
// spaces fail until the next pass lists them, 42 minutes later, but
// Timeout is no code of a per-space alert: only the share of the watched
// spaces (0.2%) would make it a storm. No CAMSManySpacesFailing: only
// CAMSRefreshFailing (warning) while they fail.
func TestTimeoutBlipOfALargeAccount(t *testing.T) {
	m := largeAccount()
	m.samples = 101
	m.failCode = "Timeout"
	m.failFrom, m.failUntil = map[int]float64{}, map[int]float64{}
	firstListed := int(math.Ceil((stormStart-m.firstCall)*m.rate)) - m.spaces // in the second pass
	for j := range 20 {
		i := firstListed + 12*j // 20 of the 240 spaces listed in that minute
		m.failFrom[i], m.failUntil[i] = stormStart, stormStart+60
	}
	want := newAccountAlerts(m, spaceSample(m.spaces))
	cause := int(stormStart / 60)
	if n := want.failingCount("Timeout", cause+1); n != 20 || want.firstStorm("Timeout") >= 0 || len(want.expect("CAMSRefreshFailing", cause+20)) == 0 {
		t.Fatalf("%d spaces time out a minute after the blip, want 20, no storm, and CAMSRefreshFailing", n)
	}
	if n := want.failingCount("Timeout", m.samples-1); n != 0 {
		t.Fatalf("%d spaces still time out at the end, want 0: the scenario must show them recover", n)
	}
	exprs := []promqlExprTest{callShareAbove(cause+1, "Timeout", true), callShareAbove(cause+3, "Timeout", false)}
	testRules(t, writeUnitTests(t, m, scaleChecks{minutes: changes(t, want, nil), expect: want.expect, exprs: exprs}))
}

// TestFewFailingSpacesOfALargeAccount: the edit denies 3 of the 10,000
// spaces only. No CAMSManySpacesFailing: each denied space fires its own
// CAMSPermissionDenied, without delay, and later its stale data (no code
// label), which Alertmanager mutes for the known reason.
func TestFewFailingSpacesOfALargeAccount(t *testing.T) {
	m := largeAccount()
	m.failCode = stormCode
	m.failFrom = map[int]float64{2000: stormStart, 5000: stormStart, 8000: stormStart}
	want := newAccountAlerts(m, spaceSample(m.spaces))
	last := m.samples - 1
	if got := len(want.expect("CAMSPermissionDenied", last)); got != 3 {
		t.Fatalf("%d CAMSPermissionDenied at the end, want 3", got)
	}
	if len(want.expect("CAMSSpaceDataStale", last)) == 0 || want.firstStorm(stormCode) >= 0 {
		t.Fatal("the scenario must have stale spaces and no storm")
	}
	testRules(t, writeUnitTests(t, m, scaleChecks{minutes: changes(t, want, nil), expect: want.expect}))

	alerts := want.allAlerts(t, last)
	checkInhibition(t, alerts, func(a expAlert) []expAlert {
		if a.ExpLabels["alertname"] != "CAMSSpaceDataStale" {
			return nil
		}
		for _, d := range withName(alerts, "CAMSPermissionDenied") {
			if d.ExpLabels["space"] == a.ExpLabels["space"] {
				return []expAlert{d}
			}
		}
		return nil
	})
}

// changes returns every tenth minute and the minutes at which the expected
// alerts change (but for those in skip), each with the minute before: the
// edges of every for:.
func changes(t *testing.T, want *accountAlerts, skip map[string]bool) []int {
	t.Helper()
	alerts, _ := loadRules(t)
	set := map[int]bool{}
	for _, r := range alerts {
		if skip[r.Alert] {
			continue
		}
		for k := 1; k < want.m.samples; k++ {
			if alertKeys(want.expect(r.Alert, k)) != alertKeys(want.expect(r.Alert, k-1)) {
				set[k-1], set[k] = true, true
			}
		}
	}
	minutes := everyTenMinutes(slices.Sorted(maps.Keys(set))...)
	return slices.DeleteFunc(minutes, func(k int) bool { return k >= want.m.samples })
}

// alertKeys identifies a list of alerts by their labels.
func alertKeys(alerts []expAlert) string {
	var keys []string
	for _, a := range alerts {
		keys = append(keys, labelKey(a.ExpLabels))
	}
	slices.Sort(keys)
	return strings.Join(keys, "\n")
}

func labelKey(labels map[string]string) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(labels)) {
		parts = append(parts, k+"="+labels[k])
	}
	return strings.Join(parts, ",")
}

// firstFiring returns the first minute at which alert fires, or -1.
func firstFiring(want *accountAlerts, alert string) int {
	for k := range want.m.samples {
		if len(want.expect(alert, k)) > 0 {
			return k
		}
	}
	return -1
}

// callShareAbove checks whether more than 10% of the listing calls of the
// last 2 minutes failed with code at minute, as recorded.
func callShareAbove(minute int, code string, above bool) promqlExprTest {
	return promqlExprTest{
		Expr:     fmt.Sprintf(`cams:api_errors:ratio_rate2m{code=%q} > bool 0.1`, code),
		EvalTime: fmt.Sprintf("%dm", minute),
		ExpSamples: []expSample{{Labels: fmt.Sprintf(`{job="cams", instance=%q, code=%q}`, largeInstance, code),
			Value: boolFloat(above)}},
	}
}

// countFiring checks how many alerts of name fire at minute, all with code.
func countFiring(name string, minute, n int, code string) promqlExprTest {
	e := promqlExprTest{Expr: fmt.Sprintf(`count by (alertname, code) (ALERTS{alertname=%q, alertstate="firing"})`, name),
		EvalTime: fmt.Sprintf("%dm", minute), ExpSamples: []expSample{}}
	if n > 0 {
		e.ExpSamples = append(e.ExpSamples, expSample{Labels: fmt.Sprintf(`{alertname=%q, code=%q}`, name, code), Value: float64(n)})
	}
	return e
}

func withName(alerts []expAlert, name string) []expAlert {
	var out []expAlert
	for _, a := range alerts {
		if a.ExpLabels["alertname"] == name {
			out = append(out, a)
		}
	}
	return out
}
