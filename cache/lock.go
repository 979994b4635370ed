package cache

import (
	"errors"
	"os"
)

// LockSuffix names the lock file of a cache file: cams.cache.lock beside
// cams.cache.
const LockSuffix = ".lock"

var (
	// ErrInUse is returned by LockFile when another process holds the lock:
	// another exporter writes that cache file.
	ErrInUse = errors.New("in use by another running exporter")
	// ErrReadOnly is returned by LockFile when the cache file's directory
	// cannot be written: a read-only volume, or a directory the process may
	// not write. The cache file can be read there, never written.
	ErrReadOnly = errors.New("its directory is read-only or not writable by this process")
)

// Lock is one process's hold on a cache file (see LockFile).
type Lock struct {
	f *os.File // nil where flock(2) is missing
}

// Release lets another process take the lock. The lock file stays: it is
// empty, and removing it would let two processes lock two files of one
// name.
func (l *Lock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	return l.f.Close()
}
