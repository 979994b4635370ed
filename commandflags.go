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

// commandOf returns the command args run: the first word, after any flags
// (and the separate values of those that take one), when it names a
// command, and otherwise serve, the default; explicit says whether a word
// named it.
func commandOf(app *kingpin.Application, args []string) (name string, explicit bool) {
	if at := commandWordAt(app, args); at >= 0 {
		return args[at], true
	}
	return serveCommand, false
}

// commandWordAt returns where in args the word naming the command is, or -1
// when there is none (serve, the default). Flags may come before it, as
// kingpin allowed when the exporter's flags were the application's: a
// value equal to a command's name (`--cams.space check`) stays a value, and
// nothing after `--` is a command.
func commandWordAt(app *kingpin.Application, args []string) int {
	words := wordsOf(app, args)
	if len(words) == 0 {
		return -1
	}
	if first := args[words[0]]; first == "help" || app.GetCommand(first) != nil {
		return words[0]
	}
	return -1
}

// wordsOf returns where the words of args are: the arguments before `--`
// that are neither a flag nor the value of one given in the next argument.
func wordsOf(app *kingpin.Application, args []string) []int {
	takesValue := flagsTakingAValue(app.Model())
	var words []int
	for i := 0; i < len(args) && args[i] != "--"; i++ {
		switch {
		case !isFlagToken(args[i]):
			words = append(words, i)
		case hasSeparateValue(takesValue, args, i):
			i++
		}
	}
	return words
}

// flagsTakingAValue are the flags, as written (--name, -c), of the
// application and of every command that take a value, which may come as the
// next argument. A boolean flag, --no-name and --name=value take none.
func flagsTakingAValue(model *kingpin.ApplicationModel) map[string]bool {
	takes := map[string]bool{}
	add := func(flags []*kingpin.FlagModel) {
		for _, f := range flags {
			if f.IsBoolFlag() {
				continue
			}
			takes["--"+f.Name] = true
			if f.Short != 0 {
				takes["-"+string(f.Short)] = true
			}
		}
	}
	add(model.Flags)
	for _, cmd := range model.Commands {
		add(cmd.Flags)
	}
	return takes
}

// hasSeparateValue reports whether args[i], a flag, is given its value in
// the next argument. A flag or -- there is none: the flag lacks its value,
// which checkFlagSyntax reports.
func hasSeparateValue(takesValue map[string]bool, args []string, i int) bool {
	return takesValue[args[i]] && i+1 < len(args) && !isFlagToken(args[i+1])
}

// commandFirst returns args with the command word at moved to the front,
// so that kingpin reads the flags around it as the command's: `--cams.space=a
// check --output=json` is `check --cams.space=a --output=json`. help only
// shows help: it keeps the words after it, naming the command to show, and
// leaves out the flags.
func commandFirst(app *kingpin.Application, args []string, at int) []string {
	moved := []string{args[at]}
	if args[at] == "help" {
		for _, i := range wordsOf(app, args) {
			if i > at {
				moved = append(moved, args[i])
			}
		}
		return moved
	}
	moved = append(moved, args[:at]...)
	return append(moved, args[at+1:]...)
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
