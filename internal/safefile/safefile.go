// Package safefile reads the files the exporter is given (the spaces file,
// the cache file): only regular files, never more than a size cap, and never
// blocking on a FIFO or a device, so that a wrong path cannot hang the
// process or fill its memory.
package safefile

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"time"
)

// Read returns the contents of path, which must be a regular file of at
// most limit bytes, and what the file was when it was opened.
func Read(path string, limit int64) ([]byte, fs.FileInfo, error) {
	f, info, err := Open(path, limit)
	if err != nil {
		return nil, nil, err
	}
	defer f.Close()
	data, err := readAll(f, make([]byte, 0, info.Size()+1))
	if err != nil {
		return nil, nil, err
	}
	return data, info, nil
}

// File is a regular file opened by Open, read to at most its limit.
type File struct {
	f     *os.File
	path  string
	left  int64 // bytes that may still be read
	limit int64
}

// Open opens path, which must be a regular file of at most limit bytes, for
// reading, and returns what the file was when it was opened. A read past
// limit bytes (the file grew) fails.
func Open(path string, limit int64) (*File, fs.FileInfo, error) {
	// Non-blocking, so that opening a FIFO with no writer returns at once
	// instead of waiting for one; for a regular file the flag does nothing.
	f, err := os.OpenFile(path, os.O_RDONLY|openFlags, 0)
	if err != nil {
		return nil, nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !info.Mode().IsRegular() {
		f.Close()
		return nil, nil, fmt.Errorf("%s is not a regular file but %s", path, describe(info.Mode()))
	}
	if info.Size() > limit {
		f.Close()
		return nil, nil, fmt.Errorf("%s is %d bytes, more than the %d allowed", path, info.Size(), limit)
	}
	return &File{f: f, path: path, left: limit, limit: limit}, info, nil
}

// Read reads as os.File does, and fails once the file has more than its
// limit.
func (f *File) Read(p []byte) (int, error) {
	if int64(len(p)) > f.left+1 {
		p = p[:f.left+1] // one byte past the limit tells a file that grew
	}
	n, err := f.f.Read(p)
	if f.left -= int64(n); f.left < 0 {
		return 0, fmt.Errorf("%s grew past the %d bytes allowed while it was read", f.path, f.limit)
	}
	return n, err
}

// Close closes the file.
func (f *File) Close() error { return f.f.Close() }

func readAll(r io.Reader, buf []byte) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

func describe(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	default:
		return "not a plain file (" + m.Type().String() + ")"
	}
}

// Stability says when a file that changes while it is read is read again.
type Stability struct {
	// Settle is how long a file must have gone unmodified before it is
	// taken: a writer rewriting it in place may be between two writes.
	Settle time.Duration
	// Within bounds how long ReadStable keeps trying.
	Within time.Duration
}

// ReadStable reads path as Read does, again while the file changes under
// the read (its size or modification time differ before and after) or was
// modified less than s.Settle ago, until it is stable, s.Within has passed
// or ctx ends.
func ReadStable(ctx context.Context, path string, limit int64, s Stability) ([]byte, error) {
	deadline := time.Now().Add(s.Within)
	for {
		data, before, err := Read(path, limit)
		if err != nil {
			return nil, err
		}
		after, err := os.Stat(path)
		if err != nil {
			return nil, err
		}
		// A modification time in the future (a skewed clock) says nothing
		// of a writer at work: only a change under the read counts then.
		age := time.Since(after.ModTime())
		settled := age >= s.Settle || age < 0
		if os.SameFile(before, after) && after.Size() == before.Size() && after.ModTime().Equal(before.ModTime()) && settled {
			return data, nil
		}
		wait := min(max(s.Settle-age, s.Settle/10, time.Millisecond), s.Settle)
		if time.Now().Add(wait).After(deadline) {
			return nil, fmt.Errorf("%s kept changing while it was read for %s; replace it atomically (write another file, then rename it)", path, s.Within)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(wait):
		}
	}
}

// CheckRegular reports an error when path exists and is not a regular file
// (a directory, a device, a FIFO): such a path must neither be read (it may
// block or never end) nor replaced by a file written atomically. A missing
// path is fine.
func CheckRegular(path string) error {
	info, err := os.Stat(path)
	if err != nil || info.Mode().IsRegular() {
		return nil
	}
	return fmt.Errorf("%s is not a regular file but %s", path, describe(info.Mode()))
}
