package refresh

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"strings"
	"testing"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// undocumented returns n category names no one documents, from first.
func undocumented(first, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("CAT_%05d", first+i)
	}
	return out
}

// flowsWith returns one flow per category list.
func flowsWith(cats ...[]string) []client.Flow {
	flows := make([]client.Flow, len(cats))
	for i, c := range cats {
		flows[i] = client.Flow{FlowID: fmt.Sprint("f", i), FlowName: "n", Categories: c}
	}
	return flows
}

func TestCategoryCapFold(t *testing.T) {
	full := undocumented(0, snapshot.MaxUndocumentedCategories)
	tests := []struct {
		name       string
		seen       []string // admitted before, in order
		cats       [][]string
		want       [][]string
		wantFolded uint64
	}{
		{name: "documented only", cats: [][]string{{"SIGN_UP", "OTHER"}}, want: [][]string{{"SIGN_UP", "OTHER"}}},
		{name: "room for all", seen: full[:29], cats: [][]string{{"CAT_00029", "SIGN_IN"}}, want: [][]string{{"CAT_00029", "SIGN_IN"}}},
		{name: "one past the cap", seen: full, cats: [][]string{{"SIGN_UP", "NEW"}}, want: [][]string{{"SIGN_UP", snapshot.OtherCategory}}, wantFolded: 1},
		{name: "several folded values count once per flow", seen: full, cats: [][]string{{"A", "SIGN_UP", "B"}, {"B", "C"}, {"CAT_00003"}},
			want: [][]string{{snapshot.OtherCategory, "SIGN_UP"}, {snapshot.OtherCategory}, {"CAT_00003"}}, wantFolded: 3},
		{name: "first seen first kept within a listing", seen: full[:29], cats: [][]string{{"X"}, {"Y"}, {"X", "Y"}},
			want: [][]string{{"X"}, {snapshot.OtherCategory}, {"X", snapshot.OtherCategory}}, wantFolded: 1},
		{name: "a literal _other is not folded", seen: full, cats: [][]string{{snapshot.OtherCategory, "Z"}}, want: [][]string{{snapshot.OtherCategory}}, wantFolded: 1},
		{name: "no categories", seen: full, cats: [][]string{nil, {}}, want: [][]string{nil, {}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var cc categoryCap
			for _, c := range tt.seen {
				cc.admit(c)
			}
			in := flowsWith(tt.cats...)
			before := fmt.Sprint(in)
			var folded uint64
			out := cc.fold(in, &folded)
			for i, f := range out {
				if !reflect.DeepEqual(f.Categories, tt.want[i]) || f.FlowID != in[i].FlowID {
					t.Errorf("flow %d: %q, want %q", i, f.Categories, tt.want[i])
				}
			}
			if folded != tt.wantFolded {
				t.Errorf("folded %d values, want %d", folded, tt.wantFolded)
			}
			if fmt.Sprint(in) != before {
				t.Errorf("fold changed its input: %v", in)
			}
			if len(cc.kept) > snapshot.MaxUndocumentedCategories {
				t.Errorf("%d categories kept", len(cc.kept))
			}
		})
	}
}

func TestCategoryCapFoldCounts(t *testing.T) {
	var cc categoryCap
	for _, c := range undocumented(0, snapshot.MaxUndocumentedCategories) {
		cc.admit(c)
	}
	var folded uint64
	got := cc.foldCounts(map[string]int{"SIGN_UP": 5, "CAT_00001": 2, "A": 3, "B": 4, snapshot.OtherCategory: 1}, 6, &folded)
	want := map[string]int{"SIGN_UP": 5, "CAT_00001": 2, snapshot.OtherCategory: 6} // 3+4+1 = 8, at most the 6 flows
	if !reflect.DeepEqual(got, want) || folded != 2 {
		t.Errorf("got %v and %d folded, want %v and 2", got, folded, want)
	}
	if got := cc.foldCounts(nil, 3, &folded); got != nil {
		t.Errorf("nil counts gave %v", got)
	}
	// Counts that fold nothing are kept as they are, the very map (a
	// restore of 200,000 spaces would copy them all); an _other count that
	// is not between 1 and the flows is set right, in a copy.
	folded = 0
	for _, tt := range []struct {
		counts, want map[string]int
		same         bool
	}{
		{map[string]int{"SIGN_UP": 5, "CAT_00001": 2, snapshot.OtherCategory: 6}, map[string]int{"SIGN_UP": 5, "CAT_00001": 2, snapshot.OtherCategory: 6}, true},
		{map[string]int{}, map[string]int{}, true},
		{map[string]int{"SIGN_UP": 1, snapshot.OtherCategory: 9}, map[string]int{"SIGN_UP": 1, snapshot.OtherCategory: 6}, false},
		{map[string]int{"SIGN_UP": 1, snapshot.OtherCategory: 0}, map[string]int{"SIGN_UP": 1}, false},
	} {
		before := maps.Clone(tt.counts)
		got := cc.foldCounts(tt.counts, 6, &folded)
		if !reflect.DeepEqual(got, tt.want) || !reflect.DeepEqual(tt.counts, before) || folded != 0 {
			t.Errorf("foldCounts(%v) = %v, %d folded; want %v, none folded, the counts given unchanged", before, got, folded, tt.want)
		}
		if same := reflect.ValueOf(got).UnsafePointer() == reflect.ValueOf(tt.counts).UnsafePointer(); same != tt.same {
			t.Errorf("foldCounts(%v): the same map %v, want %v", before, same, tt.same)
		}
	}
}

// TestTenThousandCategories lists a space whose flows carry 10,000 distinct
// undocumented categories, twice, and a second space with more: the
// snapshot holds the 8 documented categories, the first 30 others and
// _other, whatever the listing, and the counter grows by the values folded
// at each listing.
func TestTenThousandCategories(t *testing.T) {
	cats := undocumented(0, 10000)
	var flowsA []client.Flow
	for i, c := range cats {
		flowsA = append(flowsA, client.Flow{FlowID: fmt.Sprint("a", i), Categories: []string{c, "SIGN_UP"}})
	}
	flowsB := flowsWith([]string{"OTHER"}, undocumented(20000, 5), []string{"CAT_00007"})
	lister := &fakeLister{flows: map[string][]client.Flow{"a": flowsA, "b": flowsB}}
	// a is listed first, alone: spaces listed together finish in any order,
	// and the first categories seen are kept.
	watched := []string{"a"}
	r := New(Config{Lister: lister, Spaces: func() []string { return watched }, Concurrency: 1, KeepFlows: true, PageSize: 100})
	r.Refresh(context.Background())
	watched = []string{"a", "b"}
	snap := r.Refresh(context.Background())

	a, b := snap.Space("a"), snap.Space("b")
	if a.Count != 10000 || a.ByCategory["SIGN_UP"] != 10000 {
		t.Fatalf("space a: %d flows, %d SIGN_UP", a.Count, a.ByCategory["SIGN_UP"])
	}
	kept := 0
	for c, n := range a.ByCategory {
		if strings.HasPrefix(c, "CAT_") {
			kept++
			if n != 1 || c >= "CAT_00030" {
				t.Errorf("category %s kept with %d flows; want only the first 30 seen, CAT_00000 to CAT_00029", c, n)
			}
		}
	}
	if kept != snapshot.MaxUndocumentedCategories || a.ByCategory[snapshot.OtherCategory] != 10000-snapshot.MaxUndocumentedCategories {
		t.Errorf("space a: %d undocumented categories kept, _other %d; want 30 and 9970", kept, a.ByCategory[snapshot.OtherCategory])
	}
	wantB := map[string]int{"OTHER": 1, snapshot.OtherCategory: 1, "CAT_00007": 1}
	if !reflect.DeepEqual(b.ByCategory, wantB) {
		t.Errorf("space b: %v, want %v", b.ByCategory, wantB)
	}
	distinct := map[string]bool{}
	for _, st := range snap.All() {
		for _, f := range st.Flows.All() {
			for _, c := range f.Categories {
				distinct[c] = true
			}
		}
	}
	if len(distinct) > len(client.DocumentedCategories)+snapshot.MaxUndocumentedCategories+1 {
		t.Errorf("kept flows carry %d distinct categories", len(distinct))
	}
	// Each listing of a folds 9,970 values; b, listed once, folds 5.
	if want := uint64(2*9970 + 5); snap.CategoriesFolded != want {
		t.Errorf("CategoriesFolded = %d, want %d", snap.CategoriesFolded, want)
	}
}

// TestRestoreFoldsCategories: a cache holding more categories than the cap
// is bounded when restored too, in the order of the space ids.
func TestRestoreFoldsCategories(t *testing.T) {
	counts := map[string]int{"SIGN_UP": 1}
	for _, c := range undocumented(0, 40) {
		counts[c] = 1
	}
	r := New(Config{Lister: &fakeLister{}, Spaces: spacesFunc("x", "y")})
	r.Restore(map[string]*snapshot.SpaceState{
		"y": {ID: "y", HasData: true, Count: 2, ByCategory: map[string]int{"LATE": 2}},
		"x": {ID: "x", HasData: true, Count: 41, ByCategory: counts,
			Flows: snapshot.NewFlowList(flowsWith(undocumented(35, 2), []string{"SIGN_UP"}))},
	})
	snap := r.Snapshot()
	x, y := snap.Space("x"), snap.Space("y")
	if len(x.ByCategory) != 1+snapshot.MaxUndocumentedCategories+1 || x.ByCategory[snapshot.OtherCategory] != 10 || x.ByCategory["CAT_00029"] != 1 {
		t.Errorf("space x restored with %d categories, _other %d: %v", len(x.ByCategory), x.ByCategory[snapshot.OtherCategory], x.ByCategory)
	}
	if flows := x.Flows.Flows(); !reflect.DeepEqual(flows[0].Categories, []string{snapshot.OtherCategory}) {
		t.Errorf("restored flow of x carries %q", flows[0].Categories)
	}
	if !reflect.DeepEqual(y.ByCategory, map[string]int{snapshot.OtherCategory: 2}) {
		t.Errorf("space y restored with %v; x came first and took every place", y.ByCategory)
	}
	if want := uint64(10 + 2 + 1); snap.CategoriesFolded != want { // x's counts, x's flow, y
		t.Errorf("CategoriesFolded = %d, want %d", snap.CategoriesFolded, want)
	}
}
