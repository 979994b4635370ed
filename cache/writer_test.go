package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/go-kit/log"

	"github.com/cams-exporter/cams_exporter/snapshot"
)

// tickedWriter is a writer of path whose ticks the test sends.
func tickedWriter(path string, snap func() *snapshot.Snapshot) (*Writer, chan time.Time) {
	ticks := make(chan time.Time)
	return &Writer{Path: path, Meta: meta, Snapshot: snap, Logger: log.NewNopLogger(), tick: ticks}, ticks
}

// tickAndWait sends a tick and waits for its save to end: the writer takes
// the next tick only once the save of the previous one returned.
func tickAndWait(ticks chan<- time.Time) {
	ticks <- t0
	ticks <- t0
}

// freshSpaces is a snapshot of n listed spaces, as restored from a cache.
func freshSpaces(n int) *snapshot.Snapshot {
	states := make(map[string]*snapshot.SpaceState, n)
	for i := range n {
		id := fmt.Sprintf("cams-%05d", i)
		states[id] = &snapshot.SpaceState{ID: id, HasData: true, Up: true, Count: 1, FlowIDs: []string{"f"}, ByCategory: map[string]int{"SURVEY": 1},
			LastSuccess: t0.Add(-time.Minute), LastAttempt: t0.Add(-time.Minute)}
	}
	return snapshot.Snapshot{Completed: true}.WithSpaces(states)
}

// fileState is what shows that a file was rewritten: its inode (a write
// renames a new file over it), modification time and bytes.
type fileState struct {
	info os.FileInfo
	data []byte
}

func statFile(t *testing.T, path string) fileState {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fileState{info, data}
}

func (a fileState) same(b fileState) bool {
	return os.SameFile(a.info, b.info) && a.info.ModTime().Equal(b.info.ModTime()) && bytes.Equal(a.data, b.data)
}

// A snapshot whose spaces are those of the last write (the refresher
// publishes one at shutdown even when nothing changed) is not written: not
// at a tick, not at the end. At 10,000 spaces, a restart that restores the
// file and stops with nothing new leaves it and its journal as they were;
// one changed space is appended once, the file left as it was.
func TestWriterWritesNothingWhenNothingChanged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.json")
	restored := freshSpaces(10_000)
	if err := Save(path, meta, restored, t0); err != nil {
		t.Fatal(err)
	}
	contents := mustRead(t, path)
	before := statFile(t, path)
	var mu sync.Mutex
	current := restored.WithChanged(nil) // a new snapshot, the same spaces
	snap := func() *snapshot.Snapshot { mu.Lock(); defer mu.Unlock(); return current }
	set := func(s *snapshot.Snapshot) { mu.Lock(); current = s; mu.Unlock() }

	w, ticks := tickedWriter(path, snap)
	w.Restored, w.Contents = restored, contents
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx, context.Background()); close(done) }()
	tickAndWait(ticks)
	set(current.WithChanged(nil))
	tickAndWait(ticks)
	_, err := os.Stat(path + JournalSuffix)
	if n := w.writes.Load(); n != 0 || !statFile(t, path).same(before) || !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("%d writes, the file rewritten or a journal (%v) with nothing changed since the restore", n, err)
	}

	changed := &snapshot.SpaceState{ID: "cams-00007", HasData: true, Up: true, Count: 2, FlowIDs: []string{"f", "g"}, LastSuccess: t0, LastAttempt: t0}
	set(current.WithChanged(map[string]*snapshot.SpaceState{"cams-00007": changed}))
	tickAndWait(ticks)
	journal := statFile(t, path+JournalSuffix)
	if n := w.writes.Load(); n != 1 || !statFile(t, path).same(before) || len(journalLines(t, path)) != 2 {
		t.Fatalf("%d writes after one space changed, the file rewritten %v, %d lines in the journal; want 1, no, 2",
			n, !statFile(t, path).same(before), len(journalLines(t, path)))
	}
	got, err := Load(path, meta)
	if err != nil || len(got) != 10_000 || got["cams-00007"].Count != 2 {
		t.Fatalf("after the change the file holds %d spaces (%v), want 10000 with the change", len(got), err)
	}

	set(current.WithChanged(nil)) // the shutdown's snapshot: nothing new
	cancel()
	<-done
	if n := w.writes.Load(); n != 1 || !statFile(t, path).same(before) || !statFile(t, path+JournalSuffix).same(journal) {
		t.Errorf("%d writes and the file or its journal written at a shutdown with nothing new", n)
	}
}

// Without a restored snapshot the first one is written, and a space that
// leaves is a change.
func TestWriterWritesWhatItHasNotWritten(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.json")
	var mu sync.Mutex
	current := sampleSnapshot()
	snap := func() *snapshot.Snapshot { mu.Lock(); defer mu.Unlock(); return current }
	set := func(s *snapshot.Snapshot) { mu.Lock(); current = s; mu.Unlock() }
	w, ticks := tickedWriter(path, snap)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan struct{})
	go func() { w.Run(ctx, context.Background()); close(done) }()
	tickAndWait(ticks)
	tickAndWait(ticks)
	if n := w.writes.Load(); n != 1 {
		t.Fatalf("%d writes of one snapshot, want 1", n)
	}
	set(current.WithChanged(map[string]*snapshot.SpaceState{"cams-failing": nil}))
	cancel()
	<-done
	got, err := Load(path, meta)
	if n := w.writes.Load(); n != 2 || err != nil || len(got) != 1 {
		t.Errorf("%d writes, %d spaces in the file (%v); want 2 writes and the space gone", n, len(got), err)
	}
}

// blockingWriter blocks its first write until release is closed, saying
// when it has started on entered.
type blockingWriter struct {
	w       io.Writer
	once    sync.Once
	entered chan struct{}
	release chan struct{}
}

func newBlockingWriter(w io.Writer) *blockingWriter {
	return &blockingWriter{w: w, entered: make(chan struct{}), release: make(chan struct{})}
}

func (b *blockingWriter) Write(p []byte) (int, error) {
	b.once.Do(func() { close(b.entered); <-b.release })
	return b.w.Write(p)
}

// tempFiles lists the temporary files of path's writes (regular files).
func tempFiles(t *testing.T, path string) []string {
	t.Helper()
	entries, err := os.ReadDir(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && isTemp(filepath.Base(path), e.Name()) {
			names = append(names, e.Name())
		}
	}
	return names
}

// The last write, at shutdown, blocked by a disk that does not answer, is
// abandoned when its deadline ends: Run returns, no temporary file is left,
// the previous file is intact; the blocked write, once it wakes, neither
// renames nor leaves its file.
func TestWriterAbandonsTheLastWriteAtItsDeadline(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cams.cache")
	if err := Save(path, meta, sampleSnapshot(), t0); err != nil {
		t.Fatal(err)
	}
	before := statFile(t, path)
	blocked := make(chan *blockingWriter, 1)
	tempWriter = func(f *os.File) io.Writer { b := newBlockingWriter(f); blocked <- b; return b }
	t.Cleanup(func() { tempWriter = func(f *os.File) io.Writer { return f } })

	w, _ := tickedWriter(path, func() *snapshot.Snapshot { return freshSpaces(10_000) })
	ctx, stop := context.WithCancel(context.Background())
	deadline, abandon := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx, deadline); close(done) }()
	stop() // the shutdown: the last write starts
	b := <-blocked
	var releaseOnce sync.Once
	release := func() { releaseOnce.Do(func() { close(b.release) }) }
	t.Cleanup(release) // a failed test leaves no goroutine blocked
	<-b.entered
	if len(tempFiles(t, path)) != 1 {
		t.Fatalf("temporary files %v while the write is under way, want one", tempFiles(t, path))
	}
	abandon() // the end of the shutdown budget
	<-done
	if left := tempFiles(t, path); len(left) != 0 || w.writes.Load() != 0 || !statFile(t, path).same(before) {
		t.Fatalf("after the abandoned write: temporary files %v, %d writes, file changed: %v; want none, 0, false", left, w.writes.Load(), !statFile(t, path).same(before))
	}
	release() // the disk answers again
	writing.Wait()
	if left := tempFiles(t, path); len(left) != 0 || !statFile(t, path).same(before) {
		t.Errorf("once the abandoned write woke: temporary files %v, file changed: %v", left, !statFile(t, path).same(before))
	}
}

// writeAtomic abandoned while its encoding is blocked (rather than the
// disk) behaves alike, and one whose context ended before it began makes no
// file at all.
func TestWriteAtomicAbandoned(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cams.cache")
	os.WriteFile(path, []byte("previous"), 0o600)
	ctx, abandon := context.WithCancel(context.Background())
	entered, release := make(chan struct{}), make(chan struct{})
	encodeErr := make(chan error, 1)
	result := make(chan error, 1)
	go func() {
		result <- writeAtomic(ctx, path, func(w io.Writer) error {
			w.Write([]byte("new "))
			close(entered)
			<-release
			_, err := w.Write([]byte("data"))
			encodeErr <- err
			return err
		})
	}()
	<-entered
	abandon()
	if err := <-result; !errors.Is(err, ErrAbandoned) {
		t.Fatalf("writeAtomic = %v, want ErrAbandoned", err)
	}
	if left := tempFiles(t, path); len(left) != 0 {
		t.Fatalf("temporary files %v once abandoned", left)
	}
	close(release)
	if err := <-encodeErr; !errors.Is(err, ErrAbandoned) {
		t.Errorf("the abandoned encoding's next write = %v, want ErrAbandoned", err)
	}
	writing.Wait()
	if data, _ := os.ReadFile(path); string(data) != "previous" || len(tempFiles(t, path)) != 0 {
		t.Errorf("file %q and temporary files %v after the abandoned write ended", data, tempFiles(t, path))
	}

	called := false
	err := writeAtomic(ctx, path, func(io.Writer) error { called = true; return nil })
	entries, _ := os.ReadDir(filepath.Dir(path))
	if !errors.Is(err, ErrAbandoned) || called || len(entries) != 1 {
		t.Errorf("with its context ended: %v, write called %v, %d files; want ErrAbandoned, no call, only the cache", err, called, len(entries))
	}
}

// After each write, and when it starts, the writer removes its temporary
// files left by killed writes, and nothing else.
func TestWriterSweepsLeftovers(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cams.cache")
	others := plantOthers(t, dir)
	os.WriteFile(path+".tmp-123", []byte("killed"), 0o600)
	os.WriteFile(path+".tmp-4294967295", []byte("killed"), 0o600)
	var mu sync.Mutex
	var current *snapshot.Snapshot = snapshot.Snapshot{}.WithSpaces(nil)
	snap := func() *snapshot.Snapshot { mu.Lock(); defer mu.Unlock(); return current }
	w, ticks := tickedWriter(path, snap)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx, context.Background()); close(done) }()
	tickAndWait(ticks) // the start's sweep is done before the first tick
	if left := tempFiles(t, path); len(left) != 0 {
		t.Fatalf("leftovers %v after the start", left)
	}
	os.WriteFile(path+".tmp-77", []byte("killed"), 0o600)
	mu.Lock()
	current = sampleSnapshot()
	mu.Unlock()
	tickAndWait(ticks)
	if left := tempFiles(t, path); len(left) != 0 || w.writes.Load() != 1 {
		t.Fatalf("leftovers %v after write %d", left, w.writes.Load())
	}
	cancel()
	<-done
	checkOthers(t, dir, others)
}

// plantOthers makes files beside a cache file cams.cache that are not its
// temporary files, and returns their names: checkOthers finds them intact.
func plantOthers(t *testing.T, dir string) []string {
	t.Helper()
	files := []string{"cams.cache.tmp-", "cams.cache.tmp-12a", "cams.cache.tmp-123.bak", "cams.cache.lock", "cams.cache.bak",
		"other.cache.tmp-123", "xcams.cache.tmp-1", "cams.cachetmp-1", "cams.cache.tmp-123456789012345678901"}
	for _, name := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(name), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	// Named as a leftover, but not a regular file.
	os.Mkdir(filepath.Join(dir, "cams.cache.tmp-55"), 0o700)
	os.Symlink(filepath.Join(dir, "cams.cache.bak"), filepath.Join(dir, "cams.cache.tmp-66"))
	return append(files, "cams.cache.tmp-55", "cams.cache.tmp-66")
}

func checkOthers(t *testing.T, dir string, others []string) {
	t.Helper()
	for _, name := range others {
		if _, err := os.Lstat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s was removed: %v", name, err)
		}
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "cams.cache.tmp-66")); string(data) != "cams.cache.bak" {
		t.Errorf("the file a symlink named as a leftover points to: %q", data)
	}
	want := map[string]bool{"cams.cache": true}
	for _, name := range others {
		want[name] = true
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !want[e.Name()] {
			t.Errorf("unexpected file %s", e.Name())
		}
	}
}
