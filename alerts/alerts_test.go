package alerts

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/common/model"
	"go.yaml.in/yaml/v3"

	"github.com/cams-exporter/cams_exporter/internal/tooltest"
)

const (
	rulesFile   = "cams_exporter.rules.yml"
	testsFile   = "tests.yml"
	runbookFile = "RUNBOOK.md"
	// runbookURLPrefix is where every runbook_url points, followed by the
	// anchor of the alert's section: its name in lower case.
	runbookURLPrefix = "https://github.com/cams-exporter/cams_exporter/blob/main/alerts/RUNBOOK.md#"
)

// The rules file, as much of it as the checks need.
type ruleFile struct {
	Groups []struct {
		Name  string `yaml:"name"`
		Rules []rule `yaml:"rules"`
	} `yaml:"groups"`
}

type rule struct {
	Alert       string            `yaml:"alert"`
	Record      string            `yaml:"record"`
	Expr        string            `yaml:"expr"`
	For         string            `yaml:"for"`
	Labels      map[string]string `yaml:"labels"`
	Annotations map[string]string `yaml:"annotations"`
}

// The promtool unit test file, as much of it as the checks need.
type testFile struct {
	RuleFiles          []string `yaml:"rule_files"`
	EvaluationInterval string   `yaml:"evaluation_interval"`
	Tests              []struct {
		AlertRuleTests []struct {
			EvalTime  string           `yaml:"eval_time"`
			Alertname string           `yaml:"alertname"`
			ExpAlerts []map[string]any `yaml:"exp_alerts"`
		} `yaml:"alert_rule_test"`
	} `yaml:"tests"`
}

// A program the tests run under each version people use: the newest, built
// by scripts/install-tools.sh at the version of scripts/tool-versions, and
// Debian's. Missing, it skips the test, or fails it under `make test`, which installs
// both.
type tool struct {
	name, path string
	// version is what `<tool> --version` must print.
	version string
}

// promtools are Prometheus 3's promtool and Debian's (2.42).
func promtools(t *testing.T) []tool {
	v := tooltest.Version(t, "PROMETHEUS_VERSION")
	return []tool{
		{"prometheus-" + v, tooltest.Bin(t, "promtool"), "version " + v},
		{"debian", tooltest.Debian(t, "promtool", "prometheus"), "version 2."},
	}
}

// amtools are the newest Alertmanager's amtool and Debian's (0.25).
func amtools(t *testing.T) []tool {
	v := tooltest.Version(t, "ALERTMANAGER_VERSION")
	return []tool{
		{"alertmanager-" + v, tooltest.Bin(t, "amtool"), "version " + v},
		{"debian", tooltest.Debian(t, "amtool", "prometheus-alertmanager"), "version 0."},
	}
}

// eachTool runs f once per version of a tool, in a subtest named after it,
// after checking that the program is the version it claims.
func eachTool(t *testing.T, tools []tool, f func(t *testing.T, path string)) {
	for _, tl := range tools {
		t.Run(tl.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			out, err := exec.CommandContext(ctx, tl.path, "--version").CombinedOutput()
			if err != nil || !strings.Contains(string(out), tl.version) {
				t.Fatalf("%s --version: %v: %s; want %q", tl.path, err, out, tl.version)
			}
			f(t, tl.path)
		})
	}
}

// run runs a command in dir and returns its standard output; it fails the
// test with the command's whole output if the command fails.
func run(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstdout:\n%s\nstderr:\n%s", name, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

func readYAML(t *testing.T, path string, v any) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func loadRules(t *testing.T) (alerts, records []rule) {
	t.Helper()
	var f ruleFile
	readYAML(t, rulesFile, &f)
	for _, g := range f.Groups {
		for _, r := range g.Rules {
			if r.Alert != "" {
				alerts = append(alerts, r)
			} else {
				records = append(records, r)
			}
		}
	}
	if len(alerts) == 0 {
		t.Fatalf("%s has no alerting rule", rulesFile)
	}
	return alerts, records
}

func TestPromtoolCheckRules(t *testing.T) {
	eachTool(t, promtools(t), func(t *testing.T, promtool string) {
		t.Log(run(t, ".", promtool, "check", "rules", rulesFile))
	})
}

func TestPromtoolTestRules(t *testing.T) {
	eachTool(t, promtools(t), func(t *testing.T, promtool string) {
		t.Log(run(t, ".", promtool, "test", "rules", testsFile))
	})
}

var (
	alertName  = regexp.MustCompile(`^CAMS[A-Z][A-Za-z0-9]*$`)
	recordName = regexp.MustCompile(`^cams:[a-z0-9_]+:[a-z0-9_]+$`)
	severities = []string{"critical", "warning", "info"}
)

func TestAlertConventions(t *testing.T) {
	alerts, records := loadRules(t)
	anchors := runbookAnchors(t)
	seen := map[string]bool{}
	for _, a := range alerts {
		name := a.Alert
		if seen[name] {
			t.Errorf("alert %s is defined twice", name)
		}
		seen[name] = true
		if !alertName.MatchString(name) {
			t.Errorf("alert %s: the name must be CamelCase with the prefix CAMS", name)
		}
		if !slices.Contains(severities, a.Labels["severity"]) {
			t.Errorf("alert %s: severity %q, want one of %v", name, a.Labels["severity"], severities)
		}
		if d, err := model.ParseDuration(a.For); err != nil || d <= 0 {
			t.Errorf("alert %s: for: %q, want a positive duration (%v)", name, a.For, err)
		}
		summary := a.Annotations["summary"]
		if summary == "" || strings.Contains(summary, "\n") || !strings.HasSuffix(summary, ".") || strings.Count(summary, ". ") > 0 {
			t.Errorf("alert %s: summary %q, want one plain sentence ending with a full stop", name, summary)
		}
		if strings.Contains(summary, "{{") {
			t.Errorf("alert %s: summary %q is templated; keep it plain and template the description", name, summary)
		}
		if desc := a.Annotations["description"]; desc == "" || !strings.Contains(desc, "{{") {
			t.Errorf("alert %s: description %q, want a description templated with the alert's labels or value", name, desc)
		}
		url := a.Annotations["runbook_url"]
		anchor, ok := strings.CutPrefix(url, runbookURLPrefix)
		switch {
		case !ok:
			t.Errorf("alert %s: runbook_url %q, want %s<anchor>", name, url, runbookURLPrefix)
		case anchor != strings.ToLower(name):
			t.Errorf("alert %s: runbook_url anchor %q, want %q (its section's heading is the alert's name)", name, anchor, strings.ToLower(name))
		case !anchors[anchor]:
			t.Errorf("alert %s: %s has no heading with anchor #%s", name, runbookFile, anchor)
		}
	}
	for _, r := range records {
		if !recordName.MatchString(r.Record) {
			t.Errorf("recording rule %s: want a name like cams:<metric>:<operation>", r.Record)
		}
	}

	// Every alert's for: is a line of its own, so that an end-to-end test or
	// a deployment can shorten the durations with a line-based rewrite.
	b, err := os.ReadFile(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(regexp.MustCompile(`(?m)^\s+for: \S+$`).FindAll(b, -1)); n != len(alerts) {
		t.Errorf("%s: %d lines `for: <duration>`, want one per alert (%d)", rulesFile, n, len(alerts))
	}
}

// runbookAnchors returns GitHub's anchors of the runbook's headings.
func runbookAnchors(t *testing.T) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(runbookFile)
	if err != nil {
		t.Fatal(err)
	}
	anchors := map[string]bool{}
	inFence := false
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "```") {
			inFence = !inFence
			continue
		}
		if inFence || !strings.HasPrefix(line, "#") {
			continue
		}
		anchors[githubAnchor(strings.TrimLeft(line, "#"))] = true
	}
	return anchors
}

// githubAnchor is the anchor GitHub gives a Markdown heading: lower case,
// punctuation other than - and _ dropped, spaces turned into dashes.
func githubAnchor(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(strings.TrimSpace(heading)) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_':
			b.WriteRune(r)
		case r == ' ':
			b.WriteRune('-')
		}
	}
	return b.String()
}

func TestRunbookHasNoOrphanSections(t *testing.T) {
	alerts, _ := loadRules(t)
	names := map[string]bool{}
	for _, a := range alerts {
		names[a.Alert] = true
	}
	b, err := os.ReadFile(runbookFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if name, ok := strings.CutPrefix(line, "## CAMS"); ok && !names["CAMS"+name] {
			t.Errorf("%s has a section %q but no alert has that name", runbookFile, "CAMS"+name)
		}
	}
}

// TestEveryAlertIsTested checks that tests.yml covers every alert: a case
// where it fires, a case where it stays silent, and the edge of its for:
// (no alert one evaluation before the first firing evaluation of a group).
func TestEveryAlertIsTested(t *testing.T) {
	alerts, _ := loadRules(t)
	var f testFile
	readYAML(t, testsFile, &f)
	if !slices.Contains(f.RuleFiles, rulesFile) {
		t.Errorf("%s: rule_files %v does not load %s", testsFile, f.RuleFiles, rulesFile)
	}
	interval := time.Minute
	if f.EvaluationInterval != "" {
		d, err := model.ParseDuration(f.EvaluationInterval)
		if err != nil {
			t.Fatalf("%s: evaluation_interval: %v", testsFile, err)
		}
		interval = time.Duration(d)
	}

	defined := map[string]bool{}
	for _, a := range alerts {
		defined[a.Alert] = true
	}
	fires, silent, edge := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i, group := range f.Tests {
		// Per alert in this group: the evaluation times with and without alerts.
		firing, quiet := map[string][]time.Duration{}, map[string][]time.Duration{}
		for _, c := range group.AlertRuleTests {
			if !defined[c.Alertname] {
				t.Errorf("%s: test group %d tests alert %q, which %s does not define", testsFile, i+1, c.Alertname, rulesFile)
				continue
			}
			at, err := model.ParseDuration(c.EvalTime)
			if err != nil {
				t.Fatalf("%s: test group %d: eval_time %q: %v", testsFile, i+1, c.EvalTime, err)
			}
			if len(c.ExpAlerts) > 0 {
				fires[c.Alertname] = true
				firing[c.Alertname] = append(firing[c.Alertname], time.Duration(at))
			} else {
				silent[c.Alertname] = true
				quiet[c.Alertname] = append(quiet[c.Alertname], time.Duration(at))
			}
		}
		for name, times := range firing {
			first := slices.Min(times)
			if slices.Contains(quiet[name], first-interval) {
				edge[name] = true
			}
		}
	}
	for _, a := range alerts {
		if !fires[a.Alert] {
			t.Errorf("%s: no test case where %s fires", testsFile, a.Alert)
		}
		if !silent[a.Alert] {
			t.Errorf("%s: no test case where %s stays silent", testsFile, a.Alert)
		}
		if !edge[a.Alert] {
			t.Errorf("%s: no test of the edge of %s's for: (no alert one evaluation interval before it first fires)", testsFile, a.Alert)
		}
	}
}
