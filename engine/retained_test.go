package engine

import (
	"context"
	"maps"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// movingList is a list of spaces that tests change, complete or not (a
// discovery that has not answered).
type movingList struct {
	mu         sync.Mutex
	ids        []string
	incomplete bool
}

func (l *movingList) list() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ids
}

func (l *movingList) complete() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return !l.incomplete
}

// set makes ids the list (a new slice, as Watched requires).
func (l *movingList) set(ids []string, complete bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ids, l.incomplete = slices.Clone(ids), !complete
}

func (l *movingList) watched() *Watched { return NewWatched(l.list, l.complete) }

// retainedOf returns the retained parts of st by space.
func retainedOf(st *snapshot.SourceState) map[string]snapshot.KeptPart {
	out := map[string]snapshot.KeptPart{}
	for id, k := range st.Retained() {
		out[id] = *k
	}
	return out
}

// A space that leaves the list has its part retained out of the state,
// with the time it left: not a part of the state (so not exported), but
// in its retained parts. Back within its grace, it has the very part again
// without a call, even with an interval far from over (a new space would
// be called at once).
func TestSpaceBackWithinItsGraceIsNotCalled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ids := spaceIDs(4)
		list := &movingList{}
		list.set(ids, true)
		src := &fakeSource{name: "fake", interval: time.Hour}
		r := NewRunner(Config{Source: src, Pacer: client.NewLimiter(10), Rate: 10, Interval: time.Hour, ForgetAfter: 10 * time.Minute, Watched: list.watched()})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { r.Run(ctx); close(done) }()
		defer func() { cancel(); <-done }()
		time.Sleep(10 * time.Second)
		before := r.State().Part(ids[2])
		if before == nil || src.callsBySpace()[ids[2]] != 1 {
			t.Fatalf("%s: part %+v after %d calls, want one call's", ids[2], before, src.callsBySpace()[ids[2]])
		}
		left := time.Now()
		synctest.Wait() // the runner between looks: the list changes, then Wake
		list.set(ids[:2], true)
		r.Wake()
		time.Sleep(5 * time.Minute)
		st := r.State()
		if st.Len() != 2 || st.Part(ids[2]) != nil || st.Up() != 2 {
			t.Errorf("state after two spaces left: %d parts (%s: %v), %d up; want the 2 watched", st.Len(), ids[2], st.Part(ids[2]), st.Up())
		}
		want := map[string]snapshot.KeptPart{ids[2]: {Part: before, RetainedSince: left}, ids[3]: {Part: st.RetainedPart(ids[3]).Part, RetainedSince: left}}
		if got := retainedOf(st); !maps.EqualFunc(got, want, sameKept) {
			t.Errorf("retained %v, want %v", got, want)
		}
		for id, p := range st.All() {
			if id == ids[2] || id == ids[3] {
				t.Errorf("All yields %s (%v), which is not watched", id, p)
			}
		}

		synctest.Wait() // the runner between looks: the list changes, then Wake
		list.set(ids[:3], true)
		r.Wake()
		time.Sleep(time.Second)
		st = r.State()
		if st.Part(ids[2]) != before || st.RetainedPart(ids[2]) != nil || st.RetainedLen() != 1 {
			t.Errorf("back within its grace: part %+v, retained %v (%d retained); want its part %+v, not retained", st.Part(ids[2]), st.RetainedPart(ids[2]), st.RetainedLen(), before)
		}
		if n := src.callsBySpace()[ids[2]]; n != 1 {
			t.Errorf("%s called %d times, want once: back within its grace with data of the hour", ids[2], n)
		}
	})
}

// A part retained while the list is not complete (a space missing from it
// may be one not found yet) is not known gone: it is kept however long
// that takes, and its grace starts when the list becomes complete. Until
// then its RetainedSince is zero, which the cache saves as a watched part.
func TestRetainedPartIsKeptWhileTheListIsIncomplete(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ids := spaceIDs(3)
		list := &movingList{}
		list.set(ids, true)
		src := &fakeSource{name: "fake", interval: time.Hour}
		r := NewRunner(Config{Source: src, Pacer: client.NewLimiter(10), Rate: 10, Interval: time.Hour, ForgetAfter: 10 * time.Minute, PollEvery: time.Second, Watched: list.watched()})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { r.Run(ctx); close(done) }()
		defer func() { cancel(); <-done }()
		time.Sleep(10 * time.Second)
		synctest.Wait() // the runner between looks: the list changes, then Wake
		list.set(ids[:1], false)
		r.Wake()
		time.Sleep(30 * time.Minute)
		st := r.State()
		if st.RetainedLen() != 2 || !st.RetainedPart(ids[1]).RetainedSince.IsZero() {
			t.Fatalf("%d retained 30 min after two spaces left an incomplete list (%s since %v), want 2 not known gone",
				st.RetainedLen(), ids[1], st.RetainedPart(ids[1]))
		}
		complete := time.Now()
		synctest.Wait() // the runner between looks: the list changes, then Wake
		list.set(ids[:1], true)
		r.Wake()
		if k := r.State().RetainedPart(ids[1]); k == nil || !k.RetainedSince.Equal(complete) {
			t.Fatalf("%s retained as %v once the list is complete, want gone since then (%v)", ids[1], k, complete)
		}
		time.Sleep(9 * time.Minute)
		if n := r.State().RetainedLen(); n != 2 {
			t.Errorf("%d retained 9 min after the list became complete, want 2 (a grace of 10 min)", n)
		}
		time.Sleep(2 * time.Minute)
		if n := r.State().RetainedLen(); n != 0 {
			t.Errorf("%d retained 11 min after the list became complete, want none", n)
		}
	})
}

// Restore and RestoreRetained put each part in the state when its space
// is watched, and retain it otherwise: a part restored as watched not
// known gone (its space left while the exporter was down, or is not found
// yet), a retained one since when it was known gone (a time later than
// the clock's taken for now). A part restored as watched wins over a
// retained one of the same space.
func TestRestorePutsPartsWhereTheirSpacesAre(t *testing.T) {
	now := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	list := &movingList{}
	list.set([]string{"cs-watched", "cs-back", "cs-both"}, false)
	published := 0
	r := NewRunner(Config{Source: &fakeSource{name: "fake"}, Watched: list.watched(), ForgetAfter: time.Hour,
		Now: func() time.Time { return now }, OnPublish: func() { published++ }})
	part := func(n int) *snapshot.SpacePart {
		at := now.Add(-time.Duration(n) * time.Minute)
		return &snapshot.SpacePart{Up: true, HasData: true, LastSuccess: at, LastAttempt: at, Data: n}
	}
	watched, left, back, gone, future, both, bothRetained := part(1), part(2), part(3), part(4), part(5), part(6), part(7)
	r.Restore(map[string]*snapshot.SpacePart{"cs-watched": watched, "cs-left": left, "cs-both": both})
	r.RestoreRetained(map[string]*snapshot.KeptPart{
		"cs-back":   {Part: back, RetainedSince: now.Add(-50 * time.Minute)},
		"cs-gone":   {Part: gone, RetainedSince: now.Add(-50 * time.Minute)},
		"cs-future": {Part: future, RetainedSince: now.Add(time.Hour)},
		"cs-both":   {Part: bothRetained, RetainedSince: now.Add(-time.Minute)},
		"cs-nil":    nil,
	})
	st := r.State()
	wantParts := map[string]*snapshot.SpacePart{"cs-watched": watched, "cs-back": back, "cs-both": both}
	gotParts := map[string]*snapshot.SpacePart{}
	for id, p := range st.All() {
		gotParts[id] = p
	}
	if !maps.Equal(gotParts, wantParts) || st.Len() != 3 || st.Up() != 3 {
		t.Errorf("state parts %v (%d, %d up), want %v", gotParts, st.Len(), st.Up(), wantParts)
	}
	wantRetained := map[string]snapshot.KeptPart{
		"cs-left":   {Part: left},
		"cs-gone":   {Part: gone, RetainedSince: now.Add(-50 * time.Minute)},
		"cs-future": {Part: future, RetainedSince: now},
	}
	if got := retainedOf(st); !maps.EqualFunc(got, wantRetained, sameKept) {
		t.Errorf("retained %v, want %v", got, wantRetained)
	}
	if published != 2 {
		t.Errorf("%d publishes, want one per restore", published)
	}

	// The list completes without cs-left, cs-gone and cs-future: ten
	// minutes later, cs-gone's grace (from its restored time) is over;
	// cs-left is known gone from now.
	list.set([]string{"cs-watched", "cs-back", "cs-both"}, true)
	restoredAt := now
	now = now.Add(10 * time.Minute)
	r.Wake()
	wantRetained = map[string]snapshot.KeptPart{
		"cs-left":   {Part: left, RetainedSince: now},
		"cs-future": {Part: future, RetainedSince: restoredAt},
	}
	if got := retainedOf(r.State()); !maps.EqualFunc(got, wantRetained, sameKept) {
		t.Errorf("10 min on, retained %v; want %v", got, wantRetained)
	}
	// Restored again, a part of a space now watched takes the retained
	// one's place.
	r.Restore(map[string]*snapshot.SpacePart{"cs-left": left})
	if st := r.State(); st.Part("cs-left") != nil || st.RetainedPart("cs-left").Part != left {
		t.Errorf("cs-left, not watched: part %v, retained %v", st.Part("cs-left"), st.RetainedPart("cs-left"))
	}
	list.set([]string{"cs-watched", "cs-back", "cs-both", "cs-left"}, true)
	r.Restore(map[string]*snapshot.SpacePart{"cs-left": part(8)})
	if st := r.State(); st.Part("cs-left") == nil || st.RetainedPart("cs-left") != nil {
		t.Errorf("cs-left restored as watched: part %v, retained %v; want the part alone", st.Part("cs-left"), st.RetainedPart("cs-left"))
	}
}

func sameKept(a, b snapshot.KeptPart) bool {
	return a.Part == b.Part && a.RetainedSince.Equal(b.RetainedSince)
}

// A list that churns faster than the grace never has more parts retained
// than the most spaces watched at once, or 1,000: the longest gone are
// forgotten first. 31 lists of 100 new spaces each, 5 s apart, leave 3,000
// spaces gone within their hour: the last 1,000 to go are kept.
func TestRetainedPartsAreBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ids := spaceIDs(3100)
		list := &movingList{}
		list.set(ids[:100], true)
		src := &fakeSource{name: "fake", interval: time.Hour}
		r := NewRunner(Config{Source: src, Pacer: client.NewLimiter(1000), Rate: 1000, Interval: time.Hour, ForgetAfter: time.Hour, Watched: list.watched()})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { r.Run(ctx); close(done) }()
		defer func() { cancel(); <-done }()
		for batch := range 31 {
			synctest.Wait() // the runner between looks: the list changes, then Wake
			list.set(ids[batch*100:(batch+1)*100], true)
			r.Wake()
			time.Sleep(5 * time.Second)
			if n := r.State().Len(); n != 100 {
				t.Fatalf("batch %d: %d parts, want the 100 watched", batch, n)
			}
		}
		st := r.State()
		if st.RetainedLen() != 1000 {
			t.Errorf("%d parts retained after 3,000 spaces left within their grace, want 1,000", st.RetainedLen())
		}
		for id := range st.Retained() {
			if id < ids[2000] || id >= ids[3000] {
				t.Errorf("%s retained; want only the last 1,000 gone (%s to %s)", id, ids[2000], ids[2999])
				break
			}
		}
	})
}
