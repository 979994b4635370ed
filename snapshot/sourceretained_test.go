package snapshot

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"testing"
	"time"
)

// partsModel is what a source's state keeps, as two maps: the watched
// spaces' parts and the retained ones (never both).
type partsModel struct {
	parts    map[string]*SpacePart
	retained map[string]KeptPart
}

func (m partsModel) kept() map[string]KeptPart {
	all := maps.Clone(m.retained)
	for space, p := range m.parts {
		all[space] = KeptPart{Part: p}
	}
	return all
}

// wantPartChanges is what KeptChanges must yield from a to b: every space
// whose kept part differs (its part, or since when it is retained), with
// its kept part in b (a zero one: kept no more).
func wantPartChanges(a, b partsModel) map[string]KeptPart {
	ka, kb := a.kept(), b.kept()
	want := map[string]KeptPart{}
	for space, k := range kb {
		if old, ok := ka[space]; !ok || !sameKept(old, k) {
			want[space] = k
		}
	}
	for space := range ka {
		if _, ok := kb[space]; !ok {
			want[space] = KeptPart{}
		}
	}
	return want
}

func gotPartChanges(t *testing.T, what string, s, since *SourceState) map[string]KeptPart {
	t.Helper()
	got := map[string]KeptPart{}
	for space, k := range s.KeptChanges(since) {
		if _, dup := got[space]; dup {
			t.Fatalf("%s: %q yielded twice", what, space)
		}
		got[space] = k
	}
	return got
}

// checkRetained checks s against the model: the state's parts are the
// watched ones alone (All, Part, Len, Up: what readers see), the retained
// ones are Retained's, and Kept yields both.
func checkRetained(t *testing.T, what string, s *SourceState, m partsModel) {
	t.Helper()
	checkSource(t, what, s, m.parts)
	got := map[string]KeptPart{}
	for space, k := range s.Retained() {
		got[space] = *k
		if s.RetainedPart(space) != k {
			t.Fatalf("%s: RetainedPart(%q) is not the part Retained yields", what, space)
		}
	}
	if !maps.EqualFunc(got, m.retained, sameKept) || s.RetainedLen() != len(m.retained) {
		t.Fatalf("%s: %d retained (RetainedLen %d), want %d (or other parts)", what, len(got), s.RetainedLen(), len(m.retained))
	}
	kept := map[string]KeptPart{}
	for space, k := range s.Kept() {
		if _, dup := kept[space]; dup {
			t.Fatalf("%s: Kept yields %q twice", what, space)
		}
		kept[space] = k
	}
	if !maps.EqualFunc(kept, m.kept(), sameKept) {
		t.Fatalf("%s: Kept yields %d parts, want %d (or other parts)", what, len(kept), len(m.kept()))
	}
}

// A source's retained parts, checked against maps after each of the moves
// a runner makes: a space called (a new part), one that leaves the list
// (its part retained since then, or not known gone if the list is not
// complete, which is no change to the cache), one back (the same part
// watched again), one forgotten, one restored retained. Each batch's state
// is compared with the one before, with one several batches older and
// with nothing; the parts readers see are the watched ones alone.
func TestSourceStateRetainedParts(t *testing.T) {
	for _, tt := range []struct {
		name                 string
		spaces, batches, per int
	}{
		{"few spaces, many moves", 20, 300, 6},
		{"10,000 spaces", 10_000, 60, 300},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(tt.spaces), 11))
			t0 := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
			model := partsModel{map[string]*SpacePart{}, map[string]KeptPart{}}
			state := NewSourceState("phone-numbers", "QueryChatappPhoneNumbers")
			var states []*SourceState
			var models []partsModel
			prev := partsModel{parts: map[string]*SpacePart{}}
			for batch := range tt.batches {
				now := t0.Add(time.Duration(batch) * time.Minute)
				changed, retained := map[string]*SpacePart{}, map[string]*KeptPart{}
				for range 1 + rng.IntN(tt.per) {
					space := fmt.Sprintf("cams-%d", rng.IntN(tt.spaces))
					if _, done := changed[space]; done {
						continue
					}
					if _, done := retained[space]; done {
						continue
					}
					p, watched := model.parts[space]
					k, isRetained := model.retained[space]
					switch op := rng.IntN(7); {
					case op == 0 && watched: // left the list
						changed[space], retained[space] = nil, &KeptPart{Part: p, RetainedSince: now}
						delete(model.parts, space)
						model.retained[space] = KeptPart{Part: p, RetainedSince: now}
					case op == 5 && watched: // left a list not complete: not known gone
						changed[space], retained[space] = nil, &KeptPart{Part: p}
						delete(model.parts, space)
						model.retained[space] = KeptPart{Part: p}
					case op == 6 && isRetained && k.RetainedSince.IsZero(): // the list became complete
						retained[space] = &KeptPart{Part: k.Part, RetainedSince: now}
						model.retained[space] = KeptPart{Part: k.Part, RetainedSince: now}
					case op == 1 && isRetained: // back within its grace
						changed[space], retained[space] = k.Part, nil
						delete(model.retained, space)
						model.parts[space] = k.Part
					case op == 2 && isRetained: // forgotten
						retained[space] = nil
						delete(model.retained, space)
					case op == 3 && !watched: // restored retained, from before
						k := KeptPart{Part: part(true, space), RetainedSince: now.Add(-time.Hour)}
						retained[space] = &k
						model.retained[space] = k
					case !isRetained: // called
						np := part(rng.IntN(2) == 0, batch)
						changed[space] = np
						model.parts[space] = np
					}
				}
				next := state.WithParts(changed).WithRetained(retained)
				m := partsModel{maps.Clone(model.parts), maps.Clone(model.retained)}
				checkRetained(t, fmt.Sprintf("batch %d", batch), next, m)
				if len(states) > 0 {
					what := fmt.Sprintf("batch %d from %d", batch, batch-1)
					if got, want := gotPartChanges(t, what, next, states[batch-1]), wantPartChanges(models[batch-1], m); !maps.EqualFunc(got, want, sameKept) {
						t.Fatalf("%s: %d changes, want %d (or other parts)", what, len(got), len(want))
					}
				}
				if older := batch - 7; older >= 0 {
					what := fmt.Sprintf("batch %d from %d", batch, older)
					if got, want := gotPartChanges(t, what, next, states[older]), wantPartChanges(models[older], m); !maps.EqualFunc(got, want, sameKept) {
						t.Fatalf("%s: %d changes, want %d (or other parts)", what, len(got), len(want))
					}
				}
				none := partsModel{map[string]*SpacePart{}, map[string]KeptPart{}}
				if got, want := gotPartChanges(t, "from nothing", next, nil), wantPartChanges(none, m); !maps.EqualFunc(got, want, sameKept) {
					t.Fatalf("batch %d from nothing: %d changes, want %d", batch, len(got), len(want))
				}
				if n := len(gotPartChanges(t, "from itself", next, next)); n != 0 {
					t.Fatalf("batch %d: %d changes from itself", batch, n)
				}
				// The watched parts' own changes ignore the retained.
				if got, want := collectChanges(t, next, state), changedParts(prev, m); !maps.Equal(got, want) {
					t.Fatalf("batch %d: Changes yields %d, want the %d watched parts that changed", batch, len(got), len(want))
				}
				states, models, state, prev = append(states, next), append(models, m), next, m
			}
		})
	}
}

// changedParts is what Changes yields from a to b: the watched parts that
// differ, nil for those no longer watched.
func changedParts(a, b partsModel) map[string]*SpacePart {
	want := map[string]*SpacePart{}
	for space, p := range b.parts {
		if a.parts[space] != p {
			want[space] = p
		}
	}
	for space := range a.parts {
		if _, ok := b.parts[space]; !ok {
			want[space] = nil
		}
	}
	return want
}

// WithRetained keeps the source's figures and parts, and changes neither
// the state it copies nor the readers' counts.
func TestWithRetainedKeepsTheRest(t *testing.T) {
	a := part(true, "a")
	src := NewSourceState("waba", "QueryChatappBindWaba").WithParts(map[string]*SpacePart{"cams-a": a})
	src.Interval, src.ExpectedPass, src.Folded = time.Hour, time.Minute, 3
	since := time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	next := src.WithRetained(map[string]*KeptPart{"cams-b": {Part: part(true, "b"), RetainedSince: since}})
	if next.Name != "waba" || next.Operation != "QueryChatappBindWaba" || next.Interval != time.Hour || next.ExpectedPass != time.Minute || next.Folded != 3 {
		t.Errorf("WithRetained lost the source's figures: %+v", next)
	}
	if next.Len() != 1 || next.Up() != 1 || next.Part("cams-a") != a || next.Part("cams-b") != nil {
		t.Errorf("readers see %d parts, %d up, cams-b %v; want cams-a alone", next.Len(), next.Up(), next.Part("cams-b"))
	}
	if src.RetainedLen() != 0 || next.RetainedLen() != 1 || !next.RetainedPart("cams-b").RetainedSince.Equal(since) {
		t.Errorf("retained: %d in the copied state, %d in the copy", src.RetainedLen(), next.RetainedLen())
	}
	if n := len(collectChanges(t, next, src)); n != 0 {
		t.Errorf("Changes yields %d for a part retained, want none: readers never see it", n)
	}
}
