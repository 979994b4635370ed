package tooltest

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// outcome is what a helper did to the test it was given.
type outcome struct {
	skipped, failed string
	returned        string
}

// recorder stands for a test: it notes a skip or a failure and ends the
// goroutine as testing does.
type recorder struct {
	testing.TB
	out *outcome
}

func (r recorder) Helper() {}

func (r recorder) Skipf(format string, args ...any) {
	r.out.skipped = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (r recorder) Fatalf(format string, args ...any) {
	r.out.failed = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

// call runs f as a test would and returns what it did.
func call(t *testing.T, f func(testing.TB) string) outcome {
	var out outcome
	done := make(chan struct{})
	go func() {
		defer close(done)
		out.returned = f(recorder{TB: t, out: &out})
	}()
	<-done
	return out
}

// A missing tool skips the test with a message naming it and `make test`;
// with CAMS_REQUIRE_TOOLS=1 (scripts/test.sh) it fails the test instead. A
// tool that is there is returned either way.
func TestMissingToolSkipsOrFails(t *testing.T) {
	tools := t.TempDir()
	t.Setenv("CAMS_TOOLS_DIR", tools)
	os.MkdirAll(filepath.Join(tools, "bin"), 0o755)
	os.WriteFile(filepath.Join(tools, "bin", "present"), []byte("#!/bin/sh\n"), 0o755)
	os.MkdirAll(filepath.Join(tools, "schemas"), 0o755)
	debian := t.TempDir()
	os.WriteFile(filepath.Join(debian, "packaged"), []byte("#!/bin/sh\n"), 0o755)
	saved := debianBin
	debianBin = debian
	t.Cleanup(func() { debianBin = saved })

	helpers := []struct {
		name        string
		f           func(testing.TB) string
		missing     bool
		wantMention string
	}{
		{"Bin of a missing program", func(t testing.TB) string { return Bin(t, "absent") }, true, "absent is not installed"},
		{"Path of a missing directory", func(t testing.TB) string { return Path(t, "crds") }, true, "crds is not installed"},
		{"Debian program not installed", func(t testing.TB) string { return Debian(t, "unpackaged", "some-package") }, true, "unpackaged is not installed (Debian package some-package)"},
		{"Chromium not installed", func(t testing.TB) string { return NewChromium(t).bin }, true, "chromium is not installed (Debian package chromium)"},
		{"Bin of a built program", func(t testing.TB) string { return Bin(t, "present") }, false, filepath.Join(tools, "bin", "present")},
		{"Path of a made directory", func(t testing.TB) string { return Path(t, "schemas") }, false, filepath.Join(tools, "schemas")},
		{"Debian program installed", func(t testing.TB) string { return Debian(t, "packaged", "some-package") }, false, filepath.Join(debian, "packaged")},
	}
	for _, mode := range []struct{ env, want string }{{"", "skip"}, {"0", "skip"}, {"1", "fail"}} {
		for _, h := range helpers {
			t.Run(h.name+" with "+RequireEnv+"="+mode.env, func(t *testing.T) {
				t.Setenv(RequireEnv, mode.env)
				got := call(t, h.f)
				switch {
				case !h.missing:
					if got.skipped != "" || got.failed != "" || got.returned != h.wantMention {
						t.Errorf("got %+v, want %s returned", got, h.wantMention)
					}
				case mode.want == "skip":
					if got.failed != "" || !strings.Contains(got.skipped, h.wantMention) || !strings.Contains(got.skipped, "`make test` installs it") {
						t.Errorf("got %+v, want a skip naming %q and make test", got, h.wantMention)
					}
				default:
					if got.skipped != "" || !strings.Contains(got.failed, h.wantMention) || !strings.Contains(got.failed, RequireEnv+"=1") || !strings.Contains(got.failed, "make test") {
						t.Errorf("got %+v, want a failure naming %q, %s and make test", got, h.wantMention, RequireEnv)
					}
				}
			})
		}
	}
}
