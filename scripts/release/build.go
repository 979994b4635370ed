package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// buildUser is what --version says built a release.
const buildUser = "cams_exporter-release"

// versionPackage holds the variables --version and cams_exporter_build_info
// print.
const versionPackage = "github.com/prometheus/common/version"

// ldflags strip the symbol table and stamp the version, the revision, the
// branch, the builder and the build date (in the Prometheus projects'
// format, 20261206-19:05:28).
func ldflags(src source) string {
	stamps := []struct{ name, value string }{
		{"Version", src.version},
		{"Revision", src.revision},
		{"Branch", src.branch},
		{"BuildUser", buildUser},
		{"BuildDate", src.date.UTC().Format("20060102-15:04:05")},
	}
	flags := []string{"-s", "-w"}
	for _, s := range stamps {
		flags = append(flags, "-X", versionPackage+"."+s.name+"="+s.value)
	}
	return strings.Join(flags, " ")
}

// goBuild builds the static binary of p into dir and returns its path.
// The revision is stamped by -ldflags, so the build leaves out version
// control information, which Go finds in a clone but not in a worktree:
// one commit builds the same binary either way.
func goBuild(ctx context.Context, src source, p platform, dir string) (string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	out := filepath.Join(dir, p.binaryName())
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-buildvcs=false", "-ldflags", ldflags(src), "-o", out, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS="+p.os, "GOARCH="+p.arch, "GOARM="+p.arm)
	if b, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v: %s", err, lastLines(string(b), 20))
	}
	return out, nil
}

// lastLines keeps the end of a tool's output for an error.
func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}
