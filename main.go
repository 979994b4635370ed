// Command cams_exporter exports the flows of Alibaba Cloud Chat App Message
// Service (CAMS) spaces, and the health of the CAMS API, to Prometheus.
//
//	cams_exporter [flags]          serve /metrics (the default)
//	cams_exporter check [flags]    refresh once, print a report, exit 0-3
//	cams_exporter simulate [flags] run the local CAMS simulator
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/common/version"
)

func init() {
	info, ok := debug.ReadBuildInfo()
	version.Version = moduleVersion(version.Version, info, ok)
}

func main() {
	setGCPercent(os.Getenv("GOGC"))
	os.Exit(run(os.Args[1:]))
}

// run parses args, runs the chosen command and returns the exit code.
func run(args []string) int {
	app, cmds := newApp()
	exit := -1 // set by --help and --version, which end the run
	app.Terminate(func(code int) {
		if exit < 0 {
			exit = code
		}
	})
	cmd, err := parseArgs(app, args)
	if exit >= 0 {
		return exit
	}
	if err != nil {
		command, _ := commandOf(app, args)
		fmt.Fprintf(os.Stderr, "cams_exporter: error: %v; see %s\n", err, helpOf(command))
		return exitCodeForBadInput(command)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch cmd {
	case serveCommand:
		return serveExporter(ctx, cmds.serve)
	case cmds.check.name:
		return cmds.check.run(ctx)
	case cmds.simulate.name:
		return cmds.simulate.run(ctx)
	}
	return 1
}

// commands hold what the command line fills in for each command.
type commands struct {
	serve    *exporterOptions
	check    *checkCommand
	simulate *simulateCommand
}

// newApp defines the commands, each with the flags it takes (and only
// those: a flag of another command is an error naming it).
func newApp() (*kingpin.Application, *commands) {
	app := kingpin.New("cams_exporter", "Prometheus exporter and health checker for Alibaba Cloud Chat App Message Service (CAMS) flows.")
	app.Version(version.Print("cams_exporter"))
	app.HelpFlag.Short('h')
	serve := app.Command(serveCommand, "Serve metrics. The default command: `cams_exporter [<flags>]` is `cams_exporter serve [<flags>]`. "+
		"The other commands, check and simulate, have flags of their own: see `cams_exporter check --help` and `cams_exporter simulate --help`.").Default()
	return app, &commands{serve: addExporterFlags(serve), check: addCheckCommand(app), simulate: addSimulateCommand(app)}
}

// helpOf says how to see the flags of command.
func helpOf(command string) string {
	if command == serveCommand {
		return "cams_exporter --help"
	}
	return "cams_exporter " + command + " --help"
}

// exitCodeForBadInput is 3 (UNKNOWN) for check, which follows the
// monitoring-plugin convention, and 1 otherwise.
func exitCodeForBadInput(command string) int {
	if command == checkCommandName {
		return 3
	}
	return 1
}
