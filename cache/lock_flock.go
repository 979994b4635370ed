//go:build linux || darwin || dragonfly || freebsd || netbsd || openbsd

package cache

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"

	"github.com/cams-exporter/cams_exporter/internal/safefile"
)

// LockFile takes the lock of the cache file path, for as long as the
// returned Lock is held (the process's life): an flock(2) on path+LockSuffix,
// an empty file beside it, since the cache file itself is replaced at every
// write. One process at a time holds it, so that two exporters never write
// one cache file; the kernel releases it when the process ends, however it
// ends (kill -9, an OOM kill), so a lock file left by a killed exporter holds
// nothing.
//
// It fails with ErrInUse when another process holds the lock, and with
// ErrReadOnly when the directory cannot be written (a read-only volume, or
// no permission): the cache file cannot be written there either, as its
// temporary files are made beside it, so no lock is needed.
func LockFile(path string) (*Lock, error) {
	dir := filepath.Dir(path)
	if err := syscall.Access(dir, writeOK); errors.Is(err, syscall.EROFS) || errors.Is(err, os.ErrPermission) {
		return nil, fmt.Errorf("%w (%s: %v)", ErrReadOnly, dir, err)
	}
	name := path + LockSuffix
	if err := safefile.CheckRegular(name); err != nil {
		return nil, fmt.Errorf("lock file: %w; remove it", err)
	}
	f, err := openLockFile(name)
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err == nil && !info.Mode().IsRegular() {
		err = fmt.Errorf("lock file %s is not a regular file; remove it", name)
	}
	if err == nil {
		err = flock(f)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return &Lock{f: f}, nil
}

// writeOK is access(2)'s W_OK.
const writeOK = 2

// openLockFile opens the lock file name, made if missing. An existing lock
// file this process may not write (another user's) is opened for reading:
// flock(2) locks either. Non-blocking, so that a FIFO planted there does
// not hang the start.
func openLockFile(name string) (*os.File, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE|syscall.O_NONBLOCK|safefile.NoFollow, 0o644)
	if errors.Is(err, os.ErrPermission) {
		if rf, rerr := os.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK|safefile.NoFollow, 0); rerr == nil {
			return rf, nil
		}
	}
	if err != nil {
		return nil, fmt.Errorf("cannot open the lock file: %w", err)
	}
	return f, nil
}

// flock takes an exclusive flock(2) on f without waiting for it.
func flock(f *os.File) error {
	conn, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var lerr error
	if err := conn.Control(func(fd uintptr) {
		for {
			lerr = syscall.Flock(int(fd), syscall.LOCK_EX|syscall.LOCK_NB)
			if lerr != syscall.EINTR {
				return
			}
		}
	}); err != nil {
		return err
	}
	switch {
	case lerr == nil:
		return nil
	case errors.Is(lerr, syscall.EWOULDBLOCK):
		return fmt.Errorf("%w (it holds the lock on %s)", ErrInUse, f.Name())
	default:
		return fmt.Errorf("cannot lock %s: %w; put the cache file on a filesystem that supports flock(2)", f.Name(), lerr)
	}
}
