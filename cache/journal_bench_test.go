package cache

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/go-kit/log"

	"github.com/cams-exporter/cams_exporter/simulator"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// benchAccount is the account of bench/snapshot.go: the spaces of
// simulator.Generate(1, n, 5), as a refresher keeps them, and their ids.
func benchAccount(n int) (*snapshot.Snapshot, []string) {
	data := simulator.Generate(1, n, 5)
	states := make(map[string]*snapshot.SpaceState, n)
	var ids []string
	for i, sp := range data.Spaces {
		if sp.ID == "" {
			continue
		}
		at := t0.Add(-time.Duration(i%300) * time.Second)
		st := &snapshot.SpaceState{ID: sp.ID, Count: len(sp.Flows), ByCategory: map[string]int{}, HasData: true, Up: true, LastSuccess: at, LastAttempt: at}
		for _, f := range sp.Flows {
			st.FlowIDs = append(st.FlowIDs, f.FlowId)
			for _, c := range slices.Compact(slices.Sorted(slices.Values(f.Categories))) {
				st.ByCategory[c]++
			}
		}
		slices.Sort(st.FlowIDs)
		states[sp.ID], ids = st, append(ids, sp.ID)
	}
	slices.Sort(ids)
	return snapshot.Snapshot{Completed: true}.WithSpaces(states), ids
}

// aMinute is snap after the listings of minute i: 240 spaces (4 calls a
// second), listed again, in the order a pass goes.
func aMinute(snap *snapshot.Snapshot, ids []string, i int) *snapshot.Snapshot {
	changed := make(map[string]*snapshot.SpaceState, 240)
	at := t0.Add(time.Duration(i+1) * time.Minute)
	for k := range 240 {
		id := ids[(i*240+k)%len(ids)]
		st := *snap.Space(id)
		st.LastSuccess, st.LastAttempt = at, at
		changed[id] = &st
	}
	return snap.WithChanged(changed)
}

// fileBytes is the size of the file at path; 0 if there is none.
func fileBytes(path string) int64 {
	info, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return info.Size()
}

// BenchmarkMinuteWrite is the writer's write of a minute's listings at
// 200,000 spaces (240 spaces changed), as the steady state makes one a
// minute: "whole" writes the whole file, as every write did before the
// journal; "journal" appends to the journal. written-B/op is what the write
// wrote. Run it with a fixed count (-benchtime=30x): the journal is folded
// into the file after about 450 such writes at this size, which a long run
// would measure too.
func BenchmarkMinuteWrite(b *testing.B) {
	snap, ids := benchAccount(200_000)
	for _, mode := range []string{"whole", "journal"} {
		b.Run(mode, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "cams.cache")
			current := snap
			w := &Writer{Path: path, Meta: meta, Snapshot: func() *snapshot.Snapshot { return current }, Logger: log.NewNopLogger()}
			if err := w.Write(context.Background()); err != nil {
				b.Fatal(err)
			}
			var written int64
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				current = aMinute(current, ids, i)
				if mode == "whole" {
					w.file.id = "" // as before the journal: the whole file
				}
				before := fileBytes(path + JournalSuffix)
				b.StartTimer()
				if err := w.Write(context.Background()); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if mode == "whole" {
					written += fileBytes(path)
				} else {
					written += fileBytes(path+JournalSuffix) - before
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(written)/float64(b.N), "written-B/op")
			if mode == "journal" && w.wholes.Load() != 1 {
				b.Fatalf("%d writes of the whole file during the run; run it with -benchtime=30x", w.wholes.Load()-1)
			}
		})
	}
}

// BenchmarkRestoreWithJournal restores 200,000 spaces from the file alone,
// and from the file and a journal of 50 minutes' writes (12,000 spaces
// changed).
func BenchmarkRestoreWithJournal(b *testing.B) {
	snap, ids := benchAccount(200_000)
	for _, writes := range []int{0, 50} {
		b.Run(fmt.Sprint(writes, " writes"), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "cams.cache")
			current := snap
			w := &Writer{Path: path, Meta: meta, Snapshot: func() *snapshot.Snapshot { return current }, Logger: log.NewNopLogger()}
			for i := range writes + 1 {
				if i > 0 {
					current = aMinute(current, ids, i)
				}
				if err := w.Write(context.Background()); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				c, err := Read(path, meta)
				if err != nil || len(c.States) != len(ids) || c.Journal != nil {
					b.Fatalf("%v, %v", c, err)
				}
			}
			b.ReportMetric(float64(fileBytes(path)), "file-B")
			b.ReportMetric(float64(fileBytes(path+JournalSuffix)), "journal-B")
		})
	}
}

// aMinuteOfCalls is snap after minute i of the sources' calls at their
// default rates: 480 spaces' numbers and 480 spaces' WABAs (8 calls a
// second each), 240 spaces' health (4 a second), each a new part (a call
// makes one even when the data did not change), in the order a pass goes.
func aMinuteOfCalls(snap *snapshot.Snapshot, ids []string, i int) *snapshot.Snapshot {
	at := t0.Add(time.Duration(i+1) * time.Minute)
	states := slices.Clone(snap.Sources())
	for k, st := range states {
		calls := map[string]int{"phone-numbers": 480, "waba": 480, "messaging-health": 240}[st.Name]
		changed := make(map[string]*snapshot.SpacePart, calls)
		for c := range calls {
			id := ids[(i*calls+c)%len(ids)]
			p := *st.Part(id)
			p.LastSuccess, p.LastAttempt = at, at
			changed[id] = &p
		}
		states[k] = st.WithParts(changed)
	}
	return snap.WithSources(states)
}

// BenchmarkMinuteWriteWithParts is BenchmarkMinuteWrite with the three
// sources on, 3 numbers a space: the write of a minute's listings and
// calls at 200,000 spaces, whole or appended. Run it with -benchtime=5x.
func BenchmarkMinuteWriteWithParts(b *testing.B) {
	spaces, ids := benchAccount(200_000)
	snap := spaces.WithSources(accountParts(ids, 3))
	for _, mode := range []string{"whole", "journal"} {
		b.Run(mode, func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "cams.cache")
			current := snap
			w := &Writer{Path: path, Meta: meta, Snapshot: func() *snapshot.Snapshot { return current }, Logger: log.NewNopLogger()}
			if err := w.Write(context.Background()); err != nil {
				b.Fatal(err)
			}
			var written int64
			for i := 0; b.Loop(); i++ {
				b.StopTimer()
				current = aMinuteOfCalls(aMinute(current, ids, i), ids, i)
				if mode == "whole" {
					w.file.id = ""
				}
				before := fileBytes(path + JournalSuffix)
				b.StartTimer()
				if err := w.Write(context.Background()); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				if mode == "whole" {
					written += fileBytes(path)
				} else {
					written += fileBytes(path+JournalSuffix) - before
				}
				b.StartTimer()
			}
			b.ReportMetric(float64(written)/float64(b.N), "written-B/op")
			if mode == "journal" && w.wholes.Load() != 1 {
				b.Fatalf("%d writes of the whole file during the run", w.wholes.Load()-1)
			}
		})
	}
}
