package refresh_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/refresh"
	"github.com/cams-exporter/cams_exporter/simulator"
)

// The status checks never delay ListFlow: against the simulator at CAMS's
// 5 calls/s per operation, with every GetFlow call throttled or hanging
// until the client's timeout, the listings go on pass after pass, no
// ListFlow call is throttled and ListFlow's limiter keeps its rate, while
// GetFlow's own limiter slows down.
func TestStatusChecksNeverDelayListFlow(t *testing.T) {
	data := &simulator.Dataset{}
	var ids []string
	for i := range 8 {
		id := fmt.Sprintf("cams-iso%02d", i)
		ids = append(ids, id)
		data.Spaces = append(data.Spaces, simulator.Space{ID: id, Flows: []simulator.Flow{{FlowId: "1"}, {FlowId: "2"}, {FlowId: "3"}}})
	}
	sim, err := simulator.New(simulator.Config{AccessKeyID: "id", AccessKeySecret: "secret", Data: data})
	if err != nil {
		t.Fatal(err)
	}
	url, _ := sim.Start("127.0.0.1:0")
	defer sim.Close()
	getFlow := "GetFlow"
	sim.Inject(simulator.Fault{Kind: "error", Code: "System.LimitControl", Action: getFlow, Count: 2})
	sim.Inject(simulator.Fault{Kind: "hang", Action: getFlow})
	var listThrottled, getFlowCalls atomic.Int64
	c, err := client.New(client.Config{Endpoint: url, Credentials: client.StaticCredentials{AccessKeyID: "id", AccessKeySecret: "secret"}, Timeout: time.Second,
		Observer: client.ObserverFunc(func(a client.Attempt) {
			switch {
			case a.Operation == client.OperationListFlow && a.Throttled:
				listThrottled.Add(1)
			case a.Operation == client.OperationGetFlow:
				getFlowCalls.Add(1)
			}
		})})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := refresh.New(refresh.Config{Lister: c, Pacer: c.Limiter(), Spaces: func() []string { return ids }, Interval: time.Second, Rate: client.DefaultRateLimit})
	checker := refresh.NewFlowStatusChecker(r, refresh.FlowStatusConfig{Getter: c, Pacer: c.GetFlowLimiter(), Rate: client.DefaultRateLimit, Interval: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	done := make(chan struct{}, 2)
	go func() { r.Run(ctx); done <- struct{}{} }()
	go func() { checker.Run(ctx); done <- struct{}{} }()
	// 2 throttled GetFlow attempts halve GetFlow's rate twice (to 1 call a
	// second); the next ones hang until the client's timeout.
	for ctx.Err() == nil && (r.Snapshot().Refreshes < 3 || getFlowCalls.Load() < 4) {
		time.Sleep(20 * time.Millisecond)
	}
	snap := r.Snapshot()
	cancel()
	<-done
	<-done
	if snap.Refreshes < 3 || !snap.Up() {
		t.Fatalf("%d passes, up %v while GetFlow hung: the listings were held back", snap.Refreshes, snap.Up())
	}
	if n := listThrottled.Load(); n != 0 {
		t.Errorf("%d ListFlow calls throttled", n)
	}
	if rate := c.Limiter().Rate(); rate != client.DefaultRateLimit {
		t.Errorf("ListFlow's limiter at %v calls/s, want its %v: GetFlow's throttling must not slow it", rate, client.DefaultRateLimit)
	}
	if rate := c.GetFlowLimiter().Rate(); rate >= client.DefaultRateLimit {
		t.Errorf("GetFlow's limiter at %v calls/s after 2 throttled calls, want it lowered", rate)
	}
	for _, id := range ids {
		if st := snap.Space(id); st == nil || st.Count != 3 || st.Statuses.Known() != 0 {
			t.Errorf("space %s: %+v; want its 3 flows, no status known", id, st)
		}
	}
}
