// Package testfiles makes the odd files tests need: a FIFO, a sparse file
// larger than a cap, a file rewritten in place while it is read.
package testfiles

import (
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
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

// RewriteInPlace rewrites path in place with version(1), version(2), ...
// back to back, truncating it and writing each in chunks of chunk bytes,
// until stop is called; stop returns the last version written whole.
func RewriteInPlace(t testing.TB, path string, version func(int) []byte, chunk int) (stop func() int) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	last := 0
	go func() {
		defer wg.Done()
		for v := 1; ; v++ {
			select {
			case <-done:
				return
			default:
			}
			data := version(v) // before truncating: the writer must not pause mid-file
			f, err := os.OpenFile(path, os.O_WRONLY|os.O_TRUNC, 0)
			if err != nil {
				t.Error(err)
				return
			}
			for len(data) > 0 {
				n := min(len(data), chunk)
				f.Write(data[:n])
				data = data[n:]
			}
			f.Close()
			last = v
		}
	}()
	var once sync.Once
	return func() int {
		once.Do(func() { close(done); wg.Wait() })
		return last
	}
}
