package engine

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
)

// fakeLister lists spaces of pages[space] pages each, the last one short,
// and records what RunPaged told it. A space of -1 pages is endless: its
// second page waits for ctx to end.
type fakeLister struct {
	pages   map[string]int
	started chan string // told each listing started, when set

	mu       sync.Mutex
	recorded map[string]int // pages of each space's recorded listing
	failed   map[string]error
	released []string
	answered int
	inPage   map[string]bool // a page of the space is being fetched
	overlap  []string        // spaces with two pages fetched at once
}

func newFakeLister(pages map[string]int) *fakeLister {
	return &fakeLister{pages: pages, recorded: map[string]int{}, failed: map[string]error{}, inPage: map[string]bool{}}
}

func (f *fakeLister) Due() ([]string, time.Duration) { return nil, time.Hour }

func (f *fakeLister) Start(space string) *client.Pager {
	if f.started != nil {
		f.started <- space
	}
	n := f.pages[space]
	return client.NewPager(func(ctx context.Context, index, size int) ([]client.Flow, error) {
		f.mu.Lock()
		if f.inPage[space] {
			f.overlap = append(f.overlap, space)
		}
		f.inPage[space] = true
		f.mu.Unlock()
		defer func() {
			f.mu.Lock()
			f.inPage[space] = false
			f.mu.Unlock()
		}()
		if n < 0 && index > 1 {
			<-ctx.Done()
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if n >= 0 && index >= n {
			return nil, nil // short: the end
		}
		out := make([]client.Flow, size)
		for i := range out {
			out[i] = client.Flow{FlowID: fmt.Sprintf("%s-%d-%d", space, index, i)}
		}
		return out, nil
	}, 2, 1000)
}

func (f *fakeLister) Watching(string) bool { return true }

func (f *fakeLister) Record(space string, l *client.Pager, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, twice := f.recorded[space]; twice {
		f.overlap = append(f.overlap, space+" recorded twice")
	}
	f.recorded[space] = l.Pages()
	if err != nil {
		f.failed[space] = err
	}
}

func (f *fakeLister) Answered(*client.Pager, time.Time) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.answered++
}

func (f *fakeLister) Release(spaces ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.released = append(f.released, spaces...)
}

func (f *fakeLister) Idle(time.Time) {}
func (f *fakeLister) Changed()       {}

// A once run lists each space given to its end, a page of a space at a
// time, records each once with the pages it took, and notes every other
// page as progress.
func TestRunPagedOnceListsEverySpace(t *testing.T) {
	pages := map[string]int{}
	var ids []string
	wantAnswered := 0
	for i := range 40 {
		id := fmt.Sprintf("s%02d", i)
		pages[id] = 1 + i%13 // some long (over longListingPages), most short
		ids = append(ids, id)
		wantAnswered += pages[id] - 1
	}
	f := newFakeLister(pages)
	RunPaged(context.Background(), PagedConfig[*client.Pager]{Lister: f, Concurrency: 4, Now: time.Now}, ids, true)
	for _, id := range ids {
		if got, want := f.recorded[id], pages[id]; got != want {
			t.Errorf("%s recorded after %d pages, want %d", id, got, want)
		}
	}
	if len(f.recorded) != len(ids) || len(f.failed) != 0 || len(f.released) != 0 || len(f.overlap) != 0 {
		t.Errorf("recorded %d of %d spaces, %d failed, released %v, overlaps %v", len(f.recorded), len(ids), len(f.failed), f.released, f.overlap)
	}
	if f.answered != wantAnswered {
		t.Errorf("%d pages noted as progress, want %d (every page but the last of each listing)", f.answered, wantAnswered)
	}
}

// At shutdown, listings under way and spaces not started are given back,
// not recorded: being cut short is not the space's failure.
func TestRunPagedShutdownReleasesWhatItDidNotList(t *testing.T) {
	f := newFakeLister(map[string]int{"e0": -1, "e1": -1, "w0": 1, "w1": 1})
	f.started = make(chan string, 4)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		// One worker, one young listing at a time: e0 runs, the rest wait.
		RunPaged(ctx, PagedConfig[*client.Pager]{Lister: f, Concurrency: 1, Now: time.Now}, []string{"e0", "e1", "w0", "w1"}, true)
	}()
	if got := <-f.started; got != "e0" {
		t.Fatalf("first listing started: %s, want e0", got)
	}
	cancel()
	<-done
	released := slices.Sorted(slices.Values(f.released))
	if !slices.Equal(released, []string{"e0", "e1", "w0", "w1"}) || len(f.recorded) != 0 {
		t.Errorf("released %v and recorded %v at shutdown, want every space released and none recorded", released, f.recorded)
	}
}
