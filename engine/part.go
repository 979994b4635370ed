package engine

import (
	"time"

	"github.com/cams-exporter/cams_exporter/snapshot"
)

// DueEvery is Source.Due for a source with one call per space, made again
// once the last attempt is interval old (an attempt from the future is
// taken for none). The account's own space ("") has no CustSpaceId, which
// the operations of the account's health require: it has no call.
func DueEvery(dst []Task, space string, part *snapshot.SpacePart, interval time.Duration, now time.Time) ([]Task, time.Time, float64) {
	if space == "" {
		return dst, time.Time{}, 0
	}
	if part == nil || part.LastAttempt.IsZero() || part.LastAttempt.After(now) {
		return append(dst, Task{Space: space}), time.Time{}, 1
	}
	next := part.LastAttempt.Add(interval)
	if now.Before(next) {
		return dst, next, 1
	}
	return append(dst, Task{Space: space, Last: part.LastAttempt}), time.Time{}, 1
}

// Applied returns prev after the call d: with data on success; on failure
// prev's data is kept, the space is down with d's error.
func Applied(prev *snapshot.SpacePart, d Done, data any) *snapshot.SpacePart {
	next := &snapshot.SpacePart{LastAttempt: d.At}
	if prev != nil {
		*next = *prev
		next.LastAttempt = d.At
	}
	if d.Err != nil {
		next.Up, next.LastError = false, snapshot.NewErrorInfo(d.Err)
		return next
	}
	next.Up, next.HasData, next.LastSuccess, next.LastError, next.Data = true, true, d.At, nil, data
	return next
}

// Last returns the result of done made last: a space's results of one
// batch, of which only the latest counts for a source with one call per
// space.
func Last(done []Done) Done {
	last := done[0]
	for _, d := range done[1:] {
		if d.At.After(last.At) {
			last = d
		}
	}
	return last
}
