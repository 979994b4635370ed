package refresh

import (
	"reflect"
	"slices"
	"testing"
	"unsafe"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// TestApplyKeepsFlowsSortedByID: with flow info the kept flows are sorted
// by id as FlowIDs is, a flow id listed twice keeps its first listing
// first, and the flows added and removed between two listings are counted
// as without flow info, also after a state restored from an older cache
// (flows in listing order).
func TestApplyKeepsFlowsSortedByID(t *testing.T) {
	f := func(id, name string) client.Flow { return client.Flow{FlowID: id, FlowName: name} }
	first := []client.Flow{f("c", "c"), f("a", "a1"), f("b", "b"), f("a", "a2")}
	second := []client.Flow{f("d", "d"), f("b", "b"), f("e", "e")} // a and c removed, d and e added
	var packer snapshot.FlowPacker
	for _, keep := range []bool{false, true} {
		st := listResult{space: "s", flows: first}.apply(nil, keep, &packer)
		if keep {
			kept := st.Flows.Flows()
			if !slices.Equal(st.FlowIDs, []string{"a", "a", "b", "c"}) || !slices.Equal(idsOf(kept), st.FlowIDs) || kept[0].FlowName != "a1" {
				t.Fatalf("kept flows %+v, FlowIDs %q; want both sorted by id, a1 before a2", kept, st.FlowIDs)
			}
		} else if st.Flows != nil || !slices.Equal(st.FlowIDs, []string{"a", "a", "b", "c"}) {
			t.Fatalf("without flow info: flows %+v, FlowIDs %q", st.Flows, st.FlowIDs)
		}
		st = listResult{space: "s", flows: second}.apply(st, keep, &packer)
		if st.Added != 2 || st.Removed != 3 || st.Count != 3 {
			t.Errorf("keep flows %v: added %d, removed %d, count %d; want 2, 3 (a twice, c) and 3", keep, st.Added, st.Removed, st.Count)
		}
	}
	restored := &snapshot.SpaceState{ID: "s", HasData: true, Up: true, Count: 4, FlowIDs: []string{"a", "a", "b", "c"}, Flows: snapshot.NewFlowList(first)}
	st := listResult{space: "s", flows: second}.apply(restored, true, &packer)
	if st.Added != 2 || st.Removed != 3 || !slices.Equal(st.FlowIDs, []string{"b", "d", "e"}) {
		t.Errorf("after an older cache: added %d, removed %d, FlowIDs %q; want 2, 3, [b d e]", st.Added, st.Removed, st.FlowIDs)
	}
}

// TestRestorePacksFlowsSortedByID: flows restored from a cache (packed by
// it, in its order) are packed again by the refresher, sorted by id as a
// listing keeps them, their category lists shared with the listings'; the
// restored FlowIDs become the flows' ids when they name the same, and stay
// when they do not (a file written by hand).
func TestRestorePacksFlowsSortedByID(t *testing.T) {
	flows := []client.Flow{{FlowID: "b", FlowName: "bee", Categories: []string{"SURVEY"}}, {FlowID: "a", FlowName: "ay", Categories: []string{"SIGN_UP"}}}
	r := New(Config{Lister: &fakeLister{}, Spaces: spacesFunc("same", "other", "listed"), KeepFlows: true})
	r.Restore(map[string]*snapshot.SpaceState{
		"same":  {ID: "same", HasData: true, Up: true, Count: 2, FlowIDs: []string{"a", "b"}, Flows: snapshot.NewFlowList(flows)},
		"other": {ID: "other", HasData: true, Up: true, Count: 2, FlowIDs: []string{"a", "c"}, Flows: snapshot.NewFlowList(flows)},
	})
	r.record(listResult{space: "listed", flows: []client.Flow{{FlowID: "z", Categories: []string{"SURVEY"}}}})
	r.flush()
	snap := r.Snapshot()
	same, other, listed := snap.Space("same"), snap.Space("other"), snap.Space("listed")
	want := []client.Flow{flows[1], flows[0]}
	if !reflect.DeepEqual(same.Flows.Flows(), want) || !reflect.DeepEqual(other.Flows.Flows(), want) {
		t.Fatalf("restored flows %+v and %+v, want %+v", same.Flows.Flows(), other.Flows.Flows(), want)
	}
	if unsafe.StringData(same.FlowIDs[0]) != unsafe.StringData(same.Flows.IDs()[0]) || !slices.Equal(other.FlowIDs, []string{"a", "c"}) {
		t.Errorf("FlowIDs %q (shared with the flows: want yes) and %q (want [a c])", same.FlowIDs, other.FlowIDs)
	}
	survey := func(st *snapshot.SpaceState) []string {
		for _, f := range st.Flows.All() {
			if f.Categories[0] == "SURVEY" {
				return f.Categories
			}
		}
		return nil
	}
	if unsafe.SliceData(survey(same)) != unsafe.SliceData(survey(listed)) {
		t.Error("a restored flow's category list is not the one a listing shares")
	}
}
