package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/cams-exporter/cams_exporter/cache"
)

// lockCacheFile takes the lock of --cache.file for the process's life, so
// that a second exporter on the same file refuses to start instead of
// overwriting the first one's writes. It returns no lock and no error
// without a cache file, and an error wrapping cache.ErrReadOnly when the
// file's directory cannot be written (the file is then read, never
// written); any other error stops the start, in a line naming the flag.
func lockCacheFile(ctx context.Context, path string) (*cache.Lock, error) {
	if path == "" {
		return nil, nil
	}
	var lock *cache.Lock
	err := interruptible(ctx, func() (err error) {
		lock, err = cache.LockFile(path)
		return err
	})
	switch {
	case err == nil:
		return lock, nil
	case errors.Is(err, errInterrupted), errors.Is(err, cache.ErrReadOnly):
		return nil, err
	case errors.Is(err, cache.ErrInUse):
		return nil, fmt.Errorf("--cache.file: %s is %v; give each exporter a cache file of its own", path, err)
	}
	return nil, fmt.Errorf("--cache.file: %v", err)
}
