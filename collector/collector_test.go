package collector

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

var (
	t0 = time.Unix(1767225600, 0)           // 2026-01-01T00:00:00Z
	t1 = time.Unix(1767225630, 250_000_000) // 30.25s later
)

// lint fails t for every problem promlint finds in what c collects.
func lint(t *testing.T, c prometheus.Collector) {
	t.Helper()
	problems, err := testutil.CollectAndLint(c)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("lint: %s: %s", p.Metric, p.Text)
	}
}

// fixture returns header followed by file, both from testdata.
func fixture(t *testing.T, header, file string) io.Reader {
	t.Helper()
	var buf bytes.Buffer
	for _, name := range []string{header, file} {
		b, err := os.ReadFile(filepath.Join("testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	return &buf
}

func static(s *snapshot.Snapshot) func() *snapshot.Snapshot {
	return func() *snapshot.Snapshot { return s }
}

// spaceB is a healthy space with one flow carrying two categories.
func spaceB() *snapshot.SpaceState {
	return &snapshot.SpaceState{
		ID: "cams-b", Count: 1,
		ByCategory: map[string]int{"CUSTOMER_SUPPORT": 1, "CONTACT_US": 1},
		FlowIDs:    []string{"b1"},
		HasData:    true, Up: true, LastSuccess: t1, LastAttempt: t1,
		Added: 4, Removed: 1,
	}
}

// flowInfoSnapshot has kept flows, as the refresher does with KeepFlows.
func flowInfoSnapshot() *snapshot.Snapshot {
	return snapshot.Snapshot{
		Completed: true, LastRefreshDuration: 3 * time.Second, Refreshes: 2, RefreshFailures: 1,
	}.WithSpaces(map[string]*snapshot.SpaceState{
		"": {
			Count:      3,
			ByCategory: map[string]int{"SIGN_UP": 1, "SIGN_IN": 1, "APPOINTMENT_BOOKING": 1, "SHOPPING": 1},
			FlowIDs:    []string{"f1", "f2", "f3"},
			Flows: snapshot.NewFlowList([]client.Flow{
				{FlowID: "f2", FlowName: "Book, then pay", Categories: []string{"SHOPPING", "APPOINTMENT_BOOKING", "APPOINTMENT_BOOKING"}},
				{FlowID: "f1", FlowName: "Sign up", Categories: []string{"SIGN_UP", "SIGN_IN"}},
				{FlowID: "f3", FlowName: "Café"},
			}),
			HasData: true, Up: true, LastSuccess: t1, Added: 1, Removed: 2,
		},
		"cams-a": {
			ID: "cams-a", Count: 1,
			ByCategory: map[string]int{"LEAD_GENERATION": 1},
			FlowIDs:    []string{"f9"},
			Flows:      snapshot.NewFlowList([]client.Flow{{FlowID: "f9", FlowName: "Leads", Categories: []string{"LEAD_GENERATION"}}}),
			HasData:    true, Up: false, LastSuccess: t0,
			LastError: &snapshot.ErrorInfo{Code: "System.LimitControl", Class: "throttled"},
		},
	})
}

func TestCollector(t *testing.T) {
	five := func() float64 { return 5 }
	tests := []struct {
		name     string
		snapshot *snapshot.Snapshot
		opts     Options
		file     string
		only     []string // metric names to compare; all if empty
	}{
		{
			name: "no snapshot yet",
			file: "collector_no_snapshot.prom",
		},
		{
			name: "first pass under way: progressive data, pending spaces silent",
			snapshot: snapshot.Snapshot{
				Pending: 2, ExpectedPassDuration: 2500 * time.Second,
			}.WithSpaces(map[string]*snapshot.SpaceState{
				"cams-b": spaceB(),
				"cams-d": {ID: "cams-d", LastAttempt: t1, LastError: &snapshot.ErrorInfo{Code: "Timeout", Class: "transient"}},
			}),
			opts: Options{StartTime: t0},
			file: "collector_first_pass.prom",
		},
		{
			name: "healthy: overlapping, zero and undocumented categories, own space",
			snapshot: snapshot.Snapshot{
				Completed: true, LastRefreshDuration: 1500 * time.Millisecond, LastRefreshEnd: t1,
				Refreshes: 7, RefreshFailures: 2, CategoriesFolded: 4,
			}.WithSpaces(map[string]*snapshot.SpaceState{
				"": {
					Count:      3,
					ByCategory: map[string]int{"SIGN_UP": 2, "SIGN_IN": 1, "SHOPPING": 1, "OTHER": 1, "_other": 2},
					FlowIDs:    []string{"a", "b", "c"},
					HasData:    true, Up: true, LastSuccess: t0, LastAttempt: t0,
				},
				"cams-b": spaceB(),
			}),
			opts: Options{LimiterRate: five},
			file: "collector_healthy.prom",
		},
		{
			name: "failing space keeps its last data",
			snapshot: snapshot.Snapshot{
				Completed: true, LastRefreshDuration: 2 * time.Second, Refreshes: 8, RefreshFailures: 3,
			}.WithSpaces(map[string]*snapshot.SpaceState{
				"cams-a": {
					ID: "cams-a", Count: 2,
					ByCategory: map[string]int{"SURVEY": 2, "LEAD_GENERATION": 1},
					FlowIDs:    []string{"x", "y"},
					HasData:    true, Up: false, LastSuccess: t0, LastAttempt: t1,
					LastError: &snapshot.ErrorInfo{Code: "Timeout", Class: "transient"},
					Added:     1,
				},
				"cams-b": spaceB(),
			}),
			file: "collector_failing_space.prom",
		},
		{
			name: "never-succeeded space and a space without flows",
			snapshot: snapshot.Snapshot{
				Completed: true, LastRefreshDuration: 250 * time.Millisecond, Refreshes: 1, RefreshFailures: 1,
			}.WithSpaces(map[string]*snapshot.SpaceState{
				"": {HasData: true, Up: true, LastSuccess: t0, LastAttempt: t0},
				"cams-c": {
					ID: "cams-c", LastAttempt: t0,
					LastError: &snapshot.ErrorInfo{Code: "Unknown.ResourceOwnerId", Class: "permanent"},
				},
			}),
			file: "collector_never_succeeded.prom",
		},
		{
			name:     "flow info on",
			snapshot: flowInfoSnapshot(),
			opts:     Options{FlowInfo: true},
			file:     "collector_flow_info.prom",
		},
		{
			name:     "flow info off ignores kept flows",
			snapshot: flowInfoSnapshot(),
			file:     "collector_flow_info_off.prom",
		},
		{
			name: "flow info: one series per flow id",
			snapshot: snapshot.Snapshot{Completed: true}.WithSpaces(map[string]*snapshot.SpaceState{
				"cams-a": {
					Count: 3, HasData: true, Up: true, LastSuccess: t0,
					Flows: snapshot.NewFlowList([]client.Flow{
						{FlowID: "f1", FlowName: "first", Categories: []string{"SIGN_UP"}},
						{FlowID: "f2", FlowName: "other", Categories: []string{"OTHER"}},
						{FlowID: "f1", FlowName: "first", Categories: []string{"SIGN_UP"}},
					}),
				},
			}),
			opts: Options{FlowInfo: true},
			file: "collector_flow_info_duplicate.prom",
			only: []string{"cams_flow_info"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.RefreshInterval = 5 * time.Minute
			c := New(static(tt.snapshot), tt.opts)
			if err := testutil.CollectAndCompare(c, fixture(t, "collector_help.prom", tt.file), tt.only...); err != nil {
				t.Error(err)
			}
			lint(t, c)
		})
	}
}

// TestCollectorSeriesCount checks that without flow info the number of
// series depends on the spaces and categories only, and with it grows by one
// per flow.
func TestCollectorSeriesCount(t *testing.T) {
	const (
		global   = 9                 // cams_up, 3 cams_spaces, expected pass, refreshes, failures, categories folded, refresh duration
		perSpace = 1 + 1 + 2 + 1 + 8 // space_up, last success, 2 changes, flows, 8 documented categories
	)
	for _, spaces := range []int{1, 3, 10} {
		for _, flows := range []int{0, 1, 50} {
			for _, info := range []bool{false, true} {
				states := map[string]*snapshot.SpaceState{}
				for s := range spaces {
					st := &snapshot.SpaceState{HasData: true, Up: true, LastSuccess: t0, Count: flows, ByCategory: map[string]int{}}
					var kept []client.Flow
					for f := range flows {
						cat := DocumentedCategories[f%len(DocumentedCategories)]
						kept = append(kept, client.Flow{FlowID: "f" + strconv.Itoa(f), FlowName: "n", Categories: []string{cat}})
						st.ByCategory[cat]++
					}
					st.Flows = snapshot.NewFlowList(kept)
					states["cams-"+strconv.Itoa(s)] = st
				}
				snap := snapshot.Snapshot{Completed: true}.WithSpaces(states)
				want := global + spaces*perSpace
				if info {
					want += spaces * flows
				}
				got := testutil.CollectAndCount(New(static(snap), Options{FlowInfo: info}))
				if got != want {
					t.Errorf("%d spaces × %d flows, flow info %v: %d series, want %d", spaces, flows, info, got, want)
				}
			}
		}
	}
}

// TestCollectorHelp checks that the HELP of the cached metrics says so and
// quotes the interval, rendered without trailing zero units.
func TestCollectorHelp(t *testing.T) {
	snap := flowInfoSnapshot()
	for _, tt := range []struct {
		interval time.Duration
		want     string
	}{
		{5 * time.Minute, "every 5m,"},
		{time.Hour, "every 1h,"},
		{90 * time.Minute, "every 1h30m,"},
		{90 * time.Second, "every 1m30s,"},
		{30 * time.Second, "every 30s,"},
		{0, "in the background, not"},
	} {
		reg := prometheus.NewPedanticRegistry()
		reg.MustRegister(New(static(snap), Options{FlowInfo: true, RefreshInterval: tt.interval, StartTime: t0}))
		mfs, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		for _, mf := range mfs {
			name, help := mf.GetName(), mf.GetHelp()
			if strings.HasPrefix(name, "cams_refresh") || name == "cams_flow_categories_folded_total" || name == "cams_exporter_start_time_seconds" {
				continue // about the refresher's work, not its data
			}
			if !strings.Contains(help, "Cached") || !strings.Contains(help, tt.want) {
				t.Errorf("interval %v: HELP of %s = %q, want it to mention the cache and %q", tt.interval, name, help, tt.want)
			}
		}
	}
}

func TestDocumentedCategories(t *testing.T) {
	want := "SIGN_UP,SIGN_IN,APPOINTMENT_BOOKING,LEAD_GENERATION,CONTACT_US,CUSTOMER_SUPPORT,SURVEY,OTHER"
	if got := strings.Join(DocumentedCategories, ","); got != want {
		t.Errorf("DocumentedCategories = %s, want %s", got, want)
	}
}

// TestCollectorInvalidUTF8 checks that a label value that is not UTF-8
// does not fail the scrape.
func TestCollectorInvalidUTF8(t *testing.T) {
	snap := snapshot.Snapshot{Completed: true}.WithSpaces(map[string]*snapshot.SpaceState{
		"bad\xff": {
			HasData: true, Up: true, LastSuccess: t0, Count: 1,
			ByCategory: map[string]int{"X\xfe": 1},
			Flows:      snapshot.NewFlowList([]client.Flow{{FlowID: "f\xff", FlowName: "n\xff", Categories: []string{"X\xfe", "A"}}}),
		},
	})
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(New(static(snap), Options{FlowInfo: true}))
	if _, err := reg.Gather(); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkCollect scrapes 1,000 spaces of 10 flows, without flow info.
func BenchmarkCollect(b *testing.B) {
	states := map[string]*snapshot.SpaceState{}
	for s := range 1000 {
		states["cams-"+strconv.Itoa(s)] = &snapshot.SpaceState{
			HasData: true, Up: true, LastSuccess: t0, Count: 10,
			ByCategory: map[string]int{"SIGN_UP": 4, "OTHER": 6, "SHOPPING": 1},
		}
	}
	snap := snapshot.Snapshot{Completed: true}.WithSpaces(states)
	c := New(static(snap), Options{RefreshInterval: time.Minute})
	ch := make(chan prometheus.Metric, 1024)
	done := make(chan struct{})
	go func() {
		for range ch {
		}
		close(done)
	}()
	b.ReportAllocs()
	for b.Loop() {
		c.Collect(ch)
	}
	close(ch)
	<-done
}

// TestSchemaFamilies checks what the exposition relies on: every counter's
// name ends in _total (OpenMetrics names its family without it), indexes
// are positions, and no family is defined twice.
func TestSchemaFamilies(t *testing.T) {
	s := NewSchema(Options{FlowInfo: true, LimiterRate: func() float64 { return 1 }})
	seen := map[string]bool{}
	for i, f := range s.Families() {
		if f.Type == dto.MetricType_COUNTER && !strings.HasSuffix(f.Name, "_total") {
			t.Errorf("counter %s does not end in _total", f.Name)
		}
		if f.Index != i {
			t.Errorf("%s: index %d at position %d", f.Name, f.Index, i)
		}
		if seen[f.Name] {
			t.Errorf("%s defined twice", f.Name)
		}
		seen[f.Name] = true
	}
	if len(seen) != 15 {
		t.Errorf("%d families with flow info and the limiter, want 15", len(seen))
	}
}

// TestSpaceErrorCodeIsBounded checks that cams_space_error_info's code
// label is bounded as cams_api_errors_total's, by the same set: known codes
// pass, a code of an unexpected shape is Other, and of 40 well-formed
// unknown codes, the first MaxExtraErrorCodes let through (one of them by
// the API metrics) keep their name and the others are Other.
func TestSpaceErrorCodeIsBounded(t *testing.T) {
	api := NewAPIMetrics()
	api.ObserveAttempt(client.Attempt{Operation: client.OperationListFlow, Code: "Custom.Code00"})
	states := map[string]*snapshot.SpaceState{
		"known":     {LastError: &snapshot.ErrorInfo{Code: "Ram.PermissionDeny"}},
		"too-many":  {LastError: &snapshot.ErrorInfo{Code: client.CodeTooManyPages}},
		"malformed": {LastError: &snapshot.ErrorInfo{Code: "<b>" + strings.Repeat("x", 500)}},
	}
	for i := range 40 {
		states["s"+strconv.Itoa(i)] = &snapshot.SpaceState{LastError: &snapshot.ErrorInfo{Code: "Custom.Code" + strconv.Itoa(100 + i)[1:]}}
	}
	schema := NewSchema(Options{ErrorCodes: api.Codes()})
	// In the order of the codes, as the first MaxExtraErrorCodes seen are
	// the ones kept.
	ids := []string{"known", "too-many", "malformed"}
	for i := range 40 {
		ids = append(ids, "s"+strconv.Itoa(i))
	}
	labels := map[string]string{}
	for _, id := range ids {
		for _, s := range schema.SpaceSeries(nil, id, states[id]) {
			if s.Family.Name == "cams_space_error_info" {
				labels[id] = s.LabelValues()[0]
			}
		}
	}
	want := map[string]string{"known": "Ram.PermissionDeny", "too-many": "TooManyPages", "malformed": OtherErrorCode}
	for i := range 40 {
		// Custom.Code00 was let through by the API metrics: 29 more keep
		// their name, Custom.Code01 to Custom.Code29.
		code := "Custom.Code" + strconv.Itoa(100 + i)[1:]
		if i >= MaxExtraErrorCodes {
			code = OtherErrorCode
		}
		want["s"+strconv.Itoa(i)] = code
	}
	for id, code := range want {
		if labels[id] != code {
			t.Errorf("space %s (code %.20q): label %q, want %q", id, states[id].LastError.Code, labels[id], code)
		}
	}
}
