package engine

import (
	"context"
	"fmt"
	"maps"
	"runtime"
	"sync"
	"testing"
	"testing/synctest"
	"time"
	"weak"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// fakeSpaces is a fake paged space list: pages[space] pages each (-1:
// endless, failing at fakeMaxPages), a space
// in failAt failing at that page (a *client.Error), a space in hang
// waiting at its first page for its context to end. It records the pages
// fetched and catches two pages of one space fetched at once.
type fakeSpaces struct {
	mu      sync.Mutex
	pages   map[string]int
	failAt  map[string]int
	hang    map[string]bool
	inPage  map[string]bool
	overlap []string
	fetched map[string]int
}

func newFakeSpaces(pages map[string]int) *fakeSpaces {
	return &fakeSpaces{pages: pages, failAt: map[string]int{}, hang: map[string]bool{}, inPage: map[string]bool{}, fetched: map[string]int{}}
}

func (f *fakeSpaces) setFailAt(space string, page int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failAt[space] = page
}

func (f *fakeSpaces) fetchedOf(space string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fetched[space]
}

// fakeListing is one listing of a fake space.
type fakeListing struct {
	f     *fakeSpaces
	space string
	pages int // fetched
}

func (l *fakeListing) Pages() int { return l.pages }

func (l *fakeListing) Next(ctx context.Context) (bool, error) {
	f := l.f
	f.mu.Lock()
	if f.inPage[l.space] {
		f.overlap = append(f.overlap, l.space)
	}
	f.inPage[l.space] = true
	n, failAt, hang := f.pages[l.space], f.failAt[l.space], f.hang[l.space]
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.inPage[l.space] = false
		f.mu.Unlock()
	}()
	if hang {
		<-ctx.Done()
	}
	if err := ctx.Err(); err != nil {
		return false, err
	}
	f.mu.Lock()
	f.fetched[l.space]++
	f.mu.Unlock()
	l.pages++
	switch {
	case l.pages == failAt:
		return false, &client.Error{Code: "Throttling.User", Message: "page failed"}
	case n < 0 && l.pages >= fakeMaxPages:
		return false, &client.Error{Code: client.CodeTooManyPages, Message: "no end"}
	}
	return n >= 0 && l.pages >= n, nil
}

// fakeMaxPages ends an endless fake listing (-1 pages), as a pager's page
// limit does.
const fakeMaxPages = 100

// listed is a fake space's data: the pages of its last listing.
type listed struct{ pages int }

// fakePaged is the PagedSource over fakeSpaces: due every interval, its
// calls the pages of the last listing; it counts each space's Apply and
// the results each brought.
type fakePaged struct {
	f        *fakeSpaces
	name     string
	interval time.Duration

	mu      sync.Mutex
	applied map[string]int // Apply calls per space
	results map[string]int // listings applied per space
	order   []string       // the spaces applied, in order
}

func newFakePaged(name string, f *fakeSpaces, interval time.Duration) *fakePaged {
	return &fakePaged{f: f, name: name, interval: interval, applied: map[string]int{}, results: map[string]int{}}
}

func (s *fakePaged) Name() string      { return s.name }
func (s *fakePaged) Operation() string { return "FakeList" + s.name }

func (s *fakePaged) Due(dst []Task, space string, part *snapshot.SpacePart, _ *snapshot.Snapshot, now time.Time) ([]Task, time.Time, float64) {
	tasks, next, _ := DueEvery(dst, space, part, s.interval, now)
	pages := 1
	if part != nil && part.Data != nil {
		pages = max(part.Data.(listed).pages, 1)
	}
	return tasks, next, float64(pages)
}

func (s *fakePaged) Start(space string) *fakeListing { return &fakeListing{f: s.f, space: space} }

func (s *fakePaged) Apply(space string, prev *snapshot.SpacePart, done []Done, _ *snapshot.Snapshot) *snapshot.SpacePart {
	s.mu.Lock()
	s.applied[space]++
	s.results[space] += len(done)
	s.order = append(s.order, space)
	s.mu.Unlock()
	d := Last(done)
	if d.Err != nil {
		return Applied(prev, d, nil)
	}
	return Applied(prev, d, listed{pages: d.Value.(*fakeListing).Pages()})
}

func (s *fakePaged) appliedOf(space string) (applies, results int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.applied[space], s.results[space]
}

// pagedSpaces returns n space ids with 1 + i%7 pages each, and their pages
// in all.
// checkListedWhole checks a state after every one of n spaces was listed:
// never two pages of a space at once, every part up, and the expected pass
// the total pages at rate.
func checkListedWhole(t *testing.T, f *fakeSpaces, st *snapshot.SourceState, n, total int, rate float64) {
	t.Helper()
	if len(f.overlap) != 0 {
		t.Errorf("two pages of one space fetched at once: %v", f.overlap)
	}
	if st.Len() != n || st.Up() != n {
		t.Errorf("%d parts, %d up; want %d and %d", st.Len(), st.Up(), n, n)
	}
	if want := time.Duration(float64(total) / rate * float64(time.Second)); st.ExpectedPass != want {
		t.Errorf("expected pass %v, want %v (%d pages at %g/s)", st.ExpectedPass, want, total, rate)
	}
}

func pagedSpaces(n int) (ids []string, pages map[string]int, total int) {
	pages = map[string]int{}
	for i := range n {
		id := fmt.Sprintf("cs-%05d", i)
		ids = append(ids, id)
		pages[id] = 1 + i%7
		total += pages[id]
	}
	return ids, pages, total
}

// A once run lists every watched space once, to its last page, never two
// pages of a space at once, applies each space's listing once, and its
// expected pass counts the pages the listings took.
func TestPagedRunnerListsEverySpaceOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ids, pages, total := pagedSpaces(40)
		f := newFakeSpaces(pages)
		src := newFakePaged("paged", f, time.Hour)
		const rate = 100.0
		r := NewPagedRunner(Config{Pacer: client.NewLimiter(rate), Rate: rate, Concurrency: 4, Interval: time.Hour, ForgetAfter: time.Hour,
			Watched: NewWatched(func() []string { return ids }, nil)}, src)
		st := r.RunOnce(context.Background())
		for _, id := range ids {
			if applies, results := src.appliedOf(id); applies != 1 || results != 1 {
				t.Errorf("%s applied %d times with %d listings, want once with one", id, applies, results)
			}
			if got := f.fetchedOf(id); got != pages[id] {
				t.Errorf("%s: %d pages fetched, want %d", id, got, pages[id])
			}
			p := st.Part(id)
			if p == nil || !p.Up || p.Data != (listed{pages[id]}) {
				t.Errorf("%s part %+v, want up with its %d pages", id, p, pages[id])
			}
		}
		checkListedWhole(t, f, st, len(ids), total, rate)
	})
}

// A listing that fails keeps the space's previous data, and marks the
// space down with the error; the other spaces are not affected.
func TestPagedRunnerKeepsDataOnFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ids, pages, _ := pagedSpaces(8)
		f := newFakeSpaces(pages)
		src := newFakePaged("paged", f, time.Hour)
		r := NewPagedRunner(Config{Pacer: client.NewLimiter(10), Rate: 10, Interval: time.Hour, ForgetAfter: time.Hour,
			Watched: NewWatched(func() []string { return ids }, nil)}, src)
		first := r.RunOnce(context.Background())
		failing := ids[3] // 4 pages: the listing fails at its third
		before := first.Part(failing)
		if before == nil || before.Data != (listed{4}) {
			t.Fatalf("%s after the first run: %+v, want its 4 pages listed", failing, before)
		}
		time.Sleep(time.Minute)
		f.setFailAt(failing, 3)
		st := r.RunOnce(context.Background())
		p := st.Part(failing)
		if p == nil || p.Up || !p.HasData || p.Data != (listed{4}) || p.LastError == nil || p.LastError.Code != "Throttling.User" {
			t.Fatalf("%s after a failed listing: %+v, want down with the last listing's data and the error", failing, p)
		}
		if !p.LastSuccess.Equal(before.LastSuccess) || !p.LastAttempt.After(before.LastAttempt) {
			t.Errorf("last success %v, attempt %v; want the first run's success %v and a later attempt", p.LastSuccess, p.LastAttempt, before.LastSuccess)
		}
		if got := f.fetchedOf(failing); got != 4+3 {
			t.Errorf("%s: %d pages fetched, want 4 then 3 (the failed one ends the listing)", failing, got)
		}
		if st.Up() != len(ids)-1 {
			t.Errorf("%d spaces up, want the %d others", st.Up(), len(ids)-1)
		}
	})
}

// In the background, every space is listed once per interval, never two
// pages of a space at once, and the expected pass is the pages of the
// spaces' last listings at the rate.
func TestPagedRunnerListsEverySpaceOncePerInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ids, pages, total := pagedSpaces(20)
		f := newFakeSpaces(pages)
		src := newFakePaged("paged", f, time.Minute)
		e := newTestEngine(ids)
		const rate = 20.0
		AddPaged(e, Config{Pacer: client.NewLimiter(rate), Rate: rate, Interval: time.Minute, ForgetAfter: time.Hour}, src)
		// A pass of the pages takes about 4 s: each space is listed at
		// about 0, 1, 2, 3, 4 and 5 minutes (each a few seconds late, its
		// interval counted from its last listing's end), not a 7th time
		// before 6 minutes.
		run(e, 5*time.Minute+45*time.Second)
		for _, id := range ids {
			if applies, results := src.appliedOf(id); applies != 6 || results != 6 {
				t.Errorf("%s applied %d times with %d listings in 5m45s at a 1m interval, want 6 and 6", id, applies, results)
			}
			if got := f.fetchedOf(id); got != 6*pages[id] {
				t.Errorf("%s: %d pages fetched, want 6 listings of %d", id, got, pages[id])
			}
		}
		checkListedWhole(t, f, e.Snapshot().Source("paged"), len(ids), total, rate)
	})
}

// A space that leaves the list has its part retained; back within its
// grace it has that part again and is not listed anew.
func TestPagedRunnerRetainsRemovedSpace(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ids, pages, _ := pagedSpaces(4)
		list := &movingList{}
		list.set(ids, true)
		f := newFakeSpaces(pages)
		src := newFakePaged("paged", f, time.Hour)
		r := NewPagedRunner(Config{Pacer: client.NewLimiter(10), Rate: 10, Interval: time.Hour, ForgetAfter: 10 * time.Minute, Watched: list.watched()}, src)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { r.Run(ctx); close(done) }()
		defer func() { cancel(); <-done }()
		time.Sleep(10 * time.Second)
		gone := ids[2]
		before := r.State().Part(gone)
		if before == nil || before.Data != (listed{pages[gone]}) {
			t.Fatalf("%s: part %+v after 10 s, want its listing", gone, before)
		}
		left := time.Now()
		synctest.Wait() // the runner between looks: the list changes, then Wake
		list.set(ids[:2], true)
		r.Wake()
		time.Sleep(5 * time.Minute)
		st := r.State()
		if st.Len() != 2 || st.Part(gone) != nil {
			t.Errorf("state after two spaces left: %d parts (%s: %v), want the 2 watched", st.Len(), gone, st.Part(gone))
		}
		if k := st.RetainedPart(gone); k == nil || k.Part != before || !k.RetainedSince.Equal(left) {
			t.Errorf("%s retained as %+v, want its part since %v", gone, k, left)
		}
		synctest.Wait()
		list.set(ids[:3], true)
		r.Wake()
		time.Sleep(time.Second)
		st = r.State()
		if st.Part(gone) != before || st.RetainedPart(gone) != nil {
			t.Errorf("back within its grace: part %+v, retained %v; want its part %+v, not retained", st.Part(gone), st.RetainedPart(gone), before)
		}
		if applies, _ := src.appliedOf(gone); applies != 1 || f.fetchedOf(gone) != pages[gone] {
			t.Errorf("%s listed %d times (%d pages), want once: back within its grace with data of the hour", gone, applies, f.fetchedOf(gone))
		}
	})
}

// A paged source waits on its own pacer only, and no other source waits on
// it: with a paged source's pacer throttled and its every listing hanging,
// another source makes its calls as if alone; with another source's pacer
// throttled and its calls hanging, a paged source lists as if alone.
func TestPagedRunnerOwnPacer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ids, pages, total := pagedSpaces(50)
		hangs := newFakeSpaces(pages)
		for _, id := range ids {
			hangs.hang[id] = true
		}
		answers := newFakeSpaces(pages)
		hungPaged := newFakePaged("hung-paged", hangs, time.Minute)
		paged := newFakePaged("paged", answers, time.Minute)
		hungSource := &fakeSource{name: "hung", interval: time.Minute, hang: true}
		healthy := &fakeSource{name: "healthy", interval: time.Minute}
		throttled := func() *client.Limiter {
			l := client.NewLimiter(10)
			for range 6 {
				l.Throttled()
			}
			return l
		}
		e := newTestEngine(ids)
		AddPaged(e, Config{Pacer: throttled(), Rate: 10, Interval: time.Minute, ForgetAfter: time.Hour}, hungPaged)
		e.Add(Config{Source: hungSource, Pacer: throttled(), Rate: 10, Interval: time.Minute, ForgetAfter: time.Hour})
		e.Add(Config{Source: healthy, Pacer: client.NewLimiter(10), Rate: 10, Interval: time.Minute, ForgetAfter: time.Hour})
		// The paged source's pages take total/40 s (about 5 s) alone.
		AddPaged(e, Config{Pacer: client.NewLimiter(40), Rate: 40, Interval: time.Minute, ForgetAfter: time.Hour}, paged)
		run(e, 10*time.Second)
		if n := len(healthy.callsBySpace()); n != 50 {
			t.Errorf("the healthy source called %d spaces in 10 s at 10/s, want all 50 whatever the paged one does", n)
		}
		if st := e.Snapshot().Source("paged"); st.Up() != 50 {
			t.Errorf("the paged source listed %d spaces in 10 s (%d pages at 40/s), want all 50 whatever the other does", st.Up(), total)
		}
		for _, name := range []string{"hung-paged", "hung"} {
			if st := e.Snapshot().Source(name); st.Len() != 0 {
				t.Errorf("%s: %d parts, want none (nothing answered)", name, st.Len())
			}
		}
	})
}

// A space added while the runner runs is listed at the wake, not at the
// next look.
func TestPagedRunnerListsAddedSpaceAtWake(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ids, pages, _ := pagedSpaces(5)
		list := &movingList{}
		list.set(ids[:4], true)
		f := newFakeSpaces(pages)
		src := newFakePaged("paged", f, time.Hour)
		r := NewPagedRunner(Config{Pacer: client.NewLimiter(10), Rate: 10, Interval: time.Hour, ForgetAfter: time.Hour, PollEvery: time.Hour, Watched: list.watched()}, src)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { r.Run(ctx); close(done) }()
		defer func() { cancel(); <-done }()
		time.Sleep(time.Minute)
		if st := r.State(); st.Len() != 4 {
			t.Fatalf("%d parts after a minute, want the 4 watched", st.Len())
		}
		synctest.Wait()
		list.set(ids, true)
		r.Wake()
		// 5 pages at 10/s, applied within ApplyEvery (1 s).
		time.Sleep(2 * time.Second)
		if p := r.State().Part(ids[4]); p == nil || p.Data != (listed{pages[ids[4]]}) {
			t.Errorf("%s 2 s after it was added: part %+v, want its listing", ids[4], p)
		}
	})
}

// At 10,000 spaces, endless listings, more than the workers, end at their
// page limit, down with its error, and the other spaces are listed
// meanwhile, each once.
func TestPagedRunnerEndlessListingsAtTenThousandSpaces(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ids, pages, _ := pagedSpaces(10000)
		endless := ids[:12] // the first in the list, started first
		for _, id := range endless {
			pages[id] = -1
		}
		f := newFakeSpaces(pages)
		src := newFakePaged("paged", f, time.Hour)
		r := NewPagedRunner(Config{Pacer: client.NewLimiter(1000), Rate: 1000, Concurrency: 8, Interval: time.Hour, ForgetAfter: time.Hour,
			Watched: NewWatched(func() []string { return ids }, nil)}, src)
		st := r.RunOnce(context.Background())
		for _, id := range endless {
			p := st.Part(id)
			if p == nil || p.Up || p.LastError == nil || p.LastError.Code != client.CodeTooManyPages || f.fetchedOf(id) != fakeMaxPages {
				t.Errorf("endless %s: part %+v after %d pages, want down with %s after %d", id, p, f.fetchedOf(id), client.CodeTooManyPages, fakeMaxPages)
			}
		}
		for _, id := range ids[len(endless):] {
			if applies, _ := src.appliedOf(id); applies != 1 || f.fetchedOf(id) != pages[id] {
				t.Fatalf("%s listed %d times with %d pages, want once with %d", id, applies, f.fetchedOf(id), pages[id])
			}
		}
		if st.Up() != len(ids)-len(endless) || len(f.overlap) != 0 {
			t.Errorf("%d spaces up, want %d; overlaps %v", st.Up(), len(ids)-len(endless), f.overlap)
		}
		// Once long, the endless listings share one lane of three: the
		// other spaces had at least a page for each of their long pages
		// before the last of them ended (the lanes aim at two; 1,371 seen).
		// Were the endless listings to keep the 8 workers, none would.
		isEndless := map[string]bool{}
		for _, id := range endless {
			isEndless[id] = true
		}
		shortPages, left := 0, len(endless)
		for _, id := range src.order {
			if left == 0 {
				break
			}
			if isEndless[id] {
				left--
			} else {
				shortPages += pages[id]
			}
		}
		if want := len(endless) * (fakeMaxPages - longListingPages); shortPages < want {
			t.Errorf("%d pages of other spaces listed before the last endless listing ended, want at least %d", shortPages, want)
		}
	})
}

// An ended listing is not kept once applied: the batch it waited in lets
// it go (a listing of templates holds every page's answer; a batch of
// them at a fast rate held megabytes until later results overwrote them).
func TestPagedRunnerKeepsNoListingItApplied(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ids, pages, _ := pagedSpaces(3)
		f := newFakeSpaces(pages)
		src := &weakPaged{fakePaged: newFakePaged("paged", f, time.Hour)}
		r := NewPagedRunner(Config{Pacer: client.NewLimiter(10), Rate: 10, Interval: time.Hour, ApplyEvery: time.Second,
			Watched: NewWatched(func() []string { return ids }, nil)}, src)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { r.Run(ctx); close(done) }()
		defer func() { cancel(); <-done }()
		time.Sleep(time.Minute)
		synctest.Wait()
		if st := r.State(); st.Len() != len(ids) {
			t.Fatalf("%d parts after a minute, want the %d spaces listed", st.Len(), len(ids))
		}
		runtime.GC()
		for space, p := range src.started() {
			if p.Value() != nil {
				t.Errorf("%s: its applied listing is still reachable", space)
			}
		}
	})
}

// weakPaged is a fakePaged that keeps a weak pointer to each listing it
// starts.
type weakPaged struct {
	*fakePaged
	mu       sync.Mutex
	listings map[string]weak.Pointer[fakeListing]
}

func (s *weakPaged) Start(space string) *fakeListing {
	l := s.fakePaged.Start(space)
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.listings == nil {
		s.listings = map[string]weak.Pointer[fakeListing]{}
	}
	s.listings[space] = weak.Make(l)
	return l
}

func (s *weakPaged) started() map[string]weak.Pointer[fakeListing] {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.listings)
}
