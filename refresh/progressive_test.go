package refresh

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-kit/log"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// A space's state is in the first snapshot published after its listing
// ends, while the spaces not listed yet stay pending: nothing of theirs is
// published, and the three counts always sum to the spaces watched.
func TestProgressivePublication(t *testing.T) {
	g := &gatedLister{gates: map[string]chan struct{}{"a": make(chan struct{}), "b": make(chan struct{}), "c": make(chan struct{})}}
	r := New(Config{Lister: g, Spaces: spacesFunc("a", "b", "c"), Concurrency: 3, Interval: time.Hour, PublishEvery: time.Hour})
	if c := r.Snapshot().Counts(); c != (snapshot.SpaceCounts{Pending: 3}) {
		t.Fatalf("before Run: counts %+v, want 3 pending", c)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	close(g.gates["b"])
	// PublishEvery is an hour: only the held-back publish's timer, or the
	// end of a pass, could publish; the first listing must not wait for
	// either.
	waitFor(t, func() bool { return r.Snapshot().Space("b") != nil })
	snap := r.Snapshot()
	if c := snap.Counts(); c != (snapshot.SpaceCounts{Pending: 2, Up: 1}) || snap.Len() != 1 || snap.Completed || !snap.Up() {
		t.Errorf("after b: counts %+v, %d states, completed %v, up %v; want 2 pending and b up, no pass completed", c, snap.Len(), snap.Completed, snap.Up())
	}
	close(g.gates["a"])
	close(g.gates["c"])
	waitFor(t, func() bool { return r.Snapshot().Completed })
	if c := r.Snapshot().Counts(); c != (snapshot.SpaceCounts{Up: 3}) {
		t.Errorf("after the pass: counts %+v, want 3 up", c)
	}
}

// cams_up's rule: at least one space attempted, and every attempted space
// succeeded its last attempt; pending spaces do not count.
func TestSnapshotUp(t *testing.T) {
	up := &snapshot.SpaceState{HasData: true, Up: true}
	down := &snapshot.SpaceState{LastError: &snapshot.ErrorInfo{Code: "Timeout"}}
	tests := []struct {
		name    string
		spaces  map[string]*snapshot.SpaceState
		pending int
		want    bool
	}{
		{"nothing watched", nil, 0, false},
		{"all pending", nil, 5, false},
		{"one up, the rest pending", map[string]*snapshot.SpaceState{"a": up}, 9999, true},
		{"one down, the rest pending", map[string]*snapshot.SpaceState{"a": down}, 9999, false},
		{"up and down", map[string]*snapshot.SpaceState{"a": up, "b": down}, 0, false},
		{"all up", map[string]*snapshot.SpaceState{"a": up, "b": up}, 0, true},
	}
	for _, tt := range tests {
		s := snapshot.Snapshot{Pending: tt.pending}.WithSpaces(tt.spaces)
		if got := s.Up(); got != tt.want {
			t.Errorf("%s: Up() = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// endlessLister answers full pages of new flows for the spaces in endless,
// and one short page of the flows in flows for the others.
type endlessLister struct {
	mu      sync.Mutex
	endless map[string]bool
	flows   map[string][]client.Flow
	calls   map[string]int
}

func (e *endlessLister) ListFlowPage(_ context.Context, space, _ string, index, size int) ([]client.Flow, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.calls[space]++
	if !e.endless[space] {
		return e.flows[space], nil
	}
	out := make([]client.Flow, size)
	for i := range out {
		out[i] = client.Flow{FlowID: fmt.Sprint(index, "-", i)}
	}
	return out, nil
}

func (e *endlessLister) set(space string, endless bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.endless[space] = endless
}

// A space whose paging never ends is cut after MaxPages pages: it is down
// with TooManyPages, keeps its last good data, the log says so, and the
// expected pass counts the pages it takes.
func TestTooManyPagesKeepsTheLastData(t *testing.T) {
	var logs bytes.Buffer
	lister := &endlessLister{endless: map[string]bool{}, calls: map[string]int{},
		flows: map[string][]client.Flow{"e": {{FlowID: "1", Categories: []string{"SURVEY"}}, {FlowID: "2"}}}}
	r := New(Config{Lister: lister, Spaces: spacesFunc("e", "ok"), PageSize: 20, MaxPages: 7, Rate: 1, Logger: log.NewLogfmtLogger(&syncWriter{w: &logs})})
	first := r.Refresh(context.Background())
	if st := first.Space("e"); !st.Up || st.Count != 2 {
		t.Fatalf("first listing: %+v, want up with 2 flows", st)
	}
	lister.set("e", true)
	before := lister.calls["e"]
	snap := r.Refresh(context.Background())
	st := snap.Space("e")
	switch {
	case lister.calls["e"]-before != 7:
		t.Errorf("%d calls, want 7 (MaxPages)", lister.calls["e"]-before)
	case st.Up || st.LastError == nil || st.LastError.Code != client.CodeTooManyPages || st.LastError.Class != "permanent":
		t.Errorf("state %+v (error %+v), want down with a permanent TooManyPages", st, st.LastError)
	case !st.HasData || st.Count != 2 || st.ByCategory["SURVEY"] != 1 || !st.LastSuccess.Equal(first.Space("e").LastSuccess):
		t.Errorf("state %+v, want the last good data (2 flows) and its time kept", st)
	case st.Pages != 7:
		t.Errorf("pages %d, want 7", st.Pages)
	}
	// "ok" has one page, "e" takes 7: 8 calls at 1 call/s.
	if want := 8 * time.Second; snap.ExpectedPassDuration != want {
		t.Errorf("expected pass %v, want %v", snap.ExpectedPassDuration, want)
	}
	r.transitions.flush()
	var warning string
	for l := range strings.Lines(logs.String()) {
		if strings.Contains(l, `level=warn msg="space is down"`) {
			warning = l
		}
	}
	for _, want := range []string{"space=e", "code=TooManyPages", "within 7 pages", "remedy=", "--cams.max-pages"} {
		if !strings.Contains(warning, want) {
			t.Errorf("no warning naming the space, the code, the pages and the remedy (%q):\n%s", want, logs.String())
		}
	}
}

// A cached state dated later than the clock is not trusted: it is not
// restored, its space is listed at once, and a warning says so.
func TestRestoreIgnoresTheFuture(t *testing.T) {
	var logs bytes.Buffer
	now := time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)
	lister := &fakeLister{flows: map[string][]client.Flow{"future": {{FlowID: "new"}}, "past": {{FlowID: "p"}}}}
	r := New(Config{Lister: lister, Spaces: spacesFunc("future", "past"), Interval: time.Hour, Logger: log.NewLogfmtLogger(&syncWriter{w: &logs}),
		Now: func() time.Time { return now }})
	restored := r.Restore(map[string]*snapshot.SpaceState{
		"future": {ID: "future", HasData: true, Up: true, Count: 42, LastSuccess: now.Add(time.Hour), LastAttempt: now.Add(time.Hour)},
		"past":   {ID: "past", HasData: true, Up: true, Count: 1, LastSuccess: now.Add(-time.Minute), LastAttempt: now.Add(-time.Minute)},
	})
	if restored != 1 {
		t.Errorf("Restore returned %d, want 1 (past)", restored)
	}
	snap := r.Snapshot()
	if snap.Space("future") != nil || snap.Pending != 1 || snap.Space("past") == nil {
		t.Fatalf("after Restore: future %+v, %d pending, past %+v; want future pending, past restored", snap.Space("future"), snap.Pending, snap.Space("past"))
	}
	if l := logs.String(); !strings.Contains(l, "later than the clock") || !strings.Contains(l, `first="\"future\""`) {
		t.Errorf("no warning naming the space:\n%s", l)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	waitFor(t, func() bool { st := r.Snapshot().Space("future"); return st != nil && st.HasData })
	cancel()
	<-done
	if st := r.Snapshot().Space("future"); st.Count != 1 || !st.LastSuccess.Equal(now) {
		t.Errorf("future space after its listing: %+v, want 1 flow listed now", st)
	}
	if got := strings.Join(lister.calls(), ","); got != "future" {
		t.Errorf("listed %s, want only the untrusted space (past is due in an hour)", got)
	}
}

// At 10,000 spaces, every published snapshot holds each listed space with
// its data, counts the rest pending, and the counts sum to 10,000.
func TestFirstPassAtScale(t *testing.T) {
	const n = 10000
	ids := make([]string, n)
	flows := map[string][]client.Flow{}
	for i := range ids {
		ids[i] = fmt.Sprintf("cams-%05d", i)
		flows[ids[i]] = []client.Flow{{FlowID: "f", Categories: []string{"OTHER"}}}
	}
	r := New(Config{Lister: &fakeLister{flows: flows}, Spaces: spacesFunc(ids...), Interval: time.Hour, PublishEvery: 20 * time.Millisecond})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	seen := 0
	var last *snapshot.Snapshot
	for {
		snap := r.Snapshot()
		if snap == last {
			time.Sleep(5 * time.Millisecond)
			continue
		}
		last = snap
		c := snap.Counts()
		if c.Pending+c.Up+c.Down != n || c.Down != 0 {
			t.Fatalf("counts %+v do not sum to %d", c, n)
		}
		for _, st := range snap.All() {
			if !st.Up || !st.HasData || st.Count != 1 {
				t.Fatalf("space %s published as %+v", st.ID, st)
			}
		}
		seen++
		if snap.Completed {
			break
		}
	}
	t.Logf("%d snapshots checked during the first pass", seen)
	if seen < 2 {
		t.Error("the pass completed before any intermediate snapshot: nothing progressive was seen")
	}
}
