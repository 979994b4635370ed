package cache

import (
	"context"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"

	"github.com/cams-exporter/cams_exporter/refresh"
)

// WriteInterval is the default of Writer.Interval: the most a restart can
// lose of a pass is a minute of listings.
const WriteInterval = time.Minute

// Writer saves the snapshot at most once per interval, when it changed, and
// once more when its context ends: during a pass too, so that a restart
// keeps every listing already done. A snapshot without any space state
// (nothing listed or restored yet) is not written.
type Writer struct {
	Path string
	Meta Meta
	// Interval is the least time between two writes; default WriteInterval.
	Interval time.Duration
	Snapshot func() *refresh.Snapshot
	Logger   log.Logger
	saved    *refresh.Snapshot
}

// Run saves until ctx ends, then saves the last snapshot and returns.
func (w *Writer) Run(ctx context.Context) {
	if w.Interval <= 0 {
		w.Interval = WriteInterval
	}
	t := time.NewTicker(w.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			w.save()
			return
		case <-t.C:
			w.save()
		}
	}
}

func (w *Writer) save() {
	snap := w.Snapshot()
	if snap == w.saved || snap.Len() == 0 {
		return
	}
	if err := Save(w.Path, w.Meta, snap, time.Now()); err != nil {
		level.Error(w.Logger).Log("msg", "cannot write the cache file", "file", w.Path, "err", err)
		return
	}
	w.saved = snap
	level.Debug(w.Logger).Log("msg", "cache file written", "file", w.Path, "spaces", snap.Len())
}
