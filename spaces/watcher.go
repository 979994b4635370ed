package spaces

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
)

// Set is the current list of spaces, replaced whole on reload.
type Set struct {
	flags []string
	path  string
	cur   atomic.Pointer[[]string]
	hash  [sha256.Size]byte
}

// NewSet validates the spaces of the flags and of the file (path may be
// empty) and returns the set. Any problem is an error: at start-up, bad
// input stops the exporter. With neither flags nor file, the set is the
// account's own space, ""; a file that lists nothing means no space.
func NewSet(fromFlags []string, path string) (*Set, error) {
	s := &Set{flags: fromFlags, path: path}
	if len(fromFlags) == 0 && path == "" {
		own := []string{""}
		s.cur.Store(&own)
		return s, nil
	}
	var fromFile []string
	if path != "" {
		data, err := readFile(context.Background(), path)
		if err != nil {
			return nil, fmt.Errorf("--cams.spaces-file: cannot read spaces file: %w", err)
		}
		s.hash = sha256.Sum256(data)
		if fromFile, err = Parse(bytes.NewReader(data), path); err != nil {
			return nil, fmt.Errorf("--cams.spaces-file: %w", err)
		}
	}
	ids, err := Merge(fromFlags, fromFile)
	if err != nil {
		return nil, err
	}
	s.cur.Store(&ids)
	return s, nil
}

// List returns the current spaces. Callers must not modify it.
func (s *Set) List() []string { return *s.cur.Load() }

// Reload re-reads the file. It reports whether the list changed; on error the
// previous list stays.
func (s *Set) Reload() (changed bool, err error) { return s.reload(context.Background()) }

func (s *Set) reload(ctx context.Context) (changed bool, err error) {
	if s.path == "" {
		return false, nil
	}
	data, err := readFile(ctx, s.path)
	if err != nil {
		return false, fmt.Errorf("cannot read spaces file: %w", err)
	}
	hash := sha256.Sum256(data)
	if hash == s.hash {
		return false, nil
	}
	fromFile, err := Parse(bytes.NewReader(data), s.path)
	if err != nil {
		return false, err
	}
	ids, err := Merge(s.flags, fromFile)
	if err != nil {
		return false, err
	}
	s.hash = hash
	s.cur.Store(&ids)
	return true, nil
}

// Watch reloads the file whenever reload receives (SIGHUP) and every poll
// interval (the file changed), until ctx ends. onChange runs after a change
// took effect. A bad file is logged and the previous list kept.
func (s *Set) Watch(ctx context.Context, reload <-chan os.Signal, poll time.Duration, logger log.Logger, onChange func()) {
	if s.path == "" {
		return
	}
	ticker := time.NewTicker(poll)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-reload:
		case <-ticker.C:
		}
		changed, err := s.reload(ctx)
		switch {
		case ctx.Err() != nil:
			return
		case err != nil:
			level.Error(logger).Log("msg", "spaces file not reloaded; keeping the previous list", "file", s.path, "err", err)
		case changed:
			level.Info(logger).Log("msg", "spaces file reloaded", "file", s.path, "spaces", len(s.List()))
			onChange()
		}
	}
}
