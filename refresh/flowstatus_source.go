package refresh

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/engine"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// flowStatusName is the GetFlow source's name, as in
// --collector.flow-status.
const flowStatusName = "flow-status"

// flowStatusSource is GetFlow as an engine.Source: one call per flow of a
// space's last listing (Task.Key is the flow's id), due once its last
// check is the interval old. Its parts are the flows' states of the
// refresher's snapshot (statusStore): Due reads them there.
type flowStatusSource struct {
	getter   FlowGetter
	interval time.Duration
}

// flowCheck is what GetFlow answered of a flow: its status, or why the
// answer is no status.
type flowCheck struct {
	status string
	err    *snapshot.ErrorInfo
}

func (flowStatusSource) Name() string      { return flowStatusName }
func (flowStatusSource) Operation() string { return client.OperationGetFlow }

// Due returns the flows of space never checked (or checked at a time
// later than now, which is not trusted) and those checked the interval
// ago or more, each ranked by its last check; when the next flow comes
// due; and the space's flows, one call each per interval.
func (s flowStatusSource) Due(dst []engine.Task, space string, _ *snapshot.SpacePart, snap *snapshot.Snapshot, now time.Time) ([]engine.Task, time.Time, float64) {
	st := checkable(snap, space)
	if st == nil {
		return dst, time.Time{}, 0
	}
	sec, iv, next := now.Unix(), int64(s.interval/time.Second), int64(math.MaxInt64)
	for i, id := range st.FlowIDs {
		if i > 0 && st.FlowIDs[i-1] == id {
			continue // listed twice: one check answers both
		}
		switch checked := st.Statuses.Checked(i); {
		case checked == 0 || checked > sec:
			dst = append(dst, engine.Task{Space: space, Key: id})
		case checked+iv <= sec:
			dst = append(dst, engine.Task{Space: space, Key: id, Last: time.Unix(checked, 0)})
		default:
			next = min(next, checked+iv)
		}
	}
	if next == math.MaxInt64 {
		return dst, time.Time{}, float64(len(st.FlowIDs))
	}
	return dst, time.Unix(next, 0), float64(len(st.FlowIDs))
}

// Once returns every flow of space, ranked by its last check (one later
// than now is taken for none), and the space's flows.
func (s flowStatusSource) Once(dst []engine.Task, space string, snap *snapshot.Snapshot, now time.Time) ([]engine.Task, float64) {
	st := checkable(snap, space)
	if st == nil {
		return dst, 0
	}
	sec := now.Unix()
	for i, id := range st.FlowIDs {
		if i > 0 && st.FlowIDs[i-1] == id {
			continue
		}
		t := engine.Task{Space: space, Key: id}
		if checked := st.Statuses.Checked(i); checked != 0 && checked <= sec {
			t.Last = time.Unix(checked, 0)
		}
		dst = append(dst, t)
	}
	return dst, float64(len(st.FlowIDs))
}

// checkable returns the state of space when its flows can be checked: it
// has data and flows.
func checkable(snap *snapshot.Snapshot, space string) *snapshot.SpaceState {
	if snap == nil {
		return nil
	}
	if st := snap.Space(space); st != nil && st.HasData && len(st.FlowIDs) > 0 {
		return st
	}
	return nil
}

// Call asks GetFlow for the flow of t. An answer about another flow than
// the one asked for is no status: it is an invalid response.
func (s flowStatusSource) Call(ctx context.Context, t engine.Task) (any, error) {
	resp, err := s.getter.GetFlow(ctx, client.GetFlowRequest{FlowID: t.Key, CustSpaceID: t.Space})
	if err != nil {
		return nil, err
	}
	if resp.Data.FlowID != t.Key {
		return flowCheck{err: &snapshot.ErrorInfo{Code: client.CodeInvalidResponse, RequestID: resp.RequestID, Class: client.ClassInvalidResponse.String(),
			Message: client.Cut(fmt.Sprintf("GetFlow answered flow %q when asked for %q", resp.Data.FlowID, t.Key), client.MaxTextBytes)}}, nil
	}
	return flowCheck{status: resp.Data.Status}, nil
}

// Apply is never called: the refresher applies the checks to the flows'
// states (statusStore). It keeps prev.
func (flowStatusSource) Apply(_ string, prev *snapshot.SpacePart, _ []engine.Done, _ *snapshot.Snapshot) *snapshot.SpacePart {
	return prev
}

// WarnOutOfReach warns that checking every flow takes longer than the
// interval at the rate, in the checker's own words.
func (flowStatusSource) WarnOutOfReach(logger log.Logger, calls, rate float64, pass, interval time.Duration) {
	level.Warn(logger).Log("msg", "the flow-status interval is out of reach: checking every flow takes longer at this rate; flows are checked back to back, the stalest first, and each status is as old as a pass",
		"flows", int(math.Round(calls)), "rate_per_second", rate, "expected_pass", pass.Round(time.Second), "flow_status_interval", interval)
}

// resultOf is the check that d made.
func resultOf(d engine.Done) statusResult {
	res := statusResult{space: d.Space, flow: d.Key, checked: d.At.Unix()}
	if d.Err != nil {
		res.err = snapshot.NewErrorInfo(d.Err)
		return res
	}
	check, _ := d.Value.(flowCheck)
	res.status, res.err = check.status, check.err
	return res
}
