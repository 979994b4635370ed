package tooltest

import (
	"context"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// chromiumTimeout bounds one run of Chromium.
const chromiumTimeout = 90 * time.Second

// Chromium is Debian's chromium in headless mode, for tests that look at a
// page as a browser shows it. Each run has a profile of its own in a
// temporary directory, no proxy, no background or update traffic, and a
// resolver that answers only loopback: it can reach nothing but the
// test's own servers.
type Chromium struct {
	bin string
}

// NewChromium finds Chromium, or skips the test when it is not installed
// (see missing; make test installs it).
func NewChromium(t testing.TB) Chromium {
	t.Helper()
	return Chromium{bin: Debian(t, "chromium", "chromium")}
}

// DumpDOM loads url and returns the DOM as Chromium serialises it once the
// page has loaded (scripts, if any, have run).
func (c Chromium) DumpDOM(t testing.TB, url string) string {
	t.Helper()
	return c.run(t, "--dump-dom", url)
}

// Screenshot loads url in a window of width × height pixels and writes a
// PNG of it to path.
func (c Chromium) Screenshot(t testing.TB, url, path string, width, height int) {
	t.Helper()
	abs, err := filepath.Abs(path)
	if err != nil {
		t.Fatal(err)
	}
	c.run(t, "--screenshot="+abs, "--window-size="+strconv.Itoa(width)+","+strconv.Itoa(height), "--hide-scrollbars", url)
}

func (c Chromium) run(t testing.TB, args ...string) string {
	t.Helper()
	home := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), chromiumTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.bin, append([]string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic",
		"--no-first-run", "--no-default-browser-check", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--disable-extensions", "--no-proxy-server",
		"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
		"--user-data-dir=" + filepath.Join(home, "profile"),
	}, args...)...)
	cmd.Env = []string{"HOME=" + home, "PATH=/usr/bin:/bin", "LANG=C.UTF-8", "TZ=UTC"}
	cmd.WaitDelay = 5 * time.Second
	var stderr limitedBuffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, stderr.String())
	}
	return string(out)
}

// limitedBuffer keeps the last 8 KiB written to it: Chromium's complaints
// about D-Bus and the like would otherwise fill a failure's message.
type limitedBuffer struct{ b []byte }

func (l *limitedBuffer) Write(p []byte) (int, error) {
	l.b = append(l.b, p...)
	if over := len(l.b) - 8<<10; over > 0 {
		l.b = l.b[over:]
	}
	return len(p), nil
}

func (l *limitedBuffer) String() string { return string(l.b) }
