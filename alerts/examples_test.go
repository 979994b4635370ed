package alerts

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/cams-exporter/cams_exporter/internal/tooltest"
)

// The example stack in ../examples.
const (
	examplesDir = "../examples"
	// promRulesPath is where examples/prometheus.yml loads the rules from:
	// docker-compose.yml mounts ../alerts at /etc/prometheus/rules.
	promRulesPath = "/etc/prometheus/rules/" + rulesFile
)

type promConfig struct {
	RuleFiles []string `yaml:"rule_files"`
	Alerting  struct {
		Alertmanagers []struct {
			StaticConfigs []struct {
				Targets []string `yaml:"targets"`
			} `yaml:"static_configs"`
		} `yaml:"alertmanagers"`
	} `yaml:"alerting"`
	ScrapeConfigs []struct {
		JobName        string `yaml:"job_name"`
		ScrapeInterval string `yaml:"scrape_interval"`
		StaticConfigs  []struct {
			Targets []string `yaml:"targets"`
		} `yaml:"static_configs"`
	} `yaml:"scrape_configs"`
}

type composeFile struct {
	Services map[string]struct {
		Image   string   `yaml:"image"`
		Build   any      `yaml:"build"`
		Command []string `yaml:"command"`
		Ports   []string `yaml:"ports"`
		Volumes []string `yaml:"volumes"`
	} `yaml:"services"`
}

func TestExamplePrometheusConfig(t *testing.T) {
	path := filepath.Join(examplesDir, "prometheus.yml")
	var cfg promConfig
	readYAML(t, path, &cfg)

	if !slices.Equal(cfg.RuleFiles, []string{promRulesPath}) {
		t.Errorf("%s: rule_files %v, want [%s] (the rules as docker-compose.yml mounts them)", path, cfg.RuleFiles, promRulesPath)
	}
	var amTargets []string
	for _, am := range cfg.Alerting.Alertmanagers {
		for _, sc := range am.StaticConfigs {
			amTargets = append(amTargets, sc.Targets...)
		}
	}
	if !slices.Equal(amTargets, []string{"alertmanager:9093"}) {
		t.Errorf("%s: Alertmanager targets %v, want [alertmanager:9093]", path, amTargets)
	}
	found := false
	for _, sc := range cfg.ScrapeConfigs {
		if sc.JobName != "cams" {
			continue
		}
		found = true
		if sc.ScrapeInterval != "30s" {
			t.Errorf("%s: job cams: scrape_interval %q, want 30s", path, sc.ScrapeInterval)
		}
		if len(sc.StaticConfigs) != 1 || !slices.Equal(sc.StaticConfigs[0].Targets, []string{"cams_exporter:9949"}) {
			t.Errorf("%s: job cams: static_configs %+v, want the one target cams_exporter:9949", path, sc.StaticConfigs)
		}
	}
	if !found {
		t.Errorf("%s: no scrape job named cams (every rule selects job=\"cams\")", path)
	}

	// promtool check config also checks that every rule file exists, and the
	// example names the path inside the Prometheus container. Check a temporary
	// copy whose rule_files point at this repository's rules instead.
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := yaml.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	rules, err := filepath.Abs(rulesFile)
	if err != nil {
		t.Fatal(err)
	}
	doc["rule_files"] = []string{rules}
	out, err := yaml.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	tmp := filepath.Join(t.TempDir(), "prometheus.yml")
	if err := os.WriteFile(tmp, out, 0o644); err != nil {
		t.Fatal(err)
	}
	eachTool(t, promtools(t), func(t *testing.T, promtool string) {
		t.Log(run(t, ".", promtool, "check", "config", tmp))
	})
}

func TestExampleAlertmanagerConfig(t *testing.T) {
	path := filepath.Join(examplesDir, "alertmanager.yml")
	eachTool(t, amtools(t), func(t *testing.T, am string) {
		t.Log(run(t, ".", am, "check-config", path))

		// Routing by severity.
		for severity, receiver := range map[string]string{
			"critical": "pager",
			"warning":  "team",
			"info":     "null",
		} {
			got := strings.TrimSpace(run(t, ".", am, "config", "routes", "test", "--config.file="+path, "severity="+severity, "alertname=CAMSPermissionDenied"))
			if got != receiver {
				t.Errorf("%s: an alert with severity=%s goes to %q, want %q", path, severity, got, receiver)
			}
		}
	})
}

// TestExampleCompose checks docker-compose.yml's services and that every
// file it mounts from this repository exists, in particular that the path
// prometheus.yml loads the rules from is the rules file. The Grafana mounts
// (../dashboards) are only checked for where they go.
func TestExampleCompose(t *testing.T) {
	path := filepath.Join(examplesDir, "docker-compose.yml")
	var c composeFile
	readYAML(t, path, &c)

	wantPorts := map[string]string{
		"cams_exporter": "9949:9949",
		"prometheus":    "9090:9090",
		"alertmanager":  "9093:9093",
		"grafana":       "3000:3000",
	}
	for name, port := range wantPorts {
		s, ok := c.Services[name]
		if !ok {
			t.Errorf("%s: no service %s", path, name)
			continue
		}
		if !slices.Contains(s.Ports, port) {
			t.Errorf("%s: service %s: ports %v, want %s", path, name, s.Ports, port)
		}
	}

	exp := c.Services["cams_exporter"]
	if exp.Build != ".." {
		t.Errorf("%s: cams_exporter: build %v, want .. (the repository's Dockerfile)", path, exp.Build)
	}
	if !slices.Equal(exp.Command, []string{"--demo"}) {
		t.Errorf("%s: cams_exporter: command %v, want [--demo]", path, exp.Command)
	}
	if img := c.Services["grafana"].Image; !strings.HasPrefix(img, "grafana/grafana:") {
		t.Errorf("%s: service grafana: image %q, want grafana/grafana:<tag>", path, img)
	}
	// The stack runs exactly the versions the tests run (scripts/tool-versions).
	for name, image := range map[string]string{
		"prometheus":   "prom/prometheus:v" + tooltest.Version(t, "PROMETHEUS_VERSION"),
		"alertmanager": "prom/alertmanager:v" + tooltest.Version(t, "ALERTMANAGER_VERSION"),
	} {
		if img := c.Services[name].Image; img != image {
			t.Errorf("%s: service %s: image %q, want %s, the version the tests run (scripts/tool-versions)", path, name, img, image)
		}
	}

	// mounts maps a container path to the host path (relative to
	// examples/) mounted there.
	mounts := func(service string) map[string]string {
		m := map[string]string{}
		for _, v := range c.Services[service].Volumes {
			parts := strings.Split(v, ":")
			if len(parts) < 2 {
				t.Errorf("%s: service %s: volume %q is not host:container[:mode]", path, service, v)
				continue
			}
			m[parts[1]] = parts[0]
		}
		return m
	}
	exists := func(service, hostPath string) {
		if _, err := os.Stat(filepath.Join(examplesDir, hostPath)); err != nil {
			t.Errorf("%s: service %s mounts %s, which does not exist: %v", path, service, hostPath, err)
		}
	}

	prom := mounts("prometheus")
	if src := prom["/etc/prometheus/prometheus.yml"]; src != "./prometheus.yml" {
		t.Errorf("%s: prometheus: /etc/prometheus/prometheus.yml comes from %q, want ./prometheus.yml", path, src)
	} else {
		exists("prometheus", src)
	}
	rulesDir := filepath.Dir(promRulesPath)
	if src, ok := prom[rulesDir]; !ok {
		t.Errorf("%s: prometheus: nothing is mounted at %s, where prometheus.yml loads the rules from", path, rulesDir)
	} else {
		exists("prometheus", filepath.Join(src, rulesFile))
		if got, _ := filepath.Abs(filepath.Join(examplesDir, src)); got != mustAbs(t, ".") {
			t.Errorf("%s: prometheus: %s comes from %s, want ../alerts", path, rulesDir, src)
		}
	}

	if src := mounts("alertmanager")["/etc/alertmanager/alertmanager.yml"]; src != "./alertmanager.yml" {
		t.Errorf("%s: alertmanager: /etc/alertmanager/alertmanager.yml comes from %q, want ./alertmanager.yml", path, src)
	} else {
		exists("alertmanager", src)
	}

	graf := mounts("grafana")
	for dst, src := range map[string]string{
		"/etc/grafana/provisioning":   "../dashboards/provisioning",
		"/var/lib/grafana/dashboards": "../dashboards",
	} {
		if graf[dst] != src {
			t.Errorf("%s: grafana: %s comes from %q, want %s", path, dst, graf[dst], src)
		}
	}
}

func mustAbs(t *testing.T, p string) string {
	t.Helper()
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// chartReadme documents the inhibition rules for an Alertmanager the
// example does not configure.
const chartReadme = "../charts/cams-exporter/README.md"

// TestChartReadmeInhibitRules checks that the inhibition rules the chart's
// README gives are those of examples/alertmanager.yml, which the other
// tests run.
func TestChartReadmeInhibitRules(t *testing.T) {
	var example struct {
		InhibitRules []map[string]any `yaml:"inhibit_rules"`
	}
	readYAML(t, filepath.Join(examplesDir, "alertmanager.yml"), &example)
	if len(example.InhibitRules) < 3 {
		t.Fatalf("examples/alertmanager.yml has %d inhibit_rules, want the 3 the alerts need", len(example.InhibitRules))
	}

	b, err := os.ReadFile(chartReadme)
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Alertmanager inhibition rules\n")
	_, block, fenced := strings.Cut(section, "\n```yaml\n")
	block, _, closed := strings.Cut(block, "\n```\n")
	if !ok || !fenced || !closed {
		t.Fatalf("%s: no ```yaml block in a section \"## Alertmanager inhibition rules\"", chartReadme)
	}
	var readme struct {
		InhibitRules []map[string]any `yaml:"inhibit_rules"`
	}
	if err := yaml.Unmarshal([]byte(block), &readme); err != nil {
		t.Fatalf("%s: the inhibition rules: %v", chartReadme, err)
	}
	if !reflect.DeepEqual(readme.InhibitRules, example.InhibitRules) {
		t.Errorf("%s gives the inhibit_rules\n%v\nwant those of examples/alertmanager.yml\n%v", chartReadme, readme.InhibitRules, example.InhibitRules)
	}
}
