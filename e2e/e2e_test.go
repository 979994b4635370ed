package e2e

import (
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cams-exporter/cams_exporter/dashboards"
	"github.com/cams-exporter/cams_exporter/internal/loopback"
	"github.com/cams-exporter/cams_exporter/internal/tooltest"
	"github.com/cams-exporter/cams_exporter/simulator"
)

const (
	keyID, keySecret = "LTAIe2eKeyId", "e2eKeySecret"
	deniedSpace      = "cams-e2edeny"
	// shortFor replaces every alert's for: so the test takes seconds, not
	// minutes. The test rewrites a copy; the shipped rules keep theirs.
	shortFor = "5s"
)

var documented = []string{"SIGN_UP", "SIGN_IN", "APPOINTMENT_BOOKING", "LEAD_GENERATION", "CONTACT_US", "CUSTOMER_SUPPORT", "SURVEY", "OTHER"}

// TestEndToEnd runs the simulator, the exporter, Alertmanager and Prometheus
// with the files of examples/ (only addresses and intervals changed) and
// shows that the series, the dashboard, the rules and an alert's way to
// Alertmanager all work: on the versions examples/docker-compose.yml runs
// (the newest Prometheus 3 and Alertmanager, built by
// scripts/install-tools.sh at the versions of scripts/tool-versions), and on
// Debian's Prometheus 2.42 and Alertmanager 0.25, which Debian and Ubuntu
// users run from their packages.
func TestEndToEnd(t *testing.T) {
	exporter := buildExporter(t)
	for _, s := range stacks(t) {
		t.Run(s.name, func(t *testing.T) { endToEnd(t, exporter, s) })
	}
}

// stacks are the two stacks the end-to-end tests run on: the versions
// examples/docker-compose.yml pins, and Debian's.
func stacks(t *testing.T) []stack {
	promV, amV := tooltest.Version(t, "PROMETHEUS_VERSION"), tooltest.Version(t, "ALERTMANAGER_VERSION")
	return []stack{
		{"prometheus-" + promV + "+alertmanager-" + amV, tooltest.Bin(t, "prometheus"), tooltest.Bin(t, "alertmanager"), promV, amV},
		{"debian", tooltest.Debian(t, "prometheus", "prometheus"), tooltest.Debian(t, "prometheus-alertmanager", "prometheus-alertmanager"), "2.", "0.2"},
	}
}

// stack is a Prometheus and an Alertmanager, and the versions (or their
// beginnings) they must report.
type stack struct {
	name, prometheus, alertmanager string
	promVersion, amVersion         string
}

func endToEnd(t *testing.T, exporterBin string, s stack) {
	promBin, amBin := s.prometheus, s.alertmanager
	dir := t.TempDir()

	data := simulator.Generate(11, 3, 30)
	data.Spaces = append(data.Spaces, simulator.Space{ID: deniedSpace, Flows: []simulator.Flow{{FlowId: "1", FlowName: "x", Categories: []string{"SURVEY"}}}})
	banned := banOneNumber(t, data)
	simulator.AddTemplates(11, data, 5)
	stopped := pauseEveryTemplate(t, data, banned)
	sim, simURL := startSimulator(t, data)

	exporterAddr, promAddr, amAddr := loopback.FreeAddr(t), loopback.FreeAddr(t), loopback.FreeAddr(t)
	hook := &webhook{}
	hookSrv := httptest.NewServer(hook)
	defer hookSrv.Close()

	// Flow statuses and every collector on, so that their panels and rules
	// have data too.
	args := []string{"--web.listen-address=" + exporterAddr, "--cams.endpoint=" + simURL, "--refresh.interval=10s", "--log.level=debug", "--collector.flow-status",
		"--collector.phone-numbers", "--collector.waba", "--collector.messaging-health", "--collector.templates"}
	var spaces []string
	for _, sp := range data.Spaces {
		if sp.ID != "" {
			spaces = append(spaces, sp.ID)
			args = append(args, "--cams.space="+sp.ID)
		}
	}
	start(t, "cams_exporter", []string{"ALIBABA_CLOUD_ECS_METADATA_DISABLED=true",
		"ALIBABA_CLOUD_ACCESS_KEY_ID=" + keyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET=" + keySecret}, exporterBin, args...)

	rules := rewriteRules(t, dir)
	amConfig := rewriteAlertmanager(t, dir, hookSrv.URL)
	promConfig := rewritePrometheus(t, dir, exporterAddr, amAddr, rules)
	start(t, "alertmanager", nil, amBin, "--config.file="+amConfig, "--storage.path="+filepath.Join(dir, "am"),
		"--web.listen-address="+amAddr, "--cluster.listen-address=")
	start(t, "prometheus", nil, promBin, "--config.file="+promConfig, "--storage.tsdb.path="+filepath.Join(dir, "prom"),
		"--web.listen-address="+promAddr)

	checkVersions(t, promAddr, amAddr, s)

	// Prometheus scrapes the exporter and the series are the data set's.
	eventually(t, 60*time.Second, "target up and first refresh done", func() string {
		s, err := query(promAddr, `up{job="cams"} == 1 and on(instance) cams_up == 1`)
		if err != nil || len(s) != 1 {
			return fmt.Sprint("up and cams_up: ", s, err)
		}
		return ""
	})
	checkFlows(t, promAddr, data, spaces)

	// A permission fault on one space reaches Alertmanager with its labels.
	if _, err := sim.Inject(simulator.Fault{Kind: "error", Code: "Ram.PermissionDeny", Space: &[]string{deniedSpace}[0]}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 60*time.Second, "CAMSPermissionDenied firing in Prometheus", func() string {
		return alertState(promAddr, "CAMSPermissionDenied", deniedSpace, "firing")
	})
	eventually(t, 30*time.Second, "CAMSPermissionDenied in Alertmanager", func() string {
		return alertInAlertmanager(amAddr, "CAMSPermissionDenied", deniedSpace, true)
	})
	eventually(t, 30*time.Second, "the pager webhook notified", func() string {
		if all := hook.all(); !strings.Contains(all, "/pager") || !strings.Contains(all, `"status":"firing"`) || !strings.Contains(all, deniedSpace) {
			return "webhook got: " + all
		}
		return ""
	})

	// The banned number, read by the phone-numbers collector, pages.
	checkNumbers(t, promAddr, data)
	eventually(t, 60*time.Second, "CAMSPhoneNumberUnusable firing in Prometheus", func() string {
		return alertState(promAddr, "CAMSPhoneNumberUnusable", banned, "firing")
	})
	eventually(t, 30*time.Second, "CAMSPhoneNumberUnusable in Alertmanager", func() string {
		return alertInAlertmanager(amAddr, "CAMSPhoneNumberUnusable", banned, true)
	})

	// The space whose every template Meta paused, read by the templates
	// collector, pages.
	eventually(t, 60*time.Second, "CAMSTemplatesAllUnusable firing in Prometheus", func() string {
		return alertState(promAddr, "CAMSTemplatesAllUnusable", stopped, "firing")
	})
	eventually(t, 30*time.Second, "CAMSTemplatesAllUnusable in Alertmanager", func() string {
		return alertInAlertmanager(amAddr, "CAMSTemplatesAllUnusable", stopped, true)
	})

	// With a space failing, every dashboard query and every rule evaluates,
	// and every panel has data.
	checkDashboard(t, promAddr)
	checkRules(t, promAddr, rules)

	// Clearing the fault resolves the alert.
	sim.ClearFaults()
	eventually(t, 60*time.Second, "CAMSPermissionDenied resolved in Prometheus", func() string {
		return alertState(promAddr, "CAMSPermissionDenied", deniedSpace, "")
	})
	eventually(t, 30*time.Second, "CAMSPermissionDenied resolved in Alertmanager", func() string {
		return alertInAlertmanager(amAddr, "CAMSPermissionDenied", deniedSpace, false)
	})
	eventually(t, 30*time.Second, "the pager webhook told of the resolution", func() string {
		if !strings.Contains(hook.all(), `"status":"resolved"`) {
			return "webhook got: " + hook.all()
		}
		return ""
	})
}

// checkVersions asks the running Prometheus and Alertmanager which versions
// they are.
func checkVersions(t *testing.T, promAddr, amAddr string, s stack) {
	t.Helper()
	var prom struct {
		Data struct{ Version string } `json:"data"`
	}
	eventually(t, 30*time.Second, "Prometheus build info", func() string {
		if err := getJSON("http://"+promAddr+"/api/v1/status/buildinfo", &prom); err != nil {
			return err.Error()
		}
		return ""
	})
	var am struct {
		VersionInfo struct{ Version string } `json:"versionInfo"`
	}
	eventually(t, 30*time.Second, "Alertmanager status", func() string {
		if err := getJSON("http://"+amAddr+"/api/v2/status", &am); err != nil {
			return err.Error()
		}
		return ""
	})
	if !strings.HasPrefix(prom.Data.Version, s.promVersion) || !strings.HasPrefix(am.VersionInfo.Version, s.amVersion) {
		t.Fatalf("running Prometheus %q and Alertmanager %q, want %s* and %s*", prom.Data.Version, am.VersionInfo.Version, s.promVersion, s.amVersion)
	}
	t.Logf("Prometheus %s, Alertmanager %s", prom.Data.Version, am.VersionInfo.Version)
}

func buildExporter(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "cams_exporter")
	out, err := exec.Command("go", "build", "-o", bin, "github.com/cams-exporter/cams_exporter").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// checkFlows compares the flow series with what the data set implies.
func checkFlows(t *testing.T, promAddr string, data *simulator.Dataset, spaces []string) {
	t.Helper()
	want := map[string]float64{}
	for _, sp := range data.Spaces {
		if sp.ID == "" {
			continue
		}
		want[fmt.Sprintf("cams_flows|%s|", sp.ID)] = float64(len(sp.Flows))
		for _, c := range documented {
			want[fmt.Sprintf("cams_flows_by_category|%s|%s", sp.ID, c)] = 0
		}
		for _, f := range sp.Flows {
			for _, c := range dedupe(f.Categories) {
				want[fmt.Sprintf("cams_flows_by_category|%s|%s", sp.ID, c)]++
			}
		}
	}
	got := map[string]float64{}
	for _, name := range []string{"cams_flows", "cams_flows_by_category"} {
		samples, err := query(promAddr, name+`{job="cams"}`)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range samples {
			got[name+"|"+s.Metric["space"]+"|"+s.Metric["category"]] = s.value()
		}
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v in Prometheus, want %v from the data set", k, got[k], v)
		}
	}
	if s, err := query(promAddr, `count(cams_space_up{job="cams"} == 1)`); err != nil || len(s) != 1 || s[0].value() != float64(len(spaces)) {
		t.Errorf("spaces up: %v %v, want %d", s, err, len(spaces))
	}
}

func dedupe(list []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// alertState returns "" when alert for space is in state (or absent when
// state is "").
func alertState(promAddr, alert, space, state string) string {
	var body struct {
		Data struct {
			Alerts []struct {
				Labels map[string]string `json:"labels"`
				State  string            `json:"state"`
			} `json:"alerts"`
		} `json:"data"`
	}
	if err := getJSON("http://"+promAddr+"/api/v1/alerts", &body); err != nil {
		return err.Error()
	}
	for _, a := range body.Data.Alerts {
		if a.Labels["alertname"] == alert && a.Labels["space"] == space {
			switch {
			case state == "":
				return "still " + a.State
			case a.State != state:
				return "state " + a.State
			case a.Labels["severity"] != "critical" || a.Labels["job"] != "cams" || a.Labels["instance"] == "":
				return fmt.Sprintf("labels %v", a.Labels)
			}
			return ""
		}
	}
	if state == "" {
		return ""
	}
	return fmt.Sprintf("no %s alert for %s among %d", alert, space, len(body.Data.Alerts))
}

// alertInAlertmanager returns "" when the alert is active in Alertmanager
// (want) or no longer there (!want).
func alertInAlertmanager(amAddr, alert, space string, want bool) string {
	var alerts []struct {
		Labels map[string]string `json:"labels"`
		Status struct {
			State string `json:"state"`
		} `json:"status"`
	}
	if err := getJSON("http://"+amAddr+"/api/v2/alerts?active=true&silenced=false&inhibited=false", &alerts); err != nil {
		return err.Error()
	}
	for _, a := range alerts {
		if a.Labels["alertname"] == alert && a.Labels["space"] == space {
			if !want {
				return "still active"
			}
			if a.Status.State != "active" || a.Labels["severity"] != "critical" {
				return fmt.Sprintf("state %s labels %v", a.Status.State, a.Labels)
			}
			return ""
		}
	}
	if want {
		return fmt.Sprintf("not among %d alerts", len(alerts))
	}
	return ""
}

func checkDashboard(t *testing.T, promAddr string) {
	t.Helper()
	d, err := dashboards.Load("../dashboards/cams_exporter.json")
	if err != nil {
		t.Fatal(err)
	}
	queries := d.Queries()
	if len(queries) < 10 {
		t.Fatalf("only %d dashboard queries", len(queries))
	}
	for _, q := range queries {
		expr := dashboards.Substitute(q.Expr, "1m")
		samples, err := query(promAddr, expr)
		if err != nil {
			t.Errorf("panel %q %s: %v", q.PanelTitle, q.RefID, err)
			continue
		}
		// The collectors' rows have data only with the collectors on: here
		// their queries must evaluate.
		if len(samples) == 0 && !slices.Contains(dashboards.CollectorRows, q.Row) {
			t.Errorf("panel %q %s returns no data: %s", q.PanelTitle, q.RefID, expr)
		}
	}
}

// checkRules evaluates every rule expression of the rules file.
func checkRules(t *testing.T, promAddr, rulesPath string) {
	t.Helper()
	b, err := os.ReadFile(rulesPath)
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Groups []struct {
			Rules []struct {
				Alert  string `yaml:"alert"`
				Record string `yaml:"record"`
				Expr   string `yaml:"expr"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, g := range file.Groups {
		for _, r := range g.Rules {
			n++
			if _, err := query(promAddr, r.Expr); err != nil {
				t.Errorf("rule %s%s: %v", r.Alert, r.Record, err)
			}
		}
	}
	if n < 10 {
		t.Errorf("only %d rules evaluated", n)
	}
}

var forLine = regexp.MustCompile(`(?m)^(\s+for:) \S+$`)

// rewriteRules copies the shipped rules with every for: shortened.
func rewriteRules(t *testing.T, dir string) string {
	t.Helper()
	b, err := os.ReadFile("../alerts/cams_exporter.rules.yml")
	if err != nil {
		t.Fatal(err)
	}
	out := forLine.ReplaceAll(b, []byte("$1 "+shortFor))
	path := filepath.Join(dir, "cams_exporter.rules.yml")
	if err := os.WriteFile(path, out, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// rewriteAlertmanager copies examples/alertmanager.yml with short group
// waits and the webhooks pointed at the test's receiver.
func rewriteAlertmanager(t *testing.T, dir, hookURL string) string {
	t.Helper()
	b, err := os.ReadFile("../examples/alertmanager.yml")
	if err != nil {
		t.Fatal(err)
	}
	s := strings.ReplaceAll(string(b), "http://127.0.0.1:5001", hookURL)
	s = regexp.MustCompile(`(?m)^(\s+group_wait:) \S+$`).ReplaceAllString(s, "$1 1s")
	s = regexp.MustCompile(`(?m)^(\s+group_interval:) \S+$`).ReplaceAllString(s, "$1 1s")
	path := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// rewritePrometheus copies examples/prometheus.yml with local addresses, a
// 1 s scrape and evaluation interval, and the rewritten rules.
func rewritePrometheus(t *testing.T, dir, exporterAddr, amAddr, rules string) string {
	t.Helper()
	b, err := os.ReadFile("../examples/prometheus.yml")
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for old, repl := range map[string]string{
		"cams_exporter:9949":                            exporterAddr,
		"alertmanager:9093":                             amAddr,
		"/etc/prometheus/rules/cams_exporter.rules.yml": rules,
	} {
		if !strings.Contains(s, old) {
			t.Fatalf("examples/prometheus.yml no longer holds %q; update the test", old)
		}
		s = strings.ReplaceAll(s, old, repl)
	}
	s = regexp.MustCompile(`(?m)^(\s+(scrape|evaluation)_interval:) \S+$`).ReplaceAllString(s, "$1 1s")
	path := filepath.Join(dir, "prometheus.yml")
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// banOneNumber makes the first number of the first space that has one
// BANNED, its messaging BLOCKED, and returns that space.
func banOneNumber(t *testing.T, data *simulator.Dataset) string {
	t.Helper()
	for i := range data.Spaces {
		sp := &data.Spaces[i]
		if sp.ID != "" && sp.WABA != nil && len(sp.PhoneNumbers) > 0 {
			sp.PhoneNumbers[0].Status = "BANNED"
			sp.PhoneNumbers[0].Health = &simulator.Health{CanSendMessage: "BLOCKED", Errors: []simulator.HealthError{{ErrorCode: "141000"}}}
			return sp.ID
		}
	}
	t.Fatal("the generated data set has no space with a WABA and numbers")
	return ""
}

// pauseEveryTemplate pauses every template of a space with templates other
// than but, and returns the space.
func pauseEveryTemplate(t *testing.T, data *simulator.Dataset, but string) string {
	t.Helper()
	for i := range data.Spaces {
		sp := &data.Spaces[i]
		if sp.ID != "" && sp.ID != but && len(sp.Templates) > 0 {
			for j := range sp.Templates {
				sp.Templates[j].AuditStatus = "paused"
			}
			return sp.ID
		}
	}
	t.Fatal("the generated data set has no other space with templates")
	return ""
}

// checkNumbers checks that Prometheus holds one cams_phone_number_state
// series for each number of the data set's spaces, and a WABA series for
// each space with one.
func checkNumbers(t *testing.T, promAddr string, data *simulator.Dataset) {
	t.Helper()
	numbers, wabas := 0, 0
	for _, sp := range data.Spaces {
		if sp.ID == "" {
			continue // the own space has no CustSpaceId: not asked
		}
		numbers += len(sp.PhoneNumbers)
		if sp.WABA != nil {
			wabas++
		}
	}
	eventually(t, 60*time.Second, "every number and WABA in Prometheus", func() string {
		for q, want := range map[string]int{`count(cams_phone_number_state{job="cams"})`: numbers, `count(cams_waba_info{job="cams"})`: wabas} {
			s, err := query(promAddr, q)
			if err != nil || len(s) != 1 || int(s[0].value()) != want {
				return fmt.Sprintf("%s = %v (%v), want %d", q, s, err, want)
			}
		}
		return ""
	})
}
