package health

import (
	"fmt"
	"net/http/httptest"
	"testing"
)

// BenchmarkStatus renders /status for a browser (the first page, and a
// page in the middle) and, as the baseline, for any other client (JSON of
// every space, as /status answered before the page existed), at 10,000
// and 200,000 spaces. page-bytes is the size of one answer.
func BenchmarkStatus(b *testing.B) {
	for _, n := range []int{10000, 200000} {
		c := checkerOf(pageAccount(n))
		for _, bc := range []struct{ name, target, accept string }{
			{"html-first-page", "/status", browserAccept},
			{"html-middle-page", fmt.Sprintf("/status?page=%d", n/PageSize/2), browserAccept},
			{"json", "/status", "application/json"},
		} {
			b.Run(fmt.Sprintf("spaces=%d/%s", n, bc.name), func(b *testing.B) {
				var size int
				b.ReportAllocs()
				for b.Loop() {
					rec := httptest.NewRecorder()
					r := httptest.NewRequest("GET", bc.target, nil)
					r.Header.Set("Accept", bc.accept)
					c.StatusHandler(rec, r)
					size = rec.Body.Len()
				}
				b.ReportMetric(float64(size), "page-bytes")
			})
		}
	}
}
