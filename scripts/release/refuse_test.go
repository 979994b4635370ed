package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestReleaseRefusesBadInput: each of these stops the release before it
// builds anything, with one line saying what is wrong and what to do, and
// leaves no dist/ and the work tree as it was.
func TestReleaseRefusesBadInput(t *testing.T) {
	c := newClone(t)
	base := c.revision
	program := filepath.Join(t.TempDir(), "release")
	command(t, c.dir, "go", "build", "-o", program, "./scripts/release")
	noTools := t.TempDir()
	noNfpm := t.TempDir() // the other two, as scripts/install-tools.sh links them
	for _, tool := range []string{"cyclonedx-gomod", "helm"} {
		if err := os.WriteFile(filepath.Join(noNfpm, tool), []byte("#!/bin/sh\nexit 1\n"), 0o755); err != nil {
			t.Fatal(err)
		}
	}

	for _, tc := range []struct {
		name   string
		change func(t *testing.T)
		args   []string
		code   int
		want   string
	}{
		{"an untracked file", func(t *testing.T) { c.write(t, "notes.txt", "x") }, nil, 1,
			"release: the work tree is not clean (?? notes.txt): commit or stash the changes; a release is built from a commit"},
		{"a changed file", func(t *testing.T) { c.write(t, "README.md", "changed") }, nil, 1,
			"release: the work tree is not clean (M README.md): commit or stash the changes"},
		{"four changes", func(t *testing.T) {
			for _, f := range []string{"a", "b", "c", "d"} {
				c.write(t, f, f)
			}
		}, nil, 1, "release: the work tree is not clean (?? a, ?? b, ?? c and 1 more)"},
		{"a VERSION that is not a version", func(t *testing.T) {
			c.write(t, "VERSION", "v0.2\n")
			c.commitAll(t, "bad version")
		}, nil, 1, `release: VERSION holds "v0.2", not a version such as 0.1.0 or 1.2.0-rc.1`},
		{"a version without its changelog", func(t *testing.T) {
			c.write(t, "VERSION", "0.2.0\n")
			c.commitAll(t, "0.2.0")
		}, nil, 1, `release: CHANGELOG.md has no section "## 0.2.0 / YYYY-MM-DD"; write what 0.2.0 changes first`},
		{"a chart of another version", func(t *testing.T) {
			c.write(t, "VERSION", "0.2.0\n")
			c.write(t, "CHANGELOG.md", strings.Replace(string(c.read(t, "CHANGELOG.md")), "## 0.1.0 /", "## 0.2.0 / 2027-01-02\n\n* [BUGFIX] x\n\n## 0.1.0 /", 1))
			c.commitAll(t, "0.2.0 without the chart")
		}, nil, 1, `release: charts/cams-exporter/Chart.yaml has appVersion "0.1.0", VERSION "0.2.0": set the chart's appVersion`},
		{"a missing tool", nil, []string{"-tools", noTools}, 1,
			"release: cyclonedx-gomod is not installed in " + noTools + ": run scripts/install-tools.sh release (make release does)"},
		{"a missing packager", nil, []string{"-tools", noNfpm, "-platforms", "linux/arm64", "-packagers", "rpm"}, 1,
			"release: nfpm is not installed in " + noNfpm},
		{"an unknown platform", nil, []string{"-platforms", "linux/amd64,linux/386"}, 2,
			`release: -platforms: "linux/386" is not a platform of a release (linux/amd64, linux/arm64, linux/arm/v7, darwin/amd64, darwin/arm64, windows/amd64)`},
		{"a platform twice", nil, []string{"-platforms", "linux/amd64,linux/amd64"}, 2, "release: -platforms: linux/amd64 is given twice"},
		{"an unknown packager", nil, []string{"-packagers", "deb,apk"}, 2, `release: -packagers: "apk" is not deb or rpm`},
		{"dist is the work tree", nil, []string{"-dist", "."}, 1, "release: -dist . holds the work tree, which emptying it would delete"},
		{"dist above the work tree", nil, []string{"-dist", ".."}, 1, "release: -dist .. holds the work tree"},
		{"dist holds tracked files", nil, []string{"-dist", "charts"}, 1,
			"release: -dist charts holds files of the repository (charts/"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Cleanup(func() {
				c.git(t, "reset", "-q", "--hard", base)
				c.git(t, "clean", "-q", "-f", "-d")
			})
			if tc.change != nil {
				tc.change(t)
			}
			before := c.git(t, "status", "--porcelain")
			cmd := exec.Command(program, tc.args...)
			cmd.Dir = c.dir
			cmd.Env = withoutEnv(os.Environ(), "SOURCE_DATE_EPOCH")
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != tc.code {
				t.Fatalf("release %v: %v, want exit %d\n%s%s", tc.args, err, tc.code, stdout.String(), stderr.String())
			}
			msg := stderr.String()
			if strings.Count(msg, "\n") != 1 || !strings.HasPrefix(msg, tc.want) {
				t.Errorf("release %v says\n%s\nwant one line beginning %q", tc.args, msg, tc.want)
			}
			if stdout.Len() > 0 {
				t.Errorf("release %v printed %q before it refused", tc.args, stdout.String())
			}
			if _, err := os.Stat(c.path("dist")); !os.IsNotExist(err) {
				t.Errorf("release %v left dist/ (%v)", tc.args, err)
			}
			if after := c.git(t, "status", "--porcelain"); after != before {
				t.Errorf("release %v changed the work tree: %q, before %q", tc.args, after, before)
			}
		})
	}

	// -dist is where the command runs, not the top of the work tree.
	t.Run("dist relative to a subdirectory", func(t *testing.T) {
		cmd := exec.Command(program, "-dist", "cams-exporter", "-tools", noTools)
		cmd.Dir = c.path("charts")
		out, err := cmd.CombinedOutput()
		want := "release: -dist cams-exporter holds files of the repository (charts/cams-exporter/"
		if err == nil || !strings.HasPrefix(string(out), want) {
			t.Errorf("release -dist cams-exporter in charts/: %v\n%s\nwant %q", err, out, want)
		}
	})
}
