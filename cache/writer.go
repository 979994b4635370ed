package cache

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"

	"github.com/cams-exporter/cams_exporter/snapshot"
)

// WriteInterval is the default of Writer.Interval: the most a restart can
// lose of a pass is a minute of listings.
const WriteInterval = time.Minute

// Writer saves the snapshot at most once per interval, when a space's state
// or a source's part of it changed since the last write, and once more
// when its context ends: during a pass too, so that a restart keeps every
// listing and call already done. A snapshot without any space state or
// part (nothing listed or restored yet) is not written, nor one whose
// spaces and parts are those of the last write (a shutdown with nothing
// new writes nothing).
//
// A write appends the spaces and parts that changed to the file's journal
// (see journal.go): a minute's listings at 200,000 spaces of 5 flows append
// 76 KB instead of writing 63 MB. The file is written whole, with a new
// write id, and the journal removed, when nothing is known of the file (the
// first write after a start that restored nothing, or a file without a
// write id), when the restore left parts out or read an older version,
// when an append failed or was abandoned, and when the journal would
// outgrow journalLimit.
//
// It removes the leftovers of killed writes (see Sweep) when it starts and
// after each write; when it starts, it also cuts off a journal's last
// write cut short and removes a journal that was not applied. Run it only
// while holding the file's lock.
type Writer struct {
	Path string
	Meta Meta
	// Interval is the least time between two writes; default WriteInterval.
	Interval time.Duration
	// Snapshot returns the state to save: the engine's (engine.Engine's
	// Snapshot), whose sources' parts are saved with the spaces.
	Snapshot func() *snapshot.Snapshot
	// Restored is the snapshot made of the file when the exporter started,
	// if any: the engine's, once the refresher and every runner restored
	// what Read gave them. The file holds it already, so it is not written
	// again until a space's state or a part differs from it. States the
	// restore left out (dated later than the clock) stay in the file until
	// it is written whole.
	Restored *snapshot.Snapshot
	// Contents is what Read read of the file that Restored was made of:
	// the writer appends to its journal. Without it, or without Restored,
	// the first write writes the file whole. The writer takes both over
	// when it starts (and clears them), so that the restored states are
	// not held once the file no longer does.
	Contents *Contents
	Logger   log.Logger

	started sync.Once
	written *snapshot.Snapshot // what the file holds
	file    base               // the file's write id and size; no id when the next write is of the whole file
	journal int64              // the journal's size as written last; 0 for none
	writes  atomic.Uint64      // writes done, appended or whole
	wholes  atomic.Uint64      // writes of the whole file
	tick    <-chan time.Time   // tests' ticks instead of Interval's
}

// Run saves until ctx ends, then saves the last snapshot and returns. A
// write still under way when deadline ends is abandoned (see writeAtomic
// and appendJournal), and Run returns then: at shutdown the file and its
// journal hold either the last write or this one, never a temporary file
// beside them, nor a write cut short that another follows.
func (w *Writer) Run(ctx, deadline context.Context) {
	if w.Interval <= 0 {
		w.Interval = WriteInterval
	}
	w.started.Do(w.start)
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

// start takes what the file holds for written, and tidies what killed
// writes left: temporary files, a journal's last write cut short, a
// journal that was not applied.
func (w *Writer) start() {
	contents := w.Contents
	w.written, w.Restored, w.Contents = w.Restored, nil, nil
	w.sweep()
	if w.written == nil || contents == nil || contents.base.id == "" || contents.rewrite {
		return // the first write is of the whole file, and removes the journal
	}
	w.file = contents.base
	j, name := contents.journal, w.Path+JournalSuffix
	switch {
	case !j.regular:
	case j.applied == 0:
		if removed, err := removeJournal(w.Path); err != nil {
			level.Warn(w.Logger).Log("msg", "cannot remove the cache journal that was not restored", "file", name, "err", err)
			w.file.id = ""
		} else if removed {
			level.Info(w.Logger).Log("msg", "removed the cache journal that was not restored", "file", name)
		}
	case j.size > j.applied:
		if err := cutJournal(name, j.size, j.applied); err != nil {
			level.Warn(w.Logger).Log("msg", "cannot cut off the cache journal's write that was cut short; the next write is of the whole file", "file", name, "err", err)
			w.file.id = ""
			return
		}
		level.Info(w.Logger).Log("msg", "cut off the cache journal's last write, cut short by a kill", "file", name, "bytes", j.size-j.applied)
		w.journal = j.applied
	default:
		w.journal = j.applied
	}
}

func (w *Writer) save(ctx context.Context) {
	err := w.write(ctx)
	switch {
	case errors.Is(err, ErrAbandoned):
		level.Warn(w.Logger).Log("msg", "the cache file's write did not finish in time and was abandoned; the file holds the last write that did", "file", w.Path)
	case err != nil:
		level.Error(w.Logger).Log("msg", "cannot write the cache file", "file", w.Path, "err", err)
	}
}

// Write writes what changed since the last write now, as Run does at a
// tick, abandoned when ctx ends; it is for tools and benchmarks, which
// call it in turn, never beside Run.
func (w *Writer) Write(ctx context.Context) error {
	w.started.Do(w.start)
	return w.write(ctx)
}

// write writes what changed since the last write: appended to the
// journal, or the whole file.
func (w *Writer) write(ctx context.Context) error {
	snap := w.Snapshot()
	if snap.Len() == 0 && !hasParts(snap) {
		return nil
	}
	if w.file.id != "" && w.written != nil {
		done, err := w.append(ctx, snap)
		if done || errors.Is(err, ErrAbandoned) {
			return err
		}
		if err != nil {
			level.Warn(w.Logger).Log("msg", "cannot append to the cache journal; writing the whole file", "file", w.Path+JournalSuffix, "err", err)
		}
	} else if !changedSince(snap, w.written) {
		return nil
	}
	return w.writeWhole(ctx, snap)
}

// append appends the changes since the last write to the journal. It
// reports whether it is done: appended, nothing changed, or the changes
// cannot be encoded (an error the whole file would meet too); when it is
// not, the whole file is to be written. After an error the journal is not
// appended to again before the whole file is written.
func (w *Writer) append(ctx context.Context, snap *snapshot.Snapshot) (bool, error) {
	var data []byte
	if w.journal == 0 {
		data = appendHeader(data, w.file.id)
	}
	room := min(journalLimit(w.file.bytes)-w.journal-int64(len(data)), int64(maxLineBytes))
	data, n, full, err := appendChanges(data, snap, w.written, int(max(room, 0)))
	switch {
	case err != nil:
		return true, err
	case n == 0:
		return true, nil
	case full:
		level.Debug(w.Logger).Log("msg", "the cache journal is full; writing the whole file", "file", w.Path, "journal_bytes", w.journal)
		return false, nil
	}
	if err := appendJournal(ctx, w.Path+JournalSuffix, w.journal, data); err != nil {
		w.file.id = ""
		return false, err
	}
	w.journal += int64(len(data))
	w.written = snap
	w.writes.Add(1)
	level.Debug(w.Logger).Log("msg", "cache journal appended", "file", w.Path, "spaces", n, "bytes", len(data))
	w.sweep()
	return true, nil
}

// writeWhole writes the whole file, with a new write id, and removes the
// journal.
func (w *Writer) writeWhole(ctx context.Context, snap *snapshot.Snapshot) error {
	file, err := saveBase(ctx, w.Path, w.Meta, snap, time.Now())
	if err != nil {
		// An abandoned write may have renamed its file all the same: which
		// file is there is not known, so the next write is whole too.
		w.file.id = ""
		return err
	}
	w.file, w.journal, w.written = file, 0, snap
	w.writes.Add(1)
	w.wholes.Add(1)
	level.Debug(w.Logger).Log("msg", "cache file written", "file", w.Path, "spaces", snap.Len(), "bytes", file.bytes)
	if _, err := removeJournal(w.Path); err != nil {
		level.Warn(w.Logger).Log("msg", "cannot remove the cache journal of the previous write", "file", w.Path+JournalSuffix, "err", err)
	}
	w.sweep()
	return nil
}

// changedSince reports whether a state kept in snap, or a source's part,
// differs from its state in written (or is new, or gone): what the file
// would hold. It costs what changed, as the refresher's snapshots and a
// runner's states share what did not.
func changedSince(snap, written *snapshot.Snapshot) bool {
	if written == nil {
		return true
	}
	for range snap.KeptChanges(written) {
		return true
	}
	for _, name := range sourceNames(snap, written) {
		for range sourceChanges(sourceOf(snap, name), sourceOf(written, name)) {
			return true
		}
	}
	return false
}

// hasParts reports whether a source of snap keeps a part, watched or
// retained.
func hasParts(snap *snapshot.Snapshot) bool {
	for _, st := range snap.Sources() {
		if keepsParts(st) {
			return true
		}
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
