package main

import (
	"strings"
	"testing"

	"github.com/alecthomas/kingpin/v2"
)

// newTestApp builds the application as run does.
func newTestApp() *kingpin.Application {
	app, _ := newApp()
	return app
}

// allFlags are the flags of app and of its commands, by name.
func allFlags(app *kingpin.Application) map[string]*kingpin.FlagModel {
	m := app.Model()
	flags := map[string]*kingpin.FlagModel{}
	for _, f := range m.Flags {
		flags[f.Name] = f
	}
	for _, cmd := range m.Commands {
		for _, f := range cmd.Flags {
			flags[f.Name] = f
		}
	}
	return flags
}

// Every flag, of the exporter and of each command, names itself in every
// parse error it can meet: a value it cannot parse, a missing value, or a
// value given to a boolean.
func TestEveryFlagParseErrorNamesItsFlag(t *testing.T) {
	model := newTestApp().Model()
	type flagOf struct {
		cmd  string
		flag *kingpin.FlagModel
	}
	var all []flagOf
	for _, f := range model.Flags {
		all = append(all, flagOf{"", f})
	}
	for _, c := range model.Commands {
		for _, f := range c.Flags {
			all = append(all, flagOf{c.Name, f})
		}
	}
	if len(all) < 30 {
		t.Fatalf("%d flags found; the model walk is broken", len(all))
	}
	typed := 0
	for _, f := range all {
		name := "--" + f.flag.Name
		var cases [][]string
		if f.flag.IsBoolFlag() {
			cases = [][]string{{name + "=maybe"}, {name + "=true"}}
		} else {
			cases = [][]string{{name}, {name, "--demo"}, {name + "=not-a-value%"}}
		}
		for _, args := range cases {
			if f.cmd != "" {
				args = append([]string{f.cmd}, args...)
			}
			_, err := parseArgs(newTestApp(), args)
			if err == nil {
				continue // a string flag takes any value
			}
			if strings.HasSuffix(args[len(args)-1], "%") {
				typed++
			}
			if !strings.Contains(err.Error(), name) || strings.Contains(err.Error(), "\n") {
				t.Errorf("%v: %q does not name %s on one line", args, err, name)
			}
		}
	}
	if typed < 15 {
		t.Errorf("only %d flags refused a bad value; the durations, numbers and enums should", typed)
	}
}
