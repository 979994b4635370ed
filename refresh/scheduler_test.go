package refresh

import (
	"context"
	"fmt"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
)

func spaceNames(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s%02d", prefix, i)
	}
	return out
}

// concurrencyLister answers full pages for endless spaces and one short page
// for the others, after a delay, and records how many pages of each space
// were in flight at once.
type concurrencyLister struct {
	delay   time.Duration
	endless map[string]bool
	mu      sync.Mutex
	active  map[string]int
	most    map[string]int
}

func (c *concurrencyLister) ListFlowPage(ctx context.Context, space, _ string, index, size int) ([]client.Flow, error) {
	c.mu.Lock()
	c.active[space]++
	c.most[space] = max(c.most[space], c.active[space])
	c.mu.Unlock()
	defer func() { c.mu.Lock(); c.active[space]--; c.mu.Unlock() }()
	select {
	case <-time.After(c.delay):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if !c.endless[space] {
		return []client.Flow{{FlowID: space}}, nil
	}
	out := make([]client.Flow, size)
	for i := range out {
		out[i] = client.Flow{FlowID: fmt.Sprint(index, "-", i)}
	}
	return out, nil
}

// One space never occupies more than one worker: with 16 workers and two
// endless spaces, never two pages of one space are in flight at once, and
// every other space is listed meanwhile.
func TestOneSpaceOneWorker(t *testing.T) {
	lister := &concurrencyLister{delay: 2 * time.Millisecond, endless: map[string]bool{"e0": true, "e1": true}, active: map[string]int{}, most: map[string]int{}}
	ids := append([]string{"e0", "e1"}, spaceNames("h", 40)...)
	r := New(Config{Lister: lister, Spaces: spacesFunc(ids...), Interval: time.Hour, Concurrency: 16, MaxPages: 60, PageSize: 5})
	snap := r.Refresh(context.Background())
	for _, id := range ids {
		if lister.most[id] != 1 {
			t.Errorf("space %s had %d pages in flight at once, want 1", id, lister.most[id])
		}
	}
	c := snap.Counts()
	if c.Up != 40 || c.Down != 2 || snap.Space("e0").LastError.Code != client.CodeTooManyPages || snap.Space("e0").Pages != 60 {
		t.Errorf("counts %+v, e0 %+v; want 40 up, 2 down with TooManyPages after 60 pages", c, snap.Space("e0"))
	}
}

// stepLister hands each call to the test, which answers it when it likes:
// a full page for an endless space, a short one for the others.
type stepLister struct {
	endless map[string]bool
	calls   chan *stepCall
}

type stepCall struct {
	space string
	index int
	done  chan struct{}
}

func (l *stepLister) ListFlowPage(ctx context.Context, space, _ string, index, size int) ([]client.Flow, error) {
	c := &stepCall{space: space, index: index, done: make(chan struct{})}
	select {
	case l.calls <- c:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	select {
	case <-c.done:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if !l.endless[space] {
		return []client.Flow{{FlowID: space}}, nil
	}
	out := make([]client.Flow, size)
	for i := range out {
		out[i] = client.Flow{FlowID: fmt.Sprint(index, "-", i)}
	}
	return out, nil
}

// Two endless spaces are removed from the list while every worker is in a
// call: not one more page of theirs is asked for, nothing is recorded for
// them, and the endless space kept and the new ones go on.
func TestRemovedSpaceIsNotListedPastItsPage(t *testing.T) {
	lister := &stepLister{endless: map[string]bool{"e0": true, "e1": true, "kept": true}, calls: make(chan *stepCall)}
	list := &watchList{}
	list.set("e0", "e1", "kept")
	r := New(Config{Lister: lister, Spaces: list.spaces, Interval: time.Hour, Concurrency: 3, PageSize: 2, MaxPages: 10000})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	calls := map[string]int{}
	receive := func() *stepCall {
		t.Helper()
		select {
		case c := <-lister.calls:
			calls[c.space]++
			return c
		case <-time.After(time.Minute):
			t.Fatalf("no call within a minute; calls so far %v", calls)
			return nil
		}
	}
	// Each listing goes a few pages; then every worker is held in a call,
	// one per space (one space never has two).
	for calls["e0"] < 3 || calls["e1"] < 3 || calls["kept"] < 3 {
		close(receive().done)
	}
	held := map[string]*stepCall{}
	for len(held) < 3 {
		c := receive()
		if held[c.space] != nil {
			t.Fatalf("two calls of %s at once", c.space)
		}
		held[c.space] = c
	}
	asked := maps.Clone(calls)
	list.set("kept", "h0", "h1")
	r.Wake()
	for _, c := range held {
		close(c.done)
	}
	for calls["h0"] == 0 || calls["h1"] == 0 || calls["kept"] < asked["kept"]+5 {
		close(receive().done)
	}
	if calls["e0"] != asked["e0"] || calls["e1"] != asked["e1"] {
		t.Errorf("pages of removed spaces asked after the change: e0 %d then %d, e1 %d then %d", asked["e0"], calls["e0"], asked["e1"], calls["e1"])
	}
	// The workers of e0 and e1 end their listings once their held calls
	// return, which the other spaces' calls do not wait for: on a loaded
	// machine that can come after them.
	released := func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		return !r.inflight["e0"] && !r.inflight["e1"]
	}
	for deadline := time.Now().Add(time.Minute); !released() && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.states["e0"] != nil || r.states["e1"] != nil || r.inflight["e0"] || r.inflight["e1"] {
		t.Errorf("a listing ended by its space's removal left a state (%v, %v) or a claim (%v, %v)", r.states["e0"], r.states["e1"], r.inflight["e0"], r.inflight["e1"])
	}
}

// gatePacer lets a call go each time the test gives it a turn, and says
// when a page waits for one.
type gatePacer struct {
	waiting chan struct{}
	turns   chan struct{}
}

func (p *gatePacer) Wait(ctx context.Context) error {
	select {
	case p.waiting <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-p.turns:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// A page chosen before its space was removed, and waiting on the account
// limiter, is not called when its turn comes: the turn goes by, and the
// space is listed no more.
func TestRemovedSpacePageWaitingOnThePacerIsNotCalled(t *testing.T) {
	lister := &stepLister{endless: map[string]bool{"e": true}, calls: make(chan *stepCall)}
	pacer := &gatePacer{waiting: make(chan struct{}), turns: make(chan struct{})}
	list := &watchList{}
	list.set("e")
	r := New(Config{Lister: lister, Pacer: pacer, Rate: 4, Spaces: list.spaces, Interval: time.Hour, Concurrency: 1, PageSize: 2, MaxPages: 10000})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	wait := func(what string, ch <-chan struct{}) {
		t.Helper()
		select {
		case <-ch:
		case <-time.After(time.Minute):
			t.Fatalf("%s: not within a minute", what)
		}
	}
	call := func() *stepCall {
		t.Helper()
		select {
		case c := <-lister.calls:
			close(c.done)
			return c
		case <-time.After(time.Minute):
			t.Fatal("no call within a minute of a turn")
			return nil
		}
	}
	for page := 1; page <= 2; page++ {
		wait("a page of e waiting", pacer.waiting)
		pacer.turns <- struct{}{}
		if c := call(); c.space != "e" || c.index != page {
			t.Fatalf("call to %s page %d, want e page %d", c.space, c.index, page)
		}
	}
	wait("e's third page waiting", pacer.waiting)
	list.set("h")
	r.Wake()
	pacer.turns <- struct{}{}
	select {
	case c := <-lister.calls:
		t.Fatalf("page %d of %s called after it was removed", c.index, c.space)
	case <-pacer.waiting: // the next page waits: e's turn went by
	case <-time.After(time.Minute):
		t.Fatal("no page waiting within a minute after e's turn")
	}
	pacer.turns <- struct{}{}
	if c := call(); c.space != "h" {
		t.Errorf("call to %s page %d after the change, want h", c.space, c.index)
	}
}
