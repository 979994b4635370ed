package discovery

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-kit/log"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

type fakeLister struct {
	mu     sync.Mutex
	spaces []string
	err    error
}

func (f *fakeLister) ListAllSpaces(context.Context, string, int) ([]string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.spaces...), f.err
}

func TestDiscover(t *testing.T) {
	l := &fakeLister{spaces: []string{"cams-b", "cams-a"}}
	changes := 0
	d := New(l, "", 0, log.NewNopLogger())
	d.SetOnChange(func() { changes++ })
	steps := []struct {
		spaces      []string
		err         error
		wantSpaces  string
		wantChanges int
	}{
		{[]string{"cams-b", "cams-a"}, nil, "cams-a,cams-b", 1},
		{[]string{"cams-a", "cams-b"}, nil, "cams-a,cams-b", 1}, // same set, other order: no change
		{[]string{"cams-a", "cams-c"}, nil, "cams-a,cams-c", 2},
		{nil, errors.New("Ram.PermissionDeny"), "cams-a,cams-c", 2}, // a failure keeps the list
		{nil, nil, "", 3},
	}
	for i, s := range steps {
		l.mu.Lock()
		l.spaces, l.err = s.spaces, s.err
		l.mu.Unlock()
		before, changesBefore := d.Spaces(), changes
		err := d.Discover(context.Background())
		// An unchanged list stays the very same slice: the refresher goes
		// over every space only when its slice changes.
		if after := d.Spaces(); changes == changesBefore && len(after) > 0 && &after[0] != &before[0] {
			t.Errorf("step %d: the list did not change, but Spaces returns a new slice", i)
		}
		if (err != nil) != (s.err != nil) {
			t.Fatalf("step %d: error %v", i, err)
		}
		if got := strings.Join(d.Spaces(), ","); got != s.wantSpaces || changes != s.wantChanges {
			t.Errorf("step %d: spaces %q, %d changes; want %q, %d", i, got, changes, s.wantSpaces, s.wantChanges)
		}
	}
	expected := `
# HELP cams_discovered_spaces Spaces found by the last successful ListInstance discovery.
# TYPE cams_discovered_spaces gauge
cams_discovered_spaces 0
# HELP cams_discovery_failures_total Discoveries of spaces that failed; the previous list is kept.
# TYPE cams_discovery_failures_total counter
cams_discovery_failures_total 1
`
	if err := testutil.CollectAndCompare(d, strings.NewReader(expected), "cams_discovered_spaces", "cams_discovery_failures_total"); err != nil {
		t.Error(err)
	}
	if n := testutil.CollectAndCount(d, "cams_discovery_last_success_timestamp_seconds"); n != 1 {
		t.Errorf("%d last-success series, want 1", n)
	}
	if problems, err := testutil.CollectAndLint(d); err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", problems, err)
	}
}

func TestRunRetriesSoonAfterAFailure(t *testing.T) {
	l := &fakeLister{err: errors.New("network blip")}
	d := New(l, "", time.Hour, log.NewNopLogger())
	d.retry = 20 * time.Millisecond
	found := make(chan struct{})
	d.SetOnChange(func() { close(found) })
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go d.Run(ctx)
	time.Sleep(30 * time.Millisecond)
	l.mu.Lock()
	l.spaces, l.err = []string{"cams-a"}, nil
	l.mu.Unlock()
	select {
	case <-found:
	case <-time.After(5 * time.Second):
		t.Fatal("a failed discovery was not retried before the hour-long interval")
	}
	if got := strings.Join(d.Spaces(), ","); got != "cams-a" {
		t.Errorf("spaces %q", got)
	}
}

// Until a discovery succeeds the list may miss any space (the refresher
// then keeps the states of spaces missing from it); the first answer, even
// an empty one that changes nothing, says the list is complete, and wakes
// the refresher.
func TestAnsweredAfterTheFirstSuccess(t *testing.T) {
	l := &fakeLister{err: errors.New("ServiceUnavailable")}
	d := New(l, "", time.Hour, log.NewNopLogger())
	changes := 0
	d.SetOnChange(func() { changes++ })
	if d.Answered() {
		t.Fatal("answered before any discovery")
	}
	if err := d.Discover(context.Background()); err == nil || d.Answered() || changes != 0 {
		t.Fatalf("after a failed discovery: err %v, answered %v, %d changes; want an error, false, 0", err, d.Answered(), changes)
	}
	l.mu.Lock()
	l.err = nil
	l.mu.Unlock()
	for i, wantChanges := range []int{1, 1} {
		if err := d.Discover(context.Background()); err != nil {
			t.Fatal(err)
		}
		if !d.Answered() || changes != wantChanges || len(d.Spaces()) != 0 {
			t.Errorf("after empty answer %d: answered %v, %d changes, spaces %v; want true, %d, none", i+1, d.Answered(), changes, d.Spaces(), wantChanges)
		}
	}
}
