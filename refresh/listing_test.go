package refresh

import (
	"reflect"
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
	got := compactFlows(in)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("compactFlows = %+v, want %+v", got, want)
	}
	if cap(got) != len(got) || cap(got[0].Categories) != 2 || cap(got[2].Categories) != 1 {
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
