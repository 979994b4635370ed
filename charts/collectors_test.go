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
	if err := os.WriteFile(ratesFile, []byte("cams:\n  phoneNumbersRateLimit: 8.0\n  wabaRateLimit: 0.001\n  messagingHealthRateLimit: 1000\n"), 0o600); err != nil {
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
		{"every collector off", []string{"--set", "collectors.phoneNumbers=false", "--set", "collectors.waba=false", "--set", "collectors.messagingHealth=false"}, nil},
		{"phone-numbers interval", []string{"--set", "phoneNumbers.interval=45m"}, []string{"--phone-numbers.interval=45m"}},
		{"waba interval", []string{"--set", "waba.interval=1h30m"}, []string{"--waba.interval=1h30m"}},
		{"messaging-health interval", []string{"--set", "messagingHealth.interval=90m"}, []string{"--messaging-health.interval=90m"}},
		{"messaging-health phone interval", []string{"--set", "messagingHealth.phoneInterval=6h"}, []string{"--messaging-health.phone-interval=6h"}},
		{"empty intervals", []string{"--set", "phoneNumbers.interval=", "--set", "messagingHealth.phoneInterval="}, nil},
		{"phone-numbers rate, an integer", []string{"--set", "cams.phoneNumbersRateLimit=9"}, []string{"--cams.phone-numbers-rate-limit=9"}},
		{"waba rate, --set's string", []string{"--set", "cams.wabaRateLimit=2.5"}, []string{"--cams.waba-rate-limit=2.5"}},
		{"messaging-health rate, JSON", []string{"--set-json", "cams.messagingHealthRateLimit=0.5"}, []string{"--cams.messaging-health-rate-limit=0.5"}},
		{"empty rate", []string{"--set", "cams.wabaRateLimit="}, nil},
		{"rates from a values file", []string{"-f", ratesFile},
			[]string{"--cams.phone-numbers-rate-limit=8", "--cams.waba-rate-limit=0.001", "--cams.messaging-health-rate-limit=1000"}},
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
