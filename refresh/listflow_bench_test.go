package refresh

import (
	"context"
	"fmt"
	"testing"

	"github.com/cams-exporter/cams_exporter/client"
)

// pagesLister answers at once: each space has 25 flows, two pages of 20.
type pagesLister struct{ flows []client.Flow }

func (p pagesLister) ListFlowPage(_ context.Context, _, _ string, index, size int) ([]client.Flow, error) {
	from := min((index-1)*size, len(p.flows))
	return p.flows[from:min(from+size, len(p.flows))], nil
}

// BenchmarkListingPass lists 10,000 spaces of two pages each once, with
// answers that cost nothing: what scheduling the pages and recording the
// listings costs.
func BenchmarkListingPass(b *testing.B) {
	flows := make([]client.Flow, 25)
	for i := range flows {
		flows[i] = client.Flow{FlowID: fmt.Sprintf("f%02d", i)}
	}
	ids := make([]string, 10_000)
	for i := range ids {
		ids[i] = fmt.Sprintf("space-%05d", i)
	}
	b.ReportAllocs()
	for b.Loop() {
		r := New(Config{Lister: pagesLister{flows}, Spaces: spacesFunc(ids...), PageSize: 20, Concurrency: 8, Rate: 4})
		if snap := r.Refresh(context.Background()); snap.Refreshes != 1 {
			b.Fatalf("%d passes, want 1", snap.Refreshes)
		}
	}
}
