package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// tools are the paths of the programs a release runs besides go and git.
type tools struct {
	nfpm, cyclonedx, helm string
}

// findTools finds each program the options need in opts.tools, so that a
// missing one stops the release before it builds anything.
func findTools(opts options) (tools, error) {
	var t tools
	need := []struct {
		name string
		path *string
		used bool
	}{
		{"cyclonedx-gomod", &t.cyclonedx, len(opts.platforms) > 0},
		{"nfpm", &t.nfpm, len(opts.packagers) > 0 && hasLinux(opts.platforms)},
		{"helm", &t.helm, opts.chart},
	}
	for _, n := range need {
		if !n.used {
			continue
		}
		p := filepath.Join(opts.tools, n.name)
		if info, err := os.Stat(p); err != nil || info.IsDir() || info.Mode()&0o111 == 0 {
			return tools{}, fmt.Errorf("%s is not installed in %s: run scripts/install-tools.sh release (make release does), or give its directory with -tools", n.name, opts.tools)
		}
		*n.path = p
	}
	return t, nil
}

func hasLinux(ps []platform) bool {
	for _, p := range ps {
		if p.os == "linux" {
			return true
		}
	}
	return false
}

// runTool runs a program with extra environment variables and returns its
// standard output; a failure quotes the end of what it printed.
func runTool(ctx context.Context, env []string, name string, args ...string) (string, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), env...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("%s %s: %v: %s", filepath.Base(name), strings.Join(args, " "), err, lastLines(stderr.String()+stdout.String(), 20))
	}
	return stdout.String(), nil
}
