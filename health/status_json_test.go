package health

import (
	"bytes"
	"encoding/json"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/snapshot"
)

// TestStatusJSONIsWhatEncodingJSONWrites: /status, written a space at a
// time, is byte for byte what json.Encoder with an indent of two spaces
// writes for the whole Status: with no space, a few, hostile texts, flow
// statuses, an account of 3,000 spaces, and the sources' parts, of spaces
// listed and pending, the templates' too.
func TestStatusJSONIsWhatEncodingJSONWrites(t *testing.T) {
	statuses, err := snapshot.NewFlowStatuses([]string{"PUBLISHED", "", "BLOCKED<&>"}, []int64{t0.Unix() - 600, 0, t0.Unix() - 60},
		&snapshot.ErrorInfo{Code: "Ram.PermissionDeny", Message: "no <cams:GetFlow> & more"})
	if err != nil {
		t.Fatal(err)
	}
	withStatuses := space("cams-a", true, time.Minute)
	withStatuses.Statuses = statuses
	flowStatus := &FlowStatusConfig{Interval: time.Hour, LimiterRate: func() float64 { return 2 }, LimiterMaxRate: 4}
	tests := []struct {
		name       string
		snap       *snapshot.Snapshot
		flowStatus *FlowStatusConfig
	}{
		{"no space", snapshot.Snapshot{Pending: 3}.WithSpaces(nil), nil},
		{"a few", snapOf(space("cams-a", true, time.Minute), space("cams-b", false, 20*time.Minute), space("cams-x", false, never)), nil},
		{"hostile texts", hostileAccount(20), nil},
		{"flow statuses", snapOf(withStatuses, space("cams-b", true, 0), space("cams-x", false, never)), flowStatus},
		{"3,000 spaces", pageAccount(3000), flowStatus},
		{"sources", sourcesAccount(300, 3), flowStatus},
		{"sources, spaces pending", withPending(sourcesAccount(300, 3).WithSources(pendingSources()), 3), nil},
		{"sources, every space pending", withPending(snapshot.Snapshot{}.WithSpaces(nil).WithSources(pendingSources()), 3), nil},
		{"sources, hostile texts", hostileAccount(3).WithSources(pendingSources()), nil},
		{"templates", withTemplates(sourcesAccount(300, 3), 5), flowStatus},
		{"four sources, hostile texts, cut", hostileAccount(3).WithSources(hostileSources(3)), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := checkerOf(tt.snap)
			c.FlowStatus = tt.flowStatus
			c.LimiterRate, c.LimiterMaxRate = func() float64 { return 3.5 }, 4
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetIndent("", "  ")
			if err := enc.Encode(c.Status()); err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			c.StatusHandler(rec, httptest.NewRequest("GET", "/status", nil))
			if got := rec.Body.Bytes(); !bytes.Equal(got, want.Bytes()) {
				i := 0
				for i < min(len(got), len(want.Bytes())) && got[i] == want.Bytes()[i] {
					i++
				}
				t.Fatalf("/status differs from encoding/json at byte %d of %d (%d written):\n got …%q\nwant …%q", i, want.Len(), len(got),
					got[max(i-80, 0):min(i+80, len(got))], want.Bytes()[max(i-80, 0):min(i+80, want.Len())])
			}
		})
	}
}

// One answer, one snapshot: /status (JSON, the HTML page, and Status)
// judges readiness from the snapshot it counts and lists, even when the
// next snapshot says otherwise (every space failing, other counts).
func TestStatusReadsOneSnapshot(t *testing.T) {
	first := snapOf(space("cams-a", true, time.Minute), space("cams-b", false, time.Minute))
	next := withPending(snapOf(space("cams-c", false, never)), 3)
	const wantWhy = "ready: 2 space(s): 1 up, 1 failing their last refresh, 0 pending"
	tests := []struct {
		name  string
		serve func(c Checker) (ready bool, why string, counts StateCounts, spaces []string)
	}{
		{"JSON", func(c Checker) (bool, string, StateCounts, []string) {
			var st Status
			if err := json.Unmarshal(get(t, c, "/status", "application/json").Body.Bytes(), &st); err != nil {
				t.Fatal(err)
			}
			return st.Ready, st.Reason, st.SpacesByState, statusIDs(st)
		}},
		{"Status", func(c Checker) (bool, string, StateCounts, []string) {
			st := c.Status()
			return st.Ready, st.Reason, st.SpacesByState, statusIDs(st)
		}},
		{"HTML page", func(c Checker) (bool, string, StateCounts, []string) {
			p := render(t, c, "/status")
			n := func(id string) int {
				v, err := strconv.Atoi(p.text(t, id))
				if err != nil {
					t.Fatalf("#%s: %v", id, err)
				}
				return v
			}
			var ids []string
			for _, r := range p.rows(t) {
				ids = append(ids, r["space"])
			}
			why, ok := strings.CutPrefix(p.text(t, "readiness"), "Ready: ")
			return ok, why, StateCounts{Pending: n("pending"), Up: n("up"), Down: n("down")}, ids
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			calls := 0
			c := checkerOf(first)
			c.Snapshot = func() *snapshot.Snapshot {
				calls++
				if calls == 1 {
					return first
				}
				return next
			}
			ready, why, counts, ids := tt.serve(c)
			if !ready || why != wantWhy || counts != (StateCounts{Up: 1, Down: 1}) || !slices.Equal(ids, []string{"cams-a", "cams-b"}) && !slices.Equal(ids, []string{"cams-b", "cams-a"}) {
				t.Errorf("ready %v %q, counts %+v, spaces %q; want %q, 1 up and 1 down, cams-a and cams-b: all of the first snapshot", ready, why, counts, ids, wantWhy)
			}
			if calls != 1 {
				t.Errorf("the answer read %d snapshots, want 1", calls)
			}
		})
	}
}

func statusIDs(st Status) []string {
	var ids []string
	for _, sp := range st.Spaces {
		ids = append(ids, sp.Space)
	}
	return ids
}

// pendingSources are sources with parts of spaces the flows have not
// listed ("pending-*"), one with hostile texts.
func pendingSources() []*snapshot.SourceState {
	hostile := numbersOf(0, 2)
	hostile[0].VerifiedName = hostileText("", 512)
	return []*snapshot.SourceState{
		sourceState(phoneNumbers, time.Minute, 0, 0, map[string]*snapshot.SpacePart{"pending-1": upPart(0, hostile), "pending-2": downPart("<&>", nil)}),
		sourceState(wabas, time.Minute, 0, 0, map[string]*snapshot.SpacePart{"pending-0": upPart(0, wabaOf(0))}),
	}
}
