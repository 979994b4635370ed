package main

import (
	"encoding/json"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/alecthomas/kingpin/v2"

	"github.com/cams-exporter/cams_exporter/simulator"
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
	{"collector.phone-numbers", "", "true", true, true, false},
	{"cams.phone-numbers-rate-limit", "6", "6", true, true, false},
	{"phone-numbers.interval", "30m", "30m0s", true, false, false},
	{"collector.waba", "", "true", true, true, false},
	{"cams.waba-rate-limit", "5", "5", true, true, false},
	{"waba.interval", "12h", "12h0m0s", true, false, false},
	{"collector.messaging-health", "", "true", true, true, false},
	{"cams.messaging-health-rate-limit", "3", "3", true, true, false},
	{"messaging-health.interval", "2h", "2h0m0s", true, false, false},
	{"messaging-health.phone-interval", "24h", "24h0m0s", true, false, false},
	{"collector.templates", "", "true", true, true, false},
	{"cams.templates-rate-limit", "2", "2", true, true, false},
	{"templates.interval", "3h", "3h0m0s", true, false, false},
	{"templates.page-size", "50", "50", true, true, false},
	{"templates.max-problem-series", "7", "7", true, false, false},
	{"collector.template-info", "", "true", true, false, false},
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
	{"simulator.templates-per-space", "50", "50", false, false, true},
	{"simulator.data", "/etc/data.json", "/etc/data.json", false, false, true},
	{"simulator.rate-limit", "7", "7", false, false, true},
	{"simulator.operation-rate-limit", "GetWhatsappHealthStatus=2", "GetWhatsappHealthStatus:2", false, false, true},
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

// What the command line reaches: a command word after any flags (and the
// values of those that take one), before --, else serve.
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
		// Flags before the command word, with their values.
		{[]string{"--cams.space=x", "check"}, "check", true},
		{[]string{"--cams.space", "x", "check"}, "check", true},
		{[]string{"--output", "json", "check"}, "check", true},
		{[]string{"--simulator.spaces", "3", "simulate"}, "simulate", true},
		{[]string{"-h", "--cams.space", "x", "serve"}, "serve", true},
		{[]string{"--demo", "check"}, "check", true},    // a boolean takes no value
		{[]string{"--no-demo", "check"}, "check", true}, // nor its negation
		{[]string{"--no-such-flag", "check"}, "check", true},
		{[]string{"--cams.space=x", "help", "check"}, "help", true},
		// A value equal to a command's name stays a value.
		{[]string{"--cams.space=check"}, "serve", false},
		{[]string{"--cams.space=check", "simulate"}, "simulate", true},
		{[]string{"--cams.space", "check", "simulate"}, "simulate", true},
		{[]string{"--cams.space", "check", "check"}, "check", true},
		{[]string{"--cams.space", "help"}, "serve", false},
		{[]string{"--cams.flow-name", "serve", "--cams.space", "simulate"}, "serve", false},
		// Nothing after -- or after a word that is no command.
		{[]string{"--cams.space=x", "--", "check"}, "serve", false},
		{[]string{"--cams.space", "--", "check"}, "serve", false}, // --cams.space lacks its value
		{[]string{"--cams.space", "--demo", "check"}, "check", true},
		{[]string{"--cams.space=x", "checks", "check"}, "serve", false},
	} {
		if got, explicit := commandOf(app, tt.args); got != tt.want || explicit != tt.explicit {
			t.Errorf("commandOf(%q) = %s, %v; want %s, %v", tt.args, got, explicit, tt.want, tt.explicit)
		}
	}
}

// Every flag may come before the command word too, its value in the same
// argument or the next: it lands on the command that takes it, and any other
// command refuses it naming it.
func TestEveryFlagIsAcceptedBeforeTheCommandWord(t *testing.T) {
	for i, f := range flagsOfCommands {
		forms := [][]string{{"--" + f.flag}}
		if f.value != "" {
			forms = [][]string{{"--" + f.flag + "=" + f.value}, {"--" + f.flag, f.value}}
		}
		for _, form := range forms {
			for _, command := range []string{"serve", "check", "simulate"} {
				args := append(slices.Clone(form), command)
				app := newTestApp()
				got, err := parseArgs(app, args)
				if !takes(i, command) {
					want := "--" + f.flag + " is a flag of "
					if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "not of "+command) {
						t.Errorf("%q: %v; want an error saying --%s is not a flag of %s", args, err, f.flag, command)
					}
					continue
				}
				if err != nil || got != command {
					t.Errorf("%q: command %q, %v; want %s", args, got, err, command)
					continue
				}
				if shown := flagValue(app, command, f.flag); !strings.Contains(shown, f.shown) {
					t.Errorf("%q: --%s is %q, want %q", args, f.flag, shown, f.shown)
				}
			}
		}
	}
}

// Flags before, after and around the command word are the command's, in the
// order given: each order parses as the command word first does.
func TestFlagsAroundTheCommandWordAreTheCommands(t *testing.T) {
	for _, tt := range []struct {
		args, same []string
		command    string
		values     map[string]string // flag: value as it shows, independent of the parse
	}{
		{[]string{"--cams.space=cams-a", "check", "--output=json"}, []string{"check", "--cams.space=cams-a", "--output=json"},
			"check", map[string]string{"cams.space": "cams-a", "output": "json"}},
		{[]string{"--cams.space", "cams-a", "--output", "json", "check", "--cams.space", "cams-b", "--demo"},
			[]string{"check", "--cams.space=cams-a", "--output=json", "--cams.space=cams-b", "--demo"},
			"check", map[string]string{"cams.space": "cams-a,cams-b", "output": "json", "demo": "true", "check.slow": "5s"}},
		{[]string{"--cams.space=check", "check"}, []string{"check", "--cams.space=check"},
			"check", map[string]string{"cams.space": "check"}},
		{[]string{"--cams.space", "check", "check", "--cams.space", "simulate"}, []string{"check", "--cams.space=check", "--cams.space=simulate"},
			"check", map[string]string{"cams.space": "check,simulate"}},
		{[]string{"--cams.space", "check", "--cams.flow-name", "simulate"}, []string{"serve", "--cams.space=check", "--cams.flow-name=simulate"},
			"serve", map[string]string{"cams.space": "check", "cams.flow-name": "simulate"}},
		{[]string{"--cams.space", "help", "--log.level", "debug"}, []string{"serve", "--cams.space=help", "--log.level=debug"},
			"serve", map[string]string{"cams.space": "help", "log.level": "debug"}},
		{[]string{"--log.level=debug", "serve", "--web.listen-address", "127.0.0.1:1"}, []string{"serve", "--log.level=debug", "--web.listen-address=127.0.0.1:1"},
			"serve", map[string]string{"log.level": "debug", "web.listen-address": "127.0.0.1:1"}},
		{[]string{"--simulator.spaces", "3", "simulate", "--simulator.seed=9"}, []string{"simulate", "--simulator.spaces=3", "--simulator.seed=9"},
			"simulate", map[string]string{"simulator.spaces": "3", "simulator.seed": "9"}},
		{[]string{"--no-demo", "--cams.discover-spaces", "check"}, []string{"check", "--no-demo", "--cams.discover-spaces"},
			"check", map[string]string{"demo": "false", "cams.discover-spaces": "true"}},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			app, same := newTestApp(), newTestApp()
			got, err := parseArgs(app, tt.args)
			want, wantErr := parseArgs(same, tt.same)
			if err != nil || wantErr != nil || got != tt.command || want != tt.command {
				t.Fatalf("command %q, %v; %q gives %q, %v; want %s", got, err, tt.same, want, wantErr, tt.command)
			}
			for flag, value := range tt.values {
				if shown := flagValue(app, tt.command, flag); shown != value {
					t.Errorf("--%s is %q, want %q", flag, shown, value)
				}
			}
			for _, f := range commandFlags(app, tt.command) {
				if shown, wantShown := flagValue(app, tt.command, f.Name), flagValue(same, tt.command, f.Name); shown != wantShown {
					t.Errorf("--%s is %q, but %q after %q", f.Name, shown, wantShown, tt.same)
				}
			}
		})
	}
}

// Whatever the order of the flags and the command word, run does what it
// does with the command word first: the same exit code, the same error or
// help. The exit code of a bad flag is the command's (3 for check).
func TestRunWithFlagsAroundTheCommandWord(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	for _, tt := range []struct {
		args, same []string
		wantCode   int
		wantText   string
	}{
		// Flags before the command word, and after it.
		{[]string{"--cams.space=cams-a", "check", "--output=xml"}, []string{"check", "--cams.space=cams-a", "--output=xml"},
			3, `--output: "xml" is not one of text, json; see cams_exporter check --help`},
		{[]string{"--output", "xml", "check"}, []string{"check", "--output=xml"}, 3, `--output: "xml" is not one of text, json`},
		{[]string{"--cams.page-size=0", "check"}, []string{"check", "--cams.page-size=0"}, 3, "--cams.page-size must be between 1 and 100"},
		{[]string{"--cams.space", "cams-a", "--check.slow=-1s", "check"}, []string{"check", "--cams.space=cams-a", "--check.slow=-1s"},
			3, "--check.slow must be positive"},
		{[]string{"--no-demo", "--cams.max-pages=0", "check"}, []string{"check", "--no-demo", "--cams.max-pages=0"},
			3, "--cams.max-pages must be between 1 and 10000, got 0"},
		{[]string{"--cams.timeout", "check"}, []string{"serve", "--cams.timeout=check"}, 1, `--cams.timeout: "check" is not a duration`},
		{[]string{"--simulator.rate-limit=0", "simulate"}, []string{"simulate", "--simulator.rate-limit=0"}, 1, "--simulator.rate-limit must be above 0"},
		{[]string{"--simulator.spaces", "3", "simulate", "--simulator.rate-limit", "0"}, []string{"simulate", "--simulator.spaces=3", "--simulator.rate-limit=0"},
			1, "--simulator.rate-limit must be above 0"},
		{[]string{"--cams.page-size=0", "serve"}, []string{"serve", "--cams.page-size=0"}, 1, "--cams.page-size must be between 1 and 100"},
		// A flag the command found does not take: its exit code.
		{[]string{"--cams.space=cams-a", "check", "--web.listen-address=127.0.0.1:1"}, []string{"check", "--cams.space=cams-a", "--web.listen-address=127.0.0.1:1"},
			3, "--web.listen-address is a flag of serve, not of check; see cams_exporter check --help"},
		{[]string{"--log.level", "debug", "check"}, []string{"check", "--log.level=debug"}, 3, "--log.level is a flag of serve, not of check"},
		{[]string{"--cams.space=x", "simulate"}, []string{"simulate", "--cams.space=x"}, 1, "--cams.space is a flag of serve and check, not of simulate; see cams_exporter simulate --help"},
		{[]string{"--output=json", "serve"}, []string{"serve", "--output=json"}, 1, "--output is a flag of check, not of serve"},
		{[]string{"--cams.space", "--demo", "check"}, []string{"check", "--cams.space", "--demo"}, 3, "--cams.space needs a value"},
		// A value equal to a command's name stays a value.
		{[]string{"--cams.space=check", "--output=json"}, []string{"serve", "--cams.space=check", "--output=json"}, 1, "--output is a flag of check, not of serve"},
		{[]string{"--cams.space", "check", "--output=json"}, []string{"serve", "--cams.space=check", "--output=json"}, 1, "--output is a flag of check, not of serve"},
		{[]string{"--cams.space", "simulate", "--cams.page-size=0"}, []string{"serve", "--cams.space=simulate", "--cams.page-size=0"}, 1, "--cams.page-size must be between 1 and 100"},
		{[]string{"--cams.space", "check", "check", "--output=xml"}, []string{"check", "--cams.space=check", "--output=xml"}, 3, `--output: "xml" is not one of text, json`},
		{[]string{"--cams.flow-name", "serve", "check", "--check.slow=0s"}, []string{"check", "--cams.flow-name=serve", "--check.slow=0s"}, 3, "--check.slow must be positive"},
		// Nothing after -- is a command.
		{[]string{"--cams.space=x", "--", "check"}, []string{"serve", "--cams.space=x", "--", "check"}, 1, "unexpected check; see cams_exporter --help"},
		{[]string{"--", "check"}, []string{"serve", "--", "check"}, 1, "unexpected check"},
		{[]string{"--cams.space", "--", "check"}, []string{"serve", "--cams.space", "--", "check"}, 1, "--cams.space needs a value"},
		// Help: of the command found, whatever flags come with it.
		{[]string{"--cams.space=x", "check", "--help"}, []string{"check", "--cams.space=x", "--help"}, 0, "usage: cams_exporter check [<flags>]"},
		{[]string{"--cams.space=x", "--help", "check"}, []string{"check", "--help"}, 0, "usage: cams_exporter check [<flags>]"},
		{[]string{"--output", "json", "-h", "check"}, []string{"check", "--help"}, 0, "usage: cams_exporter check [<flags>]"},
		{[]string{"--simulator.spaces=3", "--help", "simulate"}, []string{"simulate", "--help"}, 0, "usage: cams_exporter simulate [<flags>]"},
		{[]string{"--cams.space=x", "help", "check"}, []string{"help", "check"}, 0, "usage: cams_exporter check [<flags>]"},
		{[]string{"help", "--cams.space", "x", "simulate", "--output=json"}, []string{"help", "simulate"}, 0, "usage: cams_exporter simulate [<flags>]"},
		{[]string{"--cams.space", "check", "--help"}, []string{"serve", "--help"}, 0, "usage: cams_exporter serve [<flags>]"},
		{[]string{"--cams.space", "help", "--cams.page-size=0"}, []string{"serve", "--cams.space=help", "--cams.page-size=0"}, 1, "--cams.page-size must be between 1 and 100"},
	} {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var code, sameCode int
			out := captureStderr(t, func() { code = run(tt.args) })
			sameOut := captureStderr(t, func() { sameCode = run(tt.same) })
			if code != tt.wantCode || !strings.Contains(out, tt.wantText) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, out, tt.wantCode, tt.wantText)
			}
			if code != sameCode || out != sameOut {
				t.Errorf("exit %d, stderr:\n%s\nbut %q: exit %d, stderr:\n%s", code, out, tt.same, sameCode, sameOut)
			}
		})
	}
}

// check with its flags before the command word runs as with them after it:
// the report in the format asked for and the exit code of its status.
func TestCheckRunsWithFlagsBeforeTheCommandWord(t *testing.T) {
	_, url := startSimulator(t, &simulator.Dataset{Spaces: []simulator.Space{
		{ID: "cams-ok", Flows: []simulator.Flow{{FlowId: "1", FlowName: "a", Categories: []string{"SURVEY"}}}},
		{ID: "cams-denied", Error: "Ram.PermissionDeny"},
	}}, -1)
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", testKeyID)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", testKeySecret)
	for _, tt := range []struct {
		args        []string
		wantCode    int
		wantStatus  string
		wantSummary string
	}{
		{[]string{"--cams.endpoint=" + url, "--cams.rate-limit=500", "--cams.space=cams-ok", "check", "--output=json"}, 0, "OK", "1 space, 1 flow"},
		{[]string{"check", "--cams.endpoint=" + url, "--cams.rate-limit=500", "--cams.space=cams-ok", "--output=json"}, 0, "OK", "1 space, 1 flow"},
		{[]string{"--cams.endpoint", url, "--cams.rate-limit", "500", "--output", "json", "--cams.space", "cams-ok", "check", "--cams.space", "cams-denied"},
			2, "CRITICAL", "1 space of 2 failed"},
		{[]string{"check", "--cams.endpoint=" + url, "--cams.rate-limit=500", "--output=json", "--cams.space=cams-ok", "--cams.space=cams-denied"},
			2, "CRITICAL", "1 space of 2 failed"},
	} {
		t.Run(strings.Join(tt.args[1:], " "), func(t *testing.T) {
			var code int
			var stdout string
			stderr := captureStderr(t, func() { stdout = captureStdout(t, func() { code = run(tt.args) }) })
			var report struct{ Status, Summary string }
			if err := json.Unmarshal([]byte(stdout), &report); err != nil || code != tt.wantCode || report.Status != tt.wantStatus ||
				!strings.Contains(report.Summary, tt.wantSummary) || stderr != "" {
				t.Errorf("exit %d, report %+v (%v), stderr %q; want exit %d, a JSON report %s: %s, nothing on stderr\n%s",
					code, report, err, stderr, tt.wantCode, tt.wantStatus, tt.wantSummary, stdout)
			}
		})
	}
}
