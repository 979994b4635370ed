package engine

import (
	"context"
	"time"

	"github.com/cams-exporter/cams_exporter/snapshot"
)

// Source is one CAMS operation the engine calls for each watched space, or
// for keys within a space. Its methods are called from several goroutines
// and keep no state of the spaces: the runner keeps it (SpacePart).
type Source interface {
	// Name is the collector name, as in --collector.<name>.
	Name() string
	// Operation is the CAMS action the source calls.
	Operation() string
	// Due appends to dst the calls space needs at now, given its part
	// (nil before its first call and when once asks for every call) and
	// snap, the engine's last snapshot, for what other sources know. It
	// returns when the space's next call that is not due yet comes due
	// (zero for none) and how many calls the space takes per interval of
	// the source (Config.Interval): a call made every other interval counts
	// a half. The runner's expected pass is their sum at its rate.
	//
	// What Due returns must depend only on space, part, the snapshot's
	// flows and other sources' parts of space, and now, and must not change
	// with now before next: the runner asks a space again only when one of
	// those changed or next came (its due index), not at every look.
	Due(dst []Task, space string, part *snapshot.SpacePart, snap *snapshot.Snapshot, now time.Time) (tasks []Task, next time.Time, calls float64)
	// Call makes one call. ctx carries the limiter slot the runner waited
	// for.
	Call(ctx context.Context, t Task) (value any, err error)
	// Apply returns space's part with the results of its calls: prev (nil
	// for none) is immutable, so a changed part is a new one. snap is the
	// engine's last snapshot, as for Due. The runner calls Apply for one
	// space at a time, so a source may keep its label caps (Folder).
	Apply(space string, prev *snapshot.SpacePart, done []Done, snap *snapshot.Snapshot) *snapshot.SpacePart
}

// Folder is a source that folds label values beyond a cap: the runner
// publishes the count with its state (snapshot.SourceState.Folded).
type Folder interface {
	Folded() uint64
}

// Task is one call of a source.
type Task struct {
	Space string
	// Key names the call within the space (a phone number); "" for the
	// space's own call.
	Key string
	// Last is when the call was last made (zero: never), Urgent puts it
	// before every call that is not: the runner calls the urgent first,
	// then the stalest.
	Last   time.Time
	Urgent bool
}

// Done is the result of a call.
type Done struct {
	Task
	At    time.Time // when the answer came
	Value any       // what Call returned
	Err   error
}

// taskKey names a call: a task is never made twice at once.
type taskKey struct{ space, key string }

func (t Task) key() taskKey { return taskKey{t.Space, t.Key} }
