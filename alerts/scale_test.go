package alerts

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"
)

// The promtool unit test file, as the scale tests write it.
type unitTests struct {
	RuleFiles          []string    `yaml:"rule_files"`
	EvaluationInterval string      `yaml:"evaluation_interval"`
	Tests              []unitGroup `yaml:"tests"`
}

type unitGroup struct {
	Interval        string           `yaml:"interval"`
	InputSeries     []inputSeries    `yaml:"input_series"`
	AlertRuleTests  []alertRuleTest  `yaml:"alert_rule_test"`
	PromqlExprTests []promqlExprTest `yaml:"promql_expr_test,omitempty"`
}

type promqlExprTest struct {
	Expr       string      `yaml:"expr"`
	EvalTime   string      `yaml:"eval_time"`
	ExpSamples []expSample `yaml:"exp_samples"`
}

type expSample struct {
	Labels string  `yaml:"labels"`
	Value  float64 `yaml:"value"`
}

type alertRuleTest struct {
	EvalTime  string     `yaml:"eval_time"`
	Alertname string     `yaml:"alertname"`
	ExpAlerts []expAlert `yaml:"exp_alerts"`
}

type expAlert struct {
	ExpLabels      map[string]string `yaml:"exp_labels"`
	ExpAnnotations map[string]string `yaml:"exp_annotations"`
	// value is the alert's value, where a test needs it.
	value float64
}

const (
	largeInstance = "cams_exporter:9949"
	runbookURL    = "https://github.com/cams-exporter/cams_exporter/blob/main/alerts/RUNBOOK.md#"
)

// largeAccount is a healthy account of 10,000 spaces at the default 4
// calls/s and interval of 5m, over its first 3 hours, scraped every minute:
// the first pass takes 2,500 s and the spaces reach their first listing one
// by one, 4 a second, from 1 s after start-up.
func largeAccount() accountModel {
	return accountModel{spaces: 10000, rate: 4, interval: 300, firstCall: 1, latency: 0.08, retries: 3,
		scrape: 60, samples: 181, instance: largeInstance}
}

// spaceSample is the spaces whose own series go into the test: every 100th
// and the last. promtool's test engine refuses a query over more than
// 10,000 samples, and max_over_time(cams_flows[1h]) alone reads 61 a space,
// so the 10,000 spaces cannot all go in. Every per-space rule reads one
// space's series, joined only with the exporter's own (which the model
// computes from all 10,000 spaces): a sampled space alerts exactly as it
// would among all of them, and the sample covers every position in the
// pass, 25 s apart, from the first space listed (1 s) to the last
// (2,500.75 s).
func spaceSample(spaces int) []int {
	var out []int
	for i := 0; i < spaces; i += 100 {
		out = append(out, i)
	}
	return append(out, spaces-1)
}

// expectations says, per alert, which alerts are expected at a time (in
// minutes); an alert it does not name is expected silent.
type expectations func(alert string, minute int) []expAlert

// scaleChecks is what a scale test checks: at each of minutes, every alert
// of the rules file is as expect says, but for the alerts in counted, which
// fire for thousands of spaces: exprs check them instead.
type scaleChecks struct {
	minutes []int
	expect  expectations
	counted map[string]bool
	exprs   []promqlExprTest
	// sample is the spaces whose own series go in; nil: spaceSample.
	sample []int
}

// writeUnitTests writes a promtool test file of one group: the model's
// series, and the checks.
func writeUnitTests(t *testing.T, m accountModel, c scaleChecks) string {
	t.Helper()
	alerts, _ := loadRules(t)
	rules, err := filepath.Abs(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	if c.sample == nil {
		c.sample = spaceSample(m.spaces)
	}
	g := unitGroup{Interval: fmt.Sprintf("%gs", m.scrape), InputSeries: m.series(c.sample), PromqlExprTests: c.exprs}
	slices.Sort(c.minutes)
	for _, minute := range slices.Compact(c.minutes) {
		for _, a := range alerts {
			if c.counted[a.Alert] {
				continue
			}
			g.AlertRuleTests = append(g.AlertRuleTests, alertRuleTest{EvalTime: fmt.Sprintf("%dm", minute), Alertname: a.Alert,
				ExpAlerts: append([]expAlert{}, c.expect(a.Alert, minute)...)})
		}
	}
	b, err := yaml.Marshal(unitTests{RuleFiles: []string{rules}, EvaluationInterval: "1m", Tests: []unitGroup{g}})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "scale_tests.yml")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s: %d series, %d alert checks, %d KB", filepath.Base(path), len(g.InputSeries), len(g.AlertRuleTests), len(b)/1024)
	return path
}

// outOfReach is the informational alert every large account fires from 30
// minutes on (its for:), since its pass (2,500 s) is longer than 5m.
func outOfReach(alert string, minute int) []expAlert {
	if alert != "CAMSRefreshIntervalOutOfReach" || minute < 30 {
		return nil
	}
	return []expAlert{{
		ExpLabels: map[string]string{"severity": "info", "job": "cams", "instance": largeInstance},
		ExpAnnotations: map[string]string{
			"summary":     "A pass over every CAMS space takes longer than the refresh interval.",
			"description": "At the configured API rate, a pass over every space of " + largeInstance + " is expected to take 41m 40s, longer than --refresh.interval: spaces are refreshed back to back, the stalest first, and some spaces' data is older than the interval.",
			"runbook_url": runbookURL + "camsrefreshintervaloutofreach",
		},
	}}
}

func everyTenMinutes(extra ...int) []int {
	out := append([]int(nil), extra...)
	for m := 0; m <= 180; m += 10 {
		out = append(out, m)
	}
	return out
}

// TestHealthyLargeAccountFiresNoAlert runs every rule over the series a
// healthy 10,000-space account exports in its first 3 hours: the first pass
// (41m 40s, spaces appearing one by one) and the passes after it. No alert
// fires but the informational CAMSRefreshIntervalOutOfReach.
func TestHealthyLargeAccountFiresNoAlert(t *testing.T) {
	m := largeAccount()
	testRules(t, writeUnitTests(t, m, scaleChecks{minutes: everyTenMinutes(1, 29, 45), expect: outOfReach}))
}

// testRules runs promtool test rules on path, under Prometheus 3 and
// Debian's 2.42.
func testRules(t *testing.T, path string) {
	t.Helper()
	testRulesWith(t, promtools(t), path)
}

// testRulesWith runs promtool test rules on path under the promtools given.
func testRulesWith(t *testing.T, tools []tool, path string) {
	t.Helper()
	eachTool(t, tools, func(t *testing.T, promtool string) {
		start := time.Now()
		out := run(t, ".", promtool, "test", "rules", path)
		t.Logf("promtool test rules: %v\n%s", time.Since(start).Round(time.Millisecond), out)
	})
}

// TestOneStuckSpaceOfALargeAccount: in the same account, space cams-05000
// (listed at 1,251 s) fails every listing from its second one (3,751 s) on.
// CAMSSpaceDataStale fires for it alone once its data is older than three
// periods (3 × 2,500 s) and for: 5m has passed, at 151m: about three passes
// after its last success. CAMSRefreshFailing fires too, 15 minutes after
// the failure shows (cams_up is 0 from the 63rd minute); no other alert.
func TestOneStuckSpaceOfALargeAccount(t *testing.T) {
	const stuck = 5000
	m := largeAccount()
	m.failFrom, m.failCode = map[int]float64{stuck: 3700}, "InternalError"
	_, lastSuccess := m.listed(stuck, 0)
	expect := func(alert string, minute int) []expAlert {
		switch {
		case alert == "CAMSSpaceDataStale" && minute >= 151:
			age := float64(minute*60) - lastSuccess
			return []expAlert{{
				ExpLabels: map[string]string{"severity": "warning", "job": "cams", "instance": largeInstance, "space": m.spaceID(stuck)},
				ExpAnnotations: map[string]string{
					"summary":     "The flow data of a CAMS space is stale.",
					"description": fmt.Sprintf("The last successful refresh of space %s on %s was %s ago: its flow metrics are that old.", m.spaceID(stuck), largeInstance, humanizeDuration(age)),
					"runbook_url": runbookURL + "camsspacedatastale",
				},
			}}
		case alert == "CAMSRefreshFailing" && minute >= 78:
			return []expAlert{{
				ExpLabels: map[string]string{"severity": "warning", "job": "cams", "instance": largeInstance},
				ExpAnnotations: map[string]string{
					"summary":     "The exporter's refreshes of CAMS keep failing.",
					"description": "At least one space failed its last refresh on " + largeInstance + ": CAMS is unreachable or refuses the calls. Failing spaces keep their last good data; /status names them and their error.",
					"runbook_url": runbookURL + "camsrefreshfailing",
				},
			}}
		}
		return outOfReach(alert, minute)
	}
	testRules(t, writeUnitTests(t, m, scaleChecks{minutes: everyTenMinutes(29, 62, 63, 77, 78, 150, 151), expect: expect}))
	if passes := (151*60 - lastSuccess) / 2500; passes < 2.5 || passes > 3.5 {
		t.Errorf("the alert fired %.2f passes after the last success, want about 3", passes)
	}
}

// humanizeDuration formats seconds (at least a minute) as Prometheus'
// humanizeDuration template function does.
func humanizeDuration(seconds float64) string {
	d := int64(seconds)
	h, m, s := d/3600, d/60%60, d%60
	if h > 0 {
		return fmt.Sprintf("%dh %dm %ds", h, m, s)
	}
	return fmt.Sprintf("%dm %ds", m, s)
}
