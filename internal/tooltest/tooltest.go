// Package tooltest finds, for tests, the real programs that
// scripts/install-tools.sh builds from their Go modules (Prometheus 3,
// Alertmanager, helm, kubeconform, kube-apiserver) and those Debian installs
// (Prometheus 2.42, Alertmanager 0.25, etcd), and the versions pinned in
// scripts/tool-versions. A missing program fails the test, never skips it:
// `make test` installs them.
package tooltest

import (
	"bufio"
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

// Bin returns the path of a program scripts/install-tools.sh built, failing
// the test when it is not there.
func Bin(t testing.TB, name string) string {
	t.Helper()
	p := filepath.Join(Dir(), "bin", name)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s is not installed (%v): run scripts/install-tools.sh (make test runs it), which builds it from its Go module", name, err)
	}
	return p
}

// Path returns the path of a file or directory under Dir, failing the test
// when it is not there.
func Path(t testing.TB, rel string) string {
	t.Helper()
	p := filepath.Join(Dir(), rel)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s is not installed (%v): run scripts/install-tools.sh (make test runs it)", rel, err)
	}
	return p
}

// Debian returns the path of a program of a Debian package, in /usr/bin,
// failing the test when it is not installed.
func Debian(t testing.TB, name, pkg string) string {
	t.Helper()
	p := filepath.Join("/usr/bin", name)
	if _, err := exec.LookPath(p); err != nil {
		t.Fatalf("%s is not installed: apt-get install %s (make test installs it)", p, pkg)
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
