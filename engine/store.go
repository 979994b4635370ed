package engine

import (
	"time"

	"github.com/go-kit/log"

	"github.com/cams-exporter/cams_exporter/snapshot"
)

// Store keeps a source's parts elsewhere than the runner's own state
// (Config.Store): GetFlow's statuses live in the flows' states, which the
// ListFlow refresher owns and every reader reads. The runner's own state
// then stays empty and is never published.
type Store interface {
	// Snapshot returns the store's current state, immutable: the source's
	// Due reads its parts there (its part argument is always nil), and the
	// due index follows its Changes.
	Snapshot() *snapshot.Snapshot
	// Apply applies a batch of results, each space's in the order they
	// came, with the runner's expected pass, and publishes what changed
	// before it returns: the runner's next look, which may come at once,
	// must not find due again the calls it just made. Failures are the
	// store's to log. The runner calls Apply from one goroutine at a time.
	Apply(bySpace map[string][]Done, pass time.Duration)
}

// Oncer is a source whose Due does not read its part but a Store's state,
// so that a nil part cannot ask for every call: a RunOnce asks Once
// instead, for every call of space as if none had been made, ranked by
// when each was last made, and the space's calls per interval.
type Oncer interface {
	Once(dst []Task, space string, snap *snapshot.Snapshot, now time.Time) (tasks []Task, calls float64)
}

// ReachWarner is a source that words the warning that its interval is out
// of reach (a pass takes longer at its rate) itself, as GetFlow's checker
// did before the engine ran it.
type ReachWarner interface {
	WarnOutOfReach(logger log.Logger, calls, rate float64, pass, interval time.Duration)
}
