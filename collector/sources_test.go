package collector

import (
	"fmt"
	"slices"
	"testing"

	dto "github.com/prometheus/client_model/go"

	"github.com/cams-exporter/cams_exporter/snapshot"
)

// fakeSource has one family for the whole source and one per space, whose
// series carries the space's Data (a string).
type fakeSource struct {
	name                 string
	whole, perSpace      *Family
	wholeName, valueName string
}

func (f *fakeSource) Name() string { return f.name }

func (f *fakeSource) Families(add AddFamily) {
	f.whole = add(false, dto.MetricType_GAUGE, f.wholeName, "Whole.")
	f.perSpace = add(true, dto.MetricType_GAUGE, f.valueName, "Per space.", "space", "value")
}

func (f *fakeSource) SpaceSeries(dst []Series, space string, part *snapshot.SpacePart) []Series {
	return append(dst, NewSeries(f.perSpace, 1, space, part.Data.(string)))
}

// TestPartFamilies checks that PartFamilies names, for each source, the
// families of the series PartSeries gives, and no other: the exposition
// renders a source's parts into these families only.
func TestPartFamilies(t *testing.T) {
	a := &fakeSource{name: "a", wholeName: "test_a_whole", valueName: "test_a_value"}
	b := &fakeSource{name: "b", wholeName: "test_b_whole", valueName: "test_b_value"}
	s := NewSchema(Options{Sources: []SourceSeries{a, b}})
	common := []string{"cams_collector_space_up", "cams_collector_space_last_success_timestamp_seconds", "cams_collector_space_error_info"}
	for _, tt := range []struct {
		source string
		want   []string
	}{
		{"a", append(slices.Clone(common), "test_a_value")},
		{"b", append(slices.Clone(common), "test_b_value")},
		{"c", nil},
	} {
		var got []string
		for _, f := range s.PartFamilies(tt.source) {
			got = append(got, f.Name)
			if !f.PerSpace {
				t.Errorf("%s: family %s is not per space", tt.source, f.Name)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("PartFamilies(%q) = %q, want %q", tt.source, got, tt.want)
		}
	}
	for _, part := range []*snapshot.SpacePart{
		{Up: true, HasData: true, LastSuccess: t0, Data: "x"},
		{LastError: &snapshot.ErrorInfo{Code: "Timeout"}, LastAttempt: t1},
		{HasData: true, LastSuccess: t0, LastError: &snapshot.ErrorInfo{Code: "Ram.PermissionDeny"}, Data: "y"},
	} {
		fams := s.PartFamilies("a")
		for _, sr := range s.PartSeries(nil, "a", "cams-1", part) {
			if !slices.Contains(fams, sr.Family) {
				t.Errorf("PartSeries of %+v: a series of %s, not one of PartFamilies", part, sr.Family.Name)
			}
		}
	}
}

// TestStatusSeries checks the series of a space's status alone, written out
// by hand for each state: up (1 only when up with data), the error's code
// when down, the last success when there is data; the exposition renders a
// space from them alone when only they changed. Every family that holds
// them, and no other, is marked Status.
func TestStatusSeries(t *testing.T) {
	a := &fakeSource{name: "a", wholeName: "test_a_whole", valueName: "test_a_value"}
	s := NewSchema(Options{Sources: []SourceSeries{a}, FlowInfo: true})
	status := map[string]bool{
		"cams_space_up": true, "cams_space_error_info": true, "cams_space_last_success_timestamp_seconds": true,
		"cams_collector_space_up": true, "cams_collector_space_error_info": true, "cams_collector_space_last_success_timestamp_seconds": true,
	}
	for _, f := range s.Families() {
		if f.Status != status[f.Name] {
			t.Errorf("%s: Status %v", f.Name, f.Status)
		}
	}
	text := func(series []Series) []string {
		var out []string
		for _, sr := range series {
			out = append(out, fmt.Sprintf("%s%v %g", sr.Family.Name, sr.LabelValues(), sr.Value))
		}
		return out
	}
	timeout := &snapshot.ErrorInfo{Code: "Timeout"}
	for i, tt := range []struct {
		st   *snapshot.SpaceState
		want []string
	}{
		{spaceB(), []string{"cams_space_up[cams-1] 1", "cams_space_last_success_timestamp_seconds[cams-1] 1.76722563025e+09"}},
		{&snapshot.SpaceState{HasData: true, Up: true, Count: 1, ByCategory: map[string]int{"SIGN_UP": 1}}, []string{"cams_space_up[cams-1] 1"}},
		{&snapshot.SpaceState{LastError: timeout}, []string{"cams_space_up[cams-1] 0", "cams_space_error_info[Timeout cams-1] 1"}},
		{&snapshot.SpaceState{LastSuccess: t0, LastError: timeout}, []string{"cams_space_up[cams-1] 0", "cams_space_error_info[Timeout cams-1] 1"}},
		{&snapshot.SpaceState{HasData: true, LastSuccess: t0, LastError: &snapshot.ErrorInfo{Code: "Throttling.User"}, ByCategory: map[string]int{"OTHER": 2}},
			[]string{"cams_space_up[cams-1] 0", "cams_space_error_info[Throttling.User cams-1] 1", "cams_space_last_success_timestamp_seconds[cams-1] 1.7672256e+09"}},
	} {
		if got := text(s.SpaceStatusSeries(nil, "cams-1", tt.st)); !slices.Equal(got, tt.want) {
			t.Errorf("space %d: SpaceStatusSeries = %q, want %q", i, got, tt.want)
		}
	}
	for i, tt := range []struct {
		part *snapshot.SpacePart
		want []string
	}{
		{&snapshot.SpacePart{Up: true, HasData: true, LastSuccess: t0, Data: "x"},
			[]string{"cams_collector_space_up[a cams-1] 1", "cams_collector_space_last_success_timestamp_seconds[a cams-1] 1.7672256e+09"}},
		{&snapshot.SpacePart{LastError: timeout, LastAttempt: t1},
			[]string{"cams_collector_space_up[a cams-1] 0", "cams_collector_space_error_info[Timeout a cams-1] 1"}},
		{&snapshot.SpacePart{HasData: true, LastSuccess: t0, LastError: &snapshot.ErrorInfo{Code: "Ram.PermissionDeny"}, Data: "y"},
			[]string{"cams_collector_space_up[a cams-1] 0", "cams_collector_space_error_info[Ram.PermissionDeny a cams-1] 1",
				"cams_collector_space_last_success_timestamp_seconds[a cams-1] 1.7672256e+09"}},
	} {
		if got := text(s.PartStatusSeries(nil, "a", "cams-1", tt.part)); !slices.Equal(got, tt.want) {
			t.Errorf("part %d: PartStatusSeries = %q, want %q", i, got, tt.want)
		}
		if got := s.PartStatusSeries(nil, "c", "cams-1", tt.part); got != nil {
			t.Errorf("part %d of a source the schema has not: %v", i, got)
		}
	}
}
