package main

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/alecthomas/kingpin/v2"
)

// Which command takes which flag, with a value each accepts and how the flag
// then prints it. The exporter's flags are serve's; check takes those it
// needs to list spaces once; simulate only its own.
var flagsOfCommands = []struct {
	flag, value, shown     string // value "" is a boolean flag, shown "true"
	serve, check, simulate bool
}{
	{"web.listen-address", "127.0.0.1:9999", "127.0.0.1:9999", true, false, false},
	{"web.systemd-socket", "", "true", true, false, false},
	{"web.config.file", "/etc/web.yml", "/etc/web.yml", true, false, false},
	{"web.telemetry-path", "/m", "/m", true, false, false},
	{"web.max-requests", "7", "7", true, false, false},
	{"web.disable-exporter-metrics", "", "true", true, false, false},
	{"log.level", "debug", "debug", true, false, false},
	{"log.format", "json", "json", true, false, false},
	{"cams.region", "cn-hangzhou", "cn-hangzhou", true, true, false},
	{"cams.endpoint", "http://127.0.0.1:1", "http://127.0.0.1:1", true, true, false},
	{"cams.insecure-endpoint", "", "true", true, true, false},
	{"cams.space", "cams-x", "cams-x", true, true, false},
	{"cams.spaces-file", "/etc/spaces.txt", "/etc/spaces.txt", true, true, false},
	{"cams.discover-spaces", "", "true", true, true, false},
	{"cams.discover-interval", "2h", "2h0m0s", true, false, false},
	{"cams.discover-channel-type", "viber", "viber", true, true, false},
	{"cams.flow-name", "sign", "sign", true, true, false},
	{"cams.page-size", "50", "50", true, true, false},
	{"cams.max-pages", "9", "9", true, true, false},
	{"cams.rate-limit", "2.5", "2.5", true, true, false},
	{"cams.timeout", "3s", "3s", true, true, false},
	{"cams.max-retries", "2", "2", true, true, false},
	{"refresh.interval", "10m", "10m0s", true, false, false},
	{"cache.file", "/var/cache.json", "/var/cache.json", true, false, false},
	{"collector.flow-info", "", "true", true, false, false},
	{"collector.flow-status", "", "true", true, true, false},
	{"cams.getflow-rate-limit", "1.5", "1.5", true, true, false},
	{"flow-status.interval", "2h", "2h0m0s", true, false, false},
	{"health.max-staleness", "15m", "15m0s", true, false, false},
	{"demo", "", "true", true, true, false},
	{"output", "json", "json", false, true, false},
	{"check.slow", "7s", "7s", false, true, false},
	{"check.timeout", "30s", "30s", false, true, false},
	{"simulator.listen-address", "127.0.0.1:1234", "127.0.0.1:1234", false, false, true},
	{"simulator.access-key-id", "LTAIx", "LTAIx", false, false, true},
	{"simulator.access-key-secret", "s3cret", "s3cret", false, false, true},
	{"simulator.security-token", "tok", "tok", false, false, true},
	{"simulator.spaces", "9", "9", false, false, true},
	{"simulator.flows-per-space", "3", "3", false, false, true},
	{"simulator.seed", "42", "42", false, false, true},
	{"simulator.data", "/etc/data.json", "/etc/data.json", false, false, true},
	{"simulator.rate-limit", "7", "7", false, false, true},
}

// takes reports whether command takes the flag of row i.
func takes(i int, command string) bool {
	f := flagsOfCommands[i]
	return map[string]bool{"serve": f.serve, "check": f.check, "simulate": f.simulate}[command]
}

// Every flag is accepted by each command that takes it, and lands there
// (with no command word too, for serve's); any other command refuses it
// with one error naming the flag and the commands it belongs to.
func TestEveryFlagIsAcceptedWhereItApplies(t *testing.T) {
	invocations := []struct {
		command string
		words   []string
	}{{"serve", nil}, {"serve", []string{"serve"}}, {"check", []string{"check"}}, {"simulate", []string{"simulate"}}}
	for i, f := range flagsOfCommands {
		arg := "--" + f.flag
		if f.value != "" {
			arg += "=" + f.value
		}
		for _, inv := range invocations {
			args := append(slices.Clone(inv.words), arg)
			app := newTestApp()
			got, err := parseArgs(app, args)
			if !takes(i, inv.command) {
				if err == nil || !strings.Contains(err.Error(), "--"+f.flag+" is a flag of ") || !strings.Contains(err.Error(), "not of "+inv.command) {
					t.Errorf("%v: %v; want an error saying --%s is not a flag of %s", args, err, f.flag, inv.command)
				}
				continue
			}
			if err != nil || got != inv.command {
				t.Errorf("%v: command %q, %v; want %s", args, got, err, inv.command)
				continue
			}
			if shown := flagValue(app, inv.command, f.flag); !strings.Contains(shown, f.shown) {
				t.Errorf("%v: --%s is %q, want %q", args, f.flag, shown, f.shown)
			}
		}
	}
}

// flagValue is the value of a command's flag after a parse.
func flagValue(app *kingpin.Application, command, flag string) string {
	for _, c := range app.Model().Commands {
		for _, f := range c.Flags {
			if c.Name == command && f.Name == flag {
				return f.Value.String()
			}
		}
	}
	return "(no such flag)"
}

// Each command's help lists exactly the flags it takes, with the
// application's own (--help, --version); plain --help is serve's, the
// default command's, and says which other commands there are.
func TestHelpListsTheFlagsOfTheCommand(t *testing.T) {
	// A flag begins its line; its help goes on further right.
	listed := regexp.MustCompile(`(?m)^(?:  -\w, |      )--(?:\[no-\])?([a-z0-9.-]+)`)
	for _, tt := range []struct {
		command string
		args    []string
	}{
		{"serve", []string{"--help"}}, {"serve", []string{"-h"}}, {"serve", []string{"serve", "--help"}},
		{"serve", []string{"--cams.space=x", "--help"}},
		{"check", []string{"check", "--help"}}, {"check", []string{"check", "-h"}}, {"check", []string{"--help", "check"}},
		{"simulate", []string{"simulate", "--help"}}, {"simulate", []string{"help", "simulate"}},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var code int
			out := captureStderr(t, func() { code = run(tt.args) })
			var got, want []string
			for _, m := range listed.FindAllStringSubmatch(out, -1) {
				got = append(got, m[1])
			}
			want = []string{"help", "version"}
			for i, f := range flagsOfCommands {
				if takes(i, tt.command) {
					want = append(want, f.flag)
				}
			}
			sort.Strings(got)
			sort.Strings(want)
			if code != 0 || !strings.Contains(out, "usage: cams_exporter "+tt.command) {
				t.Fatalf("exit %d, help:\n%s", code, out)
			}
			if tt.command == "serve" {
				// Others may add flags of serve; those of today stay.
				for _, w := range want {
					if !slices.Contains(got, w) {
						t.Errorf("serve's help lacks --%s", w)
					}
				}
				if !strings.Contains(out, "cams_exporter check --help") || !strings.Contains(out, "cams_exporter simulate --help") {
					t.Errorf("serve's help does not point to the other commands:\n%s", out)
				}
			} else if !slices.Equal(got, want) {
				t.Errorf("%s's help lists %v\nwant %v", tt.command, got, want)
			}
		})
	}
}

// A flag of another command is a one-line error naming it and the command
// it belongs to: exit 1, or 3 for check.
func TestAFlagOfAnotherCommandIsAnError(t *testing.T) {
	for _, tt := range []struct {
		args     []string
		wantCode int
		wantText string
	}{
		{[]string{"simulate", "--web.listen-address=127.0.0.1:1"}, 1, "--web.listen-address is a flag of serve, not of simulate; see cams_exporter simulate --help"},
		{[]string{"simulate", "--cams.space", "x"}, 1, "--cams.space is a flag of serve and check, not of simulate"},
		{[]string{"simulate", "--no-demo"}, 1, "--demo is a flag of serve and check, not of simulate"},
		{[]string{"check", "--web.listen-address=127.0.0.1:1"}, 3, "--web.listen-address is a flag of serve, not of check; see cams_exporter check --help"},
		{[]string{"check", "--log.level=debug"}, 3, "--log.level is a flag of serve, not of check"},
		{[]string{"check", "--cache.file=/tmp/c.json"}, 3, "--cache.file is a flag of serve, not of check"},
		{[]string{"--output=json"}, 1, "--output is a flag of check, not of serve; see cams_exporter --help"},
		{[]string{"serve", "--check.slow=1s"}, 1, "--check.slow is a flag of check, not of serve"},
		{[]string{"--cams.space=x", "--simulator.spaces=3"}, 1, "--simulator.spaces is a flag of simulate, not of serve"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var code int
			out := captureStderr(t, func() { code = run(tt.args) })
			if code != tt.wantCode || strings.Count(strings.TrimSpace(out), "\n") != 0 || !strings.Contains(out, tt.wantText) {
				t.Errorf("exit %d, stderr %q; want exit %d and one line containing %q", code, out, tt.wantCode, tt.wantText)
			}
		})
	}
}

// What the command line reaches: a command word anywhere after the
// application's own flags, else serve.
func TestCommandOf(t *testing.T) {
	app := newTestApp()
	for _, tt := range []struct {
		args     []string
		want     string
		explicit bool
	}{
		{nil, "serve", false},
		{[]string{"--cams.space=x"}, "serve", false},
		{[]string{"--cams.space", "check"}, "serve", false}, // check is the space's id
		{[]string{"check"}, "check", true},
		{[]string{"--help", "check"}, "check", true},
		{[]string{"-h", "simulate"}, "simulate", true},
		{[]string{"help", "check"}, "help", true},
		{[]string{"--", "check"}, "serve", false},
		{[]string{"checks"}, "serve", false},
	} {
		if got, explicit := commandOf(app, tt.args); got != tt.want || explicit != tt.explicit {
			t.Errorf("commandOf(%q) = %s, %v; want %s, %v", tt.args, got, explicit, tt.want, tt.explicit)
		}
	}
}
