package refresh_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/refresh"
	"github.com/cams-exporter/cams_exporter/simulator"
)

// The case, against the simulator at the default 4 calls/s: two
// spaces whose paging never ends, first in line, and 20 healthy ones. Every
// healthy space is listed within 15 s of start, i.e. within the first 60
// calls (counted in the simulator's request log, so that a busy machine
// cannot fail the test), and the endless ones go on being listed beside them.
func TestEndlessSpacesDoNotStarveHealthyOnes(t *testing.T) {
	data := &simulator.Dataset{Spaces: []simulator.Space{{ID: "cams-endless1", Endless: true}, {ID: "cams-endless2", Endless: true}}}
	ids := []string{"cams-endless1", "cams-endless2"}
	for i := range 20 {
		id := fmt.Sprintf("cams-healthy%02d", i)
		ids = append(ids, id)
		data.Spaces = append(data.Spaces, simulator.Space{ID: id, Flows: []simulator.Flow{{FlowId: "1", FlowName: "f", Categories: []string{"SURVEY"}}}})
	}
	sim, err := simulator.New(simulator.Config{AccessKeyID: "id", AccessKeySecret: "secret", Data: data}) // 5 calls/s, like CAMS
	if err != nil {
		t.Fatal(err)
	}
	url, _ := sim.Start("127.0.0.1:0")
	defer sim.Close()
	c, err := client.New(client.Config{Endpoint: url, Credentials: client.StaticCredentials{AccessKeyID: "id", AccessKeySecret: "secret"}})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	r := refresh.New(refresh.Config{Lister: c, Pacer: c.Limiter(), Spaces: func() []string { return ids }, Interval: 5 * time.Minute, Rate: client.DefaultRateLimit})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	start := time.Now()
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	listed := map[string]time.Duration{}
	for ctx.Err() == nil && len(listed) < 20 {
		for id, st := range r.Snapshot().All() {
			if _, ok := listed[id]; !ok && st.HasData {
				listed[id] = time.Since(start)
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	elapsed := time.Since(start)
	cancel()
	<-done
	calls := sim.Stats().ListFlow
	t.Logf("20 healthy spaces listed in %v; endless spaces got %d and %d calls", elapsed.Round(time.Millisecond), calls["cams-endless1"], calls["cams-endless2"])
	firstCall := map[string]int{}
	for i, req := range sim.Requests().Requests {
		if _, ok := firstCall[req.Space]; !ok {
			firstCall[req.Space] = i + 1
		}
	}
	for _, id := range ids[2:] {
		if _, ok := listed[id]; !ok {
			t.Errorf("healthy space %s never listed (ListFlow calls: %v)", id, calls)
		} else if n := firstCall[id]; n > 60 {
			t.Errorf("healthy space %s first requested by call %d, want within the first 60 (15 s at 4 calls/s)", id, n)
		}
	}
	for _, id := range ids[:2] {
		if calls[id] < 10 {
			t.Errorf("endless space %s got %d calls, want it to keep progressing", id, calls[id])
		}
	}
}
