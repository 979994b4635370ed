package cache

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// One lock at a time: a second LockFile of the same cache file fails with
// ErrInUse, naming the lock file, until the first is released. A lock file
// left behind (by a killed process) locks nothing.
func TestLockFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cams.cache")
	os.WriteFile(path+LockSuffix, nil, 0o644) // left by a killed exporter
	first, err := LockFile(path)
	if err != nil {
		t.Fatalf("lock with a lock file left behind: %v", err)
	}
	second, err := LockFile(path)
	if !errors.Is(err, ErrInUse) || second != nil || !strings.Contains(err.Error(), path+LockSuffix) {
		t.Fatalf("a second lock: %v, %v; want ErrInUse naming %s", second, err, path+LockSuffix)
	}
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	again, err := LockFile(path)
	if err != nil {
		t.Fatalf("lock after the release: %v", err)
	}
	again.Release()
	if _, err := os.Stat(path + LockSuffix); err != nil {
		t.Errorf("the lock file is gone after a release: %v", err)
	}
	var none *Lock
	if err := none.Release(); err != nil {
		t.Errorf("releasing no lock: %v", err)
	}
}

// A lock file that is not a regular file is refused at once, naming it.
func TestLockFileNotRegular(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cams.cache")
	if err := syscall.Mkfifo(path+LockSuffix, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LockFile(path); err == nil || !strings.Contains(err.Error(), path+LockSuffix+" is not a regular file but a named pipe") {
		t.Errorf("a FIFO as the lock file: %v", err)
	}
	path = filepath.Join(dir, "other.cache")
	os.Mkdir(path+LockSuffix, 0o700)
	if _, err := LockFile(path); err == nil || !strings.Contains(err.Error(), "not a regular file but a directory") {
		t.Errorf("a directory as the lock file: %v", err)
	}
}

// A lock file that is a symbolic link, even to a regular file, is never
// opened through it: the lock would be taken, or the file made, where the
// link points.
func TestLockFileThroughALinkIsRefused(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cams.cache")
	elsewhere := filepath.Join(dir, "elsewhere")
	if err := os.WriteFile(elsewhere, []byte("not the exporter's"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(elsewhere, path+LockSuffix); err != nil {
		t.Fatal(err)
	}
	if l, err := LockFile(path); err == nil {
		l.Release()
		t.Fatal("a lock file that is a link to a regular file was opened")
	}
	if b, _ := os.ReadFile(elsewhere); string(b) != "not the exporter's" {
		t.Errorf("the file the link points to changed: %q", b)
	}
}
