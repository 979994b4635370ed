package snapshot

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// frozenTable is a table frozen during a test and what it must hold for
// ever after.
type frozenTable struct {
	t    spaceTable
	want map[string]*SpaceState
}

// checkTable checks t against want: every entry, lookups of present and
// absent ids, the counts.
func checkTable(t *testing.T, what string, tab spaceTable, want map[string]*SpaceState, absent []string) {
	t.Helper()
	got := map[string]*SpaceState{}
	for id, st := range tab.all() {
		if _, dup := got[id]; dup {
			t.Fatalf("%s: %q yielded twice", what, id)
		}
		got[id] = st
	}
	if !maps.Equal(got, want) {
		t.Fatalf("%s: holds %d entries, want %d (or other states)", what, len(got), len(want))
	}
	up := 0
	for id, st := range want {
		if tab.get(id) != st {
			t.Fatalf("%s: get(%q) = %p, want %p", what, id, tab.get(id), st)
		}
		if st.Up {
			up++
		}
	}
	for _, id := range absent {
		if _, ok := want[id]; !ok && tab.get(id) != nil {
			t.Fatalf("%s: get(%q) of an absent id is not nil", what, id)
		}
	}
	if tab.len != len(want) || tab.up != up {
		t.Fatalf("%s: len %d, up %d; want %d and %d", what, tab.len, tab.up, len(want), up)
	}
	noData := 0
	for _, st := range want {
		if !st.HasData {
			noData++
		}
	}
	if tab.noData != noData {
		t.Fatalf("%s: %d without data, want %d", what, tab.noData, noData)
	}
}

// checkChanges checks that b.changes(a) yields exactly the ids whose state
// differs between the models, each once, with its state in b (nil: gone).
func checkChanges(t *testing.T, what string, a, b spaceTable, wantA, wantB map[string]*SpaceState) {
	t.Helper()
	want := map[string]*SpaceState{}
	for id, st := range wantB {
		if wantA[id] != st {
			want[id] = st
		}
	}
	for id := range wantA {
		if _, ok := wantB[id]; !ok {
			want[id] = nil
		}
	}
	got := map[string]*SpaceState{}
	for id, st := range b.changes(a) {
		if _, dup := got[id]; dup {
			t.Fatalf("%s: change of %q yielded twice", what, id)
		}
		got[id] = st
	}
	if !maps.Equal(got, want) {
		t.Fatalf("%s: %d changes, want %d (or other states)", what, len(got), len(want))
	}
}

// runTableModel applies random batches of puts (new ids, new states of
// present ids, the same state again) and removes (present and absent ids)
// to a builder and to a map, and checks after each batch the frozen table,
// its changes from the one before and from one built from nothing with the
// same entries, and at the end that no frozen table changed.
func runTableModel(t *testing.T, seed uint64, ids, batches, perBatch int) {
	rng := rand.New(rand.NewPCG(seed, 1))
	universe := make([]string, ids)
	for i := range universe {
		universe[i] = fmt.Sprintf("cams-%d", i)
	}
	model := map[string]*SpaceState{}
	b := newTableBuilder(spaceTable{})
	var frozen []frozenTable
	prev := frozenTable{want: map[string]*SpaceState{}}
	for batch := range batches {
		n := 1 + rng.IntN(perBatch)
		if batch == 0 {
			n = ids / 2 // a restore: many entries in one batch
		}
		for range n {
			id := universe[rng.IntN(ids)]
			switch op := rng.IntN(10); {
			case op < 6:
				st := &SpaceState{ID: id, Up: rng.IntN(3) > 0, HasData: rng.IntN(4) > 0,
					LastSuccess: time.Unix(0, 0).Add(time.Duration(rng.IntN(1000)) * time.Second)}
				if old := b.put(id, st); old != model[id] {
					t.Fatalf("batch %d: put(%q) replaced %p, want %p", batch, id, old, model[id])
				}
				model[id] = st
			case op < 7 && model[id] != nil:
				if old := b.put(id, model[id]); old != model[id] {
					t.Fatalf("batch %d: put(%q) of its own state replaced %p", batch, id, old)
				}
			default:
				if old := b.remove(id); old != model[id] {
					t.Fatalf("batch %d: remove(%q) = %p, want %p", batch, id, old, model[id])
				}
				delete(model, id)
			}
		}
		cur := frozenTable{t: b.freeze(), want: maps.Clone(model)}
		what := fmt.Sprintf("batch %d", batch)
		checkTable(t, what, cur.t, cur.want, universe)
		checkChanges(t, what+" from the last", prev.t, cur.t, prev.want, cur.want)
		checkChanges(t, what+" to the last", cur.t, prev.t, cur.want, prev.want)
		scratch := Snapshot{}.WithSpaces(model).spaces
		checkTable(t, what+" from nothing", scratch, cur.want, universe)
		checkChanges(t, what+" against the one from nothing", scratch, cur.t, cur.want, cur.want)
		if batch%7 == 0 {
			frozen = append(frozen, cur)
		}
		prev = cur
	}
	for i, f := range frozen {
		checkTable(t, fmt.Sprintf("frozen table %d, at the end", i), f.t, f.want, universe)
	}
	if len(frozen) > 1 {
		first, last := frozen[0], frozen[len(frozen)-1]
		checkChanges(t, "first to last frozen", first.t, last.t, first.want, last.want)
	}
}

// TestSpaceTableMatchesAMap: a table made by batches of changes always
// holds what a map given the same changes holds, yields as changes exactly
// what differs, equals one built from nothing, and a frozen table never
// changes, whatever came after it.
func TestSpaceTableMatchesAMap(t *testing.T) {
	for _, tt := range []struct{ ids, batches, perBatch int }{
		{5, 50, 3},
		{300, 200, 20},
		{5000, 60, 200},
	} {
		t.Run(fmt.Sprintf("%d ids", tt.ids), func(t *testing.T) {
			runTableModel(t, uint64(tt.ids), tt.ids, tt.batches, tt.perBatch)
		})
	}
}

// TestSpaceTableCollidingHashes does the same when ids share hash bits at
// every level or their whole hash: paths to the last level, leaves beyond
// leafMax there.
func TestSpaceTableCollidingHashes(t *testing.T) {
	saved := hashID
	t.Cleanup(func() { hashID = saved })
	for name, h := range map[string]func(string) uint64{
		"three hashes":        func(id string) uint64 { return uint64(len(id) % 3) },
		"low bits only":       func(id string) uint64 { return saved(id) & 0x3ff },
		"shared first levels": func(id string) uint64 { return saved(id) &^ 0xfffff },
	} {
		t.Run(name, func(t *testing.T) {
			hashID = h
			runTableModel(t, 7, 400, 80, 15)
		})
	}
}

// TestSpaceTableChangeCopiesOnePath: once frozen, changing one entry of a
// large table makes a new table sharing every node off that entry's path,
// so that its changes are found without visiting the rest.
func TestSpaceTableChangeCopiesOnePath(t *testing.T) {
	b := newTableBuilder(spaceTable{})
	for i := range 200000 {
		id := fmt.Sprintf("cams-%d", i)
		b.put(id, &SpaceState{ID: id})
	}
	before := b.freeze()
	b.put("cams-77", &SpaceState{ID: "cams-77", Up: true})
	after := b.freeze()
	shared, total := sharedNodes(before.root, after.root)
	depth := pathLength(after.root, hashID("cams-77"))
	if total-shared != depth {
		t.Errorf("%d of %d nodes new after one change, want the %d of its path", total-shared, total, depth)
	}
	if depth > 6 {
		t.Errorf("a path of %d nodes for 200,000 entries, want at most 6", depth)
	}
	var changed []string
	for id := range after.changes(before) {
		changed = append(changed, id)
	}
	if !slices.Equal(changed, []string{"cams-77"}) {
		t.Errorf("changes = %q, want cams-77 alone", changed)
	}
}

// sharedNodes counts the nodes of b, and those of them that a holds too.
func sharedNodes[V tableValue](a, b *tableNode[V]) (shared, total int) {
	inA := map[*tableNode[V]]bool{}
	var mark func(n *tableNode[V])
	mark = func(n *tableNode[V]) {
		inA[n] = true
		for _, c := range n.children {
			mark(c)
		}
	}
	mark(a)
	var count func(n *tableNode[V])
	count = func(n *tableNode[V]) {
		total++
		if inA[n] {
			shared++
		}
		for _, c := range n.children {
			count(c)
		}
	}
	count(b)
	return shared, total
}

func pathLength[V tableValue](n *tableNode[V], hash uint64) int {
	length := 0
	for depth := 0; n != nil; depth++ {
		length++
		if n.leaf {
			break
		}
		n = n.child(slot(hash, depth))
	}
	return length
}

// benchTable returns a frozen table of n spaces, and their ids.
func benchTable(n int) (spaceTable, []string) {
	b := newTableBuilder(spaceTable{})
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf("cams-%d", i)
		b.put(ids[i], &SpaceState{ID: ids[i], Up: i%3 > 0, HasData: true})
	}
	return b.freeze(), ids
}

// BenchmarkTableBuild builds a table of 10,000 spaces from nothing, as a
// restore does.
func BenchmarkTableBuild(b *testing.B) {
	states := make([]*SpaceState, 10000)
	ids := make([]string, len(states))
	for i := range states {
		ids[i] = fmt.Sprintf("cams-%d", i)
		states[i] = &SpaceState{ID: ids[i], Up: true}
	}
	b.ReportAllocs()
	for b.Loop() {
		t := newTableBuilder(spaceTable{})
		for i, id := range ids {
			t.put(id, states[i])
		}
		t.freeze()
	}
}

// BenchmarkTablePutFreeze changes one space of 200,000 and freezes: a
// publish's table work.
func BenchmarkTablePutFreeze(b *testing.B) {
	tab, ids := benchTable(200000)
	t := newTableBuilder(tab)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i += 7919
		id := ids[i%len(ids)]
		t.put(id, &SpaceState{ID: id, Up: i%2 == 0})
		t.freeze()
	}
}

// BenchmarkTableGet looks spaces up in a table of 200,000.
func BenchmarkTableGet(b *testing.B) {
	tab, ids := benchTable(200000)
	i := 0
	for b.Loop() {
		i += 7919
		if tab.get(ids[i%len(ids)]) == nil {
			b.Fatal("missing")
		}
	}
}

// BenchmarkTableChanges finds 10 changed spaces among 200,000.
func BenchmarkTableChanges(b *testing.B) {
	before, ids := benchTable(200000)
	t := newTableBuilder(before)
	for i := range 10 {
		id := ids[i*19997]
		t.put(id, &SpaceState{ID: id})
	}
	after := t.freeze()
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for range after.changes(before) {
			n++
		}
		if n != 10 {
			b.Fatalf("%d changes, want 10", n)
		}
	}
}

// BenchmarkTableAll walks a table of 200,000 spaces.
func BenchmarkTableAll(b *testing.B) {
	tab, _ := benchTable(200000)
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		for range tab.all() {
			n++
		}
		if n != 200000 {
			b.Fatalf("%d entries", n)
		}
	}
}
