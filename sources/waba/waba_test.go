package waba

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/engine"
)

type fakeAPI map[string]any // space -> *client.WABA or error

func (f fakeAPI) QueryBindWaba(_ context.Context, space string) (*client.WABA, error) {
	switch v := f[space].(type) {
	case *client.WABA:
		return v, nil
	case error:
		return nil, v
	}
	return nil, errors.New("no such space")
}

func TestWABASeries(t *testing.T) {
	denied := &client.Error{Code: "Ram.PermissionDeny", Message: "denied"}
	api := fakeAPI{
		"bound":   &client.WABA{ID: "waba-1", BusinessID: "biz-1", AccountReviewStatus: "APPROVED", Name: "Shop"},
		"unbound": fmt.Errorf("wrapped: %w", client.ErrNoWABA),
		"denied":  denied,
	}
	src := New(api, 0)
	schema := collector.NewSchema(collector.Options{Sources: []collector.SourceSeries{&Series{}}})
	now := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		space string
		want  []string
	}{
		{"bound", []string{"cams_collector_space_up[waba bound] 1", "cams_collector_space_last_success_timestamp_seconds[waba bound] 1.7965152e+09",
			"cams_waba_bound[bound] 1", "cams_waba_info[APPROVED biz-1 bound waba-1] 1"}},
		// A space without a WABA is up: a state, not a failure.
		{"unbound", []string{"cams_collector_space_up[waba unbound] 1", "cams_collector_space_last_success_timestamp_seconds[waba unbound] 1.7965152e+09",
			"cams_waba_bound[unbound] 0"}},
		{"denied", []string{"cams_collector_space_up[waba denied] 0", "cams_collector_space_error_info[Ram.PermissionDeny waba denied] 1"}},
	} {
		t.Run(tc.space, func(t *testing.T) {
			value, err := src.Call(context.Background(), engine.Task{Space: tc.space})
			part := src.Apply(tc.space, nil, []engine.Done{{Task: engine.Task{Space: tc.space}, At: now, Value: value, Err: err}}, nil)
			var got []string
			for _, s := range schema.PartSeries(nil, Name, tc.space, part) {
				got = append(got, fmt.Sprintf("%s%v %g", s.Family.Name, s.LabelValues(), s.Value))
			}
			slices.Sort(got)
			slices.Sort(tc.want)
			if !slices.Equal(got, tc.want) {
				t.Errorf("series:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestFailureKeepsTheLastWABA(t *testing.T) {
	api := fakeAPI{"s": &client.WABA{ID: "waba-1", BusinessID: "biz-1", AccountReviewStatus: "REJECTED"}}
	src := New(api, 0)
	t0 := time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)
	value, err := src.Call(context.Background(), engine.Task{Space: "s"})
	part := src.Apply("s", nil, []engine.Done{{Task: engine.Task{Space: "s"}, At: t0, Value: value, Err: err}}, nil)
	api["s"] = &client.Error{Code: "System.LimitControl", Message: "slow down"}
	value, err = src.Call(context.Background(), engine.Task{Space: "s"})
	part = src.Apply("s", part, []engine.Done{{Task: engine.Task{Space: "s"}, At: t0.Add(time.Hour), Value: value, Err: err}}, nil)
	if w, bound := Of(part.Data); part.Up || !bound || w.ID != "waba-1" || w.AccountReviewStatus != "REJECTED" {
		t.Errorf("after a failure: up %v, waba %+v; want down with the last WABA", part.Up, w)
	}
}

func TestUndocumentedReviewStatusIsKeptThenFolded(t *testing.T) {
	api := fakeAPI{}
	src := New(api, 0)
	var last string
	for i := range 32 {
		api["s"] = &client.WABA{ID: "w", AccountReviewStatus: fmt.Sprint("STATUS_", i)}
		v, err := src.Call(context.Background(), engine.Task{Space: "s"})
		if err != nil {
			t.Fatal(err)
		}
		w, _ := Of(v)
		last = w.AccountReviewStatus
		if i == 29 && last != "STATUS_29" {
			t.Fatalf("30th undocumented value kept as %q", last)
		}
	}
	if last != "_other" || src.Folded() != 2 {
		t.Errorf("32nd value kept as %q with %d folded; want _other and 2", last, src.Folded())
	}
}
