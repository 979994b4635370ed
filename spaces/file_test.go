package spaces

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cams-exporter/cams_exporter/internal/testfiles"
)

// TestOddFilesAreRefusedAtOnce: a FIFO, a device, a directory or a file
// over MaxFileBytes is a one-line error naming the file, at once: in a
// bubble whose clock moves only when the test waits, no time passes.
func TestOddFilesAreRefusedAtOnce(t *testing.T) {
	for path, want := range map[string]string{
		testfiles.FIFO(t):                   "not a regular file but a named pipe (FIFO)",
		"/dev/zero":                         "not a regular file but a character device",
		t.TempDir():                         "not a regular file but a directory",
		testfiles.Sparse(t, MaxFileBytes+1): fmt.Sprintf("more than the %d allowed", MaxFileBytes),
	} {
		synctest.Test(t, func(t *testing.T) {
			start := time.Now()
			_, err := NewSet(nil, path)
			if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "--cams.spaces-file") || strings.Contains(err.Error(), "\n") {
				t.Errorf("NewSet(%s): %v; want one line naming the flag and %q", path, err, want)
			}
			if waited := time.Since(start); waited != 0 {
				t.Errorf("NewSet(%s) waited %v", path, waited)
			}
		})
	}
}

// TestReloadWhileRewrittenInPlace rewrites a file of 20,000 spaces in place,
// one step at a time, and reloads between the steps. The writer stalls
// longer than FileStability.Settle with a tenth of the file written: the
// reload reads it, and holds it back, as it would drop most spaces. Still
// truncated 9 s later, it is still held back. Once the writer is done, the
// whole new version (one space changed) is taken.
func TestReloadWhileRewrittenInPlace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "spaces.txt")
		version := func(v int) []byte {
			var b bytes.Buffer
			fmt.Fprintf(&b, "# version %d\ncams-v%d-first\n", v, v)
			for i := range 19999 {
				fmt.Fprintf(&b, "cams-%05d\n", i)
			}
			return b.Bytes()
		}
		writeSettled(t, path, string(version(0)))
		set, err := NewSet(nil, path)
		if err != nil || len(set.List()) != 20000 {
			t.Fatalf("NewSet: %v, %d spaces", err, len(set.List()))
		}
		unchanged := func(when string) {
			t.Helper()
			if got := set.List(); len(got) != 20000 || got[0] != "cams-v0-first" {
				t.Fatalf("%s: a reload took %d of 20000 spaces, from %s", when, len(got), got[0])
			}
		}
		next := version(1)
		written := next[:16<<10]
		// The spaces of version 0 on the complete lines written so far.
		kept := 0
		for _, line := range strings.Split(string(written), "\n")[:bytes.Count(written, []byte("\n"))] {
			if strings.HasPrefix(line, "cams-0") || strings.HasPrefix(line, "cams-1") {
				kept++
			}
		}
		heldBack := func(when string, err error) {
			t.Helper()
			var held *HeldBackError
			if !errors.As(err, &held) || held.Of != 20000 || held.Dropped != 20000-kept {
				t.Fatalf("%s: Reload: %v; want it held back, dropping %d of the 20000 spaces", when, err, 20000-kept)
			}
			unchanged(when)
		}

		w := testfiles.RewriteInPlace(t, path)
		w.Write(written)
		start := time.Now()
		_, err = set.Reload()
		if waited := time.Since(start); waited != FileStability.Settle {
			t.Errorf("the reload of a file just written read it after %v, want once it had not changed for %v", waited, FileStability.Settle)
		}
		heldBack("the writer stalled", err)

		time.Sleep(DropConfirm - 2*FileStability.Settle)
		_, err = set.Reload()
		heldBack("still stalled, short of DropConfirm", err)

		w.Write(next[len(written):])
		if _, err := set.Reload(); err != nil {
			t.Fatalf("once written whole: %v", err)
		}
		if got := set.List(); len(got) != 20000 || got[0] != "cams-v1-first" || got[19999] != "cams-19998" {
			t.Errorf("after the writer was done: %d spaces from %s, want version 1", len(got), got[0])
		}
	})
}
