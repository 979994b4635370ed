package mixin

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cams-exporter/cams_exporter/internal/tooltest"
)

// customRules is a _config with every setting of the rules changed from its
// default; the expectations below are worked out from these values by hand.
const customRules = `{
  camsExporterSelector: 'job="cams-eu", instance=~"eu-.+"',
  runbookURLPattern: 'https://runbooks.example/cams#%s',
  staleMargin: 4,
  apiWindow: '30m',
  stormCallsWindow: '3m',
  stormMinSpaces: 20,
  stormSpacesShare: 0.25,
  stormCallsShare: 0.3,
  throttlingRatio: 0.2,
  apiErrorsRatio: 0.15,
  apiLatencyP99Seconds: 5,
  flowsDisappearedWindow: '2h',
  flowsRemovedWindow: '30m',
  flowsRemovedMax: 25,
  publishedFlowsWindow: '3h',
  flowStatusDeniedWindow: '4h',
  messagingLimitWindow: '2h',
  messagingLimitStep: '10m',
  wabaPendingAfter: '48h',
  wabaPendingWindow: '2h',
  templateWaveMinSpaces: 30,
  templateWaveShare: 0.2,
  templateWaveListedWindow: '10m',
  templateWaveHoldShare: 0.08,
  templatePausedWindow: '2h',
}`

const customSelector = `job="cams-eu", instance=~"eu-.+"`

func evaluate(t *testing.T, config string, parts Parts) *Mixin {
	t.Helper()
	m, err := Evaluate(filepath.Join(root, "mixin"), config, parts)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func rulesByName(m *Mixin) map[string]Rule {
	byName := map[string]Rule{}
	for _, g := range append(m.PrometheusRules.Groups, m.PrometheusAlerts.Groups...) {
		for _, r := range g.Rules {
			byName[r.Record+r.Alert] = r
		}
	}
	return byName
}

// TestConfigDrivesRules: each setting of _config reaches the expressions,
// the recording rules' names and the descriptions that depend on it.
func TestConfigDrivesRules(t *testing.T) {
	rules := rulesByName(evaluate(t, customRules, Rules))
	for _, tc := range []struct {
		rule              string
		expr, description []string // substrings each must hold
	}{
		{rule: "CAMSExporterAbsent", expr: []string{`absent(up{job="cams-eu", instance=~"eu-.+"})`}},
		{rule: "CAMSSpaceDataStale", expr: []string{`(4 * cams:refresh_period_seconds:max{job="cams-eu", instance=~"eu-.+"})`}},
		{rule: "CAMSSpaceNeverRefreshed", expr: []string{`> 4 * cams:refresh_period_seconds:max`}, description: []string{"started four refresh periods ago"}},
		{rule: "cams:api_requests:rate30m", expr: []string{`[30m]`}},
		{rule: "cams:api_errors:rate30m", expr: []string{`[30m]`}},
		{rule: "cams:api_errors:increase30m", expr: []string{`offset 30m)`, `[30m]`}},
		{rule: "cams:api_request_duration_seconds_bucket:rate30m", expr: []string{`[30m]`}},
		{rule: "cams:api_request_duration_seconds:p99_rate30m", expr: []string{`cams:api_request_duration_seconds_bucket:rate30m{`}},
		{rule: "cams:api_errors:ratio_rate3m", expr: []string{`offset 3m)`, `[3m]`}},
		{rule: "cams:space_error_info:storm", expr: []string{`>= 20`, `cams:space_error_info:ratio{job="cams-eu", instance=~"eu-.+"} > 0.25`, `cams:api_errors:ratio_rate3m{`, `"} > 0.3`}},
		{rule: "CAMSCredentialsInvalid", expr: []string{`cams:api_errors:increase30m{`}, description: []string{"in the last 30 minutes failed"}},
		{rule: "CAMSThrottling", expr: []string{`cams:api_errors:rate30m{`, "> 0.2\n"}, description: []string{"in the last 30 minutes were throttled"}},
		{rule: "CAMSAPIErrorsHigh", expr: []string{"> 0.15\n"}, description: []string{"in the last 30 minutes failed"}},
		{rule: "CAMSHighAPILatency", expr: []string{`p99_rate30m{job="cams-eu", instance=~"eu-.+"} > 5`}, description: []string{"over the last 30 minutes is"}},
		{rule: "CAMSFlowsDisappeared", expr: []string{`[2h]`}, description: []string{"had flows within the last 2 hours"}},
		{rule: "CAMSManyFlowsRemoved", expr: []string{`[30m]) > 25`}, description: []string{"in the last 30 minutes, as seen"}},
		{rule: "CAMSPublishedFlowsDropped", expr: []string{`[3h]`}, description: []string{"fewer than within the last 3 hours."}},
		{rule: "CAMSFlowStatusPermissionDenied", expr: []string{`[4h]`}, description: []string{"in the last 4 hours:"}},
		{rule: "cams:collector_space_error_info:storm", expr: []string{`>= 20`, `> 0.25`}},
		{rule: "cams:collector_space_data_age_seconds:stale", expr: []string{`(4 * cams:collector_period_seconds:max{`}},
		{rule: "CAMSCollectorDataStale", description: []string{"older than four collection periods, or none since the exporter started four periods ago"}},
		{rule: "cams:phone_number_messaging_limit:decreased2h", expr: []string{`[2h:10m]`}},
		{rule: "CAMSMessagingLimitDecreased", expr: []string{`cams:phone_number_messaging_limit:decreased2h{`}, description: []string{"than within the last 2 hours,"}},
		{rule: "CAMSWabaReviewNotApproved", expr: []string{`[2h] offset 48h)`}, description: []string{"since 2 days or more"}},
		{rule: "cams:template_problem_spaces:count_listed10m", expr: []string{`> time() - 600)`}},
		{rule: "cams:template_problem_spaces:ratio_listed10m", expr: []string{`cams:template_problem_spaces:count_listed10m{`, `clamp_max(600 /`}},
		{rule: "cams:template_problem_spaces:storm", expr: []string{`count{job="cams-eu", instance=~"eu-.+"} >= 30`, `ratio{job="cams-eu", instance=~"eu-.+"} > 0.2`, `ratio_listed10m{job="cams-eu", instance=~"eu-.+"} > 0.2`, `count_listed10m{job="cams-eu", instance=~"eu-.+"} >= 30`, `> 0.08`}},
		{rule: "CAMSTemplatePaused", expr: []string{`[2h]) > 0)`}, description: []string{"were paused within the last 2 hours"}},
	} {
		t.Run(tc.rule, func(t *testing.T) {
			r, ok := rules[tc.rule]
			if !ok {
				t.Fatalf("no rule %s", tc.rule)
			}
			for _, s := range tc.expr {
				if !strings.Contains(r.Expr, s) {
					t.Errorf("expr lacks %q:\n%s", s, r.Expr)
				}
			}
			for _, s := range tc.description {
				if d := r.Annotations["description"] + r.Annotations["summary"]; !strings.Contains(d, s) {
					t.Errorf("description lacks %q: %s", s, d)
				}
			}
		})
	}

	// No default window is left in a name or an expression.
	defaults := regexp.MustCompile(`rate15m|increase15m|rate2m|decreased1h|listed5m|\[15m\]|\[1h\]|\[2m\]|\b300\b|>= 10\b|> 0\.1\b`)
	for name, r := range rules {
		if d := defaults.FindString(name + "\n" + r.Expr); d != "" {
			t.Errorf("%s still holds the default %q:\n%s", name, d, r.Expr)
		}
		if r.Alert != "" && r.Annotations["runbook_url"] != "https://runbooks.example/cams#"+strings.ToLower(r.Alert) {
			t.Errorf("%s: runbook_url %q, want the pattern's", name, r.Annotations["runbook_url"])
		}
	}
}

// TestEverySelectorSelectsTheExporter: with any _config, every vector
// selector of every rule, the exporter's series, the recorded ones and
// ALERTS, starts with the exporter selector.
func TestEverySelectorSelectsTheExporter(t *testing.T) {
	for _, tc := range []struct{ config, selector string }{
		{"", `job="cams"`},
		{customRules, customSelector},
	} {
		m := evaluate(t, tc.config, Rules)
		n := 0
		for name, r := range rulesByName(m) {
			sels := vectorSelectors(r.Expr)
			if len(sels) == 0 {
				t.Errorf("%s: no vector selector found in %s", name, r.Expr)
			}
			for _, s := range sels {
				if !strings.HasPrefix(s.matchers, tc.selector) {
					t.Errorf("%s: selector %s{%s} does not start with %s", name, s.metric, s.matchers, tc.selector)
				}
				n++
			}
		}
		t.Logf("%d vector selectors select %s", n, tc.selector)
	}
}

type vectorSelector struct{ metric, matchers string }

// vectorSelectors finds the vector selectors of a PromQL expression: a
// metric name (an identifier not called as a function, not a keyword or a
// label in a by/on list: those are never cams_*, cams:*, up or ALERTS),
// with its {matchers} if any, and every {matchers} without a name.
func vectorSelectors(expr string) []vectorSelector {
	var out []vectorSelector
	metric := regexp.MustCompile(`^(cams[_:][A-Za-z0-9_:]*|up|ALERTS)$`)
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == '"' || c == '\'':
			i = skipString(expr, i)
		case c == '{':
			end := matchersEnd(expr, i)
			out = append(out, vectorSelector{matchers: expr[i+1 : end]})
			i = end + 1
		case c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
			j := i
			for j < len(expr) && (expr[j] == '_' || expr[j] == ':' || expr[j] >= 'a' && expr[j] <= 'z' || expr[j] >= 'A' && expr[j] <= 'Z' || expr[j] >= '0' && expr[j] <= '9') {
				j++
			}
			word := expr[i:j]
			i = j
			if !metric.MatchString(word) {
				continue
			}
			s := vectorSelector{metric: word}
			if j < len(expr) && expr[j] == '{' {
				end := matchersEnd(expr, j)
				s.matchers = expr[j+1 : end]
				i = end + 1
			}
			out = append(out, s)
		default:
			i++
		}
	}
	return out
}

// skipString returns the index after the quoted string that starts at i.
func skipString(s string, i int) int {
	q := s[i]
	for i++; i < len(s) && s[i] != q; i++ {
		if s[i] == '\\' {
			i++
		}
	}
	return i + 1
}

// matchersEnd returns the index of the } closing the { at i.
func matchersEnd(s string, i int) int {
	for i++; i < len(s) && s[i] != '}'; {
		if s[i] == '"' || s[i] == '\'' || s[i] == '`' {
			i = skipString(s, i)
		} else {
			i++
		}
	}
	return i
}

func TestVectorSelectors(t *testing.T) {
	got := vectorSelectors(`sum by (job, instance) (rate(cams_api_errors_total{job="a", code=~"x}|y"}[5m])) / on(job) cams:x:y + up + {__name__=~"cams_a|cams_b", job="a"} and ALERTS{alertname="cams_q"}`)
	want := []vectorSelector{
		{"cams_api_errors_total", `job="a", code=~"x}|y"`},
		{"cams:x:y", ""},
		{"up", ""},
		{"", `__name__=~"cams_a|cams_b", job="a"`},
		{"ALERTS", `alertname="cams_q"`},
	}
	if g, w := jsonString(t, got), jsonString(t, want); g != w {
		t.Errorf("vectorSelectors = %s, want %s", g, w)
	}
}

func jsonString(t *testing.T, v any) string {
	t.Helper()
	type sel struct{ Metric, Matchers string }
	var l []sel
	for _, s := range v.([]vectorSelector) {
		l = append(l, sel{s.metric, s.matchers})
	}
	b, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCustomRulesPassPromtool: the rules of another _config are valid
// rules for Prometheus 3's promtool.
func TestCustomRulesPassPromtool(t *testing.T) {
	promtool := tooltest.Bin(t, "promtool")
	b, err := RulesYAML(evaluate(t, customRules, Rules), "custom")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "custom.rules.yml")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(promtool, "check", "rules", path).CombinedOutput(); err != nil {
		t.Fatalf("promtool check rules: %v\n%s", err, out)
	}
}

// TestConfigDrivesDashboard: the dashboard's uid, title, tags, refresh,
// time range, selector and the thresholds it shares with the alerts come
// from _config.
func TestConfigDrivesDashboard(t *testing.T) {
	m := evaluate(t, `{
  camsExporterSelector: 'job="cams-eu"',
  dashboardUID: 'cams-eu', dashboardTitle: 'CAMS EU', dashboardTags: ['eu'],
  dashboardRefresh: '5m', dashboardFrom: 'now-24h', dashboardTo: 'now-1h', dashboardTimezone: 'utc',
  staleMargin: 4, exporterRefreshInterval: '10m',
}`, Dashboards)
	b, err := DashboardJSON(m, dashboardName)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		UID, Title, Refresh, Timezone string
		Tags                          []string
		Time                          struct{ From, To string }
		Templating                    struct {
			List []struct {
				Name       string
				Definition string
			}
		}
	}
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	if d.UID != "cams-eu" || d.Title != "CAMS EU" || d.Refresh != "5m" || d.Timezone != "utc" || strings.Join(d.Tags, ",") != "eu" ||
		d.Time.From != "now-24h" || d.Time.To != "now-1h" {
		t.Errorf("uid %q title %q refresh %q timezone %q tags %v time %+v, want the _config's", d.UID, d.Title, d.Refresh, d.Timezone, d.Tags, d.Time)
	}
	queries := map[string]string{}
	for _, v := range d.Templating.List {
		queries[v.Name] = v.Definition
	}
	for name, want := range map[string]string{
		"job":      `label_values(cams_up{job="cams-eu"}, job)`,
		"instance": `label_values(cams_up{job="cams-eu",job=~"$job"}, instance)`,
		"space":    `label_values(cams_flows{job="cams-eu",job=~"$job",instance=~"$instance"}, space)`,
	} {
		if queries[name] != want {
			t.Errorf("variable %s: %q, want %q", name, queries[name], want)
		}
	}
	s := string(b)
	for _, want := range []string{
		// Each panel's selectors start with the exporter's.
		`{job=\"cams-eu\",job=~\"$job\",instance=~\"$instance\",space=~\"${space:pipe}\"}`,
		// The red line of the data age: 4 periods of 10 minutes.
		`"value": 2400`,
		"the red line is 40 minutes, four default refresh periods",
		"`CAMSSpaceDataStale` fires at four periods",
		"`CAMSSpaceDataStale` fires past four.",
		`collector=\"templates\"})) > 4) or vector(0)`,
		"data older than 4 periods",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("the dashboard lacks %s", want)
		}
	}
	if n, m := strings.Count(s, `job=~\"$job\"`), strings.Count(s, `job=\"cams-eu\",job=~\"$job\"`); n != m {
		t.Errorf("%d matchers job=~\"$job\", %d of them after the exporter selector", n, m)
	}
}

// TestBadConfigFails: a bad _config is an error that names the setting.
func TestBadConfigFails(t *testing.T) {
	for _, tc := range []struct{ config, want string }{
		{`{camsExporterSelector: ''}`, "_config.camsExporterSelector is empty"},
		{`{apiWindow: '1h30m'}`, "_config.apiWindow: want a duration of a whole number and one unit"},
		{`{templateWaveListedWindow: '5', wabaPendingAfter: '0h'}`, "_config.wabaPendingAfter, _config.templateWaveListedWindow: want a duration"},
		{`{staleMargin: 'three'}`, "_config.staleMargin: want a number"},
	} {
		_, err := Evaluate(filepath.Join(root, "mixin"), tc.config, All)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("config %s: error %v, want one line saying %q", tc.config, err, tc.want)
		} else {
			t.Log(err)
		}
	}
}
