package charts

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// baseArgs are the flags the chart always passes.
var baseArgs = []string{"--web.listen-address=:9949", "--cache.file=/var/lib/cams_exporter/cache.json"}

// renderedArgs renders the chart with args and returns its container's
// arguments.
func renderedArgs(t *testing.T, args ...string) []string {
	t.Helper()
	_, objs := render(t, args...)
	return strs(get(find(t, objs, "Deployment", fullname), "spec", "template", "spec", "containers", 0, "args"))
}

// flagName returns the name of the flag an argument sets: --name or
// --name=value.
func flagName(arg string) string {
	name, _, _ := strings.Cut(strings.TrimPrefix(arg, "--"), "=")
	return name
}

// assertFlagsOnce fails for a flag passed twice: the exporter refuses a
// repeated flag that is not repeatable.
func assertFlagsOnce(t *testing.T, args []string) {
	t.Helper()
	seen := map[string]bool{}
	for _, a := range args {
		if n := flagName(a); seen[n] {
			t.Errorf("args %v pass --%s twice", args, n)
		} else {
			seen[n] = true
		}
	}
}

// TestCollectorValues: each collector value, set alone, adds exactly its own
// flag to the arguments; left empty (the default), it adds none, so the
// exporter's own default applies. Rates keep the number as written, whether
// --set makes it an integer or a string, or a values file a float.
func TestCollectorValues(t *testing.T) {
	ratesFile := filepath.Join(t.TempDir(), "rates.yaml")
	if err := os.WriteFile(ratesFile, []byte("cams:\n  phoneNumbersRateLimit: 8.0\n  wabaRateLimit: 0.001\n  messagingHealthRateLimit: 1000\n  templatesRateLimit: 4.0\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// A values file's numbers are floats to helm: a large one must not
	// reach the exporter as 1e+06.
	templatesFile := filepath.Join(t.TempDir(), "templates.yaml")
	if err := os.WriteFile(templatesFile, []byte("templates:\n  pageSize: 250.0\n  maxProblemSeries: 1000000\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
		want []string
	}{
		{"phone-numbers on", []string{"--set", "collectors.phoneNumbers=true"}, []string{"--collector.phone-numbers"}},
		{"waba on", []string{"--set", "collectors.waba=true"}, []string{"--collector.waba"}},
		{"messaging-health on, with waba", []string{"--set", "collectors.messagingHealth=true", "--set", "collectors.waba=true"}, []string{"--collector.waba", "--collector.messaging-health"}},
		{"templates on", []string{"--set", "collectors.templates=true"}, []string{"--collector.templates"}},
		{"template-info on, with templates", []string{"--set", "collectors.templateInfo=true", "--set", "collectors.templates=true"}, []string{"--collector.templates", "--collector.template-info"}},
		{"every collector off", []string{"--set", "collectors.phoneNumbers=false", "--set", "collectors.waba=false", "--set", "collectors.messagingHealth=false",
			"--set", "collectors.templates=false", "--set", "collectors.templateInfo=false"}, nil},
		{"phone-numbers interval", []string{"--set", "phoneNumbers.interval=45m"}, []string{"--phone-numbers.interval=45m"}},
		{"waba interval", []string{"--set", "waba.interval=1h30m"}, []string{"--waba.interval=1h30m"}},
		{"messaging-health interval", []string{"--set", "messagingHealth.interval=90m"}, []string{"--messaging-health.interval=90m"}},
		{"messaging-health phone interval", []string{"--set", "messagingHealth.phoneInterval=6h"}, []string{"--messaging-health.phone-interval=6h"}},
		{"templates interval", []string{"--set", "templates.interval=2h30m"}, []string{"--templates.interval=2h30m"}},
		{"templates page size", []string{"--set", "templates.pageSize=100"}, []string{"--templates.page-size=100"}},
		{"templates problem series", []string{"--set", "templates.maxProblemSeries=500"}, []string{"--templates.max-problem-series=500"}},
		{"templates values from a file", []string{"-f", templatesFile}, []string{"--templates.page-size=250", "--templates.max-problem-series=1000000"}},
		{"empty intervals", []string{"--set", "phoneNumbers.interval=", "--set", "messagingHealth.phoneInterval=", "--set", "templates.interval="}, nil},
		{"empty templates values", []string{"--set", "templates.pageSize=", "--set", "templates.maxProblemSeries=", "--set", "cams.templatesRateLimit="}, nil},
		{"phone-numbers rate, an integer", []string{"--set", "cams.phoneNumbersRateLimit=9"}, []string{"--cams.phone-numbers-rate-limit=9"}},
		{"waba rate, --set's string", []string{"--set", "cams.wabaRateLimit=2.5"}, []string{"--cams.waba-rate-limit=2.5"}},
		{"messaging-health rate, JSON", []string{"--set-json", "cams.messagingHealthRateLimit=0.5"}, []string{"--cams.messaging-health-rate-limit=0.5"}},
		{"templates rate", []string{"--set", "cams.templatesRateLimit=1.5"}, []string{"--cams.templates-rate-limit=1.5"}},
		{"empty rate", []string{"--set", "cams.wabaRateLimit="}, nil},
		{"rates from a values file", []string{"-f", ratesFile},
			[]string{"--cams.phone-numbers-rate-limit=8", "--cams.waba-rate-limit=0.001", "--cams.messaging-health-rate-limit=1000", "--cams.templates-rate-limit=4"}},
		{"the three on with the defaults", []string{"--set", "collectors.phoneNumbers=true", "--set", "collectors.waba=true", "--set", "collectors.messagingHealth=true"},
			[]string{"--collector.phone-numbers", "--collector.waba", "--collector.messaging-health"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := renderedArgs(t, tc.args...)
			want := append(slices.Clone(baseArgs), tc.want...)
			if !slices.Equal(got, want) {
				t.Errorf("args %v, want %v", got, want)
			}
		})
	}
}

// TestMessagingHealthNeedsWaba: the exporter refuses
// --collector.messaging-health without --collector.waba, so the chart
// refuses the values at once, naming both keys, rather than render a pod that
// cannot start.
func TestMessagingHealthNeedsWaba(t *testing.T) {
	for _, args := range [][]string{
		{"--set", "collectors.messagingHealth=true"},
		{"--set", "collectors.messagingHealth=true", "--set", "collectors.phoneNumbers=true"},
		{"--set", "collectors.messagingHealth=true", "--set", "collectors.waba=false"},
	} {
		out, stderr, err := helm(t, append([]string{"template", release, chartDir}, args...)...)
		if err == nil {
			t.Errorf("helm template %v renders messaging-health without waba:\n%s", args, out)
			continue
		}
		if !strings.Contains(stderr, "collectors.messagingHealth needs collectors.waba") || !strings.Contains(stderr, "set collectors.waba=true") {
			t.Errorf("helm template %v: the error does not name collectors.messagingHealth and collectors.waba:\n%s", args, stderr)
		}
	}
}

// TestTemplateInfoNeedsTemplates: cams_template_info describes the templates
// the templates collector lists, so the chart refuses
// collectors.templateInfo without collectors.templates, naming both keys.
func TestTemplateInfoNeedsTemplates(t *testing.T) {
	for _, args := range [][]string{
		{"--set", "collectors.templateInfo=true"},
		{"--set", "collectors.templateInfo=true", "--set", "collectors.templates=false", "--set", "collectors.waba=true"},
	} {
		out, stderr, err := helm(t, append([]string{"template", release, chartDir}, args...)...)
		if err == nil {
			t.Errorf("helm template %v renders template-info without templates:\n%s", args, out)
			continue
		}
		if !strings.Contains(stderr, "collectors.templateInfo needs collectors.templates") || !strings.Contains(stderr, "set collectors.templates=true") {
			t.Errorf("helm template %v: the error does not name collectors.templateInfo and collectors.templates:\n%s", args, stderr)
		}
	}
}

// TestTemplatesIntervalBounds: the exporter takes --templates.interval from
// 1m to 720h; the chart passes every duration within, however written, and
// refuses one outside at once, naming the value and the bounds.
func TestTemplatesIntervalBounds(t *testing.T) {
	for _, d := range []string{"1m", "60s", "60000ms", "0.5m30s", "1h30m", "720h", "719h59m60s", "360h360h"} {
		t.Run("passes "+d, func(t *testing.T) {
			if got, want := renderedArgs(t, "--set", "templates.interval="+d), append(slices.Clone(baseArgs), "--templates.interval="+d); !slices.Equal(got, want) {
				t.Errorf("args %v, want %v", got, want)
			}
		})
	}
	for _, d := range []string{"59s", "59999ms", "0.99m", "0s", "720h1ms", "719h59m60.5s", "721h", "360h360h1m"} {
		t.Run("refuses "+d, func(t *testing.T) {
			out, stderr, err := helm(t, "template", release, chartDir, "--set", "templates.interval="+d)
			if err == nil {
				t.Fatalf("helm template renders templates.interval=%s:\n%s", d, out)
			}
			if want := "templates.interval must be a duration from 1m to 720h (the exporter refuses any other), got " + d; !strings.Contains(stderr, want) {
				t.Errorf("templates.interval=%s: the error does not say %q:\n%s", d, want, stderr)
			}
		})
	}
}

// TestCollectorValuesBeforeExtraArgs: the collectors' flags come before
// extraArgs, which still carries flags the chart has no value for.
func TestCollectorValuesBeforeExtraArgs(t *testing.T) {
	got := renderedArgs(t, "--set", "collectors.phoneNumbers=true", "--set", "extraArgs[0]=--collector.flow-status")
	want := append(slices.Clone(baseArgs), "--collector.phone-numbers", "--collector.flow-status")
	if !slices.Equal(got, want) {
		t.Errorf("args %v, want %v", got, want)
	}
}

// TestChartArgsAreFlagsOfTheBinary: every flag the chart passes with every
// option on is a flag of the exporter built from this repository, a boolean
// flag passed bare and a flag with a value passed with it, so that a value of
// the chart cannot name a flag the exporter does not have.
func TestChartArgsAreFlagsOfTheBinary(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "cams_exporter")
	build := exec.Command("go", "build", "-o", bin, "github.com/cams-exporter/cams_exporter")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	help, stderr, err := run(t, nil, bin, "--help")
	if err != nil {
		t.Fatalf("cams_exporter --help: %v\n%s", err, stderr)
	}
	// kingpin lists each flag in the sixth column, its help wrapped further
	// right: "--name=DEFAULT" for a flag with a value, "--[no-]name" for a
	// boolean.
	flags := map[string]bool{} // name: boolean
	for _, m := range regexp.MustCompile(`(?m)^(?:  -\w, |      )--(\[no-\])?([a-z0-9.-]+)`).FindAllStringSubmatch(help+stderr, -1) {
		flags[m[2]] = m[1] != ""
	}
	if boolean, ok := flags["collector.flow-status"]; len(flags) < 20 || !ok || !boolean || flags["refresh.interval"] {
		t.Fatalf("found %d flags in cams_exporter --help (collector.flow-status a boolean: %v, refresh.interval one: %v):\n%s%s",
			len(flags), flags["collector.flow-status"], flags["refresh.interval"], help, stderr)
	}
	args := renderedArgs(t, "-f", allOnValues)
	for _, a := range args {
		name := flagName(a)
		boolean, ok := flags[name]
		switch {
		case !ok:
			t.Errorf("the chart passes %s; the exporter has no flag --%s", a, name)
		case boolean && strings.Contains(a, "="):
			t.Errorf("the chart passes %s; --%s is a boolean flag", a, name)
		case !boolean && !strings.Contains(a, "="):
			t.Errorf("the chart passes %s without a value; --%s takes one", a, name)
		}
	}
}
