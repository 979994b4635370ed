package spaces

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/internal/testfiles"
)

// TestOddFilesAreRefusedAtOnce: a FIFO, a device, a directory or a file
// over MaxFileBytes is a one-line error naming the file, at once.
func TestOddFilesAreRefusedAtOnce(t *testing.T) {
	for path, want := range map[string]string{
		testfiles.FIFO(t):                   "not a regular file but a named pipe (FIFO)",
		"/dev/zero":                         "not a regular file but a character device",
		t.TempDir():                         "not a regular file but a directory",
		testfiles.Sparse(t, MaxFileBytes+1): fmt.Sprintf("more than the %d allowed", MaxFileBytes),
	} {
		start := time.Now()
		_, err := NewSet(nil, path)
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "--cams.spaces-file") || strings.Contains(err.Error(), "\n") {
			t.Errorf("NewSet(%s): %v; want one line naming the flag and %q", path, err, want)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("NewSet(%s) took %v", path, d)
		}
	}
}

// TestReloadWhileRewrittenInPlace rewrites a file of 20,000 spaces in place
// over and over while it is reloaded: a reload never takes half a file, and
// once the writer stops the last version is taken.
func TestReloadWhileRewrittenInPlace(t *testing.T) {
	saved := FileStability
	FileStability.Settle, FileStability.Within = 300*time.Millisecond, time.Second
	t.Cleanup(func() { FileStability = saved })
	path := filepath.Join(t.TempDir(), "spaces.txt")
	version := func(v int) []byte {
		var b bytes.Buffer
		fmt.Fprintf(&b, "# version %d\n", v)
		for i := range 20000 {
			fmt.Fprintf(&b, "cams-%d-%05d\n", v, i)
		}
		return b.Bytes()
	}
	os.WriteFile(path, version(0), 0o644)
	time.Sleep(400 * time.Millisecond)
	set, err := NewSet(nil, path)
	if err != nil || len(set.List()) != 20000 {
		t.Fatalf("NewSet: %v, %d spaces", err, len(set.List()))
	}
	stop := testfiles.RewriteInPlace(t, path, version, 8<<10)
	defer stop()
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		set.Reload() // an error keeps the previous list
		if n := len(set.List()); n != 20000 {
			t.Fatalf("a reload took %d of 20000 spaces", n)
		}
	}
	last := stop()
	if _, err := set.Reload(); err != nil {
		t.Fatal(err)
	}
	if got := set.List(); len(got) != 20000 || got[0] != fmt.Sprintf("cams-%d-00000", last) {
		t.Errorf("after the writer stopped: %d spaces from %s, want version %d", len(got), got[0], last)
	}
}
