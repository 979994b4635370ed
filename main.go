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
	os.Exit(run(os.Args[1:]))
}

// run parses args, runs the chosen command and returns the exit code.
func run(args []string) int {
	app := kingpin.New("cams_exporter", "Prometheus exporter and health checker for Alibaba Cloud Chat App Message Service (CAMS) flows.")
	app.Version(version.Print("cams_exporter"))
	app.HelpFlag.Short('h')

	opts := addExporterFlags(app)
	serve := app.Command("serve", "Serve metrics (the default command).").Default()
	check := addCheckCommand(app)
	simulate := addSimulateCommand(app)

	cmd, err := parseArgs(app, args)
	if err != nil {
		fmt.Fprintf(os.Stderr, "cams_exporter: error: %v; see --help\n", err)
		return exitCodeForBadInput(args, check.name)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch cmd {
	case serve.FullCommand():
		return serveExporter(ctx, opts)
	case check.name:
		return check.run(ctx, opts)
	case simulate.name:
		return simulate.run(ctx)
	}
	return 1
}

// exitCodeForBadInput is 3 (UNKNOWN) for check, which follows the
// monitoring-plugin convention, and 1 otherwise.
func exitCodeForBadInput(args []string, checkName string) int {
	for _, a := range args {
		if a == checkName {
			return 3
		}
	}
	return 1
}
