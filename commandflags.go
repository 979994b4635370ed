package main

import (
	"fmt"
	"slices"
	"strings"

	"github.com/alecthomas/kingpin/v2"
)

// serveCommand is the default command: `cams_exporter [<flags>]` is
// `cams_exporter serve [<flags>]`.
const serveCommand = "serve"

// checkFlags are the exporter's flags that check takes: what it needs to
// reach CAMS and list the spaces once. The others (listening, logging, the
// schedule, the cache, readiness) are serve's alone.
var checkFlags = map[string]bool{
	"cams.region": true, "cams.endpoint": true, "cams.insecure-endpoint": true,
	"cams.space": true, "cams.spaces-file": true, "cams.discover-spaces": true, "cams.discover-channel-type": true,
	"cams.flow-name": true, "cams.page-size": true, "cams.max-pages": true,
	"cams.rate-limit": true, "cams.timeout": true, "cams.max-retries": true,
	"collector.flow-status": true, "cams.getflow-rate-limit": true,
	"demo": true,
}

// someFlags defines on cmd the flags that take allows, and every other one
// on an application of its own that is never given an argument: the command
// neither lists nor accepts them, and they keep their defaults, so that the
// options they fill are whole. Call done once every flag is defined.
type someFlags struct {
	cmd    *kingpin.CmdClause
	take   map[string]bool
	unused *kingpin.Application
}

func newSomeFlags(cmd *kingpin.CmdClause, take map[string]bool) someFlags {
	return someFlags{cmd: cmd, take: take, unused: kingpin.New("unused", "")}
}

// Flag defines the flag on the command when it takes it.
func (s someFlags) Flag(name, help string) *kingpin.FlagClause {
	if s.take[name] {
		return s.cmd.Flag(name, help)
	}
	return s.unused.Flag(name, help)
}

// done sets the flags the command does not take to their defaults.
func (s someFlags) done() {
	if _, err := s.unused.Parse(nil); err != nil {
		panic(fmt.Sprintf("a default of the exporter's flags does not parse: %v", err))
	}
}

// commandOf returns the command args run: the first word, after the
// application's own flags (--help, --version), when it names a command, and
// otherwise serve, the default; explicit says whether a word named it.
func commandOf(app *kingpin.Application, args []string) (name string, explicit bool) {
	model := app.Model()
	for _, arg := range args {
		if arg == "--" {
			break
		}
		if isFlagToken(arg) {
			if isAppFlag(model, arg) {
				continue
			}
			break
		}
		if arg == "help" || app.GetCommand(arg) != nil {
			return arg, true
		}
		break
	}
	return serveCommand, false
}

// isAppFlag reports whether arg is a flag of the application itself rather
// than of a command: --help, -h, --version.
func isAppFlag(model *kingpin.ApplicationModel, arg string) bool {
	name, _, _ := strings.Cut(strings.TrimLeft(arg, "-"), "=")
	for _, f := range model.Flags {
		if f.Name == name || (f.Short != 0 && !strings.HasPrefix(arg, "--") && name == string(f.Short)) {
			return true
		}
	}
	return false
}

// commandFlags are the flags command takes, with the application's own,
// by name.
func commandFlags(app *kingpin.Application, command string) map[string]*kingpin.FlagModel {
	model := app.Model()
	flags := map[string]*kingpin.FlagModel{}
	for _, f := range model.Flags {
		flags[f.Name] = f
	}
	for _, cmd := range model.Commands {
		if cmd.Name == command {
			for _, f := range cmd.Flags {
				flags[f.Name] = f
			}
		}
	}
	return flags
}

// wrongCommand explains a flag that command does not take but another one
// does, or returns nil.
func wrongCommand(app *kingpin.Application, command, flag string) error {
	var owners []string
	for _, cmd := range app.Model().Commands {
		if cmd.Name != command && slices.ContainsFunc(cmd.Flags, func(f *kingpin.FlagModel) bool { return f.Name == flag }) {
			owners = append(owners, cmd.Name)
		}
	}
	if len(owners) == 0 {
		return nil
	}
	return fmt.Errorf("--%s is a flag of %s, not of %s", flag, strings.Join(owners, " and "), command)
}
