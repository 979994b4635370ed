package exposition

import (
	"bytes"
	"compress/gzip"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
)

// changed returns a copy of s in which every tenth space was removed, one in
// ten changed, one in ten failing, and two spaces were added.
func changed(s *snapshot.Snapshot) (*snapshot.Snapshot, int) {
	next := *s
	next.Refreshes++
	changes := map[string]*snapshot.SpaceState{}
	for i, id := range s.SpaceIDs() {
		st := s.Space(id)
		switch i % 10 {
		case 0: // removed
			changes[id] = nil
		case 1:
			cp := *st
			cp.Count++
			cp.ByCategory = map[string]int{"SIGN_UP": 1, "NEW_ONE": 2}
			cp.Added++
			changes[id] = &cp
		case 2:
			cp := *st
			cp.Up = false
			changes[id] = &cp
		}
	}
	changes["cams-new"] = &snapshot.SpaceState{ID: "cams-new"}
	changes["bad\xff"] = &snapshot.SpaceState{HasData: true, Up: true, LastSuccess: t0, ByCategory: map[string]int{"X\xfe": 1}}
	return next.WithChanged(changes), len(changes)
}

var formats = []struct{ accept, enc string }{
	{"text/plain;version=0.0.4", "identity"},
	{"text/plain;version=0.0.4", "gzip"},
	{acceptPrometheus3, "identity"},
	{acceptPrometheus3, "gzip"},
	{acceptNativeHistograms, "identity"},
	{acceptNativeHistograms, "gzip"},
}

func body(t *testing.T, h http.Handler, accept, enc string) []byte {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header.Set("Accept", accept)
	req.Header.Set("Accept-Encoding", enc)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	return rec.Body.Bytes()
}

// self is shared by the handlers compared byte for byte: client_golang
// gives counters a created timestamp, which the protobuf format carries.
var self = selfRegistry()

func fresh(snap *snapshot.Snapshot, opts collector.Options) *Handler {
	return NewHandler(Options{Snapshot: func() *snapshot.Snapshot { return snap }, Metrics: ownSeries(opts), Gatherer: self})
}

// TestViewFromPreviousMatchesFresh checks that a view built from the last
// one serves the bytes a fresh handler serves, in every format, back and
// forth between two snapshots.
func TestViewFromPreviousMatchesFresh(t *testing.T) {
	opts := collector.Options{FlowInfo: true}
	s1 := testSnapshot(2000, 2)
	s2, changes := changed(s1)
	want := map[*snapshot.Snapshot][][]byte{}
	for _, s := range []*snapshot.Snapshot{s1, s2} {
		for _, f := range formats {
			want[s] = append(want[s], body(t, fresh(s, opts), f.accept, f.enc))
		}
	}
	var cur atomic.Pointer[snapshot.Snapshot]
	h := NewHandler(Options{Snapshot: cur.Load, Metrics: opts, Gatherer: self})
	var prev []*bucket
	for _, s := range []*snapshot.Snapshot{s1, s2, s1, s2} {
		cur.Store(s)
		for i, f := range formats {
			if got := body(t, h, f.accept, f.enc); !bytes.Equal(got, want[s][i]) {
				t.Errorf("%s %s after a switch: not what a fresh handler serves", f.accept, f.enc)
			}
		}
		v := flowBuckets(h.store.cur.Load())
		if prev != nil {
			if len(v) != len(prev) {
				t.Fatalf("%d buckets, then %d", len(prev), len(v))
			}
			rebuilt := 0
			for i := range v {
				if v[i] != prev[i] {
					rebuilt++
				}
			}
			if rebuilt == 0 || rebuilt > changes {
				t.Errorf("%d of %d buckets rebuilt for %d changed spaces", rebuilt, len(v), changes)
			}
		}
		prev = v
	}
}

// TestViewUnchangedSpacesShareBuckets checks that a new snapshot with the
// same states shares every bucket, rendered segments included, and that one
// changed space costs one bucket.
func TestViewUnchangedSpacesShareBuckets(t *testing.T) {
	s1 := testSnapshot(1000, 0)
	h := fresh(s1, collector.Options{})
	body(t, h, "text/plain", "gzip")
	v1 := flowBuckets(h.store.view(s1))

	// The same spaces, and the same states made into a snapshot apart.
	same := *s1
	same.Refreshes++
	states := map[string]*snapshot.SpaceState{}
	for id, st := range s1.All() {
		states[id] = st
	}
	last := s1
	for _, s2 := range []*snapshot.Snapshot{&same, s1.WithSpaces(states)} {
		v2 := flowBuckets(h.store.view(s2))
		for i := range v1 {
			if v1[i] != v2[i] {
				t.Fatalf("bucket %d rebuilt though no space changed", i)
			}
		}
		last = s2
	}
	id := s1.SpaceIDs()[500]
	cp := *s1.Space(id)
	cp.Count += 3
	v3 := flowBuckets(h.store.view(last.WithChanged(map[string]*snapshot.SpaceState{id: &cp})))
	for i := range v1 {
		if rebuilt := v1[i] != v3[i]; rebuilt != (i == bucketOf(id, len(v1))) {
			t.Errorf("bucket %d rebuilt: %v, want only the changed space's", i, rebuilt)
		}
	}
}

// TestConcurrentScrapesWhileSnapshotsChange scrapes while the snapshot
// flips: every body is one of the two snapshots', whole.
func TestConcurrentScrapesWhileSnapshotsChange(t *testing.T) {
	opts := collector.Options{FlowInfo: true}
	s1 := testSnapshot(300, 2)
	s2, _ := changed(s1)
	var cur atomic.Pointer[snapshot.Snapshot]
	cur.Store(s1)
	h := NewHandler(Options{Snapshot: cur.Load, Metrics: opts, Gatherer: self})
	for fi, f := range formats {
		want := [][]byte{body(t, fresh(s1, opts), f.accept, f.enc), body(t, fresh(s2, opts), f.accept, f.enc)}
		var wg sync.WaitGroup
		bad := make(chan int, 8)
		for range 4 {
			wg.Go(func() {
				for range 10 {
					got := body(t, h, f.accept, f.enc)
					if !bytes.Equal(got, want[0]) && !bytes.Equal(got, want[1]) {
						bad <- len(got)
						return
					}
				}
			})
		}
		for i := range 20 {
			cur.Store([]*snapshot.Snapshot{s2, s1}[(i+fi)%2])
		}
		wg.Wait()
		close(bad)
		for n := range bad {
			t.Errorf("%s %s: a body of %d bytes matched neither snapshot", f.accept, f.enc, n)
		}
	}
}

// TestBucketCount checks the number of buckets for a number of spaces, and
// that it holds while the number stays within the regrouping factor.
func TestBucketCount(t *testing.T) {
	for _, tt := range []struct{ spaces, prev, want int }{
		{0, 0, 1},
		{127, 0, 1},
		{128, 0, 2},
		{10000, 0, 128},
		{200000, 0, 2048},
		{1 << 30, 0, maxBuckets},
		{10000, 64, 64},   // within 4x: kept
		{10000, 512, 512}, // within 4x: kept
		{10000, 16, 128},  // 8x: regrouped
		{10000, 1024, 128},
		{50, 1, 1},
	} {
		if got := bucketCount(tt.spaces, tt.prev); got != tt.want {
			t.Errorf("bucketCount(%d, %d buckets before) = %d, want %d", tt.spaces, tt.prev, got, tt.want)
		}
	}
}

// TestRegroupMatchesFresh grows a snapshot from 10 spaces to 5,000, which
// regroups the spaces, and back.
func TestRegroupMatchesFresh(t *testing.T) {
	small, big := testSnapshot(10, 0), testSnapshot(5000, 0)
	var cur atomic.Pointer[snapshot.Snapshot]
	h := NewHandler(Options{Snapshot: cur.Load, Gatherer: self})
	for i, s := range []*snapshot.Snapshot{small, big, small} {
		cur.Store(s)
		if got, want := body(t, h, acceptPrometheus3, "gzip"), body(t, fresh(s, collector.Options{}), acceptPrometheus3, "gzip"); !bytes.Equal(got, want) {
			t.Errorf("%d spaces: not what a fresh handler serves", s.Len())
		}
		// At least 64 spaces a bucket, a power of two buckets (TestBucketCount): 10 spaces
		// in 1 bucket, 5,000 in 64.
		if n, want := len(flowBuckets(h.store.cur.Load())), []int{1, 64, 1}[i]; n != want {
			t.Errorf("%d spaces in %d buckets, want %d", s.Len(), n, want)
		}
	}
}

func TestBucketOfIsStable(t *testing.T) {
	// FNV-1a (32 bits) of "cams-1", computed apart: the order of the output must
	// not change between runs or versions.
	if got := bucketOf("cams-1", 1<<14); got != 0x178c6883&(1<<14-1) {
		t.Errorf("bucketOf(cams-1) = %#x", got)
	}
	seen := map[int]int{}
	for i := range 10000 {
		seen[bucketOf("cams-"+strconv.Itoa(i), 128)]++
	}
	for b := range 128 {
		if seen[b] < 40 || seen[b] > 120 {
			t.Errorf("bucket %d holds %d of 10,000 spaces; want about 78", b, seen[b])
		}
	}
}

// TestViewFollowsASequenceOfSnapshots publishes snapshots one after the
// other as a refresher and the engine's sources do (each shares with the
// last all but what changed: spaces listed again, failing, joining,
// leaving, enough joining to regroup; with the sources on, parts changed,
// failing, added and removed, in steps of their own or with the flows'),
// while scrapers scrape all along (race detector): after each, the handler
// serves byte for byte what a fresh handler serves, and every body a
// scraper got was whole.
func TestViewFollowsASequenceOfSnapshots(t *testing.T) {
	for _, sources := range []bool{false, true} {
		t.Run("sources "+strconv.FormatBool(sources), func(t *testing.T) { followSequence(t, sources) })
	}
}

func followSequence(t *testing.T, sources bool) {
	opts := collector.Options{FlowInfo: true}
	rng := rand.New(rand.NewPCG(8, 9))
	snap := testSnapshot(300, 2)
	if sources {
		opts = withSources(opts)
		snap = withTestSources(snap, 3)
	}
	var cur atomic.Pointer[snapshot.Snapshot]
	cur.Store(snap)
	h := NewHandler(Options{Snapshot: cur.Load, Metrics: opts, Gatherer: self})
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var broken atomic.Int64
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				case <-time.After(time.Millisecond):
				}
				if !parsesWhole(h) {
					broken.Add(1)
				}
			}
		})
	}
	next := 0
	for step := range 30 {
		flows := !sources || step%3 != 1 // with the sources on, one step in three changes only them
		if flows {
			snap = changeFlows(rng, snap, step, &next)
		}
		if sources && step%3 != 0 {
			snap = changeParts(rng, snap, step)
		}
		cur.Store(snap)
		if step >= 27 {
			v := h.store.view(snap)
			if n, want := len(flowBuckets(v)), 32; n != want {
				t.Fatalf("step %d: %d buckets, want %d after the regrouping", step, n, want)
			}
			if sources && step >= 28 {
				if n, want := len(v.sets[1].buckets), 32; n != want {
					t.Fatalf("step %d: %d buckets of phone numbers, want %d after the regrouping", step, n, want)
				}
			}
		}
		for _, f := range formats[step%3*2 : step%3*2+2] { // every format, in turn
			if got, want := body(t, h, f.accept, f.enc), body(t, fresh(snap, opts), f.accept, f.enc); !bytes.Equal(got, want) {
				t.Fatalf("step %d, %s %s: not what a fresh handler serves", step, f.accept, f.enc)
			}
		}
	}
	close(stop)
	wg.Wait()
	if n := broken.Load(); n > 0 {
		t.Errorf("%d scrapes got a body that does not parse", n)
	}
}

// changeFlows changes a few spaces of snap's flows (listed again, failing,
// leaving) and adds a few, 2,000 at step 27 (which regroups 300 spaces'
// 4 buckets into 32).
func changeFlows(rng *rand.Rand, snap *snapshot.Snapshot, step int, next *int) *snapshot.Snapshot {
	ids := snap.SpaceIDs()
	changes := map[string]*snapshot.SpaceState{}
	for range 1 + rng.IntN(12) {
		id := ids[rng.IntN(len(ids))]
		switch cp := *snap.Space(id); rng.IntN(4) {
		case 0:
			changes[id] = nil // leaves
		case 1:
			cp.Up, cp.LastError = false, &snapshot.ErrorInfo{Code: "Timeout", Class: "transient"}
			changes[id] = &cp
		default:
			cp.Count++
			cp.Added++
			cp.LastSuccess = cp.LastSuccess.Add(time.Minute)
			changes[id] = &cp
		}
	}
	joining := rng.IntN(4)
	if step == 27 {
		joining = 2000
	}
	for range joining {
		id := "cams-joined-" + strconv.Itoa(*next)
		*next++
		changes[id] = &snapshot.SpaceState{ID: id, HasData: true, Up: true, Count: 1, LastSuccess: t0, ByCategory: map[string]int{"SURVEY": 1}}
	}
	return snap.WithChanged(changes)
}

// changeParts changes a few parts of each source of snap (a number turned
// RED, a call failing, a part removed) and gives a part to a few spaces
// without one: at step 28 every space without a phone numbers' part, which
// regroups that table's buckets as step 27 regrouped the flows'.
func changeParts(rng *rand.Rand, snap *snapshot.Snapshot, step int) *snapshot.Snapshot {
	var states []*snapshot.SourceState
	for _, src := range snap.Sources() {
		var ids []string
		for id := range src.All() {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		changes := map[string]*snapshot.SpacePart{}
		for range rng.IntN(6) {
			id := ids[rng.IntN(len(ids))]
			switch cp := *src.Part(id); rng.IntN(3) {
			case 0:
				changes[id] = nil
			case 1:
				cp.Up, cp.LastError = false, &snapshot.ErrorInfo{Code: "HTTP_503", Class: "transient"}
				changes[id] = &cp
			default:
				cp.Up, cp.LastError, cp.LastSuccess = true, nil, cp.LastSuccess.Add(time.Minute)
				if numbers, ok := cp.Data.(phonenumbers.Numbers); ok && len(numbers) > 0 {
					numbers = slices.Clone(numbers)
					numbers[0].QualityRating = "RED"
					cp.Data = numbers
				}
				changes[id] = &cp
			}
		}
		for _, id := range snap.SpaceIDs() {
			if src.Part(id) == nil && (step == 28 && src.Name == phonenumbers.Name || rng.IntN(200) == 0) {
				changes[id] = &snapshot.SpacePart{Up: true, HasData: true, LastSuccess: t0, Data: phonenumbers.Numbers{{PhoneNumber: "+1" + id, Status: "CONNECTED"}}}
				if src.Name != phonenumbers.Name {
					changes[id].Data = nil // the data of another source: its series of a part without them
				}
			}
		}
		states = append(states, src.WithParts(changes))
	}
	return snap.WithSources(states)
}

// parsesWhole scrapes h as gzipped text and reports whether the body is a
// whole gzip member of text that parses.
func parsesWhole(h http.Handler) bool {
	req := httptest.NewRequest(http.MethodGet, "/metrics", nil)
	req.Header.Set("Accept", "text/plain;version=0.0.4")
	req.Header.Set("Accept-Encoding", "gzip")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	zr, err := gzip.NewReader(rec.Body)
	if err != nil || rec.Code != http.StatusOK {
		return false
	}
	zr.Multistream(false)
	p := expfmt.NewTextParser(model.UTF8Validation)
	_, err = p.TextToMetricFamilies(zr)
	return err == nil
}

// flowBuckets returns the buckets of v's flows' table.
func flowBuckets(v *view) []*bucket { return v.sets[0].buckets }
