package cache

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/internal/fakeclock"
	"github.com/cams-exporter/cams_exporter/refresh"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// discoveredList is an explicit list of spaces and a discovery that has
// not answered until told: what the exporter watches with
// --cams.discover-spaces and explicit spaces.
type discoveredList struct {
	mu         sync.Mutex
	explicit   []string
	discovered []string
	answered   bool
	watched    []string
}

func (l *discoveredList) spaces() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.watched
}

func (l *discoveredList) complete() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.answered
}

func (l *discoveredList) answer(ids ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.discovered, l.answered = ids, true
	l.watched = append(slices.Clone(l.explicit), ids...)
}

type oneFlowLister struct{}

func (oneFlowLister) ListFlowPage(_ context.Context, space, _ string, index, _ int) ([]client.Flow, error) {
	if index > 1 {
		return nil, nil
	}
	return []client.Flow{{FlowID: "f-" + space}}, nil
}

// With an explicit space and discovery, a restart restores the discovered
// spaces from the cache. Discovery fails (a ListInstance outage): every
// save meanwhile (the minute's write, the one at SIGTERM) keeps them, as
// they were. Once discovery answers without one of them, that one is gone:
// still saved during its grace (a quick re-add across a restart keeps its
// data), dropped after.
func TestSaveKeepsRestoredSpacesNotYetKnownGone(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.json")
	before := t0.Add(-time.Hour)
	previous := map[string]*snapshot.SpaceState{}
	for _, id := range []string{"cams-explicit", "cams-found", "cams-departed"} {
		previous[id] = &snapshot.SpaceState{ID: id, HasData: true, Up: true, Count: 1, ByCategory: map[string]int{}, FlowIDs: []string{"f-" + id},
			LastSuccess: before, LastAttempt: before}
	}
	if err := Save(path, meta, snapshot.Snapshot{}.WithSpaces(previous), before); err != nil {
		t.Fatal(err)
	}

	clock := fakeclock.New(t0)
	list := &discoveredList{explicit: []string{"cams-explicit"}, watched: []string{"cams-explicit"}}
	r := refresh.New(refresh.Config{Lister: oneFlowLister{}, Spaces: list.spaces, SpacesComplete: list.complete,
		Interval: time.Minute, PageSize: 10, Now: clock.Now})
	states, err := Load(path, meta)
	if err != nil {
		t.Fatal(err)
	}
	asRead, _ := Load(path, meta)
	r.Restore(states)
	saved := func(what string, want ...string) map[string]*snapshot.SpaceState {
		t.Helper()
		if err := Save(path, meta, r.Snapshot(), clock.Now()); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		got, err := Load(path, meta) // refuses a space saved twice
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		var ids []string
		for id := range got {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		slices.Sort(want)
		if !slices.Equal(ids, want) {
			t.Fatalf("%s: the file holds %v, want %v", what, ids, want)
		}
		return got
	}
	got := saved("restored, discovery not answered", "cams-explicit", "cams-found", "cams-departed")
	for id, st := range got {
		if !reflect.DeepEqual(*st, *asRead[id]) {
			t.Errorf("%s saved as %+v, want it as restored, %+v", id, *st, *asRead[id])
		}
	}
	if snap := r.Snapshot(); snap.Len() != 1 || snap.Counts() != (snapshot.SpaceCounts{Up: 1}) {
		t.Errorf("the spaces not found yet are counted: %d spaces, %+v", snap.Len(), snap.Counts())
	}
	clock.Advance(3 * time.Hour) // a long outage, the explicit space listed meanwhile
	r.Refresh(context.Background())
	got = saved("outage", "cams-explicit", "cams-found", "cams-departed")
	if !got["cams-explicit"].LastAttempt.Equal(clock.Now()) || !got["cams-found"].LastAttempt.Equal(before) {
		t.Errorf("saved: explicit listed at %s, found at %s; want now and as restored", got["cams-explicit"].LastAttempt, got["cams-found"].LastAttempt)
	}

	list.answer("cams-found")
	r.Refresh(context.Background())
	saved("discovery answered without cams-departed: its grace", "cams-explicit", "cams-found", "cams-departed")
	clock.Advance(refresh.DefaultForgetAfter)
	r.Refresh(context.Background())
	saved("after the grace", "cams-explicit", "cams-found")
}

// A space whose flow checks failed and whose flows are all gone has no
// flow-status error: a file that says otherwise (written before) loads
// without it, and is saved without it.
func TestNoFlowStatusErrorWithoutFlows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.json")
	file := `{"version":2,"meta":{"endpoint":"https://cams.ap-southeast-1.aliyuncs.com/","flow_name":"","flow_info":true},"saved_at":"2026-11-26T10:00:00Z","spaces":[` +
		`{"id":"cams-empty","has_data":true,"up":true,"count":0,"last_success":"2026-11-26T09:00:00Z","last_attempt":"2026-11-26T09:00:00Z",` +
		`"flow_status":{"statuses":[],"checked":[],"last_error":{"code":"Ram.PermissionDeny","message":"denied","class":"permanent"}}}]}`
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	states, err := Load(path, meta)
	if err != nil {
		t.Fatal(err)
	}
	st := states["cams-empty"]
	if st == nil || st.Statuses.LastErrorOrNil() != nil {
		t.Fatalf("loaded %+v, want cams-empty without a flow-status error", st)
	}
	if err := Save(path, meta, snapshot.Snapshot{}.WithSpaces(states), t0); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "last_error") || !strings.Contains(string(data), `"cams-empty"`) {
		t.Errorf("saved again: %s", data)
	}
}
