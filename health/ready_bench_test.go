package health

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/snapshot"
)

// BenchmarkReadyz answers /readyz at 200,000 spaces, all fresh and with
// 20,000 failing for good whose data is two hours old (older than the
// limit, 15m): readiness reads counts, never the spaces.
func BenchmarkReadyz(b *testing.B) {
	const n = 200000
	for _, failing := range []int{0, 20000} {
		states := make(map[string]*snapshot.SpaceState, n)
		for i := range n {
			id := fmt.Sprintf("cams-%06d", i)
			at := t0.Add(-time.Duration(i) * time.Millisecond)
			st := &snapshot.SpaceState{ID: id, HasData: true, Up: true, Count: 3, LastSuccess: at, LastAttempt: at}
			if i < failing {
				st.Up, st.LastSuccess = false, t0.Add(-2*time.Hour)
				st.LastError = &snapshot.ErrorInfo{Code: "Ram.PermissionDeny", Message: "denied"}
			}
			states[id] = st
		}
		snap := snapshot.Snapshot{Completed: true, Refreshes: 1}.WithSpaces(states)
		c := Checker{Snapshot: func() *snapshot.Snapshot { return snap }, RefreshInterval: 5 * time.Minute, MaxStaleness: 15 * time.Minute,
			Started: t0.Add(-time.Second), Now: func() time.Time { return t0 }}
		b.Run(fmt.Sprintf("spaces=%d/failing=%d", n, failing), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				c.Readyz(rec, httptest.NewRequest("GET", "/readyz", nil))
			}
		})
	}
}
