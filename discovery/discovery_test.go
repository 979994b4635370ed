package discovery

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
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

// On synctest's clock: the first discovery has failed when the lister is
// mended, and the retry comes a retry period later, not an hour.
func TestRunRetriesSoonAfterAFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		l := &fakeLister{err: errors.New("network blip")}
		d := New(l, "", time.Hour, log.NewNopLogger())
		d.retry = 20 * time.Millisecond
		found := make(chan struct{})
		d.SetOnChange(func() { close(found) })
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		start := time.Now()
		go d.Run(ctx)
		synctest.Wait() // the first discovery failed; Run waits to retry
		d.mu.Lock()
		failures := d.failures
		d.mu.Unlock()
		if failures != 1 {
			t.Fatalf("%d failures before the lister is mended, want 1", failures)
		}
		l.mu.Lock()
		l.spaces, l.err = []string{"cams-a"}, nil
		l.mu.Unlock()
		<-found
		if waited := time.Since(start); waited != d.retry {
			t.Errorf("found after %v, want the retry period %v", waited, d.retry)
		}
		if got := strings.Join(d.Spaces(), ","); got != "cams-a" {
			t.Errorf("spaces %q", got)
		}
	})
}

// An id of the answer that is not valid UTF-8, or holds U+FFFD (what
// encoding/json decodes invalid bytes to), is left out with one warning
// naming it escaped (the first five); the others are kept.
func TestDiscoverLeavesOutIdsThatAreNotUTF8(t *testing.T) {
	bad := []string{"cams-caf\xe9", "cams-caf\ufffd", "\xff", "cams-4\xe8", "cams-5\xe8", "cams-6\xe8"}
	l := &fakeLister{spaces: append([]string{"cams-b", bad[0], "cams-a", "cams-é"}, bad[1:]...)}
	var logs bytes.Buffer
	d := New(l, "", 0, log.NewJSONLogger(&logs))
	if err := d.Discover(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(d.Spaces(), ","); got != "cams-a,cams-b,cams-é" {
		t.Errorf("discovered %q, want the ids that are UTF-8", got)
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	var warning map[string]any
	for _, line := range lines {
		var e map[string]any
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			t.Fatal(err)
		}
		if e["level"] == "warn" {
			if warning != nil {
				t.Errorf("more than one warning:\n%s", logs.String())
			}
			warning = e
		}
	}
	want := `"cams-caf\xe9" "cams-caf\ufffd" "\xff" "cams-4\xe8" "cams-5\xe8" ...`
	if warning == nil || warning["count"] != 6.0 || warning["ids"] != want {
		t.Errorf("warning %v\nwant count 6 and ids %s", warning, want)
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
