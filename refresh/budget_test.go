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

// A pass uses the account's budget: the achieved call rate is within 5% of
// the configured one, with no throttling when the configured rate is below
// the service's limit. A short real run against the simulator.
func TestPassUsesTheBudget(t *testing.T) {
	const spaces, rate = 150, 100.0
	data := &simulator.Dataset{}
	var ids []string
	for i := range spaces {
		id := fmt.Sprintf("cams-%04d", i)
		ids = append(ids, id)
		data.Spaces = append(data.Spaces, simulator.Space{ID: id, Flows: []simulator.Flow{{FlowId: "1", FlowName: "f", Categories: []string{"SURVEY"}}}})
	}
	sim, err := simulator.New(simulator.Config{AccessKeyID: "id", AccessKeySecret: "secret", Data: data, RateLimit: 2 * rate})
	if err != nil {
		t.Fatal(err)
	}
	url, _ := sim.Start("127.0.0.1:0")
	defer sim.Close()
	c, err := client.New(client.Config{Endpoint: url, RateLimit: rate, Credentials: client.StaticCredentials{AccessKeyID: "id", AccessKeySecret: "secret"}})
	if err != nil {
		t.Fatal(err)
	}
	r := refresh.New(refresh.Config{Lister: c, Pacer: c.Limiter(), Spaces: func() []string { return ids }, PageSize: 20, Rate: rate, Interval: time.Hour})
	start := time.Now()
	snap := r.Refresh(context.Background())
	elapsed := time.Since(start)
	stats := sim.Stats()
	// With a burst of one, n calls span n-1 intervals.
	efficiency := float64(stats.Accepted-1) / (rate * elapsed.Seconds())
	t.Logf("%d calls in %v: %.3f of the configured rate", stats.Accepted, elapsed, efficiency)
	if stats.Accepted != spaces || stats.Throttled != 0 || !snap.Up() {
		t.Fatalf("%d calls, %d throttled, up %v; want %d, 0, true", stats.Accepted, stats.Throttled, snap.Up(), spaces)
	}
	if efficiency < 0.95 || efficiency > 1.05 {
		t.Errorf("achieved %.3f of the configured rate, want within 5%%", efficiency)
	}
}
