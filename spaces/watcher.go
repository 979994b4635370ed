package spaces

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"
)

// Set is the current list of spaces, replaced whole on reload.
type Set struct {
	flags   []string
	path    string
	cur     atomic.Pointer[[]string]
	skipped atomic.Pointer[error]
	hash    [sha256.Size]byte
	held    *heldReload
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
		var skipped error
		if fromFile, skipped, err = Parse(bytes.NewReader(data), path); err != nil {
			return nil, fmt.Errorf("--cams.spaces-file: %w", err)
		}
		s.skipped.Store(&skipped)
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

// Skipped says, in one line, which ids of the file last taken were left out
// for not being valid UTF-8, or is nil.
func (s *Set) Skipped() error {
	if p := s.skipped.Load(); p != nil {
		return *p
	}
	return nil
}

// Reload re-reads the file. It reports whether the list changed; on error the
// previous list stays. A *HeldBackError says the file would drop most of the
// spaces at once, and is taken only if it reads the same DropConfirm later.
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
		s.held = nil
		return false, nil
	}
	fromFile, skipped, err := Parse(bytes.NewReader(data), s.path)
	if err != nil {
		return false, err
	}
	ids, err := Merge(s.flags, fromFile)
	if err != nil {
		return false, err
	}
	if err := s.holdBack(hash, ids); err != nil {
		return false, err
	}
	s.hash = hash
	s.skipped.Store(&skipped)
	s.cur.Store(&ids)
	return true, nil
}

// Watch reloads the file whenever reload receives (SIGHUP) and every poll
// interval (the file changed), until ctx ends. onChange runs after a change
// took effect. A bad file is logged and the previous list kept; a file held
// back for dropping most of the spaces is read again once DropConfirm has
// passed.
func (s *Set) Watch(ctx context.Context, reload <-chan os.Signal, poll time.Duration, logger log.Logger, onChange func()) {
	if s.path == "" {
		return
	}
	ticker := time.NewTicker(poll)
	defer ticker.Stop()
	var confirm <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-reload:
		case <-ticker.C:
		case <-confirm:
		}
		before := s.List()
		changed, err := s.reload(ctx)
		var held *HeldBackError
		switch {
		case ctx.Err() != nil:
			return
		case errors.As(err, &held):
			level.Warn(logger).Log("msg", "spaces file not reloaded yet; keeping the previous list", "file", s.path, "err", err)
			confirm = time.After(held.RetryIn)
		case err != nil:
			level.Error(logger).Log("msg", "spaces file not reloaded; keeping the previous list", "file", s.path, "err", err)
		case changed:
			s.logReload(logger, before)
			onChange()
		}
	}
}

// logReload says what a reload took, and warns when it dropped most of the
// spaces (taken once it read the same for DropConfirm) or left ids out.
func (s *Set) logReload(logger log.Logger, before []string) {
	after := s.List()
	if dropped := countDropped(before, after); dropsMost(dropped, len(before)) {
		level.Warn(logger).Log("msg", "spaces file reloaded: it dropped most of the watched spaces, and read the same for "+DropConfirm.String(),
			"file", s.path, "dropped", dropped, "of", len(before), "spaces", len(after))
	} else {
		level.Info(logger).Log("msg", "spaces file reloaded", "file", s.path, "spaces", len(after))
	}
	if err := s.Skipped(); err != nil {
		level.Error(logger).Log("msg", "spaces file: ids left out", "file", s.path, "err", err)
	}
}
