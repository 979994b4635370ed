package e2e

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/internal/loopback"
	"github.com/cams-exporter/cams_exporter/simulator"
)

// The storm: a RAM policy edit denies stormSpaces of the spaces watched,
// while one space is unknown (a per-space code alert of its own) and one
// fails with an internal error (no code alert: its own freshness alert).
const (
	stormSpaces   = 40
	healthySpaces = 10
	stormCode     = "Ram.PermissionDeny"
	unknownCode   = "Unknown.ResourceOwnerId"
	internalCode  = "InternalError"
	// forScale divides every alert's for: in the test's copy of the rules,
	// keeping their proportions: the storm's 1m is 5 s, the per-space
	// alerts' 5m 25 s.
	forScale = 12
)

// TestAlertStorm runs the simulator, the exporter, Alertmanager and
// Prometheus with the files of examples/ over an account of 52 healthy
// spaces, and once Prometheus has scraped them all up, injects the faults:
// 40 spaces denied, one unknown and one failing with InternalError. The
// exporter's next pass meets them one by one while Prometheus scrapes, and
// the webhook receives exactly one notification for the denials,
// CAMSManySpacesFailing, and none of the per-space alerts of the 40
// (CAMSPermissionDenied, then CAMSSpaceDataStale, which carry the code and
// which Alertmanager shows muted), while the two other spaces alert on
// their own. Every for: is divided by forScale, so that the storm's 1m
// and the per-space alerts' 5m keep their order. On both stacks
// TestEndToEnd runs.
func TestAlertStorm(t *testing.T) {
	exporter := buildExporter(t)
	for _, s := range stacks(t) {
		t.Run(s.name, func(t *testing.T) { alertStorm(t, exporter, s) })
	}
}

// stormAccount is the storm's data set, and its spaces by what they do.
type stormAccount struct {
	data              *simulator.Dataset
	denied, healthy   []string
	unknown, internal string
	faults            []simulator.Fault
}

func newStormAccount() stormAccount {
	data := simulator.Generate(17, stormSpaces+healthySpaces+2, 2)
	var ids []string
	for _, sp := range data.Spaces {
		if sp.ID != "" {
			ids = append(ids, sp.ID)
		}
	}
	a := stormAccount{data: data, denied: ids[:stormSpaces], unknown: ids[stormSpaces], internal: ids[stormSpaces+1], healthy: ids[stormSpaces+2:]}
	fault := func(space, code string) simulator.Fault {
		return simulator.Fault{Kind: simulator.FaultError, Code: code, Space: &space}
	}
	for _, id := range a.denied {
		a.faults = append(a.faults, fault(id, stormCode))
	}
	a.faults = append(a.faults, fault(a.unknown, unknownCode), fault(a.internal, internalCode))
	return a
}

func (a stormAccount) watched() []string {
	return slices.Concat(a.denied, []string{a.unknown, a.internal}, a.healthy)
}

func alertStorm(t *testing.T, exporterBin string, s stack) {
	dir := t.TempDir()
	acct := newStormAccount()
	if n := len(acct.watched()); n != stormSpaces+healthySpaces+2 {
		t.Fatalf("the data set has %d spaces, want %d", n, stormSpaces+healthySpaces+2)
	}
	// No rate limit in the simulator: the exporter's own, at its default
	// of 4 calls/s, makes its pass over the 52 spaces take 13 s, longer than
	// the interval: as in a large account, the passes follow each other
	// back to back, and a pass meets the denied spaces one by one while
	// Prometheus scrapes every second.
	sim, err := simulator.New(simulator.Config{AccessKeyID: keyID, AccessKeySecret: keySecret, Data: acct.data, RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	simURL, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })

	exporterAddr, promAddr, amAddr := loopback.FreeAddr(t), loopback.FreeAddr(t), loopback.FreeAddr(t)
	args := []string{"--web.listen-address=" + exporterAddr, "--cams.endpoint=" + simURL, "--refresh.interval=10s"}
	for _, id := range acct.watched() {
		args = append(args, "--cams.space="+id)
	}
	start(t, "cams_exporter", []string{"ALIBABA_CLOUD_ECS_METADATA_DISABLED=true",
		"ALIBABA_CLOUD_ACCESS_KEY_ID=" + keyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET=" + keySecret}, exporterBin, args...)

	hook := &webhook{}
	hookSrv := httptest.NewServer(hook)
	t.Cleanup(hookSrv.Close)
	rules := rewriteRulesScaled(t, dir, forScale)
	amConfig := rewriteAlertmanager(t, dir, hookSrv.URL)
	promConfig := rewritePrometheus(t, dir, exporterAddr, amAddr, rules)
	start(t, "alertmanager", nil, s.alertmanager, "--config.file="+amConfig, "--storage.path="+filepath.Join(dir, "am"),
		"--web.listen-address="+amAddr, "--cluster.listen-address=")
	start(t, "prometheus", nil, s.prometheus, "--config.file="+promConfig, "--storage.tsdb.path="+filepath.Join(dir, "prom"),
		"--web.listen-address="+promAddr)
	checkVersions(t, promAddr, amAddr, s)

	// A healthy stack: Prometheus scrapes every space up.
	eventually(t, 60*time.Second, "Prometheus scraping every space up", func() string {
		up, err := query(promAddr, `cams_spaces{state="up"} and on(instance) up{job="cams"} == 1 and on(instance) cams_up == 1`)
		if err != nil || len(up) != 1 || up[0].value() != float64(len(acct.watched())) {
			return fmt.Sprint("spaces up: ", up, err)
		}
		return ""
	})
	// The edit, while the exporter lists and Prometheus scrapes.
	for _, f := range acct.faults {
		if _, err := sim.Inject(f); err != nil {
			t.Fatal(err)
		}
	}

	// The storm's alert, and the per-space alerts of every failing space,
	// fire in Prometheus; CAMSSpaceDataStale waits for three refresh
	// periods of the exporter's (3 passes, 39 s) after the spaces' last
	// success.
	isStorm := func(a alert) bool { return a.Labels["alertname"] == "CAMSManySpacesFailing" }
	eventually(t, 60*time.Second, "CAMSManySpacesFailing firing in Prometheus", func() string {
		return firingInPrometheus(promAddr, "CAMSManySpacesFailing", map[string]string{"": stormCode})
	})
	eventually(t, 60*time.Second, "CAMSPermissionDenied and CAMSUnknownSpace firing in Prometheus", func() string {
		want := map[string]string{acct.unknown: unknownCode}
		if why := firingInPrometheus(promAddr, "CAMSUnknownSpace", want); why != "" {
			return why
		}
		return firingInPrometheus(promAddr, "CAMSPermissionDenied", codes(acct.denied, stormCode))
	})
	eventually(t, 120*time.Second, "CAMSSpaceDataStale firing in Prometheus for every failing space", func() string {
		want := codes(acct.denied, stormCode)
		want[acct.unknown], want[acct.internal] = "", ""
		return firingInPrometheus(promAddr, "CAMSSpaceDataStale", want)
	})

	// Alertmanager mutes every per-space alert of the denied spaces, by the
	// storm (its rule comes first in examples/alertmanager.yml, and
	// Alertmanager names the first rule's source), and the unknown space's
	// CAMSSpaceDataStale, by its CAMSUnknownSpace.
	eventually(t, 30*time.Second, "the per-space alerts of the storm muted in Alertmanager", func() string {
		return mutedInAlertmanager(amAddr, 2*stormSpaces+1, func(a alert) string {
			switch {
			case isStorm(a):
			case a.Labels["code"] == stormCode:
				return "CAMSManySpacesFailing"
			case a.Labels["alertname"] == "CAMSSpaceDataStale" && a.Labels["space"] == acct.unknown:
				return "CAMSUnknownSpace"
			}
			return ""
		})
	})

	// The isolated spaces' own alerts are notified. CAMSSpaceDataStale of
	// the internal error's space fires in the same evaluation as those of
	// the denied spaces, and Alertmanager groups them by alert name: had
	// they not been muted, this notification would hold them.
	eventually(t, 30*time.Second, "the isolated spaces' own notifications", func() string {
		got := notified(t, hook)
		for _, want := range []struct{ alertname, space string }{
			{"CAMSUnknownSpace", acct.unknown}, {"CAMSSpaceDataStale", acct.internal},
		} {
			if !slices.ContainsFunc(got, func(n notification) bool { return n.has(want.alertname, want.space) }) {
				return fmt.Sprintf("no notification of %s for %s among %d", want.alertname, want.space, len(got))
			}
		}
		return ""
	})

	// Exactly one notification for the storm, and none of its spaces.
	var storms []notification
	leaked := map[string][]string{}
	for _, n := range notified(t, hook) {
		for _, a := range n.Alerts {
			switch {
			case isStorm(a):
				storms = append(storms, n)
			case a.Labels["code"] == stormCode || slices.Contains(acct.denied, a.Labels["space"]):
				leaked[a.Labels["alertname"]] = append(leaked[a.Labels["alertname"]], a.Labels["space"])
			}
		}
	}
	for name, spaces := range leaked {
		t.Errorf("%s notified for %d denied spaces (%v): the storm's per-space alerts must be muted", name, len(spaces), spaces[:min(3, len(spaces))])
	}
	if len(storms) != 1 {
		// A failed scrape ends every alert of the exporter (its series go
		// stale), and the storm is notified again when it comes back.
		up, err := query(promAddr, `min_over_time(up{job="cams"}[10m])`)
		t.Fatalf("%d notifications of CAMSManySpacesFailing, want exactly 1 (the lowest up of the scrapes: %v %v): %+v", len(storms), up, err, storms)
	}
	checkStormNotification(t, storms[0], exporterAddr, len(acct.watched()))
}

// stormDescription is what the storm's description says, from its count
// of spaces to its code.
var stormDescription = regexp.MustCompile(`^(\d+) spaces watched by (\S+) \(([0-9.]+%) of them\) failed their last refresh with (\S+): one cause\.`)

// checkStormNotification checks that the storm's notification goes to the
// pager, firing, and names the code, the count and the share of the spaces
// and the runbook. It is sent when the alert fires, a pass or so after the
// edit: the count is what the exporter had met by then, at least 10 (the
// fewest that make a storm) and at most the 40 denied.
func checkStormNotification(t *testing.T, n notification, exporterAddr string, watched int) {
	t.Helper()
	if len(n.Alerts) != 1 {
		t.Fatalf("the storm's notification holds %d alerts, want 1: %+v", len(n.Alerts), n.Alerts)
	}
	a := n.Alerts[0]
	m := stormDescription.FindStringSubmatch(a.Annotations["description"])
	if n.path != "/pager" || a.Status != "firing" || a.Labels["code"] != stormCode || a.Labels["severity"] != "critical" || m == nil ||
		!strings.HasSuffix(a.Annotations["runbook_url"], "RUNBOOK.md#camsmanyspacesfailing") {
		t.Fatalf("the storm's notification: %s %+v, want one firing alert to /pager naming the code, the spaces and the runbook", n.path, n.Alerts)
	}
	count, _ := strconv.Atoi(m[1])
	if share := fmt.Sprintf("%.4g%%", float64(count)/float64(watched)*100); count < 10 || count > stormSpaces || m[2] != exporterAddr || m[3] != share || m[4] != stormCode {
		t.Errorf("the storm's description %q: want 10 to %d spaces watched by %s, their share of %d (%s for %d), and %s",
			a.Annotations["description"], stormSpaces, exporterAddr, watched, share, count, stormCode)
	}
	t.Logf("the storm's notification: %s", a.Annotations["description"])
}

// rewriteRulesScaled copies the rules with every alert's for: divided by
// scale, so that the test takes seconds and the alerts keep their order.
func rewriteRulesScaled(t *testing.T, dir string, scale int) string {
	t.Helper()
	b, err := os.ReadFile("../alerts/cams_exporter.rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	out := forLine.ReplaceAllFunc(b, func(line []byte) []byte {
		prefix, value, _ := strings.Cut(string(line), "for: ")
		d, err := time.ParseDuration(value)
		if err != nil || d%time.Duration(scale) != 0 {
			t.Fatalf("the rules' %q: not a duration %d divides", strings.TrimSpace(string(line)), scale)
		}
		return []byte(prefix + "for: " + (d / time.Duration(scale)).String())
	})
	path := filepath.Join(dir, "cams_exporter.rules.yml")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// codes maps each space to code.
func codes(spaces []string, code string) map[string]string {
	out := map[string]string{}
	for _, s := range spaces {
		out[s] = code
	}
	return out
}

// alert is an alert as Prometheus' API, Alertmanager's API or a webhook
// notification gives it.
type alert struct {
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	State       string            `json:"state"`  // Prometheus
	Status      any               `json:"status"` // Alertmanager: an object; webhook: "firing" or "resolved"
}

// firingInPrometheus returns "" when alertname fires in Prometheus for
// exactly the spaces of want (the key "" for an alert without space), each
// with the code label want gives it ("" for none).
func firingInPrometheus(promAddr, alertname string, want map[string]string) string {
	var body struct {
		Data struct {
			Alerts []alert `json:"alerts"`
		} `json:"data"`
	}
	if err := getJSON("http://"+promAddr+"/api/v1/alerts", &body); err != nil {
		return err.Error()
	}
	got := map[string]string{}
	for _, a := range body.Data.Alerts {
		if a.Labels["alertname"] == alertname && a.State == "firing" {
			got[a.Labels["space"]] = a.Labels["code"]
		}
	}
	if len(got) != len(want) {
		return fmt.Sprintf("%d firing, want %d", len(got), len(want))
	}
	for space, code := range want {
		if c, ok := got[space]; !ok || c != code {
			return fmt.Sprintf("space %q: firing %v with code %q, want code %q", space, ok, c, code)
		}
	}
	return ""
}

// mutedInAlertmanager returns "" when Alertmanager mutes n alerts, each by
// an alert named as mutedBy says (of the same space, for a per-space one),
// and no alert for which mutedBy says "".
func mutedInAlertmanager(amAddr string, n int, mutedBy func(alert) string) string {
	var alerts []struct {
		alert
		Fingerprint string `json:"fingerprint"`
		Status      struct {
			State       string   `json:"state"`
			InhibitedBy []string `json:"inhibitedBy"`
		} `json:"status"`
	}
	if err := getJSON("http://"+amAddr+"/api/v2/alerts", &alerts); err != nil {
		return err.Error()
	}
	byFingerprint := map[string]alert{}
	for _, a := range alerts {
		byFingerprint[a.Fingerprint] = a.alert
	}
	count := 0
	for _, a := range alerts {
		name, space := a.Labels["alertname"], a.Labels["space"]
		want := mutedBy(a.alert)
		switch {
		case want == "" && a.Status.State == "suppressed":
			return fmt.Sprintf("%s for %q is muted (%v), and must not be", name, space, a.Status.InhibitedBy)
		case want == "":
		case a.Status.State != "suppressed" || len(a.Status.InhibitedBy) != 1:
			return fmt.Sprintf("%s for %s is %s", name, space, a.Status.State)
		default:
			by := byFingerprint[a.Status.InhibitedBy[0]]
			if by.Labels["alertname"] != want || by.Labels["space"] != "" && by.Labels["space"] != space {
				return fmt.Sprintf("%s for %s is muted by %v, want by %s", name, space, by.Labels, want)
			}
			count++
		}
	}
	if count != n {
		return fmt.Sprintf("%d alerts muted, want %d", count, n)
	}
	return ""
}

// notification is one webhook call from Alertmanager.
type notification struct {
	path   string
	Alerts []alert `json:"alerts"`
}

func (n notification) has(alertname, space string) bool {
	return slices.ContainsFunc(n.Alerts, func(a alert) bool {
		return a.Labels["alertname"] == alertname && a.Labels["space"] == space && a.Status == "firing"
	})
}

// notified parses every notification the webhook has received.
func notified(t *testing.T, hook *webhook) []notification {
	t.Helper()
	hook.mu.Lock()
	defer hook.mu.Unlock()
	var out []notification
	for _, m := range hook.messages {
		path, body, _ := strings.Cut(m, " ")
		n := notification{path: path}
		if err := json.Unmarshal([]byte(body), &n); err != nil {
			t.Fatalf("a notification that is not Alertmanager's JSON: %v: %s", err, m)
		}
		out = append(out, n)
	}
	return out
}
