package alerts

import (
	"fmt"
	"maps"
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
// 100 minutes. From the minute the edit's failures pass 10% of the watched
// spaces, CAMSManySpacesFailing fires, once, for the code, with the count
// and the share; every denied space fires CAMSPermissionDenied (counted),
// with the code, and the unknown space CAMSUnknownSpace, on its own.
// Alertmanager, run with examples/alertmanager.yml and given the alerts of
// the last minute, mutes every per-space alert of the code and nothing
// else.
func TestStormOfALargeAccount(t *testing.T) {
	m, sample := stormAccount()
	want := newAccountAlerts(m, sample)
	want.checkGroupOrder(t)

	first := want.firstStorm(stormCode)
	denied := want.failingCount(stormCode, m.samples-1)
	if denied != 3000 || first < 0 {
		t.Fatalf("the model has %d spaces denied at the end and its storm starts at minute %d, want 3,000 and a storm", denied, first)
	}
	// The pass reaches the denied spaces one by one (1.2 a second): until
	// the storm fires, the first ones alert on their own.
	early := len(want.expect("CAMSPermissionDenied", first-1))
	t.Logf("the first denial at minute %d, the storm from minute %d; %d spaces' CAMSPermissionDenied fired before it", int(stormStart/60)+1, first, early)
	if onset := float64(first) - stormStart/60; onset < 14 || onset > 16 {
		t.Errorf("the storm fires %.0f minutes after the edit, want about 15: 14 for the pass, at 4 calls/s, to meet 1,001 of its 3 denied spaces in 10, then for: 1m", onset)
	}
	for _, name := range []string{"CAMSUnknownSpace", "CAMSRefreshFailing"} {
		if len(want.expect(name, m.samples-1)) == 0 {
			t.Fatalf("the scenario has no %s at its end: it tests nothing of it", name)
		}
	}

	minutes := append(changes(t, want, map[string]bool{"CAMSPermissionDenied": true}), first-1, first)
	var exprs []promqlExprTest
	for _, minute := range minutes {
		exprs = append(exprs, countFiring("CAMSPermissionDenied", minute, len(want.expect("CAMSPermissionDenied", minute)), stormCode))
	}
	last := m.samples - 1
	exprs = append(exprs, promqlExprTest{
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
