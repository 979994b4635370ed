package health

import (
	"encoding/json"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/snapshot"
)

// /status with flow statuses: per space, its counts by status summing to
// its flows, the span of its checks, and GetFlow's failure, which leaves
// the space up; as a whole, the checks' interval, pass, limiter and
// counts. Without the checks, nothing of them.
func TestStatusFlowStatus(t *testing.T) {
	denied := &snapshot.ErrorInfo{Code: "Ram.PermissionDeny", Message: "no cams:GetFlow", RequestID: "R-7"}
	known, err := snapshot.NewFlowStatuses([]string{"PUBLISHED", "", "DRAFT"}, []int64{t0.Unix() - 600, 0, t0.Unix() - 60}, nil)
	if err != nil {
		t.Fatal(err)
	}
	failing, err := snapshot.NewFlowStatuses([]string{""}, []int64{t0.Unix() - 30}, denied)
	if err != nil {
		t.Fatal(err)
	}
	a, b, c, never := space("cams-a", true, time.Minute), space("cams-b", true, time.Minute), space("cams-c", true, time.Minute), space("cams-x", false, -1)
	a.Statuses = known               // 3 flows: 1 published, 1 draft, 1 never checked
	b.Count, b.Statuses = 1, failing // 1 flow, its check denied
	c.Count = 2                      // 2 flows never checked
	snap := snapOf(a, b, c, never)
	snap.FlowStatus = snapshot.FlowStatusTotals{ExpectedPass: 1500 * time.Millisecond, Folded: 3}
	checker := Checker{Snapshot: func() *snapshot.Snapshot { return snap }, MaxStaleness: time.Hour, Started: t0, Now: func() time.Time { return t0 },
		FlowStatus: &FlowStatusConfig{Interval: time.Hour, LimiterRate: func() float64 { return 2 }, LimiterMaxRate: 4}}
	rec := httptest.NewRecorder()
	checker.StatusHandler(rec, httptest.NewRequest("GET", "/status", nil))
	var got Status
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatalf("/status is not JSON: %v\n%s", err, rec.Body)
	}
	want := FlowStatusSummary{Interval: 3600, ExpectedPass: 1.5, Limiter: LimiterStatus{Rate: 2, MaxRate: 4}, Flows: 6, Unknown: 4, SpacesFailing: 1, Folded: 3}
	if got.FlowStatus == nil || *got.FlowStatus != want {
		t.Errorf("flow_status %+v, want %+v", got.FlowStatus, want)
	}
	byID := map[string]SpaceStatus{}
	for _, sp := range got.Spaces {
		byID[sp.Space] = sp
	}
	oldest, latest := t0.Add(-10*time.Minute), t0.Add(-time.Minute)
	if fs := byID["cams-a"].FlowStatus; fs == nil || !reflect.DeepEqual(fs.ByStatus, map[string]int{"DRAFT": 1, "PUBLISHED": 1, "DEPRECATED": 0, "_unknown": 1}) ||
		!fs.OldestCheck.Equal(oldest) || !fs.LastCheck.Equal(latest) || fs.NeverChecked != 1 || fs.LastError != nil {
		t.Errorf("cams-a flow_status %+v", fs)
	}
	if sp := byID["cams-b"]; !sp.Up || sp.LastError != nil || sp.FlowStatus == nil || sp.FlowStatus.LastError == nil || sp.FlowStatus.LastError.RequestID != "R-7" ||
		sp.FlowStatus.ByStatus["_unknown"] != 1 {
		t.Errorf("cams-b (GetFlow denied) %+v, flow_status %+v; want up, the denial under flow_status", sp, sp.FlowStatus)
	}
	if fs := byID["cams-c"].FlowStatus; fs == nil || fs.ByStatus["_unknown"] != 2 || fs.NeverChecked != 2 || fs.OldestCheck != nil {
		t.Errorf("cams-c (never checked) flow_status %+v", fs)
	}
	if byID["cams-x"].FlowStatus != nil {
		t.Error("a space without data has no flow_status")
	}

	checker.FlowStatus = nil
	if st := checker.Status(); st.FlowStatus != nil || st.Spaces[0].FlowStatus != nil {
		t.Error("flow_status shown without --collector.flow-status")
	}
}

// The status page shows the checks in its header and, in each space's row,
// its flows by status (documented ones first, counts summing to its flows)
// and GetFlow's failure; without the checks it shows none of it.
func TestStatusPageShowsFlowStatuses(t *testing.T) {
	denied := &snapshot.ErrorInfo{Code: "Ram.PermissionDeny", Message: "no cams:GetFlow"}
	known, err := snapshot.NewFlowStatuses([]string{"PUBLISHED", "BLOCKED", "DRAFT"}, []int64{t0.Unix() - 600, t0.Unix() - 60, t0.Unix() - 60}, nil)
	if err != nil {
		t.Fatal(err)
	}
	failing, err := snapshot.NewFlowStatuses([]string{""}, []int64{t0.Unix() - 30}, denied)
	if err != nil {
		t.Fatal(err)
	}
	a, b := space("cams-a", true, time.Minute), space("cams-b", true, time.Minute)
	a.Statuses = known
	b.Count, b.Statuses = 1, failing
	snap := snapOf(a, b)
	snap.FlowStatus = snapshot.FlowStatusTotals{ExpectedPass: 90 * time.Second}
	c := checkerOf(snap)
	c.FlowStatus = &FlowStatusConfig{Interval: time.Hour, LimiterRate: func() float64 { return 2 }, LimiterMaxRate: 4}

	p := render(t, c, "/status")
	for _, want := range []string{"Flow statuses", "every 1h", "2 of 4 calls/s"} {
		if !strings.Contains(p.text(t, "summary"), want) {
			t.Errorf("header lacks %q:\n%s", want, p.text(t, "summary"))
		}
	}
	cells := map[string]string{}
	for _, row := range p.rows(t) {
		cells[row["space"]] = row["categories"]
	}
	for space, wants := range map[string][]string{
		"cams-a": {"Statuses: DRAFT=1 PUBLISHED=1 DEPRECATED=0 BLOCKED=1 _unknown=0"},
		"cams-b": {"Statuses: DRAFT=0 PUBLISHED=0 DEPRECATED=0 _unknown=1", "Status check failed: Ram.PermissionDeny: no cams:GetFlow"},
	} {
		for _, want := range wants {
			if !strings.Contains(cells[space], want) {
				t.Errorf("row of %s lacks %q: %q", space, want, cells[space])
			}
		}
	}

	c.FlowStatus = nil
	if body := render(t, c, "/status").body; strings.Contains(body, "Statuses") || strings.Contains(body, "Flow statuses") {
		t.Error("flow statuses shown without --collector.flow-status")
	}
}
