// Package tooltest finds, for tests, the real programs that
// scripts/install-tools.sh builds from their Go modules (Prometheus 3,
// Alertmanager, helm, kubeconform, kube-apiserver, nfpm, cyclonedx-gomod)
// and those Debian installs (Prometheus 2.42, Alertmanager 0.25, etcd,
// busybox, systemd-analyze, rpm), and the versions pinned in
// scripts/tool-versions. Without a program, a test that needs it is skipped
// with a message naming `make test`, which installs them all, so that
// `go test ./...` on a fresh clone passes; under `make test` (RequireEnv set)
// it fails instead: there, no test may skip.
package tooltest

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Dir is where scripts/install-tools.sh installs: $CAMS_TOOLS_DIR, or
// $HOME/.cache/cams_exporter-tools.
func Dir() string {
	if d := os.Getenv("CAMS_TOOLS_DIR"); d != "" {
		return d
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(os.TempDir(), "cams_exporter-tools")
	}
	return filepath.Join(home, ".cache", "cams_exporter-tools")
}

// RequireEnv names the environment variable that turns the skip of a test
// whose tool is missing into a failure: scripts/test.sh (make test, and CI's
// .ci/run) sets it to 1 once it has installed every tool.
const RequireEnv = "CAMS_REQUIRE_TOOLS"

// missing skips t, saying what is missing and that `make test` installs it,
// or fails it when RequireEnv is set (to anything but 0).
func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	what := fmt.Sprintf(format, args...)
	if v := os.Getenv(RequireEnv); v != "" && v != "0" {
		t.Fatalf("%s; with %s=%s no test may skip: run scripts/install-tools.sh test (make test runs it)", what, RequireEnv, v)
	}
	t.Skipf("skipped: %s; `make test` installs it and runs this test", what)
}

// debianBin is where Debian's packages put their programs.
var debianBin = "/usr/bin"

// Bin returns the path of a program scripts/install-tools.sh built, or
// skips the test when it is not there (see missing).
func Bin(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(Dir(), "bin", name)
	if _, err := os.Stat(p); err != nil {
		missing(t, "%s is not installed (%v); scripts/install-tools.sh builds it from its Go module", name, err)
	}
	return p
}

// Path returns the path of a file or directory scripts/install-tools.sh
// makes under Dir, or skips the test when it is not there (see missing).
func Path(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(Dir(), rel)
	if _, err := os.Stat(p); err != nil {
		missing(t, "%s is not installed (%v)", rel, err)
	}
	return p
}

// Debian returns the path of a program of a Debian package, in /usr/bin,
// or skips the test when it is not installed (see missing).
func Debian(t testing.TB, name, pkg string) string {
	t.Helper()
	p := filepath.Join(debianBin, name)
	if _, err := exec.LookPath(p); err != nil {
		missing(t, "%s is not installed (Debian package %s)", p, pkg)
	}
	return p
}

// Versions returns the versions pinned in scripts/tool-versions, e.g.
// Versions(t)["PROMETHEUS_VERSION"] is "3.16.0".
func Versions(t testing.TB) map[string]string {
	t.Helper()
	path := filepath.Join(repoRoot(t), "scripts", "tool-versions")
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	v := map[string]string{}
	s := bufio.NewScanner(f)
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if !ok || val == "" {
			t.Fatalf("%s: %q is not KEY=VALUE", path, line)
		}
		v[key] = val
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	return v
}

// Version returns one pinned version, failing when it is not there.
func Version(t testing.TB, key string) string {
	t.Helper()
	v, ok := Versions(t)[key]
	if !ok {
		t.Fatalf("scripts/tool-versions has no %s", key)
	}
	return v
}

// repoRoot is the directory of go.mod above the test's directory.
func repoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's directory")
		}
		dir = parent
	}
}
