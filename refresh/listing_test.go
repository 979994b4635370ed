package refresh

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/cams-exporter/cams_exporter/client"
)

func TestCompactFlows(t *testing.T) {
	// Decoded flows: slack in the slice and in each flow's categories, and
	// a copy of each category string.
	in := make([]client.Flow, 0, 8)
	in = append(in,
		client.Flow{FlowID: "f1", FlowName: "one", Categories: append(make([]string, 0, 4), strings.Clone("SIGN_UP"), strings.Clone("SURVEY"))},
		client.Flow{FlowID: "f2", FlowName: "two"},
		client.Flow{FlowID: "f3", FlowName: "three", Categories: append(make([]string, 0, 4), strings.Clone("SIGN_UP"))},
	)
	want := []client.Flow{
		{FlowID: "f1", FlowName: "one", Categories: []string{"SIGN_UP", "SURVEY"}},
		{FlowID: "f2", FlowName: "two"},
		{FlowID: "f3", FlowName: "three", Categories: []string{"SIGN_UP"}},
	}
	got := compactFlows(in, &catLists{})
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("compactFlows = %+v, want %+v", got, want)
	}
	if cap(got) != len(got) || cap(got[0].Categories) > 2 || cap(got[2].Categories) > 1 {
		t.Errorf("capacities %d, %d, %d: want exact sizes", cap(got), cap(got[0].Categories), cap(got[2].Categories))
	}
	if unsafe.StringData(got[0].Categories[0]) != unsafe.StringData(got[2].Categories[0]) {
		t.Error("the two SIGN_UP strings are not shared")
	}
	// Appending to one flow's categories must not write into the next's.
	_ = append(got[0].Categories, "X")
	if got[2].Categories[0] != "SIGN_UP" {
		t.Errorf("appending to f1's categories changed f3's: %q", got[2].Categories)
	}
}

// TestCategoryListsAreShared: flows of any space carrying the same category
// list share one list; lists that differ only in where their values split
// are told apart; once maxSharedLists are shared, a new list is kept with
// its space's flows, and the lists shared before still are.
func TestCategoryListsAreShared(t *testing.T) {
	var lists catLists
	flows := func(cats ...[]string) []client.Flow {
		out := make([]client.Flow, len(cats))
		for i, c := range cats {
			out[i] = client.Flow{FlowID: fmt.Sprint(i), Categories: slices.Clone(c)}
		}
		return out
	}
	a := compactFlows(flows([]string{"SIGN_UP"}, []string{"ab", "c"}, []string{"SIGN_UP"}), &lists)
	b := compactFlows(flows([]string{"a", "bc"}, []string{"SIGN_UP"}, []string{"ab", "c"}), &lists)
	same := func(x, y []string) bool { return unsafe.SliceData(x) == unsafe.SliceData(y) }
	if !same(a[0].Categories, a[2].Categories) || !same(a[0].Categories, b[1].Categories) || !same(a[1].Categories, b[2].Categories) {
		t.Error("equal category lists are not shared, within a space and between spaces")
	}
	if same(a[1].Categories, b[0].Categories) || !slices.Equal(b[0].Categories, []string{"a", "bc"}) {
		t.Errorf("[ab c] and [a bc] were taken for one list: %q", b[0].Categories)
	}
	for i := len(lists.lists); i < maxSharedLists; i++ {
		lists.share([]string{fmt.Sprint("X", i)})
	}
	c := compactFlows(flows([]string{"NEW", "ONE"}, []string{"SIGN_UP"}, []string{"NEW", "ONE"}), &lists)
	if len(lists.lists) != maxSharedLists || !same(c[1].Categories, a[0].Categories) {
		t.Errorf("%d lists shared, want %d; a list shared before is no longer", len(lists.lists), maxSharedLists)
	}
	if !slices.Equal(c[0].Categories, []string{"NEW", "ONE"}) || !slices.Equal(c[2].Categories, []string{"NEW", "ONE"}) || same(c[0].Categories, c[2].Categories) {
		t.Errorf("lists past the bound: %q and %q, want their own", c[0].Categories, c[2].Categories)
	}
	// Appending to one flow's list must not write into the next's.
	_ = append(c[0].Categories, "X")
	if c[2].Categories[0] != "NEW" {
		t.Errorf("appending to a list past the bound changed the next: %q", c[2].Categories)
	}
}

// TestApplyKeepsFlowsSortedByID: with flow info the kept flows are sorted
// by id as FlowIDs is, a flow id listed twice keeps its first listing
// first, and the flows added and removed between two listings are counted
// as without flow info, also after a state restored from an older cache
// (flows in listing order).
func TestApplyKeepsFlowsSortedByID(t *testing.T) {
	f := func(id, name string) client.Flow { return client.Flow{FlowID: id, FlowName: name} }
	first := []client.Flow{f("c", "c"), f("a", "a1"), f("b", "b"), f("a", "a2")}
	second := []client.Flow{f("d", "d"), f("b", "b"), f("e", "e")} // a and c removed, d and e added
	var lists catLists
	for _, keep := range []bool{false, true} {
		st := listResult{space: "s", flows: first}.apply(nil, keep, &lists)
		if keep {
			if !slices.Equal(st.FlowIDs, []string{"a", "a", "b", "c"}) || !slices.Equal(idsOf(st.Flows), st.FlowIDs) || st.Flows[0].FlowName != "a1" {
				t.Fatalf("kept flows %+v, FlowIDs %q; want both sorted by id, a1 before a2", st.Flows, st.FlowIDs)
			}
		} else if st.Flows != nil || !slices.Equal(st.FlowIDs, []string{"a", "a", "b", "c"}) {
			t.Fatalf("without flow info: flows %+v, FlowIDs %q", st.Flows, st.FlowIDs)
		}
		st = listResult{space: "s", flows: second}.apply(st, keep, &lists)
		if st.Added != 2 || st.Removed != 3 || st.Count != 3 {
			t.Errorf("keep flows %v: added %d, removed %d, count %d; want 2, 3 (a twice, c) and 3", keep, st.Added, st.Removed, st.Count)
		}
	}
	restored := &SpaceState{ID: "s", HasData: true, Up: true, Count: 4, FlowIDs: []string{"a", "a", "b", "c"}, Flows: slices.Clone(first)}
	st := listResult{space: "s", flows: second}.apply(restored, true, &lists)
	if st.Added != 2 || st.Removed != 3 || !slices.Equal(st.FlowIDs, []string{"b", "d", "e"}) {
		t.Errorf("after an older cache: added %d, removed %d, FlowIDs %q; want 2, 3, [b d e]", st.Added, st.Removed, st.FlowIDs)
	}
}
