package refresh

import (
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"

	"github.com/cams-exporter/cams_exporter/remedy"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// Bounds of the transition log: whatever the number of spaces, a window
// logs at most maxTransitionGroups × perSpaceLines + 1 lines of bounded
// length, and holds that much in memory.
const (
	// transitionWindow is how long transitions are gathered after a quiet
	// spell before they are logged: spaces that fail together (expired
	// credentials, a throttled account) are listed within seconds of each
	// other at the account's rate.
	transitionWindow = 10 * time.Second
	// maxTransitionWindow bounds the window, which doubles while every
	// window brings a crowd (the first pass of a failing account of 10,000
	// spaces takes 42 minutes): a long run of failures logs a line per code
	// every few minutes, not every ten seconds.
	maxTransitionWindow = 5 * time.Minute
	// perSpaceLines: a code with at most this many spaces in a window gets
	// a line per space; with more, one line for the code.
	perSpaceLines = 3
	// namedSpaces is how many spaces a line for a code names.
	namedSpaces = 5
	// maxTransitionGroups bounds the codes a window keeps apart (errors
	// come from outside); the rest share one line.
	maxTransitionGroups = 20
)

// transitionLog logs a space's failure when its state changes: up to down,
// a first listing that fails, or a new error code; and its recovery, down
// to up. A space failing the same way pass after pass logs once. The
// transitions of a window are logged together: one line per space when few
// share a code, one line per code, with a count and the first spaces, when
// many do. It is fed by the refresher's record path.
type transitionLog struct {
	logger log.Logger
	// since is when the refresher was made: a state older than that was
	// restored from the cache, so whether it failed was never logged here.
	since time.Time

	mu        sync.Mutex
	window    time.Duration
	timer     *time.Timer // the open window's; nil when none is open
	lastFlush time.Time
	groups    map[transitionKey]*transitionGroup
	order     []transitionKey // groups in the order they appeared
	overflow  transitionGroup // transitions beyond maxTransitionGroups
}

func newTransitionLog(logger log.Logger, since time.Time) *transitionLog {
	return &transitionLog{logger: logger, since: since, window: transitionWindow}
}

// transitionKey groups transitions: failures by their new code,
// recoveries by the code they recovered from.
type transitionKey struct {
	recovered bool
	code      string
}

// transitionGroup is a window's transitions of one key: how many, and the
// first few.
type transitionGroup struct {
	count int
	first []transition
}

// transition is one space's change.
type transition struct {
	space string
	was   string              // "up", or the previous code; "" when not known in this run
	err   *snapshot.ErrorInfo // the new failure; nil for a recovery
}

// observe notes the change from prev (nil for a space never listed) to
// next, if it is one worth logging. It costs a map lookup; call it with the
// refresher's lock held.
func (t *transitionLog) observe(prev, next *snapshot.SpaceState) {
	tr, key, ok := t.classify(prev, next)
	if !ok {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	g := t.groups[key]
	if g == nil {
		g = &t.overflow
		if len(t.order) < maxTransitionGroups {
			if t.groups == nil {
				t.groups = map[transitionKey]*transitionGroup{}
			}
			g = &transitionGroup{}
			t.groups[key] = g
			t.order = append(t.order, key)
		}
	}
	g.count++
	if len(g.first) < max(perSpaceLines, namedSpaces) {
		g.first = append(g.first, tr)
	}
	if t.timer == nil {
		if time.Since(t.lastFlush) > t.window {
			t.window = transitionWindow // quiet for a whole window: start small again
		}
		t.timer = time.AfterFunc(t.window, t.flush)
	}
}

// classify says whether prev to next is a transition to log, and how.
func (t *transitionLog) classify(prev, next *snapshot.SpaceState) (transition, transitionKey, bool) {
	tr := transition{space: next.ID}
	known := prev != nil && !prev.LastAttempt.Before(t.since)
	switch {
	case next.Up && prev != nil && !prev.Up && prev.LastError != nil:
		tr.was = prev.LastError.Code
		return tr, transitionKey{recovered: true, code: tr.was}, true
	case next.Up || next.LastError == nil:
		return tr, transitionKey{}, false
	case known && prev.Up:
		tr.was = "up"
	case known && prev.LastError != nil:
		if prev.LastError.Code == next.LastError.Code {
			return tr, transitionKey{}, false
		}
		tr.was = prev.LastError.Code
	}
	tr.err = next.LastError
	return tr, transitionKey{code: next.LastError.Code}, true
}

// flush logs the window's transitions and closes it. The next window is
// twice as long if this one had a crowd (a code with more spaces than
// perSpaceLines), up to maxTransitionWindow.
func (t *transitionLog) flush() {
	t.mu.Lock()
	if t.timer != nil {
		t.timer.Stop()
		t.timer = nil
	}
	groups, order, overflow := t.groups, t.order, t.overflow
	t.groups, t.order, t.overflow = nil, nil, transitionGroup{}
	t.lastFlush = time.Now()
	crowd := overflow.count > 0
	for _, g := range groups {
		crowd = crowd || g.count > perSpaceLines
	}
	if crowd {
		t.window = min(2*t.window, maxTransitionWindow)
	}
	t.mu.Unlock()
	// Failures first, each kind in the order it appeared.
	sort.SliceStable(order, func(i, j int) bool { return !order[i].recovered && order[j].recovered })
	for _, key := range order {
		t.logGroup(key, groups[key])
	}
	if overflow.count > 0 {
		level.Warn(t.logger).Log("msg", "more spaces changed state with other codes; see /status", "spaces", overflow.count,
			"first", firstSpaces(overflow.first))
	}
}

// logGroup logs one key's transitions: a line per space, or one line.
func (t *transitionLog) logGroup(key transitionKey, g *transitionGroup) {
	if g.count <= perSpaceLines {
		for _, tr := range g.first {
			t.logOne(tr)
		}
		return
	}
	if key.recovered {
		level.Info(t.logger).Log("msg", "spaces are up again", "was", key.code, "spaces", g.count, "first", firstSpaces(g.first))
		return
	}
	first := g.first[0].err
	cause, fix := remedy.Explain(first.Code, first.Message)
	kv := []any{"msg", "spaces are down", "code", key.code, "spaces", g.count, "first", firstSpaces(g.first),
		"err", first.Message}
	kv = appendNonEmpty(kv, "cause", cause, "remedy", fix)
	level.Warn(t.logger).Log(kv...)
}

func (t *transitionLog) logOne(tr transition) {
	if tr.err == nil {
		level.Info(t.logger).Log("msg", "space is up again", "space", tr.space, "was", tr.was)
		return
	}
	cause, fix := remedy.Explain(tr.err.Code, tr.err.Message)
	kv := []any{"msg", "space is down", "space", tr.space, "code", tr.err.Code, "err", tr.err.Message}
	kv = appendNonEmpty(kv, "request_id", tr.err.RequestID, "cause", cause, "remedy", fix, "was", tr.was)
	level.Warn(t.logger).Log(kv...)
}

// appendNonEmpty appends the key-value pairs of pairs whose value is not
// empty.
func appendNonEmpty(kv []any, pairs ...string) []any {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			kv = append(kv, pairs[i], pairs[i+1])
		}
	}
	return kv
}

// firstSpaces names the first namedSpaces spaces of trs, separated by
// spaces, which no space id holds; the account's own space is "".
func firstSpaces(trs []transition) string {
	names := make([]string, 0, namedSpaces)
	for _, tr := range trs[:min(len(trs), namedSpaces)] {
		name := tr.space
		if name == "" {
			name = `""`
		}
		names = append(names, name)
	}
	return strings.Join(names, " ")
}
