package exposition

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/internal/tooltest"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// TestOutputPassesPromtool runs `promtool check metrics`, Prometheus 2's
// (Debian's) and 3's, on the text the handler serves with every source
// on, beside the flows with their statuses and flow info: odd values, and
// 300 spaces with 3 numbers each.
func TestOutputPassesPromtool(t *testing.T) {
	promtools := map[string]string{
		"Prometheus 2": tooltest.Debian(t, "promtool", "prometheus"),
		"Prometheus 3": tooltest.Bin(t, "promtool"),
	}
	opts := withSources(collector.Options{FlowInfo: true, FlowStatus: true, FlowStatusInterval: time.Hour, RefreshInterval: time.Minute,
		LimiterRate: func() float64 { return 4 }, GetFlowLimiterRate: func() float64 { return 4 }, StartTime: t0})
	for name, snap := range map[string]*snapshot.Snapshot{
		"odd values":              oddStatusSnapshot().WithSources(oddSourcesSnapshot().Sources()),
		"300 spaces of 3 numbers": withTestSources(testSnapshot(300, 3), 3),
	} {
		text := body(t, fresh(snap, opts), "text/plain;version=0.0.4", "identity")
		for _, family := range []string{"cams_collector_space_up", "cams_phone_number_state", "cams_waba_info", "cams_messaging_health_entity", "cams_flow_info"} {
			if !bytes.Contains(text, []byte("\n"+family+"{")) {
				t.Fatalf("%s: no series of %s to check", name, family)
			}
		}
		for version, promtool := range promtools {
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			cmd := exec.CommandContext(ctx, promtool, "check", "metrics")
			cmd.Stdin = bytes.NewReader(text)
			out, err := cmd.CombinedOutput()
			cancel()
			if err != nil || strings.TrimSpace(string(out)) != "" {
				t.Errorf("%s, promtool of %s: check metrics: %v\n%s", name, version, err, out)
			}
		}
	}
}
