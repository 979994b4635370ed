package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"strings"
	"testing"
)

func TestModuleVersion(t *testing.T) {
	tests := []struct {
		linked string
		main   string
		ok     bool
		want   string
	}{
		{"1.4.0", "v0.0.0-20261130041500-75b5fb3d4912", true, "1.4.0"}, // -ldflags wins
		{"", "v1.2.0", true, "1.2.0"},
		{"", "v0.0.0-20261130041500-75b5fb3d4912+dirty", true, "0.0.0-20261130041500-75b5fb3d4912+dirty"},
		{"", "(devel)", true, "dev"}, // go run, or no version control
		{"", "", false, "dev"},
	}
	for _, tt := range tests {
		info := &debug.BuildInfo{Main: debug.Module{Version: tt.main}}
		if got := moduleVersion(tt.linked, info, tt.ok); got != tt.want {
			t.Errorf("moduleVersion(%q, %q, %v) = %q, want %q", tt.linked, tt.main, tt.ok, got, tt.want)
		}
	}
}

// A binary built with plain go build from a git checkout reports the
// checkout's commit in --version (cams_exporter_build_info reads the same
// version.GetRevision) without any -ldflags; so does go run with
// -buildvcs=true (go run stamps nothing by default). The checkout is a copy of this module committed to a fresh
// repository, so the test runs the same in a clone, a worktree or a tarball.
func TestGoBuildFromACheckoutReportsTheRevision(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Fatal("git is needed to make a checkout: ", err)
	}
	dir := t.TempDir()
	copyModule(t, dir)
	gitRun := func(args ...string) string {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	gitRun("init", "-q")
	gitRun("add", "-A")
	gitRun("commit", "-q", "-m", "checkout")
	commit := gitRun("rev-parse", "HEAD")

	// Whatever this machine's go env says, a new user's default is auto.
	env := append(os.Environ(), "GOFLAGS=-buildvcs=auto")
	bin := filepath.Join(t.TempDir(), "cams_exporter")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Dir, build.Env = dir, env
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("--version: %v\n%s", err, out)
	}
	wantVersion := regexp.MustCompile(`version 0\.0\.0-\d{14}-` + commit[:12] + ` `)
	if !strings.Contains(string(out), "revision: "+commit+")") || !wantVersion.Match(out) {
		t.Errorf("go build: --version says\n%s\nwant revision %s and a pseudo-version of it", out, commit)
	}

	run := exec.Command("go", "run", "-buildvcs=true", ".", "--version")
	run.Dir, run.Env = dir, env
	out, err = run.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "revision: "+commit+")") {
		t.Errorf("go run -buildvcs=true: %v\n%s\nwant revision %s", err, out, commit)
	}
}

// copyModule copies the module's files that git would track (the tracked
// ones and the untracked ones not ignored, as they are now) into dir; with
// no git metadata at hand, every file but .git.
func copyModule(t *testing.T, dir string) {
	t.Helper()
	var files []string
	out, err := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard").Output()
	if err == nil {
		for _, f := range strings.Split(string(out), "\x00") {
			if f != "" {
				files = append(files, f)
			}
		}
	} else {
		err = filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
			switch {
			case err != nil:
				return err
			case d.IsDir() && d.Name() == ".git":
				return filepath.SkipDir
			case !d.IsDir():
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if os.IsNotExist(err) {
			continue // deleted in the work tree, not yet in git
		}
		if err != nil {
			t.Fatal(err)
		}
		dst := filepath.Join(dir, f)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(dst, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
