package spaces

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/go-kit/log"
)

func TestLoadFile(t *testing.T) {
	tests := []struct {
		file    string
		want    []string
		wantErr string
	}{
		{file: "good.txt", want: []string{"cams-aaa111", "cams-bbb222", "cams-ccc333"}},
		{file: "latin1.txt", want: []string{"cams-aaa111", "cams-bbb222"}},
		{file: "empty.txt", want: nil},
		{file: "duplicate.txt", wantErr: "duplicate.txt:3: space \"cams-aaa111\" is listed twice (first on line 1)"},
		{file: "space-inside.txt", wantErr: "space-inside.txt:2: space id \"cams bad\" contains spaces"},
		{file: "missing.txt", wantErr: "cannot read spaces file"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := LoadFile(filepath.Join("testdata", tt.file))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %v, want error containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || strings.Join(got, ",") != strings.Join(tt.want, ",") {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestMerge(t *testing.T) {
	tests := []struct {
		flags, file []string
		want        string
		wantErr     string
	}{
		{want: ""}, // nothing: no space; NewSet decides on the own space
		{flags: []string{"a"}, file: []string{"b"}, want: "a,b"},
		{flags: []string{"a", "a"}, wantErr: "configured twice"},
		{flags: []string{"a"}, file: []string{"a"}, wantErr: "configured twice"},
		{flags: []string{""}, wantErr: "empty space id"},
		{flags: []string{"cams-caf\xe9"}, wantErr: `--cams.space: space id "cams-caf\xe9" is not valid UTF-8`},
	}
	for _, tt := range tests {
		got, err := Merge(tt.flags, tt.file)
		if tt.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Merge(%v, %v) = %v, %v; want error %q", tt.flags, tt.file, got, err, tt.wantErr)
			}
			continue
		}
		if err != nil || strings.Join(got, ",") != tt.want {
			t.Errorf("Merge(%v, %v) = %q, %v; want %q", tt.flags, tt.file, got, err, tt.want)
		}
	}
}

// writeSettled writes a spaces file last modified an hour ago, by the
// clock of the test (a synctest bubble's): it is read at once.
func writeSettled(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	past := time.Now().Add(-time.Hour)
	if err := os.Chtimes(path, past, past); err != nil {
		t.Fatal(err)
	}
}

func TestReloadKeepsPreviousListOnBadFile(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "spaces")
		write := func(s string) { writeSettled(t, path, s) }
		write("cams-1\ncams-2\n")
		set, err := NewSet([]string{"cams-flag"}, path)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(set.List(), ","); got != "cams-flag,cams-1,cams-2" {
			t.Fatalf("List = %s", got)
		}
		if changed, err := set.Reload(); changed || err != nil {
			t.Errorf("Reload of an unchanged file = %v, %v", changed, err)
		}
		write("cams-1\ncams-1\n")
		if _, err := set.Reload(); err == nil {
			t.Error("Reload accepted a duplicate")
		}
		if got := strings.Join(set.List(), ","); got != "cams-flag,cams-1,cams-2" {
			t.Errorf("after a bad reload List = %s, want the previous list", got)
		}
		write("cams-2\ncams-3\n") // drops one of three
		if changed, err := set.Reload(); !changed || err != nil {
			t.Errorf("Reload = %v, %v", changed, err)
		}
		if got := strings.Join(set.List(), ","); got != "cams-flag,cams-2,cams-3" {
			t.Errorf("List = %s", got)
		}
		os.Remove(path)
		if _, err := set.Reload(); err == nil || strings.Join(set.List(), ",") != "cams-flag,cams-2,cams-3" {
			t.Errorf("Reload of a removed file: %v, list %v", err, set.List())
		}
	})
}

// A reload that would drop more than half of the watched spaces at once
// (flags included) keeps the previous list until the file has read the same
// for DropConfirm; one that drops half or fewer is taken at once, and a
// file that goes back to the list in force ends the wait.
func TestReloadThatDropsMostSpacesIsHeldBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "spaces")
		writeSettled(t, path, "cams-1\ncams-2\ncams-3\n")
		set, err := NewSet([]string{"cams-flag"}, path)
		if err != nil {
			t.Fatal(err)
		}
		list := func() string { return strings.Join(set.List(), ",") }
		heldBack := func(wantRetry time.Duration) {
			t.Helper()
			changed, err := set.Reload()
			var held *HeldBackError
			if changed || !errors.As(err, &held) || held.Dropped != 3 || held.Of != 4 || held.RetryIn != wantRetry {
				t.Fatalf("Reload = %v, %v; want held back, dropping 3 of 4, retry in %s", changed, err, wantRetry)
			}
			if msg := err.Error(); !strings.Contains(msg, path+" would drop 3 of the 4 watched spaces at once") || !strings.Contains(msg, "reads the same for 10s") || strings.Contains(msg, "\n") {
				t.Errorf("message %q", msg)
			}
			if list() != "cams-flag,cams-1,cams-2,cams-3" {
				t.Fatalf("List = %s while held back", list())
			}
		}
		writeSettled(t, path, "cams-9\n")
		heldBack(10 * time.Second)
		time.Sleep(4 * time.Second)
		heldBack(6 * time.Second)
		// Another content starts the wait again.
		writeSettled(t, path, "cams-8\n")
		heldBack(10 * time.Second)
		time.Sleep(10*time.Second - time.Nanosecond)
		heldBack(time.Nanosecond)
		time.Sleep(time.Nanosecond)
		if changed, err := set.Reload(); !changed || err != nil || list() != "cams-flag,cams-8" {
			t.Fatalf("after reading the same for 10s: Reload = %v, %v, List = %s", changed, err, list())
		}
		// Half of four is not most: taken at once.
		writeSettled(t, path, "cams-1\ncams-2\ncams-3\n")
		set.Reload()
		writeSettled(t, path, "cams-1\ncams-5\ncams-6\n")
		if changed, err := set.Reload(); !changed || err != nil || list() != "cams-flag,cams-1,cams-5,cams-6" {
			t.Fatalf("dropping 2 of 4: Reload = %v, %v, List = %s", changed, err, list())
		}
		// Held back, then the file goes back: the wait ends, and the
		// next cut waits its whole time again.
		writeSettled(t, path, "")
		if _, err := set.Reload(); err == nil {
			t.Fatal("emptying the file was taken at once")
		}
		time.Sleep(9 * time.Second)
		writeSettled(t, path, "cams-1\ncams-5\ncams-6\n")
		if changed, err := set.Reload(); changed || err != nil {
			t.Fatalf("the file as in force: Reload = %v, %v", changed, err)
		}
		writeSettled(t, path, "")
		time.Sleep(9 * time.Second)
		if _, err := set.Reload(); err == nil {
			t.Fatal("a cut seen anew was taken without waiting")
		}
	})
}

// lockedBuffer is a log destination safe for the watcher's goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// entries are the lines logged, decoded, each as "level msg" and its
// fields.
func (l *lockedBuffer) entries(t *testing.T) []map[string]any {
	t.Helper()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.String()), "\n") {
		if line == "" {
			continue
		}
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		out = append(out, e)
	}
	return out
}

// find returns the first entry of level and msg, or nil.
func find(entries []map[string]any, level, msg string) map[string]any {
	for _, e := range entries {
		if e["level"] == level && e["msg"] == msg {
			return e
		}
	}
	return nil
}

// watch runs set.Watch with an hour's poll until the test ends, and returns
// the signal channel, the count of changes and the log.
func watch(t *testing.T, set *Set) (chan<- os.Signal, *atomic.Int32, *lockedBuffer) {
	ctx, cancel := context.WithCancel(context.Background())
	reload := make(chan os.Signal, 1)
	changes := &atomic.Int32{}
	logs := &lockedBuffer{}
	done := make(chan struct{})
	go func() {
		set.Watch(ctx, reload, time.Hour, log.NewJSONLogger(logs), func() { changes.Add(1) })
		close(done)
	}()
	t.Cleanup(func() { cancel(); <-done })
	return reload, changes, logs
}

func TestWatchReloadsOnSignalAndChange(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "spaces")
		writeSettled(t, path, "cams-1\n")
		set, err := NewSet(nil, path)
		if err != nil {
			t.Fatal(err)
		}
		reload, changes, logs := watch(t, set)
		writeSettled(t, path, "cams-1\ncams-2\n")
		reload <- os.Interrupt // stands for SIGHUP
		synctest.Wait()
		if got := strings.Join(set.List(), ","); got != "cams-1,cams-2" || changes.Load() != 1 {
			t.Errorf("after the signal List = %s, changes %d", got, changes.Load())
		}
		// The poll finds a change by itself.
		writeSettled(t, path, "cams-1\ncams-2\ncams-3\n")
		time.Sleep(time.Hour)
		synctest.Wait()
		if got := strings.Join(set.List(), ","); got != "cams-1,cams-2,cams-3" || changes.Load() != 2 {
			t.Errorf("after a poll List = %s, changes %d", got, changes.Load())
		}
		if n := strings.Count(logs.String(), `"msg":"spaces file reloaded"`); n != 2 {
			t.Errorf("%d reloads logged, want 2:\n%s", n, logs.String())
		}
	})
}

// The watcher holds back a file that drops most spaces, with a warning,
// and reads it again by itself DropConfirm later: the same, it is taken
// (warned of again); a file rewritten meanwhile is judged anew.
func TestWatchTakesAHeldBackFileOnceItReadsTheSame(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "spaces")
		writeSettled(t, path, "cams-1\ncams-2\ncams-3\ncams-4\n")
		set, err := NewSet(nil, path)
		if err != nil {
			t.Fatal(err)
		}
		reload, changes, logs := watch(t, set)
		writeSettled(t, path, "cams-4\n")
		reload <- os.Interrupt
		synctest.Wait()
		if changes.Load() != 0 || len(set.List()) != 4 || find(logs.entries(t), "warn", "spaces file not reloaded yet; keeping the previous list") == nil {
			t.Fatalf("held back: %d changes, list %v, log:\n%s", changes.Load(), set.List(), logs.String())
		}
		time.Sleep(DropConfirm)
		synctest.Wait()
		if changes.Load() != 1 || strings.Join(set.List(), ",") != "cams-4" {
			t.Fatalf("%s after the hold: %d changes, list %v", DropConfirm, changes.Load(), set.List())
		}
		e := find(logs.entries(t), "warn", "spaces file reloaded: it dropped most of the watched spaces, and read the same for 10s")
		if e == nil || e["dropped"] != 3.0 || e["of"] != 4.0 || e["spaces"] != 1.0 {
			t.Errorf("the reload is not warned of:\n%s", logs.String())
		}
	})
}

// An id that is not valid UTF-8 is left out, with one line naming its
// line, and the other ids of the file are kept: at start and on reload.
func TestIdsThatAreNotUTF8AreLeftOut(t *testing.T) {
	set, err := NewSet([]string{"cams-flag"}, filepath.Join("testdata", "latin1.txt"))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(set.List(), ","); got != "cams-flag,cams-aaa111,cams-bbb222" {
		t.Errorf("List = %s", got)
	}
	want := filepath.Join("testdata", "latin1.txt") + `:3: space id "cams-caf\xe9" is not valid UTF-8 (a file saved as Latin-1?): left out; save the file as UTF-8; 1 more such lines left out: 5`
	if err := set.Skipped(); err == nil || err.Error() != want {
		t.Errorf("Skipped() = %v\nwant %s", err, want)
	}
	if _, err := NewSet([]string{"cams-caf\xe9"}, ""); err == nil || err.Error() != `--cams.space: space id "cams-caf\xe9" is not valid UTF-8` {
		t.Errorf("NewSet with a flag not UTF-8: %v", err)
	}

	synctest.Test(t, func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "spaces")
		writeSettled(t, path, "cams-1\ncams-2\n")
		set, err := NewSet(nil, path)
		if err != nil || set.Skipped() != nil {
			t.Fatal(err, set.Skipped())
		}
		var b strings.Builder
		for i := range 15 {
			fmt.Fprintf(&b, "cams-%d\ncams-\xff%d\n", i, i)
		}
		writeSettled(t, path, b.String())
		reload, _, logs := watch(t, set)
		reload <- os.Interrupt
		synctest.Wait()
		if n := len(set.List()); n != 15 {
			t.Errorf("after the reload %d spaces, want the 15 valid ones", n)
		}
		want := path + `:2: space id "cams-\xff0" is not valid UTF-8 (a file saved as Latin-1?): left out; save the file as UTF-8; 14 more such lines left out: 4, 6, 8, 10, 12, 14, 16, 18, 20, ...`
		entries := logs.entries(t)
		if e := find(entries, "error", "spaces file: ids left out"); e == nil || e["err"] != want || len(entries) != 2 {
			t.Errorf("log:\n%s\nwant the reload and one error: %s", logs.String(), want)
		}
	})
}

func TestNewSetErrors(t *testing.T) {
	if _, err := NewSet(nil, filepath.Join("testdata", "missing.txt")); err == nil {
		t.Error("NewSet accepted a missing file")
	}
	if _, err := NewSet([]string{"x"}, filepath.Join("testdata", "duplicate.txt")); err == nil {
		t.Error("NewSet accepted a file with a duplicate")
	}
	set, err := NewSet(nil, "")
	if err != nil || len(set.List()) != 1 || set.List()[0] != "" {
		t.Errorf("NewSet with nothing = %v, %v; want the own space", set.List(), err)
	}
	set, err = NewSet(nil, filepath.Join("testdata", "empty.txt"))
	if err != nil || len(set.List()) != 0 {
		t.Errorf("NewSet with an empty file = %q, %v; want no space, not the own one", set.List(), err)
	}
}
