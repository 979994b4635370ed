// Package testfiles makes the odd files tests need: a FIFO, a sparse file
// larger than a cap, a file rewritten in place while it is read.
package testfiles

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// FIFO returns a named pipe in a temporary directory; opening it for
// reading blocks until a writer comes.
func FIFO(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// Sparse returns a file of size bytes that takes no disk space.
func Sparse(t testing.TB, size int64) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sparse")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	return path
}

// InPlace rewrites a file in place, as `cat > file` or an editor saving
// over it does, one step at a time as the test says, so that a reader meets
// exactly the states the test chooses: emptied, part-written, whole. Every
// step sets the file's modification time to time.Now(), the test's clock (a
// synctest bubble's), as a writer's clock would.
type InPlace struct {
	t    testing.TB
	path string
	f    *os.File
}

// RewriteInPlace empties path, which must exist, and returns the writer.
func RewriteInPlace(t testing.TB, path string) *InPlace {
	t.Helper()
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	w := &InPlace{t: t, path: path, f: f}
	w.touch()
	return w
}

// Write appends p to the file.
func (w *InPlace) Write(p []byte) {
	w.t.Helper()
	if _, err := w.f.Write(p); err != nil {
		w.t.Fatal(err)
	}
	w.touch()
}

func (w *InPlace) touch() {
	w.t.Helper()
	now := time.Now()
	if err := os.Chtimes(w.path, now, now); err != nil {
		w.t.Fatal(err)
	}
}
