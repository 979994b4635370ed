package cache

import (
	"context"
	"errors"
	"sync/atomic"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"

	"github.com/cams-exporter/cams_exporter/refresh"
)

// WriteInterval is the default of Writer.Interval: the most a restart can
// lose of a pass is a minute of listings.
const WriteInterval = time.Minute

// Writer saves the snapshot at most once per interval, when a space's state
// changed since the last write, and once more when its context ends: during
// a pass too, so that a restart keeps every listing already done. A
// snapshot without any space state (nothing listed or restored yet) is not
// written, nor one whose spaces are those of the last write (a shutdown
// with nothing new rewrites nothing).
//
// It removes the leftovers of killed writes (see Sweep) when it starts and
// after each write, so run it only while holding the file's lock.
type Writer struct {
	Path string
	Meta Meta
	// Interval is the least time between two writes; default WriteInterval.
	Interval time.Duration
	Snapshot func() *refresh.Snapshot
	// Restored is the snapshot made of the file when the exporter started,
	// if any: the file holds it already, so it is not written again until a
	// space's state differs from it.
	Restored *refresh.Snapshot
	Logger   log.Logger

	written *refresh.Snapshot // what the file holds
	writes  atomic.Uint64     // files written
	tick    <-chan time.Time  // tests' ticks instead of Interval's
}

// Run saves until ctx ends, then saves the last snapshot and returns. A
// write still under way when deadline ends is abandoned (see writeAtomic),
// and Run returns then: at shutdown the file is either written or left as
// it was, never with a temporary file beside it.
func (w *Writer) Run(ctx, deadline context.Context) {
	if w.Interval <= 0 {
		w.Interval = WriteInterval
	}
	w.written = w.Restored
	w.sweep()
	tick := w.tick
	if tick == nil {
		t := time.NewTicker(w.Interval)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-ctx.Done():
			w.save(deadline)
			return
		case <-deadline.Done():
			return
		case <-tick:
			w.save(deadline)
		}
	}
}

func (w *Writer) save(ctx context.Context) {
	snap := w.Snapshot()
	if snap.Len() == 0 || !changedSince(snap, w.written) {
		return
	}
	err := save(ctx, w.Path, w.Meta, snap, time.Now())
	switch {
	case errors.Is(err, ErrAbandoned):
		level.Warn(w.Logger).Log("msg", "the cache file's write did not finish in time and was abandoned; the file holds the last write that did", "file", w.Path)
		return
	case err != nil:
		level.Error(w.Logger).Log("msg", "cannot write the cache file", "file", w.Path, "err", err)
		return
	}
	w.written = snap
	w.writes.Add(1)
	level.Debug(w.Logger).Log("msg", "cache file written", "file", w.Path, "spaces", snap.Len())
	w.sweep()
}

// changedSince reports whether a space's state in snap differs from its
// state in written (or is new, or gone): what the file would hold. It costs
// what changed, as the refresher's snapshots share what did not.
func changedSince(snap, written *refresh.Snapshot) bool {
	if written == nil {
		return true
	}
	for range snap.Changes(written) {
		return true
	}
	return false
}

// sweep removes the leftovers of killed writes, saying how many.
func (w *Writer) sweep() {
	n, err := Sweep(w.Path)
	if n > 0 {
		level.Info(w.Logger).Log("msg", "removed the temporary files of cache writes that were killed", "file", w.Path, "removed", n)
	}
	if err != nil {
		level.Warn(w.Logger).Log("msg", "cannot remove the temporary files of killed cache writes", "file", w.Path, "err", err)
	}
}
