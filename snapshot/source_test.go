package snapshot

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"
)

// part returns a part that is up or down, as the tests need it.
func part(up bool, data any) *SpacePart {
	p := &SpacePart{Up: up, HasData: data != nil, LastAttempt: time.Unix(100, 0), Data: data}
	if up {
		p.LastSuccess = p.LastAttempt
	} else {
		p.LastError = NewErrorInfo(errors.New("boom"))
	}
	return p
}

// checkSource checks s against the model: every part, lookups of absent
// spaces, Len and Up.
func checkSource(t *testing.T, what string, s *SourceState, want map[string]*SpacePart) {
	t.Helper()
	got := map[string]*SpacePart{}
	for space, p := range s.All() {
		if _, dup := got[space]; dup {
			t.Fatalf("%s: %q yielded twice", what, space)
		}
		got[space] = p
	}
	if !maps.Equal(got, want) {
		t.Fatalf("%s: All yields %d parts, want %d (or other parts)", what, len(got), len(want))
	}
	up := 0
	for space, p := range want {
		if s.Part(space) != p {
			t.Fatalf("%s: Part(%q) = %p, want %p", what, space, s.Part(space), p)
		}
		if p.Up {
			up++
		}
	}
	if s.Part("cams-absent") != nil {
		t.Fatalf("%s: a part of a space never put", what)
	}
	if s.Len() != len(want) || s.Up() != up {
		t.Fatalf("%s: Len %d, Up %d; want %d and %d", what, s.Len(), s.Up(), len(want), up)
	}
}

// collectChanges gathers what s.Changes(since) yields, failing on a space
// yielded twice.
func collectChanges(t *testing.T, s, since *SourceState) map[string]*SpacePart {
	t.Helper()
	got := map[string]*SpacePart{}
	for space, p := range s.Changes(since) {
		if _, dup := got[space]; dup {
			t.Fatalf("change of %q yielded twice", space)
		}
		got[space] = p
	}
	return got
}

// TestSourceStateParts: parts put, replaced, put again unchanged and
// removed, step by step; each version holds what a map given the same
// changes holds, Up counts the parts up, every earlier version stays as it
// was, and Changes from the version before yields exactly what differs.
func TestSourceStateParts(t *testing.T) {
	a1, a2, b1, c1 := part(true, "a1"), part(false, "a1"), part(false, nil), part(true, []int{3})
	steps := []struct {
		name    string
		changed map[string]*SpacePart
		want    map[string]*SpacePart // the parts after the step
		changes map[string]*SpacePart // what Changes from the last version yields
	}{
		{"nothing", nil, map[string]*SpacePart{}, map[string]*SpacePart{}},
		{"first parts", map[string]*SpacePart{"a": a1, "b": b1},
			map[string]*SpacePart{"a": a1, "b": b1}, map[string]*SpacePart{"a": a1, "b": b1}},
		{"a fails, c appears", map[string]*SpacePart{"a": a2, "c": c1},
			map[string]*SpacePart{"a": a2, "b": b1, "c": c1}, map[string]*SpacePart{"a": a2, "c": c1}},
		{"the same parts again", map[string]*SpacePart{"a": a2, "b": b1},
			map[string]*SpacePart{"a": a2, "b": b1, "c": c1}, map[string]*SpacePart{}},
		{"b removed, an absent space removed", map[string]*SpacePart{"b": nil, "zz": nil},
			map[string]*SpacePart{"a": a2, "c": c1}, map[string]*SpacePart{"b": nil}},
		{"a recovers, c removed", map[string]*SpacePart{"a": a1, "c": nil},
			map[string]*SpacePart{"a": a1}, map[string]*SpacePart{"a": a1, "c": nil}},
		{"all removed", map[string]*SpacePart{"a": nil},
			map[string]*SpacePart{}, map[string]*SpacePart{"a": nil}},
	}
	src := NewSourceState("phone-numbers", "QueryChatappPhoneNumbers")
	src.Interval, src.ExpectedPass, src.Folded = 15*time.Minute, time.Minute, 2
	var versions []*SourceState
	var wants []map[string]*SpacePart
	for _, step := range steps {
		next := src.WithParts(step.changed)
		checkSource(t, step.name, next, step.want)
		if got := collectChanges(t, next, src); !maps.Equal(got, step.changes) {
			t.Errorf("%s: Changes = %v, want %v", step.name, got, step.changes)
		}
		if next.Name != "phone-numbers" || next.Operation != "QueryChatappPhoneNumbers" ||
			next.Interval != 15*time.Minute || next.ExpectedPass != time.Minute || next.Folded != 2 {
			t.Errorf("%s: WithParts lost the source's figures: %+v", step.name, next)
		}
		versions, wants = append(versions, next), append(wants, step.want)
		src = next
	}
	for i, v := range versions {
		checkSource(t, "version "+steps[i].name+", at the end", v, wants[i])
	}
	// Changes between versions further apart, both ways, and from nothing.
	third, last := versions[2], versions[len(versions)-1]
	if got := collectChanges(t, last, third); !maps.Equal(got, map[string]*SpacePart{"a": nil, "b": nil, "c": nil}) {
		t.Errorf("last from third: %v", got)
	}
	if got := collectChanges(t, third, last); !maps.Equal(got, wants[2]) {
		t.Errorf("third from last: %v, want its parts", got)
	}
	if got := collectChanges(t, third, nil); !maps.Equal(got, wants[2]) {
		t.Errorf("third from nil: %v, want its parts", got)
	}
	if got := collectChanges(t, third, third); len(got) != 0 {
		t.Errorf("a version from itself: %v", got)
	}
}

// TestSourceStateChangesBetweenUnrelatedStates: two states built apart with
// the same parts differ in nothing; Changes reads both to find it.
func TestSourceStateChangesBetweenUnrelatedStates(t *testing.T) {
	parts := map[string]*SpacePart{}
	for i := range 500 {
		parts[fmt.Sprintf("cams-%d", i)] = part(i%2 == 0, i)
	}
	a := NewSourceState("waba", "QueryChatappBindWaba").WithParts(parts)
	b := NewSourceState("waba", "QueryChatappBindWaba").WithParts(parts)
	if got := collectChanges(t, b, a); len(got) != 0 {
		t.Errorf("%d changes between states with the same parts", len(got))
	}
	moved := part(true, "moved")
	parts["cams-7"] = moved
	delete(parts, "cams-8")
	c := NewSourceState("waba", "QueryChatappBindWaba").WithParts(parts)
	if got := collectChanges(t, c, a); !maps.Equal(got, map[string]*SpacePart{"cams-7": moved, "cams-8": nil}) {
		t.Errorf("changes %v", got)
	}
}

// TestSourceStateChangesAtScale: at 10,000 spaces, a version that changes
// 40 of them (new parts of present spaces, new spaces, removals) yields
// exactly those, and shares every node off their paths with the version
// before: Changes never visits the rest.
func TestSourceStateChangesAtScale(t *testing.T) {
	const spaces = 10000
	all := make(map[string]*SpacePart, spaces)
	for i := range spaces {
		all[fmt.Sprintf("cams-%d", i)] = part(i%3 != 0, i)
	}
	before := NewSourceState("messaging-health", "GetWhatsappHealthStatus").WithParts(all)
	changed := map[string]*SpacePart{}
	for i := range 40 {
		switch space := fmt.Sprintf("cams-%d", i*241); i % 3 {
		case 0:
			changed[space] = part(true, "new data")
		case 1:
			changed[space] = nil
		default:
			changed[fmt.Sprintf("cams-new-%d", i)] = part(false, nil)
		}
	}
	after := before.WithParts(changed)
	if got := collectChanges(t, after, before); !maps.Equal(got, changed) {
		t.Fatalf("%d changes, want the %d made (or other parts)", len(got), len(changed))
	}
	pathNodes := 0
	for space := range changed {
		pathNodes += max(pathLength(after.parts.root, hashID(space)), pathLength(before.parts.root, hashID(space)))
	}
	if shared, total := sharedNodes(before.parts.root, after.parts.root); total-shared > pathNodes {
		t.Errorf("%d of %d nodes new for %d changes; at most their %d path nodes may be", total-shared, total, len(changed), pathNodes)
	}
	wantUp := 0
	for space, p := range all {
		if c, ok := changed[space]; ok {
			p = c
		}
		if p != nil && p.Up {
			wantUp++
		}
	}
	for space, p := range changed {
		if _, old := all[space]; !old && p.Up {
			wantUp++
		}
	}
	if after.Up() != wantUp || before.Up() != spaces-(spaces+2)/3 {
		t.Errorf("Up %d before, %d after; want %d and %d", before.Up(), after.Up(), spaces-(spaces+2)/3, wantUp)
	}
}

// TestSnapshotSources: a snapshot's sources, in wiring order, looked up by
// name; nil for a source off and without sources; nil states left out; the
// spaces shared with the snapshot it was made from.
func TestSnapshotSources(t *testing.T) {
	phones := NewSourceState("phone-numbers", "QueryChatappPhoneNumbers")
	waba := NewSourceState("waba", "QueryChatappBindWaba")
	base := Snapshot{Pending: 2}.WithSpaces(map[string]*SpaceState{"cams-a": {ID: "cams-a", Up: true, HasData: true}})
	tests := []struct {
		name    string
		sources []*SourceState
		want    []*SourceState
	}{
		{"none", nil, nil},
		{"empty", []*SourceState{}, nil},
		{"only nil", []*SourceState{nil}, nil},
		{"one", []*SourceState{waba}, []*SourceState{waba}},
		{"wiring order", []*SourceState{waba, nil, phones}, []*SourceState{waba, phones}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			given := slices.Clone(tt.sources)
			s := base.WithSources(given)
			if got := s.Sources(); !slices.Equal(got, tt.want) || (tt.want == nil) != (got == nil) {
				t.Fatalf("Sources() = %v, want %v", got, tt.want)
			}
			for _, name := range []string{"phone-numbers", "waba", "messaging-health"} {
				var want *SourceState
				for _, src := range tt.want {
					if src.Name == name {
						want = src
					}
				}
				if got := s.Source(name); got != want {
					t.Errorf("Source(%q) = %p, want %p", name, got, want)
				}
			}
			if len(given) > 0 {
				given[0] = phones // the caller's slice is not the snapshot's
				if !slices.Equal(s.Sources(), tt.want) {
					t.Errorf("changing the slice given changed the snapshot's sources")
				}
			}
			if s.Pending != 2 || s.Len() != 1 || s.Space("cams-a") != base.Space("cams-a") || s.Counts() != base.Counts() {
				t.Errorf("the spaces changed: pending %d, %d spaces", s.Pending, s.Len())
			}
			if base.Sources() != nil {
				t.Errorf("WithSources changed the snapshot it copied")
			}
		})
	}
	var empty Snapshot
	if empty.Sources() != nil || empty.Source("waba") != nil {
		t.Error("a snapshot without sources has some")
	}
	// Sources survive the refresher's way of publishing spaces.
	withSpaces := base.WithSources([]*SourceState{phones}).WithChanged(map[string]*SpaceState{"cams-b": {ID: "cams-b"}})
	if withSpaces.Source("phone-numbers") != phones {
		t.Error("WithChanged lost the sources")
	}
	if withTables := base.WithSources([]*SourceState{phones}).WithTables(NewSpaceTableBuilder().Freeze(), SpaceTable{}); withTables.Source("phone-numbers") != phones || withTables.Len() != 0 {
		t.Error("WithTables lost the sources or kept the spaces")
	}
}
