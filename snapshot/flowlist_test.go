package snapshot

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unsafe"

	"github.com/cams-exporter/cams_exporter/client"
)

// TestFlowListHoldsWhatItPacked: packed flows read back as they were, in
// their order: odd, empty, invalid UTF-8 and long texts (lengths of several
// bytes), no categories (nil) and an empty list told apart, a flow id
// twice; their ids are parts of one string.
func TestFlowListHoldsWhatItPacked(t *testing.T) {
	long := strings.Repeat("ü", 200)
	in := []client.Flow{
		{FlowID: "f2", FlowName: "two", Categories: []string{"SIGN_UP", "SURVEY"}},
		{FlowID: "", FlowName: ""},
		{FlowID: "f\xff", FlowName: "bad \xfe\n", Categories: []string{}},
		{FlowID: long, FlowName: long + long, Categories: []string{long, ""}},
		{FlowID: "f2", FlowName: "two again", Categories: []string{"SURVEY", "SIGN_UP"}},
		{FlowID: "f1", FlowName: "one", Categories: []string{"SIGN_UP", "SURVEY"}},
	}
	l := NewFlowList(slices.Clone(in))
	if l.Len() != len(in) || !reflect.DeepEqual(l.Flows(), in) {
		t.Fatalf("packed and read back:\n%q\nwant\n%q", l.Flows(), in)
	}
	for i, f := range l.All() {
		if f.Categories == nil != (in[i].Categories == nil) {
			t.Errorf("flow %d: categories %#v, want %#v", i, f.Categories, in[i].Categories)
		}
	}
	ids := l.IDs()
	if !slices.Equal(ids, idsOf(in)) {
		t.Fatalf("IDs = %q, want %q", ids, idsOf(in))
	}
	if !strings.Contains(l.packed, ids[3]) || unsafe.StringData(ids[5]) != unsafe.StringData(l.packed[strings.LastIndex(l.packed, "f1"):]) {
		t.Error("the ids are not parts of the packed string")
	}
	var none *FlowList
	if none.Len() != 0 || none.Flows() != nil || none.IDs() != nil || NewFlowList(nil) != nil {
		t.Error("a nil FlowList holds flows")
	}
	for range none.All() {
		t.Error("a nil FlowList yields a flow")
	}
}

// TestPackSortedSortsByID: flows packed for a state are sorted by id, a
// flow id listed twice keeps its order, and the flows given are not
// changed.
func TestPackSortedSortsByID(t *testing.T) {
	in := []client.Flow{{FlowID: "c"}, {FlowID: "a", FlowName: "a1"}, {FlowID: "b"}, {FlowID: "a", FlowName: "a2"}}
	given := slices.Clone(in)
	var p FlowPacker
	got := p.PackSorted(in).Flows()
	want := []client.Flow{{FlowID: "a", FlowName: "a1"}, {FlowID: "a", FlowName: "a2"}, {FlowID: "b"}, {FlowID: "c"}}
	if !reflect.DeepEqual(got, want) || !reflect.DeepEqual(in, given) {
		t.Errorf("packed %+v from %+v; want %+v, the flows given unchanged", got, in, want)
	}
}

// TestPackingAllocatesItsTextOnce: once its category lists are shared, a
// space's flows cost three allocations however many they are: the order
// of their ids, their packed text and the list itself.
func TestPackingAllocatesItsTextOnce(t *testing.T) {
	flows := make([]client.Flow, 1000)
	for i := range flows {
		flows[i] = client.Flow{FlowID: fmt.Sprint(1e15 + float64(i)), FlowName: fmt.Sprint("appointment booking ", i), Categories: []string{"SIGN_UP", "SURVEY"}[:1+i%2]}
	}
	var p FlowPacker
	p.PackSorted(flows)
	if n := testing.AllocsPerRun(10, func() { p.PackSorted(flows) }); n > 3 {
		t.Errorf("packing 1,000 flows made %v allocations, want 3", n)
	}
}

// TestCategoryListsAreShared: flows of any space carrying the same category
// list share one list; lists that differ only in where their values split
// are told apart; once maxSharedLists are shared, a new list is kept with
// its space's flows, and the lists shared before still are.
func TestCategoryListsAreShared(t *testing.T) {
	var p FlowPacker
	flows := func(cats ...[]string) []client.Flow {
		out := make([]client.Flow, len(cats))
		for i, c := range cats {
			out[i] = client.Flow{FlowID: fmt.Sprint(i), Categories: slices.Clone(c)}
		}
		return out
	}
	a := p.Pack(flows([]string{"SIGN_UP"}, []string{"ab", "c"}, []string{"SIGN_UP"})).Flows()
	b := p.Pack(flows([]string{"a", "bc"}, []string{"SIGN_UP"}, []string{"ab", "c"})).Flows()
	same := func(x, y []string) bool { return unsafe.SliceData(x) == unsafe.SliceData(y) }
	if !same(a[0].Categories, a[2].Categories) || !same(a[0].Categories, b[1].Categories) || !same(a[1].Categories, b[2].Categories) {
		t.Error("equal category lists are not shared, within a space and between spaces")
	}
	if same(a[1].Categories, b[0].Categories) || !slices.Equal(b[0].Categories, []string{"a", "bc"}) {
		t.Errorf("[ab c] and [a bc] were taken for one list: %q", b[0].Categories)
	}
	for i := len(p.index); i < maxSharedLists; i++ {
		p.share([]string{fmt.Sprint("X", i)})
	}
	c := p.Pack(flows([]string{"NEW", "ONE"}, []string{"SIGN_UP"}, []string{"NEW", "ONE"})).Flows()
	if len(p.index) != maxSharedLists || !same(c[1].Categories, a[0].Categories) {
		t.Errorf("%d lists shared, want %d; a list shared before is no longer", len(p.index), maxSharedLists)
	}
	if !slices.Equal(c[0].Categories, []string{"NEW", "ONE"}) || !slices.Equal(c[2].Categories, []string{"NEW", "ONE"}) || same(c[0].Categories, c[2].Categories) {
		t.Errorf("lists past the bound: %q and %q, want their own", c[0].Categories, c[2].Categories)
	}
	if unsafe.StringData(c[0].Categories[0]) != unsafe.StringData(c[2].Categories[0]) {
		t.Error("the category strings of lists past the bound are not shared")
	}
	// Appending to one flow's list must not write into the next's.
	_ = append(c[0].Categories, "X")
	_ = append(a[0].Categories, "X")
	if c[2].Categories[0] != "NEW" || a[1].Categories[0] != "ab" {
		t.Errorf("appending to a list changed the next: %q, %q", c[2].Categories, a[1].Categories)
	}
}

// TestFlowListsAreReadWhileTheirPackerPacksMore: a published list is read
// (by scrapes) while the refresher packs other spaces' flows and shares new
// lists, past the bound too; the race detector watches.
func TestFlowListsAreReadWhileTheirPackerPacksMore(t *testing.T) {
	var p FlowPacker
	first := p.Pack([]client.Flow{{FlowID: "1", Categories: []string{"SIGN_UP"}}, {FlowID: "2", Categories: []string{"SURVEY"}}})
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		for {
			select {
			case <-stop:
				return
			default:
			}
			for _, f := range first.All() {
				if len(f.Categories) != 1 {
					t.Errorf("flow %s carries %q", f.FlowID, f.Categories)
					return
				}
			}
		}
	}()
	for i := range maxSharedLists + 100 {
		p.Pack([]client.Flow{{FlowID: "x", Categories: []string{fmt.Sprint("C", i)}}})
	}
	close(stop)
	<-done
}

// idsOf returns the ids of flows, in their order.
func idsOf(flows []client.Flow) []string {
	ids := make([]string, len(flows))
	for i, f := range flows {
		ids[i] = f.FlowID
	}
	return ids
}
