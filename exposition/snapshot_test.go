package exposition

import (
	"math/rand/v2"
	"strconv"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

var t0 = time.Unix(1767225600, 250_000_000) // 2026-01-01T00:00:00.25Z

// oddSnapshot has label values that need escaping or replacing: quotes,
// backslashes, newlines and invalid UTF-8 in space ids, categories, flow
// ids and names; the account's own space; a failing space; a space never
// listed; and a flow id listed twice.
func oddSnapshot() *snapshot.Snapshot {
	return snapshot.Snapshot{
		Completed: true, LastRefreshDuration: 1500 * time.Millisecond, LastRefreshEnd: t0,
		ExpectedPassDuration: 42 * time.Second, Refreshes: 7, RefreshFailures: 2,
	}.WithSpaces(map[string]*snapshot.SpaceState{
		"": {
			Count: 3, HasData: true, Up: true, LastSuccess: t0, LastAttempt: t0, Added: 3,
			ByCategory: map[string]int{"SIGN_UP": 2, "SHOPPING": 1, `WE"IRD\`: 1, "new\nline": 1},
			Flows: snapshot.NewFlowList([]client.Flow{
				{FlowID: "f1", FlowName: `Say "hello"`, Categories: []string{"SIGN_UP", `WE"IRD\`}},
				{FlowID: "f2", FlowName: "two\nlines", Categories: []string{"SHOPPING", "SIGN_UP", "SIGN_UP"}},
				{FlowID: "f3", FlowName: `C:\flows\`, Categories: []string{"new\nline"}},
				{FlowID: "f1", FlowName: `Say "hello"`, Categories: []string{"SIGN_UP"}},
			}),
		},
		`cams-"quoted"`: {
			ID: `cams-"quoted"`, Count: 1, HasData: true, Up: false, LastSuccess: t0.Add(-time.Hour), LastAttempt: t0,
			ByCategory: map[string]int{"LEAD_GENERATION": 1},
			Flows:      snapshot.NewFlowList([]client.Flow{{FlowID: "f\xff9", FlowName: "bad \xfe UTF-8", Categories: []string{"X\xfe"}}}),
			LastError:  &snapshot.ErrorInfo{Code: "System.LimitControl", Class: "throttled"},
			Removed:    4,
		},
		"back\\slash\nand\xffbad": {HasData: true, Up: true, LastSuccess: t0, ByCategory: map[string]int{"Café": 2}, Count: 2,
			Flows: snapshot.NewFlowList([]client.Flow{{FlowID: "é", FlowName: "ünïcödé", Categories: nil}, {FlowID: "e", FlowName: "", Categories: []string{"Café", "Café"}}})},
		"cams-never": {ID: "cams-never"},
	})
}

// testSnapshot is a completed snapshot of n spaces shaped like the
// simulator's data of about 50 flows a space: every documented category and
// SHOPPING in most spaces, 1 % of spaces failing with their data kept, and
// the first keptFlows flows of each space kept (for flow info).
func testSnapshot(n, keptFlows int) *snapshot.Snapshot {
	r := rand.New(rand.NewPCG(1, 2))
	states := make(map[string]*snapshot.SpaceState, n)
	var packer snapshot.FlowPacker // as the refresher does: lists shared by every space
	for i := range n {
		st := &snapshot.SpaceState{
			ID: "cams-" + strconv.Itoa(100000+i), HasData: true, Up: r.IntN(100) != 0,
			LastSuccess: t0.Add(time.Duration(r.Int64N(int64(time.Hour)))),
			Count:       25 + r.IntN(50), ByCategory: map[string]int{},
			Added: uint64(r.IntN(5)), Removed: uint64(r.IntN(3)),
		}
		for _, cat := range collector.DocumentedCategories {
			if n := r.IntN(12); n > 0 {
				st.ByCategory[cat] = n
			}
		}
		if r.IntN(4) != 0 {
			st.ByCategory["SHOPPING"] = 1 + r.IntN(5)
		}
		var kept []client.Flow
		for f := range min(st.Count, keptFlows) {
			cat := collector.DocumentedCategories[r.IntN(len(collector.DocumentedCategories))]
			kept = append(kept, client.Flow{FlowID: "flow-" + strconv.Itoa(i) + "-" + strconv.Itoa(f), FlowName: "Flow number " + strconv.Itoa(f), Categories: []string{cat, "SHOPPING"}})
		}
		st.Flows = packer.Pack(kept)
		states[st.ID] = st
	}
	return snapshot.Snapshot{Completed: true, Refreshes: 3, LastRefreshDuration: 10 * time.Second}.WithSpaces(states)
}

// oddStatusSnapshot is oddSnapshot with flow statuses (--collector.flow-status)
// whose names need escaping or replacing, a status folded into _other, flows
// never checked, a space never checked, and a space without data.
func oddStatusSnapshot() *snapshot.Snapshot {
	snap := oddSnapshot()
	snap.FlowStatus = snapshot.FlowStatusTotals{ExpectedPass: 2 * time.Second, Folded: 5}
	with := func(id string, ids []string, statuses []string, checked []int64) {
		st := *snap.Space(id)
		fs, err := snapshot.NewFlowStatuses(statuses, checked, &snapshot.ErrorInfo{Code: "Ram.PermissionDeny"})
		if err != nil {
			panic(err)
		}
		st.FlowIDs, st.Statuses = ids, fs
		snap = snap.WithChanged(map[string]*snapshot.SpaceState{id: &st})
	}
	with("", []string{"f1", "f1", "f2", "f3"}, []string{"PUBLISHED", "PUBLISHED", `ODD"ST\ATUS` + "\n", ""}, []int64{5, 5, 6, 0})
	with(`cams-"quoted"`, []string{"f\xff9"}, []string{"BAD\xfeUTF8"}, []int64{7})
	with("back\\slash\nand\xffbad", []string{"e", "é"}, []string{snapshot.OtherStatus, "DEPRECATED"}, []int64{1, 2})
	return snap
}
