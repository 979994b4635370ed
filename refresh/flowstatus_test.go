package refresh

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/go-kit/log"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/internal/fakeclock"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// flowKey names a flow of a space.
type flowKey struct{ space, flow string }

// fakeGetter answers GetFlow from a table of statuses and records the
// flows asked for, in order; a space in fail answers that error.
type fakeGetter struct {
	mu     sync.Mutex
	status map[flowKey]string
	fail   map[string]error
	calls  []flowKey
}

func (g *fakeGetter) GetFlow(ctx context.Context, req client.GetFlowRequest) (*client.GetFlowResponse, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.calls = append(g.calls, flowKey{req.CustSpaceID, req.FlowID})
	if err := g.fail[req.CustSpaceID]; err != nil {
		return nil, err
	}
	return &client.GetFlowResponse{RequestID: "req", Data: &client.FlowDetail{FlowID: req.FlowID, Status: g.status[flowKey{req.CustSpaceID, req.FlowID}]}}, nil
}

func (g *fakeGetter) called() []flowKey {
	g.mu.Lock()
	defer g.mu.Unlock()
	return slices.Clone(g.calls)
}

func (g *fakeGetter) set(space, flow, status string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.status[flowKey{space, flow}] = status
}

func flowsOf(ids ...string) []client.Flow {
	out := make([]client.Flow, len(ids))
	for i, id := range ids {
		out[i] = client.Flow{FlowID: id}
	}
	return out
}

// statusesOf returns each flow's status in the snapshot, "" for not known.
func statusesOf(snap *snapshot.Snapshot, space string) map[string]string {
	st := snap.Space(space)
	out := map[string]string{}
	for i, id := range st.FlowIDs {
		out[id] = st.Statuses.Status(i)
	}
	return out
}

// A pass checks every flow of every space with data, once, and the
// snapshot says what GetFlow answered, flow by flow; the counts of a space
// sum to its flows.
func TestCheckAllReadsEveryFlowOnce(t *testing.T) {
	lister := &fakeLister{flows: map[string][]client.Flow{"a": flowsOf("1", "2", "3"), "b": flowsOf("4", "5"), "empty": nil},
		fail: map[string]error{"down": &client.Error{Code: "Unknown.ResourceOwnerId", Class: client.ClassPermanent}}}
	getter := &fakeGetter{status: map[flowKey]string{
		{"a", "1"}: "PUBLISHED", {"a", "2"}: "DRAFT", {"a", "3"}: "PUBLISHED", {"b", "4"}: "DEPRECATED", {"b", "5"}: "BLOCKED",
	}}
	r := New(Config{Lister: lister, Spaces: spacesFunc("a", "b", "empty", "down")})
	r.Refresh(context.Background())
	snap := NewFlowStatusChecker(r, FlowStatusConfig{Getter: getter, Rate: 2}).CheckAll(context.Background())

	calls := getter.called()
	slices.SortFunc(calls, func(x, y flowKey) int { return strings.Compare(x.space+"/"+x.flow, y.space+"/"+y.flow) })
	if want := []flowKey{{"a", "1"}, {"a", "2"}, {"a", "3"}, {"b", "4"}, {"b", "5"}}; !reflect.DeepEqual(calls, want) {
		t.Errorf("GetFlow calls %v, want each listed flow once", calls)
	}
	for _, space := range []string{"a", "b"} {
		for flow, got := range statusesOf(snap, space) {
			if want := getter.status[flowKey{space, flow}]; got != want {
				t.Errorf("space %s flow %s: status %q, want %q", space, flow, got, want)
			}
		}
		st := snap.Space(space)
		sum := 0
		for _, n := range st.Statuses.ByStatus(st.Count) {
			sum += n
		}
		if sum != st.Count || st.Statuses.Count("") != 0 {
			t.Errorf("space %s: statuses sum to %d for %d flows", space, sum, st.Count)
		}
	}
	if snap.Space("empty").Statuses != nil || snap.Space("down").Statuses != nil {
		t.Error("a space without flows or without data has no statuses")
	}
	// 5 flows at 2 calls/s.
	if snap.FlowStatus.ExpectedPass != 2500*time.Millisecond {
		t.Errorf("expected pass %v, want 2.5s", snap.FlowStatus.ExpectedPass)
	}
}

// Flows are checked the stalest first: never checked, then the oldest
// checks; a flow checked within the interval is not called, nor is a
// space no longer watched. A check dated later than the clock is not
// trusted.
func TestStatusesStalestFirst(t *testing.T) {
	clock := fakeclock.New(time.Unix(1_800_000_000, 0))
	now := clock.Now().Unix()
	hour := int64(3600)
	st := func(id string, flows []string, statuses []string, checked []int64) *snapshot.SpaceState {
		return &snapshot.SpaceState{ID: id, HasData: true, Up: true, Count: len(flows), FlowIDs: flows, LastAttempt: clock.Now(), LastSuccess: clock.Now(),
			Statuses: mustStatuses(t, statuses, checked)}
	}
	r := New(Config{Lister: &fakeLister{}, Spaces: spacesFunc("x", "y"), Interval: 24 * time.Hour, Now: clock.Now})
	r.Restore(map[string]*snapshot.SpaceState{
		"x":       st("x", []string{"fresh", "old", "older"}, []string{"DRAFT", "DRAFT", "DRAFT"}, []int64{now - 60, now - 2*hour, now - 5*hour}),
		"y":       st("y", []string{"due", "future", "new"}, []string{"PUBLISHED", "DRAFT", ""}, []int64{now - hour, now + hour, 0}),
		"unwatch": st("unwatch", []string{"z"}, []string{""}, []int64{0}),
	})
	getter := &fakeGetter{status: map[flowKey]string{}}
	c := NewFlowStatusChecker(r, FlowStatusConfig{Getter: getter, Rate: 4, Interval: time.Hour, Concurrency: 1, PollEvery: 5 * time.Millisecond, ApplyEvery: 5 * time.Millisecond, Now: clock.Now})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	waitFor(t, func() bool { return len(getter.called()) >= 5 })
	time.Sleep(50 * time.Millisecond) // nothing else is due
	cancel()
	<-done
	// "future" (checked an hour from now) is taken for never checked, like
	// "new": both first, in the order of their ids.
	want := []flowKey{{"y", "future"}, {"y", "new"}, {"x", "older"}, {"x", "old"}, {"y", "due"}}
	if got := getter.called(); !reflect.DeepEqual(got, want) {
		t.Errorf("calls %v, want %v; x/fresh not at all", got, want)
	}
}

// A listing keeps the statuses of the flows it finds again, forgets those
// gone, and a new flow is checked before any other due one; the other
// flows are not called again within the interval.
func TestListingKeepsStatusesAndNewFlowsGoFirst(t *testing.T) {
	clock := fakeclock.New(time.Unix(1_800_000_000, 0))
	lister := &fakeLister{flows: map[string][]client.Flow{"a": flowsOf("1", "2", "3")}}
	getter := &fakeGetter{status: map[flowKey]string{{"a", "1"}: "PUBLISHED", {"a", "2"}: "PUBLISHED", {"a", "3"}: "DRAFT", {"a", "4"}: "DEPRECATED"}}
	r := New(Config{Lister: lister, Spaces: spacesFunc("a"), Now: clock.Now})
	r.Refresh(context.Background())
	c := NewFlowStatusChecker(r, FlowStatusConfig{Getter: getter, Rate: 4, Interval: time.Hour, Concurrency: 1, PollEvery: 5 * time.Millisecond, ApplyEvery: 5 * time.Millisecond, Now: clock.Now})
	c.CheckAll(context.Background())
	first := r.Snapshot().Space("a")

	clock.Advance(10 * time.Minute)
	lister.mu.Lock()
	lister.flows["a"] = flowsOf("1", "3", "4") // 2 gone, 4 new
	lister.mu.Unlock()
	snap := r.Refresh(context.Background())
	if got := statusesOf(snap, "a"); !reflect.DeepEqual(got, map[string]string{"1": "PUBLISHED", "3": "DRAFT", "4": ""}) {
		t.Errorf("after the listing: %v, want 1 and 3 kept, 2 forgotten, 4 not known", got)
	}
	if st := snap.Space("a"); st.Statuses.Checked(0) != first.Statuses.Checked(0) {
		t.Error("a flow found again must keep its check time")
	}

	before := len(getter.called())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	waitFor(t, func() bool { return r.Snapshot().Space("a").Statuses.Count("") == 0 })
	time.Sleep(30 * time.Millisecond)
	cancel()
	<-done
	if got := getter.called()[before:]; !reflect.DeepEqual(got, []flowKey{{"a", "4"}}) {
		t.Errorf("calls after the listing %v, want only the new flow", got)
	}
	if got := statusesOf(r.Snapshot(), "a"); got["4"] != "DEPRECATED" {
		t.Errorf("new flow's status %q", got["4"])
	}
}

// GetFlow denied: the space stays up with its flows (ListFlow works), its
// statuses say why they are not known, each flow is not asked again
// within the interval, and the log says it once, not once per flow.
func TestDeniedGetFlowLeavesTheSpaceUp(t *testing.T) {
	clock := fakeclock.New(time.Unix(1_800_000_000, 0))
	lister := &fakeLister{flows: map[string][]client.Flow{"a": flowsOf("1", "2", "3"), "b": flowsOf("9")}}
	denied := &client.Error{Operation: client.OperationGetFlow, Code: "Ram.PermissionDeny", Class: client.ClassPermanent, Message: "no cams:GetFlow", RequestID: "R-1"}
	getter := &fakeGetter{status: map[flowKey]string{{"b", "9"}: "PUBLISHED"}, fail: map[string]error{"a": denied}}
	var logs bytes.Buffer
	r := New(Config{Lister: lister, Spaces: spacesFunc("a", "b"), Now: clock.Now})
	r.Refresh(context.Background())
	c := NewFlowStatusChecker(r, FlowStatusConfig{Getter: getter, Rate: 4, Interval: time.Hour, Concurrency: 2, PollEvery: 5 * time.Millisecond, ApplyEvery: 5 * time.Millisecond,
		Now: clock.Now, Logger: log.NewLogfmtLogger(&syncWriter{w: &logs})})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	waitFor(t, func() bool {
		return r.Snapshot().Space("b").Statuses.Known() == 1 && r.Snapshot().Space("a").Statuses.Len() == 3
	})
	time.Sleep(50 * time.Millisecond)
	cancel()
	<-done
	snap := r.Snapshot()
	a := snap.Space("a")
	if !a.Up || a.LastError != nil || a.Count != 3 || !snap.Up() {
		t.Errorf("space a: up %v, error %+v, %d flows; a GetFlow denial must not take it down", a.Up, a.LastError, a.Count)
	}
	if e := a.Statuses.LastError; e == nil || e.Code != "Ram.PermissionDeny" || e.RequestID != "R-1" {
		t.Errorf("space a's status error %+v", e)
	}
	if a.Statuses.Known() != 0 || a.Statuses.ByStatus(a.Count)[snapshot.UnknownStatus] != 3 {
		t.Errorf("space a: %d known, want all 3 not known", a.Statuses.Known())
	}
	if n := len(getter.called()); n != 4 {
		t.Errorf("%d calls, want 4: one per flow, none again within the interval", n)
	}
	if n := strings.Count(logs.String(), "GetFlow failed"); n != 1 || !strings.Contains(logs.String(), "code=Ram.PermissionDeny") {
		t.Errorf("%d failure lines, want 1 naming the code:\n%s", n, logs.String())
	}
}

// A check failing after a success keeps the last known status.
func TestFailedCheckKeepsTheLastStatus(t *testing.T) {
	clock := fakeclock.New(time.Unix(1_800_000_000, 0))
	lister := &fakeLister{flows: map[string][]client.Flow{"a": flowsOf("1")}}
	getter := &fakeGetter{status: map[flowKey]string{{"a", "1"}: "PUBLISHED"}, fail: map[string]error{}}
	r := New(Config{Lister: lister, Spaces: spacesFunc("a"), Now: clock.Now})
	r.Refresh(context.Background())
	c := NewFlowStatusChecker(r, FlowStatusConfig{Getter: getter, Rate: 4, Now: clock.Now})
	c.CheckAll(context.Background())
	getter.mu.Lock()
	getter.fail["a"] = &client.Error{Code: client.CodeTimeout, Class: client.ClassTransient}
	getter.mu.Unlock()
	clock.Advance(2 * time.Hour)
	st := c.CheckAll(context.Background()).Space("a")
	if st.Statuses.Status(0) != "PUBLISHED" || st.Statuses.LastError == nil || st.Statuses.Checked(0) != clock.Now().Unix() {
		t.Errorf("status %q, error %+v, checked %d; want PUBLISHED kept, the error, checked now", st.Statuses.Status(0), st.Statuses.LastError, st.Statuses.Checked(0))
	}
}

// An answer about another flow than the one asked for is no status.
func TestAnswerForAnotherFlowIsInvalid(t *testing.T) {
	lister := &fakeLister{flows: map[string][]client.Flow{"a": flowsOf("1")}}
	r := New(Config{Lister: lister, Spaces: spacesFunc("a")})
	r.Refresh(context.Background())
	liar := getterFunc(func(_ context.Context, req client.GetFlowRequest) (*client.GetFlowResponse, error) {
		return &client.GetFlowResponse{RequestID: "R-9", Data: &client.FlowDetail{FlowID: "other", Status: "PUBLISHED"}}, nil
	})
	st := NewFlowStatusChecker(r, FlowStatusConfig{Getter: liar, Rate: 4}).CheckAll(context.Background()).Space("a")
	if st.Statuses.Known() != 0 || st.Statuses.LastError == nil || st.Statuses.LastError.Code != client.CodeInvalidResponse || st.Statuses.LastError.RequestID != "R-9" {
		t.Errorf("known %d, error %+v; want not known and InvalidResponse", st.Statuses.Known(), st.Statuses.LastError)
	}
}

type getterFunc func(context.Context, client.GetFlowRequest) (*client.GetFlowResponse, error)

func (f getterFunc) GetFlow(ctx context.Context, req client.GetFlowRequest) (*client.GetFlowResponse, error) {
	return f(ctx, req)
}

// Cut short, a pass keeps what it checked and applies no check of the
// calls it cancelled: those flows stay not known, without an error.
func TestCheckAllCutShort(t *testing.T) {
	lister := &fakeLister{flows: map[string][]client.Flow{"a": flowsOf("1", "2", "3", "4")}}
	r := New(Config{Lister: lister, Spaces: spacesFunc("a")})
	r.Refresh(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	var mu sync.Mutex
	slow := getterFunc(func(ctx context.Context, req client.GetFlowRequest) (*client.GetFlowResponse, error) {
		mu.Lock()
		n++
		first := n == 1
		mu.Unlock()
		if first {
			return &client.GetFlowResponse{Data: &client.FlowDetail{FlowID: req.FlowID, Status: "DRAFT"}}, nil
		}
		cancel()
		<-ctx.Done()
		return nil, &client.Error{Code: client.CodeTimeout, Class: client.ClassTransient}
	})
	st := NewFlowStatusChecker(r, FlowStatusConfig{Getter: slow, Rate: 4, Concurrency: 1}).CheckAll(ctx).Space("a")
	if st.Statuses.Known() != 1 || st.Statuses.LastError != nil {
		t.Errorf("known %d, error %+v; want the first flow's status and no error", st.Statuses.Known(), st.Statuses.LastError)
	}
	for i := 1; i < 4; i++ {
		if st.Statuses.Checked(i) != 0 {
			t.Errorf("flow %d has a check time though its call was cancelled", i)
		}
	}
}

// Past MaxUndocumentedStatuses, statuses count as OtherStatus, folded
// counts the checks, and a cache's statuses go through the same cap.
func TestUndocumentedStatusesAreCapped(t *testing.T) {
	ids := make([]string, snapshot.MaxUndocumentedStatuses+3)
	getter := &fakeGetter{status: map[flowKey]string{}}
	for i := range ids {
		ids[i] = fmt.Sprintf("%02d", i)
		getter.status[flowKey{"a", ids[i]}] = fmt.Sprintf("S%02d", i)
	}
	r := New(Config{Lister: &fakeLister{flows: map[string][]client.Flow{"a": flowsOf(ids...)}}, Spaces: spacesFunc("a")})
	r.Refresh(context.Background())
	snap := NewFlowStatusChecker(r, FlowStatusConfig{Getter: getter, Rate: 4, Concurrency: 1}).CheckAll(context.Background())
	st := snap.Space("a")
	// Concurrency 1: checked in flow order, so S00..S09 are kept.
	if len(st.Statuses.Names()) != snapshot.MaxUndocumentedStatuses+1 || st.Statuses.Count(snapshot.OtherStatus) != 3 || snap.FlowStatus.Folded != 3 {
		t.Errorf("names %v, other %d, folded %d", st.Statuses.Names(), st.Statuses.Count(snapshot.OtherStatus), snap.FlowStatus.Folded)
	}

	restored := New(Config{Lister: &fakeLister{}, Spaces: spacesFunc("b")})
	statuses := make([]string, len(ids))
	for i := range statuses {
		statuses[i] = fmt.Sprintf("T%02d", i)
	}
	fs, err := snapshot.NewFlowStatuses(statuses, make([]int64, len(ids)), nil)
	if err != nil {
		t.Fatal(err)
	}
	restored.Restore(map[string]*snapshot.SpaceState{"b": {ID: "b", HasData: true, Up: true, Count: len(ids), FlowIDs: ids, Statuses: fs}})
	snap = restored.Snapshot()
	if got := snap.Space("b").Statuses.Count(snapshot.OtherStatus); got != 3 || snap.FlowStatus.Folded != 3 {
		t.Errorf("restored: other %d, folded %d; want 3 and 3", got, snap.FlowStatus.Folded)
	}
}

// The out-of-reach warning: once, when checking every flow takes longer
// than the interval at the rate, however many looks the checker takes.
func TestStatusIntervalOutOfReachWarnsOnce(t *testing.T) {
	flows := make([]string, 100)
	for i := range flows {
		flows[i] = fmt.Sprint(i)
	}
	r := New(Config{Lister: &fakeLister{flows: map[string][]client.Flow{"a": flowsOf(flows...)}}, Spaces: spacesFunc("a")})
	r.Refresh(context.Background())
	var logs bytes.Buffer
	clock := fakeclock.New(time.Now())
	getter := &fakeGetter{}
	c := NewFlowStatusChecker(r, FlowStatusConfig{Getter: getter, Rate: 1, Interval: time.Minute, Concurrency: 1, PollEvery: 5 * time.Millisecond, ApplyEvery: 5 * time.Millisecond,
		Now: clock.Now, Logger: log.NewLogfmtLogger(&syncWriter{w: &logs})})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	// Rate 1 without a pacer: 100 calls as fast as they go, 15 a look.
	waitFor(t, func() bool { return r.Snapshot().Space("a").Statuses.Checked(99) != 0 })
	cancel()
	<-done
	if n := strings.Count(logs.String(), "out of reach"); n != 1 || !strings.Contains(logs.String(), "expected_pass=1m40s") || !strings.Contains(logs.String(), "flows=100") {
		t.Errorf("%d warnings, want one with the 100 s pass:\n%s", n, logs.String())
	}
	if n := len(getter.called()); n != 100 {
		t.Errorf("%d calls, want one per flow", n)
	}
}

// spreadChecksAccount is an account of spaces × perSpace flows whose
// statuses were checked within the 35 hours before now, about one flow in
// 16 never (status not known).
func spreadChecksAccount(tb testing.TB, spaces, perSpace int, now time.Time) ([]string, map[string]*snapshot.SpaceState) {
	tb.Helper()
	ids := make([]string, spaces)
	states := make(map[string]*snapshot.SpaceState, spaces)
	seed := uint64(1)
	for s := range spaces {
		ids[s] = fmt.Sprintf("cams-%06d", s)
		flows, statuses, checked := make([]string, perSpace), make([]string, perSpace), make([]int64, perSpace)
		for f := range perSpace {
			flows[f] = fmt.Sprintf("%016d", s*perSpace+f)
			seed = seed*6364136223846793005 + 1442695040888963407
			if seed>>60 != 0 {
				checked[f] = now.Unix() - int64(seed>>33)%(35*3600)
				statuses[f] = snapshot.DocumentedStatuses[seed>>40%3]
			}
		}
		fs, err := snapshot.NewFlowStatuses(statuses, checked, nil)
		if err != nil {
			tb.Fatal(err)
		}
		states[ids[s]] = &snapshot.SpaceState{ID: ids[s], HasData: true, Up: true, Count: perSpace, FlowIDs: flows, Statuses: fs, LastAttempt: now, LastSuccess: now}
	}
	return ids, states
}

// At 10,000 spaces of 50 flows restored from a cache whose checks spread
// over the last 35 hours (a pass longer than the interval), the first
// flows checked are the stalest of all 500,000, computed here by sorting
// them all; the 1h-fresh ones are not due, and the expected pass is 500,000
// calls at 4/s.
func TestStatusesStalestFirstAtScale(t *testing.T) {
	const spaces, perSpace, first = 10000, 50, 60 // 15 s of calls at 4/s: one look's
	clock := fakeclock.New(time.Unix(1_800_000_000, 0))
	now := clock.Now().Unix()
	ids, states := spreadChecksAccount(t, spaces, perSpace, clock.Now())
	type target struct {
		flowKey
		checked int64
	}
	var all []target
	for _, id := range ids {
		st := states[id]
		for f, flow := range st.FlowIDs {
			if checked := st.Statuses.Checked(f); checked == 0 || checked+3600 <= now {
				all = append(all, target{flowKey{id, flow}, checked})
			}
		}
	}
	slices.SortFunc(all, func(a, b target) int {
		if a.checked != b.checked {
			return cmp.Compare(a.checked, b.checked)
		}
		return cmp.Or(strings.Compare(a.space, b.space), strings.Compare(a.flow, b.flow))
	})
	want := make([]flowKey, first)
	for i := range want {
		want[i] = all[i].flowKey
	}
	r := New(Config{Lister: &fakeLister{}, Spaces: spacesFunc(ids...), Now: clock.Now})
	r.Restore(states)
	getter := &fakeGetter{status: map[flowKey]string{}}
	c := NewFlowStatusChecker(r, FlowStatusConfig{Getter: getter, Rate: 4, Interval: time.Hour, Concurrency: 1, ApplyEvery: 5 * time.Millisecond, Now: clock.Now})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { c.Run(ctx); close(done) }()
	waitFor(t, func() bool { return len(getter.called()) >= first && r.Snapshot().FlowStatus.ExpectedPass != 0 })
	cancel()
	<-done
	if got := getter.called()[:first]; !reflect.DeepEqual(got, want) {
		t.Errorf("first %d checked differ from the stalest of all:\n got %v\nwant %v", first, got[:5], want[:5])
	}
	if got, want := r.Snapshot().FlowStatus.ExpectedPass, 125000*time.Second; got != want {
		t.Errorf("expected pass %v, want %v (about 35 h)", got, want)
	}
}

// Listings and checks at once, listings changing the flows of the spaces:
// in every snapshot published, each space's statuses describe exactly its
// listed flows, their counts sum to its flows, and every known status is
// what GetFlow answers for that flow.
func TestStatusesStayAlignedWithChangingListings(t *testing.T) {
	synctest.Test(t, testStatusesStayAlignedWithChangingListings)
}

// testStatusesStayAlignedWithChangingListings runs on synctest's clock:
// what it sees does not depend on how fast the machine runs.
func testStatusesStayAlignedWithChangingListings(t *testing.T) {
	const spaces = 200
	ids := make([]string, spaces)
	for i := range ids {
		ids[i] = fmt.Sprintf("s%03d", i)
	}
	statusOf := func(flow string) string { return snapshot.DocumentedStatuses[len(flow)%3] }
	lister := &churningLister{}
	getter := getterFunc(func(_ context.Context, req client.GetFlowRequest) (*client.GetFlowResponse, error) {
		return &client.GetFlowResponse{Data: &client.FlowDetail{FlowID: req.FlowID, Status: statusOf(req.FlowID)}}, nil
	})
	r := New(Config{Lister: lister, Spaces: spacesFunc(ids...), Interval: 30 * time.Millisecond, Concurrency: 8, PublishEvery: 5 * time.Millisecond})
	c := NewFlowStatusChecker(r, FlowStatusConfig{Getter: getter, Rate: 1000, Interval: 50 * time.Millisecond, PollEvery: 5 * time.Millisecond, ApplyEvery: 5 * time.Millisecond})
	ctx, cancel := context.WithTimeout(context.Background(), 500*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	wg.Go(func() { r.Run(ctx) })
	wg.Go(func() { c.Run(ctx) })
	seen, known := map[*snapshot.Snapshot]bool{}, 0
	for ctx.Err() == nil {
		snap := r.Snapshot()
		if seen[snap] {
			time.Sleep(time.Millisecond)
			continue
		}
		seen[snap] = true
		for id, st := range snap.All() {
			if st.Statuses == nil {
				continue
			}
			if st.Statuses.Len() != len(st.FlowIDs) {
				t.Fatalf("space %s: %d statuses for %d flows", id, st.Statuses.Len(), len(st.FlowIDs))
			}
			sum := 0
			for _, n := range st.Statuses.ByStatus(st.Count) {
				sum += n
			}
			if sum != st.Count {
				t.Fatalf("space %s: statuses sum to %d for %d flows", id, sum, st.Count)
			}
			for i, flow := range st.FlowIDs {
				if s := st.Statuses.Status(i); s != "" {
					known++
					if s != statusOf(flow) {
						t.Fatalf("space %s flow %s: status %q, GetFlow answers %q", id, flow, s, statusOf(flow))
					}
				}
			}
		}
	}
	wg.Wait()
	if len(seen) < 10 || known == 0 || lister.listings() < 2*spaces {
		t.Errorf("%d snapshots, %d known statuses seen, %d listings: the test saw too little", len(seen), known, lister.listings())
	}
}

// churningLister answers each listing of a space with flows that move on:
// listing n of a space holds flows n..n+4, so each listing drops one flow
// and adds one.
type churningLister struct {
	mu sync.Mutex
	n  map[string]int
}

func (l *churningLister) ListFlowPage(_ context.Context, space, _ string, index, size int) ([]client.Flow, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.n == nil {
		l.n = map[string]int{}
	}
	if index > 1 {
		return nil, nil
	}
	l.n[space]++
	var flows []client.Flow
	for i := l.n[space]; i < l.n[space]+5; i++ {
		flows = append(flows, client.Flow{FlowID: fmt.Sprintf("%s-%d", space, i)})
	}
	return flows, nil
}

func (l *churningLister) listings() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, v := range l.n {
		n += v
	}
	return n
}

// An idle checker publishes nothing: with every status fresh, no snapshot
// is published (a publish costs a look at every space, and the cache is
// written again after one).
func TestIdleCheckerPublishesNothing(t *testing.T) { synctest.Test(t, testIdleCheckerPublishesNothing) }

// testIdleCheckerPublishesNothing runs on synctest's clock: the held-back
// publish is done when the sleep ends, however loaded the machine.
func testIdleCheckerPublishesNothing(t *testing.T) {
	lister := &fakeLister{flows: map[string][]client.Flow{"a": flowsOf("1", "2")}}
	r := New(Config{Lister: lister, Spaces: spacesFunc("a")})
	r.Refresh(context.Background())
	getter := &fakeGetter{status: map[flowKey]string{{"a", "1"}: "DRAFT", {"a", "2"}: "DRAFT"}}
	c := NewFlowStatusChecker(r, FlowStatusConfig{Getter: getter, Rate: 4, PollEvery: 5 * time.Millisecond, ApplyEvery: 5 * time.Millisecond})
	c.CheckAll(context.Background())
	time.Sleep(300 * time.Millisecond) // the publish PublishEvery held back
	snap := r.Snapshot()
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	c.Run(ctx)
	if r.Snapshot() != snap || len(getter.called()) != 2 {
		t.Errorf("an idle checker published a snapshot (%v) or called GetFlow (%d calls, want 2)", r.Snapshot() != snap, len(getter.called()))
	}
}

// GetFlow failed for a space's flows, then every flow was deleted: with
// no flow left nothing can fail or clear the error, so the space has none
// (it counted as failing for ever). So do statuses of no flow restored
// from a cache, and a listing that finds flows again starts without it.
func TestSpaceWithoutFlowsHasNoFlowStatusError(t *testing.T) {
	clock := fakeclock.New(time.Unix(1_800_000_000, 0))
	lister := &fakeLister{flows: map[string][]client.Flow{"a": flowsOf("1", "2"), "b": flowsOf("9")}}
	denied := &client.Error{Operation: client.OperationGetFlow, Code: "Ram.PermissionDeny", Class: client.ClassPermanent, Message: "no cams:GetFlow", RequestID: "R-1"}
	getter := &fakeGetter{status: map[flowKey]string{{"b", "9"}: "PUBLISHED"}, fail: map[string]error{"a": denied}}
	r := New(Config{Lister: lister, Spaces: spacesFunc("a", "b"), Now: clock.Now})
	r.Refresh(context.Background())
	c := NewFlowStatusChecker(r, FlowStatusConfig{Getter: getter, Rate: 4, Now: clock.Now})
	if e := c.CheckAll(context.Background()).Space("a").Statuses.LastErrorOrNil(); e == nil || e.Code != "Ram.PermissionDeny" {
		t.Fatalf("space a's status error %+v, want the denial", e)
	}
	lister.mu.Lock()
	lister.flows["a"] = nil
	lister.mu.Unlock()
	clock.Advance(time.Minute)
	snap := r.Refresh(context.Background())
	if a := snap.Space("a"); a.Count != 0 || a.Statuses.LastErrorOrNil() != nil || a.Statuses.Len() != 0 {
		t.Errorf("space a without flows: %d flows, status error %+v, %d statuses; want no error", a.Count, a.Statuses.LastErrorOrNil(), a.Statuses.Len())
	}
	if e := snap.Space("b").Statuses.LastErrorOrNil(); e != nil {
		t.Errorf("space b's status error %+v", e)
	}

	// Restored from a cache written before: no flow, an error.
	restored := &snapshot.FlowStatuses{LastError: snapshot.NewErrorInfo(denied)}
	at := clock.Now().Add(-time.Minute)
	r2 := New(Config{Lister: lister, Spaces: spacesFunc("a"), Now: clock.Now})
	r2.Restore(map[string]*snapshot.SpaceState{"a": {ID: "a", HasData: true, Up: true, LastSuccess: at, LastAttempt: at, Statuses: restored}})
	if e := r2.Snapshot().Space("a").Statuses.LastErrorOrNil(); e != nil {
		t.Errorf("restored space without flows: status error %+v, want none", e)
	}
	if fs, err := snapshot.NewFlowStatuses(nil, nil, &snapshot.ErrorInfo{Code: "Ram.PermissionDeny"}); err != nil || fs.LastError != nil {
		t.Errorf("NewFlowStatuses of no flow: %+v, %v; want no error", fs, err)
	}
}
