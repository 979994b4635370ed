package snapshot

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"testing"
)

// keptModel is what a snapshot keeps, as two maps: the watched spaces and
// the retained ones (never both).
type keptModel struct {
	spaces, retained map[string]*SpaceState
}

func (m keptModel) kept() map[string]*SpaceState {
	all := maps.Clone(m.spaces)
	maps.Copy(all, m.retained)
	return all
}

// wantKeptChanges is what KeptChanges must yield from a to b: every id
// whose kept state differs, with its state in b (nil: kept no more).
func wantKeptChanges(a, b keptModel) map[string]*SpaceState {
	ka, kb := a.kept(), b.kept()
	want := map[string]*SpaceState{}
	for id, st := range kb {
		if ka[id] != st {
			want[id] = st
		}
	}
	for id := range ka {
		if _, ok := kb[id]; !ok {
			want[id] = nil
		}
	}
	return want
}

func gotKeptChanges(t *testing.T, what string, s, since *Snapshot) map[string]*SpaceState {
	t.Helper()
	got := map[string]*SpaceState{}
	for id, st := range s.KeptChanges(since) {
		if _, dup := got[id]; dup {
			t.Fatalf("%s: %q yielded twice", what, id)
		}
		got[id] = st
	}
	return got
}

// KeptChanges, checked against the maps of what two snapshots keep, after
// each of the moves the refresher makes: a watched space listed, added or
// removed from the list (retained with its state), re-added (watched again
// with it), forgotten, a retained state replaced (a restore). Each batch's
// snapshot is compared with the one before, with one several batches older
// and with nothing.
func TestKeptChanges(t *testing.T) {
	for _, tt := range []struct {
		name              string
		ids, batches, per int
	}{
		{"few spaces, many moves", 20, 300, 6},
		{"10,000 spaces", 10_000, 60, 300},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(tt.ids), 7))
			model := keptModel{map[string]*SpaceState{}, map[string]*SpaceState{}}
			spaces, retained := newTableBuilder(spaceTable{}), newTableBuilder(spaceTable{})
			var snaps []*Snapshot
			var models []keptModel
			for batch := range tt.batches {
				for range 1 + rng.IntN(tt.per) {
					id := fmt.Sprintf("cams-%d", rng.IntN(tt.ids))
					st, watched := model.spaces[id]
					kept, isRetained := model.retained[id]
					switch op := rng.IntN(6); {
					case op == 0 && watched: // removed from the list: retained as it was
						spaces.remove(id)
						delete(model.spaces, id)
						retained.put(id, st)
						model.retained[id] = st
					case op == 1 && isRetained: // re-added within its grace
						retained.remove(id)
						delete(model.retained, id)
						spaces.put(id, kept)
						model.spaces[id] = kept
					case op == 2 && isRetained: // forgotten
						retained.remove(id)
						delete(model.retained, id)
					case op == 3 && isRetained: // a retained state replaced
						st := &SpaceState{ID: id}
						retained.put(id, st)
						model.retained[id] = st
					case op == 4 && watched: // left and not retained
						spaces.remove(id)
						delete(model.spaces, id)
					case !isRetained: // listed, or added and listed
						st := &SpaceState{ID: id, HasData: true, Up: rng.IntN(2) == 0}
						spaces.put(id, st)
						model.spaces[id] = st
					}
				}
				snap := &Snapshot{spaces: spaces.freeze(), retained: retained.freeze()}
				m := keptModel{maps.Clone(model.spaces), maps.Clone(model.retained)}
				if batch > 0 {
					what := fmt.Sprintf("batch %d from %d", batch, batch-1)
					if got, want := gotKeptChanges(t, what, snap, snaps[batch-1]), wantKeptChanges(models[batch-1], m); !maps.Equal(got, want) {
						t.Fatalf("%s: %d changes, want %d (or other states)", what, len(got), len(want))
					}
				}
				if older := batch - 7; older >= 0 {
					what := fmt.Sprintf("batch %d from %d", batch, older)
					if got, want := gotKeptChanges(t, what, snap, snaps[older]), wantKeptChanges(models[older], m); !maps.Equal(got, want) {
						t.Fatalf("%s: %d changes, want %d (or other states)", what, len(got), len(want))
					}
				}
				none := keptModel{map[string]*SpaceState{}, map[string]*SpaceState{}}
				if got, want := gotKeptChanges(t, "from nothing", snap, nil), wantKeptChanges(none, m); !maps.Equal(got, want) {
					t.Fatalf("batch %d from nothing: %d changes, want %d", batch, len(got), len(want))
				}
				if n := len(gotKeptChanges(t, "from itself", snap, snap)); n != 0 {
					t.Fatalf("batch %d: %d changes from itself", batch, n)
				}
				snaps, models = append(snaps, snap), append(models, m)
			}
		})
	}
}
