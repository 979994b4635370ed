package collector

import (
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

// TestStatusSeries checks that the status series of a space's flows and
// of a source's part are the series of the families named cams_space_up,
// _error_info and _last_success_timestamp_seconds (cams_collector_space_*
// for a part) among all of its series, no more, no fewer: the exposition
// renders a space from them alone when only they changed.
func TestStatusSeries(t *testing.T) {
	a := &fakeSource{name: "a", wholeName: "test_a_whole", valueName: "test_a_value"}
	s := NewSchema(Options{Sources: []SourceSeries{a}, FlowInfo: true})
	status := map[string]bool{
		"cams_space_up": true, "cams_space_error_info": true, "cams_space_last_success_timestamp_seconds": true,
		"cams_collector_space_up": true, "cams_collector_space_error_info": true, "cams_collector_space_last_success_timestamp_seconds": true,
	}
	statusOf := func(all []Series) []Series {
		var out []Series
		for _, sr := range all {
			if status[sr.Family.Name] {
				out = append(out, sr)
			}
		}
		return out
	}
	for _, f := range s.Families() {
		if f.Status != status[f.Name] {
			t.Errorf("%s: Status %v", f.Name, f.Status)
		}
	}
	for i, st := range []*snapshot.SpaceState{
		spaceB(),
		{HasData: true, Up: true, Count: 1, ByCategory: map[string]int{"SIGN_UP": 1}},
		{LastError: &snapshot.ErrorInfo{Code: "Timeout"}},
		{LastSuccess: t0, LastError: &snapshot.ErrorInfo{Code: "Timeout"}},
		{HasData: true, LastSuccess: t0, LastError: &snapshot.ErrorInfo{Code: "Throttling.User"}, ByCategory: map[string]int{"OTHER": 2}},
	} {
		if got, want := s.SpaceStatusSeries(nil, "cams-1", st), statusOf(s.SpaceSeries(nil, "cams-1", st)); !slices.Equal(got, want) {
			t.Errorf("space %d: SpaceStatusSeries = %v, want %v", i, got, want)
		}
	}
	for i, part := range []*snapshot.SpacePart{
		{Up: true, HasData: true, LastSuccess: t0, Data: "x"},
		{LastError: &snapshot.ErrorInfo{Code: "Timeout"}, LastAttempt: t1},
		{HasData: true, LastSuccess: t0, LastError: &snapshot.ErrorInfo{Code: "Ram.PermissionDeny"}, Data: "y"},
	} {
		if got, want := s.PartStatusSeries(nil, "a", "cams-1", part), statusOf(s.PartSeries(nil, "a", "cams-1", part)); !slices.Equal(got, want) {
			t.Errorf("part %d: PartStatusSeries = %v, want %v", i, got, want)
		}
		if got := s.PartStatusSeries(nil, "c", "cams-1", part); got != nil {
			t.Errorf("part %d of a source the schema has not: %v", i, got)
		}
	}
}
