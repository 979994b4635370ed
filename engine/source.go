package engine

import (
	"context"
	"encoding/json"
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

// Holder is a source whose parts hold a share of something it grants
// across spaces (the templates source: the exporter's budget of problem
// series), which only the parts in the runner's state hold, so that what
// is exported never takes more than its budget. Apply grants a space's
// share; the runner tells it of the parts that enter the state otherwise,
// and of those that leave it. The runner calls it under its own lock, one
// call at a time.
type Holder interface {
	// Enter is given the parts about to enter the state other than by
	// Apply, by space (restored from the cache, or back within their
	// grace), and replaces in parts each whose share it grants anew.
	Enter(parts map[string]*snapshot.SpacePart)
	// Leave is told of the spaces whose part left the state: no longer
	// watched (retained for their grace, then forgotten). A retained part
	// holds nothing: it enters again if its space comes back.
	Leave(spaces []string)
}

// Totaler is a source with figures of its own across its spaces (the
// templates source: the problem series its budget folded), which the
// runner publishes with its state (snapshot.SourceState.Totals) whenever
// they change: an immutable, comparable value.
type Totaler interface {
	Totals() any
}

// Decoder is a source that reads the Data of its parts back from the
// cache file (a cache.Codecs entry). A Runner of a paged source that is
// one has a Source that is one too (NewPagedRunner).
type Decoder interface {
	Decode(raw json.RawMessage) (any, error)
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
