package cache

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/cams-exporter/cams_exporter/internal/safefile"
)

// journalWriter is what an append writes the journal through; tests slow
// it down.
var journalWriter = func(f *os.File) io.Writer { return f }

// appendJournal appends data, whole lines, to the journal name, which must
// be size bytes long (0: a journal started afresh, made or emptied), and
// syncs it. A failed append is cut off again if it can be; either way the
// journal is only ever appended to by a writer that knows its size, so a
// line cut short is always the last (see Writer).
//
// When ctx ends before the append is done, it is abandoned and
// ErrAbandoned returned at once, even while the write is blocked: the
// journal then ends with the writes before it, or with this one whole, or
// with this one cut short if the process ends during it, which Read
// ignores.
func appendJournal(ctx context.Context, name string, size int64, data []byte) error {
	if ctx.Err() != nil {
		return fmt.Errorf("cache journal: %w", ErrAbandoned)
	}
	done := make(chan error, 1)
	writing.Add(1)
	go func() {
		defer writing.Done()
		done <- writeJournal(ctx, name, size, data)
	}()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("cache journal: %w", err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("cache journal: %w", ErrAbandoned)
	}
}

// writeJournal is appendJournal's work.
func writeJournal(ctx context.Context, name string, size int64, data []byte) error {
	flags := os.O_WRONLY | os.O_APPEND
	if size == 0 {
		flags |= os.O_CREATE | os.O_TRUNC
	}
	f, err := openJournal(name, flags)
	if err != nil {
		return err
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil {
		return err
	} else if info.Size() != size {
		return fmt.Errorf("%s is %d bytes, not the %d written last (changed by someone else)", name, info.Size(), size)
	}
	if _, err := (abandonable{ctx, journalWriter(f)}).Write(data); err != nil {
		if !errors.Is(err, ErrAbandoned) {
			_ = f.Truncate(size) // a disk full: the journal as it was
		}
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if size == 0 {
		syncDir(filepath.Dir(name)) // the journal's entry, made or not
	}
	return nil
}

// openJournal opens the journal name with flags: a regular file, never
// what a symbolic link points to.
func openJournal(name string, flags int) (*os.File, error) {
	if info, err := os.Lstat(name); err == nil && !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file; remove it", name)
	}
	return os.OpenFile(name, flags|safefile.NoFollow, 0o600)
}

// cutJournal cuts the journal name, size bytes long, back to keep bytes:
// the end of its last whole write, before a write cut short.
func cutJournal(name string, size, keep int64) error {
	f, err := openJournal(name, os.O_WRONLY)
	if err != nil {
		return err
	}
	defer f.Close()
	if info, err := f.Stat(); err != nil {
		return err
	} else if info.Size() != size {
		return fmt.Errorf("%s is %d bytes, not the %d read (changed by someone else)", name, info.Size(), size)
	}
	if err := f.Truncate(keep); err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		return err
	}
	return f.Close()
}

// removeJournal removes the journal of the cache file path, if it is a
// regular file (anything else there is not the exporter's); it reports
// whether there was one.
func removeJournal(path string) (bool, error) {
	name := path + JournalSuffix
	info, err := os.Lstat(name)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if !info.Mode().IsRegular() {
		return false, fmt.Errorf("%s is not a regular file; remove it", name)
	}
	if err := os.Remove(name); err != nil && !errors.Is(err, os.ErrNotExist) {
		return false, err
	}
	return true, nil
}

// syncDir makes the entries of dir durable, where the filesystem supports
// it.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
