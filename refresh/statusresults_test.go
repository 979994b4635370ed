package refresh

import (
	"fmt"
	"reflect"
	"testing"

	"github.com/cams-exporter/cams_exporter/snapshot"
)

func mustStatuses(t *testing.T, statuses []string, checked []int64) *snapshot.FlowStatuses {
	t.Helper()
	fs, err := snapshot.NewFlowStatuses(statuses, checked, nil)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

// flat lists each flow's status and check time, to compare with what a test
// expects.
func flat(fs *snapshot.FlowStatuses, n int) ([]string, []int64) { return expand(fs, n) }

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
		got := realign(old, oldIDs, tc.ids)
		gotStatus, gotChecked := flat(got, len(tc.ids))
		if !reflect.DeepEqual(gotStatus, tc.wantStatus) || !reflect.DeepEqual(gotChecked, tc.wantChecked) || got.Len() != len(tc.ids) {
			t.Errorf("%s: statuses %q checked %v (len %d), want %q %v", tc.name, gotStatus, gotChecked, got.Len(), tc.wantStatus, tc.wantChecked)
		}
	}
	if realign(old, oldIDs, []string{"a", "b", "c", "d"}) != old {
		t.Error("the same flows must keep the same statuses, not a copy")
	}
	var none *snapshot.FlowStatuses
	if realign(none, oldIDs, []string{"a"}) != nil {
		t.Error("nothing checked must stay nil")
	}
}

func TestWithAppliesResultsToListedFlows(t *testing.T) {
	ids := []string{"a", "b", "b", "c"}
	old := mustStatuses(t, []string{"PUBLISHED", "DRAFT", "DRAFT", ""}, []int64{1, 2, 2, 0})
	denied := &snapshot.ErrorInfo{Code: "Ram.PermissionDeny"}
	keep := func(s string) string { return s }
	got := withResults(old, ids, []statusResult{
		{flow: "a", checked: 10, err: denied},          // failed: keeps PUBLISHED
		{flow: "b", checked: 11, status: "DEPRECATED"}, // both b
		{flow: "c", checked: 12, status: ""},           // answered no status: not known
		{flow: "gone", checked: 13, err: &snapshot.ErrorInfo{Code: "Unknown.ResourceOwnerId"}},
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
	if again := withResults(got, ids, []statusResult{{flow: "c", checked: 20, err: denied}}, keep); again.LastError != denied || again.Status(1) != "DEPRECATED" {
		t.Errorf("after a failure: last error %+v, status of b %q", again.LastError, again.Status(1))
	}
	if withResults(got, ids, []statusResult{{flow: "zz", checked: 30}}, keep) != got {
		t.Error("results for no listed flow must change nothing")
	}
	var none *snapshot.FlowStatuses
	first := withResults(none, ids, []statusResult{{flow: "c", checked: 5, status: "BLOCKED"}}, func(string) string { return snapshot.OtherStatus })
	if first.Status(3) != snapshot.OtherStatus || first.Known() != 1 || first.Len() != 4 {
		t.Errorf("first check through fold: status %q, known %d, len %d", first.Status(3), first.Known(), first.Len())
	}
}

func TestStatusCap(t *testing.T) {
	var sc statusCap
	var folded uint64
	for _, s := range []string{"DRAFT", "PUBLISHED", "DEPRECATED", snapshot.OtherStatus, ""} {
		if got := sc.fold(s, &folded); got != s {
			t.Errorf("fold(%q) = %q", s, got)
		}
	}
	for i := range snapshot.MaxUndocumentedStatuses {
		s := fmt.Sprintf("S%02d", i)
		if got := sc.fold(s, &folded); got != s {
			t.Errorf("fold(%q) = %q, want it kept (%d kept before)", s, got, i)
		}
	}
	if got := sc.fold("LATE", &folded); got != snapshot.OtherStatus || folded != 1 {
		t.Errorf("past the cap: %q, folded %d", got, folded)
	}
	if got := sc.fold("S03", &folded); got != "S03" {
		t.Errorf("a kept status must stay kept, got %q", got)
	}
	// An answer "_unknown" is no "not known": it counts as another status.
	if got := sc.fold(snapshot.UnknownStatus, &folded); got != snapshot.OtherStatus || folded != 2 {
		t.Errorf("fold(%q) = %q, folded %d", snapshot.UnknownStatus, got, folded)
	}
}
