package spaces

import (
	"crypto/sha256"
	"fmt"
	"time"
)

// DropConfirm is how long a reload that would drop more than half of the
// watched spaces at once is held back: the file is taken only if it still
// reads the same that long after. A file rewritten in place and read while
// its writer stalled looks like that (truncated), and so does a list cut
// down on purpose, which then takes effect DropConfirm late.
const DropConfirm = 10 * time.Second

// HeldBackError is a reload held back for dropping most of the spaces.
type HeldBackError struct {
	Path        string
	Dropped, Of int
	RetryIn     time.Duration // until the file may be taken, if unchanged
}

func (e *HeldBackError) Error() string {
	return fmt.Sprintf("%s would drop %d of the %d watched spaces at once: kept the previous list, as a file rewritten in place may have been read half-written; "+
		"it is taken if it reads the same for %s (replace the file atomically: write another file, then rename it)", e.Path, e.Dropped, e.Of, DropConfirm)
}

// heldReload is the content of a reload held back, and since when it has
// been read the same.
type heldReload struct {
	hash  [sha256.Size]byte
	since time.Time
}

// holdBack returns a *HeldBackError when ids, read with the given hash,
// would drop most of the current spaces and have not read the same for
// DropConfirm; nil when they may be taken.
func (s *Set) holdBack(hash [sha256.Size]byte, ids []string) error {
	cur := s.List()
	dropped := countDropped(cur, ids)
	if !dropsMost(dropped, len(cur)) {
		s.held = nil
		return nil
	}
	now := time.Now()
	if s.held == nil || s.held.hash != hash {
		s.held = &heldReload{hash: hash, since: now}
	}
	if wait := DropConfirm - now.Sub(s.held.since); wait > 0 {
		return &HeldBackError{Path: s.path, Dropped: dropped, Of: len(cur), RetryIn: wait}
	}
	s.held = nil
	return nil
}

// dropsMost reports whether dropping dropped of n spaces is more than half.
func dropsMost(dropped, n int) bool { return dropped*2 > n }

// countDropped counts the spaces of before that after does not hold.
func countDropped(before, after []string) int {
	kept := make(map[string]bool, len(after))
	for _, id := range after {
		kept[id] = true
	}
	dropped := 0
	for _, id := range before {
		if !kept[id] {
			dropped++
		}
	}
	return dropped
}
