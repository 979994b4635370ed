package refresh

import (
	"fmt"
	"reflect"
	"testing"
)

func mustStatuses(t *testing.T, statuses []string, checked []int64) *FlowStatuses {
	t.Helper()
	fs, err := NewFlowStatuses(statuses, checked, nil)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// flat lists each flow's status and check time, to compare with what a test
// expects.
func flat(fs *FlowStatuses, n int) ([]string, []int64) { return fs.expand(n) }

func TestNewFlowStatusesRefusesWhatItCannotHold(t *testing.T) {
	many := make([]string, maxStatusNames)
	for i := range many {
		many[i] = fmt.Sprintf("S%02d", i)
	}
	tests := []struct {
		name     string
		statuses []string
		checked  []int64
	}{
		{"lengths differ", []string{"DRAFT"}, []int64{1, 2}},
		{"too many names", many, make([]int64, len(many))},
		{"negative time", []string{"DRAFT"}, []int64{-1}},
	}
	for _, tc := range tests {
		if _, err := NewFlowStatuses(tc.statuses, tc.checked, nil); err == nil {
			t.Errorf("%s: no error", tc.name)
		}
	}
	// One name fewer fits: the unknown status takes the last place. Names
	// are kept sorted whatever the order they come in.
	if _, err := NewFlowStatuses(many[1:], make([]int64, len(many)-1), nil); err != nil {
		t.Errorf("%d statuses: %v", len(many)-1, err)
	}
}

func TestFlowStatusesCounts(t *testing.T) {
	fs := mustStatuses(t, []string{"PUBLISHED", "", "BLOCKED", "PUBLISHED", "DRAFT"}, []int64{10, 0, 30, 40, 50})
	if fs.Known() != 4 || fs.Count("PUBLISHED") != 2 || fs.Count("") != 1 || fs.Count("DEPRECATED") != 0 {
		t.Errorf("known %d, published %d, unknown %d, deprecated %d", fs.Known(), fs.Count("PUBLISHED"), fs.Count(""), fs.Count("DEPRECATED"))
	}
	if got := fs.Names(); !reflect.DeepEqual(got, []string{"BLOCKED", "DRAFT", "PUBLISHED"}) {
		t.Errorf("names %v", got)
	}
	// The space lists 7 flows, 5 of them described: 3 unknown in all.
	want := map[string]int{"DRAFT": 1, "PUBLISHED": 2, "DEPRECATED": 0, "BLOCKED": 1, UnknownStatus: 3}
	if got := fs.ByStatus(7); !reflect.DeepEqual(got, want) {
		t.Errorf("ByStatus(7) = %v, want %v", got, want)
	}
	if oldest, latest, never := fs.CheckSpan(); oldest != 10 || latest != 50 || never != 1 {
		t.Errorf("check span %d..%d, %d never; want 10..50, 1 never", oldest, latest, never)
	}
	var none *FlowStatuses
	if got := none.ByStatus(4); !reflect.DeepEqual(got, map[string]int{"DRAFT": 0, "PUBLISHED": 0, "DEPRECATED": 0, UnknownStatus: 4}) {
		t.Errorf("nil ByStatus(4) = %v", got)
	}
	if none.Known() != 0 || none.Status(3) != "" || none.Checked(3) != 0 || none.Len() != 0 {
		t.Error("a nil FlowStatuses must read as flows never checked")
	}
}

func TestRealignKeepsWhatAListingFindsAgain(t *testing.T) {
	old := mustStatuses(t, []string{"PUBLISHED", "DRAFT", "DEPRECATED", "PUBLISHED"}, []int64{1, 2, 3, 4})
	oldIDs := []string{"a", "b", "c", "d"}
	tests := []struct {
		name        string
		ids         []string
		wantStatus  []string
		wantChecked []int64
	}{
		{"one gone, one new", []string{"a", "c", "e"}, []string{"PUBLISHED", "DEPRECATED", ""}, []int64{1, 3, 0}},
		{"new first", []string{"0", "b"}, []string{"", "DRAFT"}, []int64{0, 2}},
		{"all gone", []string{"x"}, []string{""}, []int64{0}},
		{"empty", nil, []string{}, []int64{}},
		{"listed twice now", []string{"b", "b"}, []string{"DRAFT", ""}, []int64{2, 0}},
	}
	for _, tc := range tests {
		got := old.realign(oldIDs, tc.ids)
		gotStatus, gotChecked := flat(got, len(tc.ids))
		if !reflect.DeepEqual(gotStatus, tc.wantStatus) || !reflect.DeepEqual(gotChecked, tc.wantChecked) || got.Len() != len(tc.ids) {
			t.Errorf("%s: statuses %q checked %v (len %d), want %q %v", tc.name, gotStatus, gotChecked, got.Len(), tc.wantStatus, tc.wantChecked)
		}
	}
	if old.realign(oldIDs, []string{"a", "b", "c", "d"}) != old {
		t.Error("the same flows must keep the same statuses, not a copy")
	}
	var none *FlowStatuses
	if none.realign(oldIDs, []string{"a"}) != nil {
		t.Error("nothing checked must stay nil")
	}
}

func TestWithAppliesResultsToListedFlows(t *testing.T) {
	ids := []string{"a", "b", "b", "c"}
	old := mustStatuses(t, []string{"PUBLISHED", "DRAFT", "DRAFT", ""}, []int64{1, 2, 2, 0})
	denied := &ErrorInfo{Code: "Ram.PermissionDeny"}
	keep := func(s string) string { return s }
	got := old.with(ids, []statusResult{
		{flow: "a", checked: 10, err: denied},          // failed: keeps PUBLISHED
		{flow: "b", checked: 11, status: "DEPRECATED"}, // both b
		{flow: "c", checked: 12, status: ""},           // answered no status: not known
		{flow: "gone", checked: 13, err: &ErrorInfo{Code: "Unknown.ResourceOwnerId"}},
	}, keep)
	statuses, checked := flat(got, len(ids))
	if want := []string{"PUBLISHED", "DEPRECATED", "DEPRECATED", ""}; !reflect.DeepEqual(statuses, want) {
		t.Errorf("statuses %q, want %q", statuses, want)
	}
	if want := []int64{10, 11, 11, 12}; !reflect.DeepEqual(checked, want) {
		t.Errorf("checked %v, want %v", checked, want)
	}
	// The last result of a listed flow succeeded: no error; the failure of
	// a flow no longer listed is none of the space's.
	if got.LastError != nil {
		t.Errorf("last error %+v, want none", got.LastError)
	}
	if again := got.with(ids, []statusResult{{flow: "c", checked: 20, err: denied}}, keep); again.LastError != denied || again.Status(1) != "DEPRECATED" {
		t.Errorf("after a failure: last error %+v, status of b %q", again.LastError, again.Status(1))
	}
	if got.with(ids, []statusResult{{flow: "zz", checked: 30}}, keep) != got {
		t.Error("results for no listed flow must change nothing")
	}
	var none *FlowStatuses
	first := none.with(ids, []statusResult{{flow: "c", checked: 5, status: "BLOCKED"}}, func(string) string { return OtherStatus })
	if first.Status(3) != OtherStatus || first.Known() != 1 || first.Len() != 4 {
		t.Errorf("first check through fold: status %q, known %d, len %d", first.Status(3), first.Known(), first.Len())
	}
}

func TestStatusCap(t *testing.T) {
	var sc statusCap
	var folded uint64
	for _, s := range []string{"DRAFT", "PUBLISHED", "DEPRECATED", OtherStatus, ""} {
		if got := sc.fold(s, &folded); got != s {
			t.Errorf("fold(%q) = %q", s, got)
		}
	}
	for i := range MaxUndocumentedStatuses {
		s := fmt.Sprintf("S%02d", i)
		if got := sc.fold(s, &folded); got != s {
			t.Errorf("fold(%q) = %q, want it kept (%d kept before)", s, got, i)
		}
	}
	if got := sc.fold("LATE", &folded); got != OtherStatus || folded != 1 {
		t.Errorf("past the cap: %q, folded %d", got, folded)
	}
	if got := sc.fold("S03", &folded); got != "S03" {
		t.Errorf("a kept status must stay kept, got %q", got)
	}
	// An answer "_unknown" is no "not known": it counts as another status.
	if got := sc.fold(UnknownStatus, &folded); got != OtherStatus || folded != 2 {
		t.Errorf("fold(%q) = %q, folded %d", UnknownStatus, got, folded)
	}
}
