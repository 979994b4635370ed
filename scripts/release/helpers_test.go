package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// repoRoot is the work tree this package is in.
const repoRoot = "../.."

// commitDate is the time of the commit of every clone the tests make: a
// release's build date, in the Prometheus projects' format 20261206-12:34:56.
var commitDate = time.Date(2026, 12, 6, 12, 34, 56, 0, time.UTC)

// clone is a fresh git repository holding a copy of this work tree (its
// tracked files and the untracked ones not ignored, as they are now), all
// committed at commitDate: what a clean clone of the commit under test
// would be, in a clone, a worktree or a tarball alike.
type clone struct {
	dir, revision, branch string
}

func newClone(t *testing.T) clone {
	t.Helper()
	dir := t.TempDir()
	copyTree(t, repoRoot, dir)
	c := clone{dir: dir}
	c.git(t, "init", "-q")
	c.commitAll(t, "the tree under test")
	c.revision = c.git(t, "rev-parse", "HEAD")
	c.branch = c.git(t, "rev-parse", "--abbrev-ref", "HEAD")
	return c
}

func (c clone) git(t *testing.T, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = c.dir
	date := commitDate.Format(time.RFC3339)
	cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return strings.TrimSpace(string(out))
}

func (c clone) commitAll(t *testing.T, message string) {
	t.Helper()
	c.git(t, "add", "-A")
	c.git(t, "commit", "-q", "-m", message)
}

func (c clone) path(rel string) string { return filepath.Join(c.dir, filepath.FromSlash(rel)) }

func (c clone) read(t *testing.T, rel string) []byte {
	t.Helper()
	b, err := os.ReadFile(c.path(rel))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (c clone) write(t *testing.T, rel, content string) {
	t.Helper()
	if err := os.WriteFile(c.path(rel), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// release runs the release as `make release` does, go run ./scripts/release,
// in the clone, and returns its output and exit code.
func (c clone) release(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", append([]string{"run", "./scripts/release"}, args...)...)
	cmd.Dir = c.dir
	cmd.Env = withoutEnv(os.Environ(), "SOURCE_DATE_EPOCH")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		code = exit.ExitCode()
	case err != nil:
		t.Fatalf("go run ./scripts/release: %v\n%s", err, errOut.String())
	}
	return out.String(), errOut.String(), code
}

func withoutEnv(env []string, name string) []string {
	var out []string
	for _, kv := range env {
		if !strings.HasPrefix(kv, name+"=") {
			out = append(out, kv)
		}
	}
	return out
}

// copyTree copies the files git would hold of the work tree at root (its
// tracked files and the untracked ones not ignored) into dir.
func copyTree(t *testing.T, root, dir string) {
	t.Helper()
	cmd := exec.Command("git", "ls-files", "-z", "--cached", "--others", "--exclude-standard")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git ls-files in %s: %v", root, err)
	}
	for _, f := range strings.Split(string(out), "\x00") {
		if f == "" {
			continue
		}
		src := filepath.Join(root, f)
		info, err := os.Lstat(src)
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
		if info.Mode()&os.ModeSymlink != 0 {
			target, err := os.Readlink(src)
			if err == nil {
				err = os.Symlink(target, dst)
			}
			if err != nil {
				t.Fatal(err)
			}
			continue
		}
		b, err := os.ReadFile(src)
		if err == nil {
			err = os.WriteFile(dst, b, info.Mode().Perm())
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

// command runs a program and returns its standard output; a failure fails
// the test with what it printed.
func command(t *testing.T, dir, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Dir = dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %v: %v\n%s%s", name, args, err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// tarEntry is one entry of a tar archive, with the content of a file.
type tarEntry struct {
	hdr  tar.Header
	data []byte
}

func readTarGz(t *testing.T, path string) []tarEntry {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	var entries []tarEntry
	tr := tar.NewReader(gz)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return entries
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(io.LimitReader(tr, 256<<20))
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, tarEntry{hdr: *hdr, data: data})
	}
}
