package refresh

import (
	"cmp"
	"context"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
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

// BenchmarkStatusScan is the checker's first look at every flow of the
// account choosing the next 60 to check (15 s of calls at 4/s), from a
// checker made anew (its due index empty: later looks ask only the spaces
// that changed), with one call and its publish: the engine's runner
// against the strongest plain alternative, collecting every due flow and
// sorting them all.
func BenchmarkStatusScan(b *testing.B) {
	for _, size := range []struct{ spaces, flows int }{{10000, 50}, {200000, 5}} {
		r, now := benchAccount(b, size.spaces, size.flows)
		name := fmt.Sprintf("%dx%d", size.spaces, size.flows)
		b.Run(name+"/runner", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				ctx, cancel := context.WithCancel(context.Background())
				stop := getterFunc(func(context.Context, client.GetFlowRequest) (*client.GetFlowResponse, error) {
					cancel()
					return nil, ctx.Err()
				})
				NewFlowStatusChecker(r, FlowStatusConfig{Getter: stop, Rate: 4, Interval: time.Hour, Concurrency: 1, Now: func() time.Time { return now }}).Run(ctx)
			}
		})
		b.Run(name+"/sort-all", func(b *testing.B) {
			b.ReportAllocs()
			type target struct {
				space, flow string
				checked     int64
			}
			sec, iv := now.Unix(), int64(3600)
			for b.Loop() {
				var due []target
				for id, st := range r.Snapshot().All() {
					for i, flow := range st.FlowIDs {
						if checked := st.Statuses.Checked(i); checked == 0 || checked+iv <= sec {
							due = append(due, target{id, flow, checked})
						}
					}
				}
				slices.SortFunc(due, func(x, y target) int {
					return cmp.Or(cmp.Compare(x.checked, y.checked), strings.Compare(x.space, y.space), strings.Compare(x.flow, y.flow))
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
