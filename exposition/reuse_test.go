package exposition

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
)

// A bucket rendered again takes the segments of the families its changes
// left alone from the bucket it was made from: scraped in one format all
// along (as Prometheus does), through changes of a last success only, of
// data, failures, spaces and parts coming and going, and snapshots no
// scrape saw, the handler serves byte for byte what a fresh handler serves.
func TestRenderFromPreviousBucketMatchesFresh(t *testing.T) {
	opts := withSources(collector.Options{FlowInfo: true})
	for _, f := range formats {
		t.Run(f.accept+" "+f.enc, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(21, 22))
			snap := withTestSources(testSnapshot(400, 2), 3)
			var cur atomic.Pointer[snapshot.Snapshot]
			cur.Store(snap)
			h := NewHandler(Options{Snapshot: cur.Load, Metrics: opts, Gatherer: self})
			body(t, h, f.accept, f.enc)
			next := 0
			for step := range 40 {
				switch step % 4 {
				case 0, 1:
					snap = touchLastSuccess(rng, snap)
					if step == 20 {
						snap = touchEveryPart(snap) // every space of a bucket differs: rendered whole
					}
				case 2:
					snap = changeParts(rng, snap, step)
				case 3:
					snap = changeFlows(rng, snap, step, &next)
				}
				cur.Store(snap)
				if step%5 == 4 {
					continue // a snapshot no scrape sees
				}
				if got, want := body(t, h, f.accept, f.enc), body(t, fresh(snap, opts), f.accept, f.enc); !bytes.Equal(got, want) {
					t.Fatalf("step %d: not what a fresh handler serves", step)
				}
			}
		})
	}
}

// touchLastSuccess moves the last success of a few spaces' flows and of a
// few parts of each source of snap a minute on, as a call that got the same
// answer does, and replaces a few parts by equal copies.
func touchLastSuccess(rng *rand.Rand, snap *snapshot.Snapshot) *snapshot.Snapshot {
	ids := snap.SpaceIDs()
	flows := map[string]*snapshot.SpaceState{}
	for range 1 + rng.IntN(8) {
		id := ids[rng.IntN(len(ids))]
		cp := *snap.Space(id)
		cp.LastSuccess = cp.LastSuccess.Add(time.Minute)
		flows[id] = &cp
	}
	var states []*snapshot.SourceState
	for _, src := range snap.Sources() {
		parts := map[string]*snapshot.SpacePart{}
		for range 1 + rng.IntN(8) {
			id := ids[rng.IntN(len(ids))]
			if p := src.Part(id); p != nil {
				cp := *p
				if rng.IntN(2) == 0 {
					cp.LastSuccess = cp.LastSuccess.Add(time.Minute)
				}
				parts[id] = &cp
			}
		}
		states = append(states, src.WithParts(parts))
	}
	return snap.WithChanged(flows).WithSources(states)
}

// touchEveryPart moves the last success of every part of snap's first
// source a minute on; the other sources stay as they are.
func touchEveryPart(snap *snapshot.Snapshot) *snapshot.Snapshot {
	states := slices.Clone(snap.Sources())
	parts := map[string]*snapshot.SpacePart{}
	for id, p := range states[0].All() {
		cp := *p
		cp.LastSuccess = cp.LastSuccess.Add(time.Minute)
		parts[id] = &cp
	}
	states[0] = states[0].WithParts(parts)
	return snap.WithSources(states)
}

// A part replaced by an equal copy changes no family: its bucket keeps the
// rendering of the bucket it was made from, not a copy of it.
func TestEqualPartKeepsRendering(t *testing.T) {
	opts := withSources(collector.Options{})
	snap := withTestSources(testSnapshot(300, 2), 3)
	var cur atomic.Pointer[snapshot.Snapshot]
	cur.Store(snap)
	h := NewHandler(Options{Snapshot: cur.Load, Metrics: opts, Gatherer: self})
	body(t, h, acceptPrometheus3, "gzip")
	before := h.store.view(snap)

	id := snap.SpaceIDs()[7]
	src := snap.Source(phonenumbers.Name)
	cp := *src.Part(id)
	next := snap.WithSources([]*snapshot.SourceState{src.WithParts(map[string]*snapshot.SpacePart{id: &cp})})
	cur.Store(next)
	body(t, h, acceptPrometheus3, "gzip")
	after := h.store.view(next)

	i := slices.IndexFunc(h.store.r.tables, func(t *table) bool { return t.source == phonenumbers.Name })
	n := bucketOf(id, len(after.sets[i].buckets))
	old, cur2 := before.sets[i].buckets[n], after.sets[i].buckets[n]
	if old == cur2 {
		t.Fatal("the changed part's bucket is the same bucket")
	}
	if got, want := cur2.segs[kindText][1].Load(), old.segs[kindText][1].Load(); got != want {
		t.Error("the bucket of an equal part rendered again")
	}
}
