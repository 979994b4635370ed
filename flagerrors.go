package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/alecthomas/kingpin/v2"
)

// parseArgs parses args with app, every error naming the flag it is about,
// and returns the command to run. The command word goes first, before the
// flags that came before it too; without one it runs serve, the default,
// named first so that kingpin's help and errors are serve's. It
// checks first what kingpin would get wrong: a flag left without its value
// is silently ignored when it comes last (`--cams.timeout`), a boolean flag
// given a value says only "unexpected true", and a flag of another command
// is merely unknown.
func parseArgs(app *kingpin.Application, args []string) (string, error) {
	nameFlagErrors(app)
	command := serveCommand
	if at := commandWordAt(app, args); at >= 0 {
		command, args = args[at], commandFirst(app, args, at)
	} else {
		args = append([]string{command}, args...)
	}
	if err := checkFlagSyntax(app, command, args); err != nil {
		return "", err
	}
	return app.Parse(args)
}

// checkFlagSyntax finds a non-boolean flag without a value (last, or
// followed by another flag), a boolean flag given one (--demo=true) and a
// flag of another command than the one run.
func checkFlagSyntax(app *kingpin.Application, command string, args []string) error {
	flags := commandFlags(app, command)
	for i, arg := range args {
		if arg == "--" {
			return nil
		}
		name, _, hasValue := strings.Cut(strings.TrimPrefix(arg, "--"), "=")
		if !strings.HasPrefix(arg, "--") {
			continue
		}
		f := flags[name]
		if f == nil {
			positive, negated := strings.CutPrefix(name, "no-")
			switch {
			case negated && flags[positive] != nil && flags[positive].IsBoolFlag():
				f = flags[positive]
			case wrongCommand(app, command, name) != nil:
				return wrongCommand(app, command, name)
			case negated && wrongCommand(app, command, positive) != nil:
				return wrongCommand(app, command, positive)
			default:
				continue // kingpin names an unknown flag itself
			}
		}
		switch {
		case f.IsBoolFlag() && hasValue:
			return fmt.Errorf("--%s takes no value: write --%s to turn it on, --no-%s to turn it off", f.Name, f.Name, f.Name)
		case !f.IsBoolFlag() && !hasValue && (i+1 == len(args) || isFlagToken(args[i+1])):
			return fmt.Errorf("--%s needs a value, such as --%s=%s", f.Name, f.Name, f.FormatPlaceHolder())
		}
	}
	return nil
}

// isFlagToken reports whether kingpin reads arg as a flag rather than a
// value.
func isFlagToken(arg string) bool { return strings.HasPrefix(arg, "-") && arg != "-" }

// nameFlagErrors makes every flag of app and of its commands report a value
// it cannot parse with the flag's name and what it wants: kingpin's own
// messages (`time: missing unit in duration "5"`, `enum value must be one
// of ...`) name neither. Call it once every flag is defined.
func nameFlagErrors(app *kingpin.Application) {
	for _, f := range app.Model().Flags {
		wrapFlag(app.GetFlag(f.Name), f)
	}
	for _, cmd := range app.Model().Commands {
		clause := app.GetCommand(cmd.Name)
		for _, f := range cmd.Flags {
			wrapFlag(clause.GetFlag(f.Name), f)
		}
	}
}

func wrapFlag(clause *kingpin.FlagClause, model *kingpin.FlagModel) {
	if clause == nil {
		return
	}
	clause.SetValue(&namedValue{name: "--" + model.Name, Value: model.Value})
}

// namedValue is a flag's value whose parse errors name the flag. It passes
// on what kingpin asks of values: whether the flag is a boolean or may be
// repeated, and its current value.
type namedValue struct {
	kingpin.Value
	name string
}

// Set parses s, or says which flag could not take it and why.
func (v *namedValue) Set(s string) error {
	err := v.Value.Set(s)
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %s", v.name, explainValueError(s, err))
}

// IsBoolFlag reports whether the flag is a boolean (takes no value).
func (v *namedValue) IsBoolFlag() bool {
	b, ok := v.Value.(interface{ IsBoolFlag() bool })
	return ok && b.IsBoolFlag()
}

// IsCumulative reports whether the flag may be repeated.
func (v *namedValue) IsCumulative() bool {
	r, ok := v.Value.(interface{ IsCumulative() bool })
	return ok && r.IsCumulative()
}

// Get returns the flag's value, as kingpin.Getter does.
func (v *namedValue) Get() any {
	if g, ok := v.Value.(kingpin.Getter); ok {
		return g.Get()
	}
	return nil
}

// explainValueError says what was wrong with s in words a user acts on.
func explainValueError(s string, err error) string {
	msg := err.Error()
	var num *strconv.NumError
	switch {
	case strings.HasPrefix(msg, "time: "):
		return fmt.Sprintf("%q is not a duration; give a number and a unit, such as 30s, 5m or 1h", s)
	case strings.HasPrefix(msg, "enum value must be one of "):
		allowed := strings.TrimPrefix(msg, "enum value must be one of ")
		if i := strings.Index(allowed, ", got "); i >= 0 {
			allowed = allowed[:i]
		}
		return fmt.Sprintf("%q is not one of %s", s, strings.ReplaceAll(allowed, ",", ", "))
	case errors.As(err, &num) && errors.Is(num.Err, strconv.ErrRange):
		return fmt.Sprintf("%q is out of range", s)
	case errors.As(err, &num) && num.Func == "ParseBool":
		return fmt.Sprintf("%q is not true or false", s)
	case errors.As(err, &num):
		return fmt.Sprintf("%q is not a number", s)
	}
	return msg
}
