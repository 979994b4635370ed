package refresh

import (
	"fmt"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/snapshot"
)

// benchAccount is an account of spaces × perSpace flows restored with
// statuses whose checks spread over the last 35 hours, one in 16 never
// checked.
func benchAccount(b *testing.B, spaces, perSpace int) (*Refresher, time.Time) {
	b.Helper()
	now := time.Unix(1_800_000_000, 0)
	ids, states := spreadChecksAccount(b, spaces, perSpace, now)
	r := New(Config{Lister: &fakeLister{}, Spaces: spacesFunc(ids...), Now: func() time.Time { return now }})
	r.Restore(states)
	return r, now
}

// BenchmarkStatusScan is one look at every flow of the account choosing the
// next 60 to check (15 s of calls at 4/s): the checker's bounded heap
// against the strongest plain alternative, collecting every due flow and
// sorting them all.
func BenchmarkStatusScan(b *testing.B) {
	for _, size := range []struct{ spaces, flows int }{{10000, 50}, {200000, 5}} {
		r, now := benchAccount(b, size.spaces, size.flows)
		c := NewFlowStatusChecker(r, FlowStatusConfig{Getter: &fakeGetter{}, Rate: 4, Interval: time.Hour, Now: func() time.Time { return now }})
		name := fmt.Sprintf("%dx%d", size.spaces, size.flows)
		b.Run(name+"/heap", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				c.mu.Lock()
				c.scanLocked(now, false)
				c.mu.Unlock()
			}
		})
		b.Run(name+"/sort-all", func(b *testing.B) {
			b.ReportAllocs()
			sec, iv := now.Unix(), int64(3600)
			for b.Loop() {
				var due []statusTarget
				for _, ref := range r.statusTargets() {
					for i, id := range ref.st.FlowIDs {
						if checked := ref.st.Statuses.Checked(i); checked == 0 || checked+iv <= sec {
							due = append(due, statusTarget{flowKey{ref.id, id}, checked})
						}
					}
				}
				slices.SortFunc(due, func(x, y statusTarget) int {
					if staler(x, y) {
						return -1
					}
					return 1
				})
				_ = due[:min(len(due), 60)]
			}
		})
	}
}

// naiveStatuses is the plain way to keep statuses: a status string and a
// time.Time a flow.
type naiveStatuses struct {
	status  []string
	checked []time.Time
}

// BenchmarkStatusMemory measures the heap that the statuses of 10,000
// spaces of 50 flows take: FlowStatuses (a byte and an int64 a flow)
// against a string and a time.Time a flow.
func BenchmarkStatusMemory(b *testing.B) {
	const spaces, perSpace = 10000, 50
	statuses, checked := make([]string, perSpace), make([]int64, perSpace)
	for f := range perSpace {
		statuses[f], checked[f] = snapshot.DocumentedStatuses[f%3], int64(1_800_000_000+f)
	}
	measure := func(b *testing.B, build func() any) {
		for b.Loop() {
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			kept := build()
			runtime.GC()
			runtime.ReadMemStats(&after)
			runtime.KeepAlive(kept)
			b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(spaces*perSpace), "bytes/flow")
		}
	}
	b.Run("FlowStatuses", func(b *testing.B) {
		measure(b, func() any {
			out := make([]*snapshot.FlowStatuses, spaces)
			for s := range out {
				out[s], _ = snapshot.NewFlowStatuses(statuses, checked, nil)
			}
			return out
		})
	})
	b.Run("string+time.Time", func(b *testing.B) {
		measure(b, func() any {
			out := make([]*naiveStatuses, spaces)
			for s := range out {
				n := &naiveStatuses{status: slices.Clone(statuses), checked: make([]time.Time, perSpace)}
				for f := range n.checked {
					n.checked[f] = time.Unix(checked[f], 0)
				}
				out[s] = n
			}
			return out
		})
	})
}
