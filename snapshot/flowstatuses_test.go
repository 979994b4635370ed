package snapshot

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
