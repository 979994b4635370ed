package cache

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-kit/log"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

var (
	t0   = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)
	meta = Meta{Endpoint: "https://cams.ap-southeast-1.aliyuncs.com/", FlowName: "", FlowInfo: true}
)

func sampleSnapshot() *snapshot.Snapshot {
	return snapshot.Snapshot{Completed: true, Refreshes: 3}.WithSpaces(map[string]*snapshot.SpaceState{
		"": {ID: "", HasData: true, Up: true, Count: 2, ByCategory: map[string]int{"SURVEY": 2, "SHOPPING": 1},
			FlowIDs: []string{"1", "2"}, Flows: snapshot.NewFlowList([]client.Flow{{FlowID: "1", FlowName: "a", Categories: []string{"SURVEY", "SHOPPING"}}, {FlowID: "2", FlowName: "b", Categories: []string{"SURVEY"}}}),
			LastSuccess: t0.Add(-time.Hour), LastAttempt: t0.Add(-time.Hour),
			Statuses: mustStatuses([]string{"PUBLISHED", ""}, []int64{t0.Unix() - 60, 0}, &snapshot.ErrorInfo{Code: "Ram.PermissionDeny", Class: "permanent"})},
		"cams-failing": {ID: "cams-failing", HasData: true, Up: false, Count: 1, ByCategory: map[string]int{"OTHER": 1}, FlowIDs: []string{"9"},
			LastSuccess: t0.Add(-3 * time.Hour), LastAttempt: t0.Add(-time.Minute),
			LastError: &snapshot.ErrorInfo{Code: "Ram.PermissionDeny", Message: "denied", RequestID: "R1", Class: "permanent"}},
		"cams-never": {ID: "cams-never"},
	})
}

func mustStatuses(statuses []string, checked []int64, lastError *snapshot.ErrorInfo) *snapshot.FlowStatuses {
	fs, err := snapshot.NewFlowStatuses(statuses, checked, lastError)
	if err != nil {
		panic(err)
	}
	return fs
}

func TestRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.json")
	snap := sampleSnapshot()
	if err := Save(path, meta, snap, t0); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path, meta)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["cams-never"] != nil {
		t.Fatalf("restored %d spaces, want the 2 that were listed", len(got))
	}
	for _, id := range []string{"", "cams-failing"} {
		want, restored := *snap.Space(id), *got[id]
		if !reflect.DeepEqual(restored.Flows.Flows(), want.Flows.Flows()) {
			t.Errorf("space %q: flows restored as %+v, want %+v", id, restored.Flows.Flows(), want.Flows.Flows())
		}
		restored.Flows, want.Flows = nil, nil
		if !reflect.DeepEqual(restored, want) {
			t.Errorf("space %q restored as\n%+v\nwant\n%+v", id, restored, want)
		}
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("the directory holds %d files, want only the cache (no temporary file left)", len(entries))
	}
}

func TestLoadRefuses(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	if err := Save(good, meta, sampleSnapshot(), t0); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(good)
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o600)
		return p
	}
	tests := []struct {
		name    string
		path    string
		meta    Meta
		wantErr string
	}{
		{"truncated", write("truncated.json", string(data[:len(data)/2])), meta, "corrupt"},
		{"not JSON", write("garbage.json", "\x00\x01garbage"), meta, "corrupt"},
		{"other version", write("v9.json", strings.Replace(string(data), `"version":4`, `"version":9`, 1)), meta, "format version 9"},
		{"other endpoint", good, Meta{Endpoint: "http://127.0.0.1:1/", FlowInfo: true}, "other settings"},
		{"other flow name", good, Meta{Endpoint: meta.Endpoint, FlowName: "x", FlowInfo: true}, "other settings"},
		{"up without data", write("nodata.json", `{"version":1,"meta":{"endpoint":"https://cams.ap-southeast-1.aliyuncs.com/","flow_name":"","flow_info":true},"spaces":[{"id":"a","up":true,"last_attempt":"2026-11-26T10:00:00Z"}]}`), meta, "up without data"},
		{"statuses for other flows", write("statuses.json", `{"version":2,"meta":{"endpoint":"https://cams.ap-southeast-1.aliyuncs.com/","flow_name":"","flow_info":true},"spaces":[{"id":"a","has_data":true,"count":2,"flow_ids":["1","2"],"flow_status":{"statuses":["DRAFT"],"checked":[5]}}]}`), meta, "1 statuses for 2 flows"},
		{"statuses without times", write("times.json", `{"version":2,"meta":{"endpoint":"https://cams.ap-southeast-1.aliyuncs.com/","flow_name":"","flow_info":true},"spaces":[{"id":"a","has_data":true,"count":1,"flow_ids":["1"],"flow_status":{"statuses":["DRAFT"],"checked":[]}}]}`), meta, "1 statuses for 0 check times"},
		{"negative check time", write("negative.json", `{"version":2,"meta":{"endpoint":"https://cams.ap-southeast-1.aliyuncs.com/","flow_name":"","flow_info":true},"spaces":[{"id":"a","has_data":true,"count":1,"flow_ids":["1"],"flow_status":{"statuses":["DRAFT"],"checked":[-3]}}]}`), meta, "negative"},
		{"version 0", write("v0.json", strings.Replace(string(data), `"version":4`, `"version":0`, 1)), meta, "format version 0; this release reads versions 1 to 4"},
		{"duplicate space", write("dup.json", `{"version":1,"meta":{"endpoint":"https://cams.ap-southeast-1.aliyuncs.com/","flow_name":"","flow_info":true},"spaces":[{"id":"a"},{"id":"a"}]}`), meta, "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Load(tt.path, tt.meta)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) || got != nil {
				t.Errorf("Load = %d spaces, %v; want an error containing %q", len(got), err, tt.wantErr)
			}
		})
	}
	if _, err := Load(good, Meta{Endpoint: "x"}); !errors.Is(err, ErrMismatch) {
		t.Errorf("mismatch is not ErrMismatch: %v", err)
	}
	if got, err := Load(filepath.Join(dir, "missing.json"), meta); got != nil || err != nil {
		t.Errorf("a missing file: %v, %v; want nothing and no error", got, err)
	}
}

func TestSaveFailsCleanlyIntoAMissingDirectory(t *testing.T) {
	err := Save(filepath.Join(t.TempDir(), "no", "such", "dir", "cache.json"), meta, sampleSnapshot(), t0)
	if err == nil {
		t.Fatal("Save into a missing directory succeeded")
	}
}

// The writer writes nothing while no space has a state, writes during a
// pass (before any pass completed) as listings end, and once more at the
// end.
func TestWriterSavesDuringAPassAndAtTheEnd(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.json")
	var mu sync.Mutex
	current := snapshot.Snapshot{Pending: 3}.WithSpaces(map[string]*snapshot.SpaceState{})
	snap := func() *snapshot.Snapshot { mu.Lock(); defer mu.Unlock(); return current }
	set := func(s *snapshot.Snapshot) { mu.Lock(); current = s; mu.Unlock() }
	w, ticks := tickedWriter(path, snap)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx, context.Background()); close(done) }()
	tickAndWait(ticks)
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("a snapshot with nothing listed was written: %v", err)
	}
	// Mid-pass: one space listed, two pending, no pass completed.
	midPass := sampleSnapshot().WithChanged(map[string]*snapshot.SpaceState{"cams-failing": nil})
	midPass.Completed, midPass.Pending = false, 2
	set(midPass)
	tickAndWait(ticks)
	if got, err := Load(path, meta); err != nil || len(got) != 1 || got[""] == nil {
		t.Fatalf("the listings of a pass under way were not written at the tick: %d spaces, %v", len(got), err)
	}
	set(sampleSnapshot())
	cancel()
	<-done // the last save
	got, err := Load(path, meta)
	if err != nil || len(got) != 2 {
		t.Fatalf("after the final save: %d spaces, %v", len(got), err)
	}
	if n := w.writes.Load(); n != 2 {
		t.Errorf("%d writes, want 2 (the tick's and the last)", n)
	}
}

func TestWriterDefaultInterval(t *testing.T) {
	w := &Writer{Path: filepath.Join(t.TempDir(), "c.json"), Snapshot: sampleSnapshot, Logger: log.NewNopLogger()}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	w.Run(ctx, context.Background())
	if w.Interval != time.Minute {
		t.Errorf("default interval %v, want a minute", w.Interval)
	}
}

// A version 1 file (before flow statuses) is migrated: everything but the
// statuses, which are not known yet.
func TestLoadMigratesVersion1(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v1.json")
	v1 := `{"version":1,"meta":{"endpoint":"https://cams.ap-southeast-1.aliyuncs.com/","flow_name":"","flow_info":true},"saved_at":"2026-11-26T10:00:00Z",
	"spaces":[{"id":"cams-a","has_data":true,"up":true,"count":2,"by_category":{"SURVEY":2},"flow_ids":["1","2"],"last_success":"2026-11-26T09:00:00Z","last_attempt":"2026-11-26T09:00:00Z"}]}`
	os.WriteFile(path, []byte(v1), 0o600)
	got, err := Load(path, meta)
	if err != nil {
		t.Fatal(err)
	}
	want := &snapshot.SpaceState{ID: "cams-a", HasData: true, Up: true, Count: 2, ByCategory: map[string]int{"SURVEY": 2}, FlowIDs: []string{"1", "2"},
		LastSuccess: t0.Add(-time.Hour), LastAttempt: t0.Add(-time.Hour)}
	if len(got) != 1 || !reflect.DeepEqual(got["cams-a"], want) {
		t.Errorf("version 1 restored as %+v, want %+v", got["cams-a"], want)
	}
	// Saved again, it is version 4.
	snap := snapshot.Snapshot{}.WithSpaces(got)
	if err := Save(path, meta, snap, t0); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(path); !strings.Contains(string(data), `"version":4`) {
		t.Errorf("saved as %.40s..., want version 4", data)
	}
}

// Flow ids out of order (a file not written by an exporter) are sorted, and
// the statuses, which no longer say which flow they are of, dropped.
func TestLoadSortsFlowIDsAndDropsTheirStatuses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "unsorted.json")
	os.WriteFile(path, []byte(`{"version":2,"meta":{"endpoint":"https://cams.ap-southeast-1.aliyuncs.com/","flow_name":"","flow_info":true},
	"spaces":[{"id":"a","has_data":true,"count":2,"flow_ids":["2","1"],"flow_status":{"statuses":["DRAFT","PUBLISHED"],"checked":[5,6]}}]}`), 0o600)
	got, err := Load(path, meta)
	if err != nil {
		t.Fatal(err)
	}
	if st := got["a"]; !reflect.DeepEqual(st.FlowIDs, []string{"1", "2"}) || st.Statuses != nil {
		t.Errorf("flow ids %v, statuses %v; want sorted and none", st.FlowIDs, st.Statuses)
	}
}
