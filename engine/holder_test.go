package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// holding records what a Holder is told: the spaces entered and left at
// each call, and which spaces hold a share now (Apply and Enter take one,
// Leave gives it back), which it publishes as its Totals. Enter replaces
// each part with one whose data says it entered.
type holding struct {
	mu      sync.Mutex
	held    map[string]bool
	entered [][]string
	left    [][]string
}

func newHolding() *holding { return &holding{held: map[string]bool{}} }

func (h *holding) apply(space string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.held[space] = true
}

func (h *holding) Enter(parts map[string]*snapshot.SpacePart) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.entered = append(h.entered, slices.Sorted(maps.Keys(parts)))
	for id, p := range parts {
		h.held[id] = true
		next := *p
		next.Data = fmt.Sprint("entered ", p.Data)
		parts[id] = &next
	}
}

func (h *holding) Leave(spaces []string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.left = append(h.left, slices.Clone(spaces))
	for _, id := range spaces {
		delete(h.held, id)
	}
}

// Totals is the spaces holding a share, sorted and joined: comparable.
func (h *holding) Totals() any {
	h.mu.Lock()
	defer h.mu.Unlock()
	return fmt.Sprint(slices.Sorted(maps.Keys(h.held)))
}

func (h *holding) calls() (entered, left [][]string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return slices.Clone(h.entered), slices.Clone(h.left)
}

// holdingSource is a fakeSource that is a Holder and a Totaler.
type holdingSource struct {
	*fakeSource
	*holding
}

func (s holdingSource) Apply(space string, prev *snapshot.SpacePart, done []Done, snap *snapshot.Snapshot) *snapshot.SpacePart {
	s.apply(space)
	return s.fakeSource.Apply(space, prev, done, snap)
}

// A Holder is told of every part that enters the state other than by
// Apply, and may replace it (restored from the cache, back within its
// grace), and of every part that leaves it (no longer watched), once: not
// again when its grace ends. Its Totals are published with each change.
func TestRunnerTellsAHolderWhatEntersAndLeaves(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ids := spaceIDs(4)
		list := &movingList{}
		list.set(ids, true)
		h := newHolding()
		src := holdingSource{&fakeSource{name: "fake", interval: time.Hour}, h}
		r := NewRunner(Config{Source: src, Pacer: client.NewLimiter(10), Rate: 10, Interval: time.Hour, ForgetAfter: 10 * time.Minute, Watched: list.watched()})
		given := map[string]*snapshot.SpacePart{ids[0]: {Up: true, HasData: true, LastAttempt: time.Now(), LastSuccess: time.Now(), Data: "cached"}}
		r.Restore(given)
		if p := r.State().Part(ids[0]); p == nil || p.Data != "entered cached" || given[ids[0]].Data != "cached" {
			t.Fatalf("restored part %+v (given %+v), want the part Enter made, the one given unchanged", p, given[ids[0]])
		}
		if got, want := r.State().Totals, fmt.Sprint(ids[:1]); got != want {
			t.Errorf("Totals after the restore %v, want %v", got, want)
		}

		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { r.Run(ctx); close(done) }()
		defer func() { cancel(); <-done }()
		time.Sleep(10 * time.Second)
		if got, want := r.State().Totals, fmt.Sprint(ids); got != want {
			t.Fatalf("Totals once every space was called %v, want %v", got, want)
		}
		before := r.State().Part(ids[2])

		synctest.Wait() // the runner between looks: the list changes, then Wake
		list.set(ids[:2], true)
		r.Wake()
		if got, want := r.State().Totals, fmt.Sprint(ids[:2]); got != want {
			t.Errorf("Totals after two spaces left %v, want %v", got, want)
		}
		synctest.Wait()
		list.set(ids[:3], true)
		r.Wake()
		if p := r.State().Part(ids[2]); p == nil || p.Data != fmt.Sprint("entered ", before.Data) {
			t.Errorf("%s back within its grace: part %+v, want the part Enter made of %+v", ids[2], p, before)
		}
		time.Sleep(11 * time.Minute) // ids[3]'s grace is over
		if r.State().RetainedLen() != 0 {
			t.Fatalf("%d parts retained after the grace, want none", r.State().RetainedLen())
		}
		entered, left := h.calls()
		if want := [][]string{ids[:1], ids[2:3]}; !slices.EqualFunc(entered, want, slices.Equal) {
			t.Errorf("entered %v, want %v (restored, then back)", entered, want)
		}
		if want := [][]string{ids[2:4]}; !slices.EqualFunc(left, want, slices.Equal) {
			t.Errorf("left %v, want %v (once each)", left, want)
		}
		if got, want := r.State().Totals, fmt.Sprint(ids[:3]); got != want {
			t.Errorf("Totals at the end %v, want %v", got, want)
		}
	})
}

// decodingPaged is a fakePaged with a codec.
type decodingPaged struct{ *fakePaged }

func (decodingPaged) Decode(raw json.RawMessage) (any, error) { return "decoded " + string(raw), nil }

// holdingPaged is a fakePaged that is a Holder and a Totaler.
type holdingPaged struct {
	*fakePaged
	*holding
}

// The Source of a paged runner is a Decoder when its paged source is one
// (the wiring finds the codec there), and only then; it forwards a Holder's
// and a Totaler's calls.
func TestPagedRunnerSourceForwards(t *testing.T) {
	cfg := Config{Rate: 10, Watched: NewWatched(func() []string { return []string{"a"} }, nil)}
	plain := NewPagedRunner(cfg, newFakePaged("plain", newFakeSpaces(nil), time.Hour))
	if _, ok := plain.Source().(Decoder); ok {
		t.Error("the Source of a paged source without Decode is a Decoder")
	}
	d, ok := NewPagedRunner(cfg, decodingPaged{newFakePaged("decoding", newFakeSpaces(nil), time.Hour)}).Source().(interface {
		Decode(json.RawMessage) (any, error)
	})
	if !ok {
		t.Fatal("the Source of a paged source with Decode has none")
	}
	if got, err := d.Decode(json.RawMessage(`"x"`)); got != `decoded "x"` || err != nil {
		t.Errorf("Decode = %v, %v; want the source's", got, err)
	}

	h := newHolding()
	r := NewPagedRunner(cfg, holdingPaged{newFakePaged("holding", newFakeSpaces(nil), time.Hour), h})
	r.Restore(map[string]*snapshot.SpacePart{"a": {HasData: true, LastAttempt: time.Now(), Data: "cached"}})
	if p := r.State().Part("a"); p == nil || p.Data != "entered cached" || r.State().Totals != "[a]" {
		t.Errorf("restored part %+v, Totals %v; want the part Enter made, [a]", p, r.State().Totals)
	}
	if p, ok := plain.Source().(Holder); ok {
		parts := map[string]*snapshot.SpacePart{"a": {}}
		before := parts["a"]
		p.Enter(parts)
		if parts["a"] != before {
			t.Error("the Source of a paged source that is no Holder replaced a part entering")
		}
	}
	if got := plain.Source().(Totaler).Totals(); got != nil {
		t.Errorf("Totals of a paged source without any: %v, want nil", got)
	}
}
