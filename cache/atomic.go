package cache

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"

	"github.com/cams-exporter/cams_exporter/internal/safefile"
)

// ErrAbandoned is returned for a write abandoned because its context ended:
// its temporary file is removed, the file at path is the last one written.
var ErrAbandoned = errors.New("write abandoned before it finished; the file holds the last write that did")

// writing counts the writes under way, abandoned ones included (they go on
// in the background until their encoding fails): tests wait for them.
var writing sync.WaitGroup

// tempWriter is what a write writes the temporary file through; tests slow
// it down.
var tempWriter = func(f *os.File) io.Writer { return f }

// writeAtomic writes a file at path with write, atomically: a temporary
// file in the same directory (see tempName), fsync, rename, fsync of the
// directory. A crash leaves either the old file or the new one, never half
// of one; a kill leaves the temporary file, which Sweep removes.
//
// When ctx ends before the rename is done, the write is abandoned and
// ErrAbandoned returned at once, even while write is blocked (a disk that
// does not answer): the temporary file is removed, so nothing is left
// behind however soon the process exits, and the rename then fails if it
// comes at all. Either the new file took the place of the old one or the
// old one is there; nothing else.
func writeAtomic(ctx context.Context, path string, write func(io.Writer) error) error {
	if err := safefile.CheckRegular(path); err != nil {
		return fmt.Errorf("cache file: %w", err)
	}
	if ctx.Err() != nil {
		return fmt.Errorf("cache file: %w", ErrAbandoned)
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, filepath.Base(path)+tempInfix+"*")
	if err != nil {
		return fmt.Errorf("cache file: %w", err)
	}
	done := make(chan error, 1)
	writing.Add(1)
	go func() {
		defer writing.Done()
		done <- writeAndRename(tmp, path, abandonable{ctx, tempWriter(tmp)}, write)
	}()
	select {
	case err = <-done:
	case <-ctx.Done():
		os.Remove(tmp.Name())
		return fmt.Errorf("cache file: %w", ErrAbandoned)
	}
	if err != nil {
		return fmt.Errorf("cache file: %w", err)
	}
	syncDir(dir) // make the rename durable
	return nil
}

// writeAndRename writes tmp through w with write, syncs and closes it, and
// renames it to path; on failure it removes tmp.
func writeAndRename(tmp *os.File, path string, w io.Writer, write func(io.Writer) error) error {
	err := write(w)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
	}
	return err
}

// abandonable fails every write once ctx has ended, so that an abandoned
// write stops encoding at its next write.
type abandonable struct {
	ctx context.Context
	w   io.Writer
}

func (a abandonable) Write(p []byte) (int, error) {
	if a.ctx.Err() != nil {
		return 0, ErrAbandoned
	}
	return a.w.Write(p)
}
