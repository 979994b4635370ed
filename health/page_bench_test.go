package health

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/snapshot"
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

// discard is a ResponseWriter that counts what it is given.
type discard struct {
	header http.Header
	bytes  int
}

func (d *discard) Header() http.Header         { return d.header }
func (d *discard) WriteHeader(int)             {}
func (d *discard) Write(p []byte) (int, error) { d.bytes += len(p); return len(p), nil }

// sharedSourcesAccount is pageAccount(n) with the three sources on, each
// space of 3 numbers, its WABA and their health, one value shared by all
// spaces (the cost of /status is that of distinct values: ids differ only
// in the data's texts).
func sharedSourcesAccount(n int) *snapshot.Snapshot {
	ns := numbersOf(0, 3)
	ns[1].QualityRating = "RED"
	numbersPart, wabaPart, healthPart := upPart(time.Minute, ns), upPart(time.Hour, wabaOf(0)), upPart(time.Hour, healthOf(0, ns))
	numbers, wabaParts, health := make(map[string]*snapshot.SpacePart, n), make(map[string]*snapshot.SpacePart, n), make(map[string]*snapshot.SpacePart, n)
	for i := range n {
		id := fmt.Sprintf("cams-%06d", i)
		numbers[id], wabaParts[id], health[id] = numbersPart, wabaPart, healthPart
	}
	return pageAccount(n).WithSources([]*snapshot.SourceState{
		sourceState(phoneNumbers, 15*time.Minute, 0, 0, numbers), sourceState(wabas, 6*time.Hour, 0, 0, wabaParts),
		sourceState(messagingHealth, time.Hour, 0, 0, health)})
}

// sharedTemplatesAccount is sharedSourcesAccount(n) with the templates
// source on: 50 templates a space, 2 of them paused and disabled, one
// listing shared by all spaces.
func sharedTemplatesAccount(n int) *snapshot.Snapshot {
	snap := sharedSourcesAccount(n)
	part := upPart(30*time.Minute, withStatus(withStatus(templatesOf(0, 50), 7, "paused", ""), 9, "disabled", ""))
	parts := make(map[string]*snapshot.SpacePart, n)
	for i := range n {
		parts[fmt.Sprintf("cams-%06d", i)] = part
	}
	return snap.WithSources(append(snap.Sources(), sourceState(templateSource, time.Hour, 0, 0, parts)))
}

// BenchmarkStatusWithSources is BenchmarkStatus with the three sources on
// (3 numbers a space), written to a writer that only counts: beside
// BenchmarkStatus, what the sources add; and the JSON's summary and 100
// spaces named. sources=4 adds the templates, 50 a space, at 10,000
// spaces: beside sources=3, what they add.
func BenchmarkStatusWithSources(b *testing.B) {
	for _, acc := range []struct {
		sources, n int
		snap       func(n int) *snapshot.Snapshot
	}{{3, 10000, sharedSourcesAccount}, {4, 10000, sharedTemplatesAccount}, {3, 200000, sharedSourcesAccount}} {
		n := acc.n
		c := checkerOf(acc.snap(n))
		named := make([]string, 100)
		for i := range named {
			named[i] = fmt.Sprintf("cams-%06d", i*(n/100))
		}
		for _, bc := range []struct{ name, target, accept string }{
			{"html-first-page", "/status", browserAccept},
			{"json", "/status", "application/json"},
			{"json-summary", "/status?summary", "application/json"},
			{"json-100-spaces", spaceQuery(named...), "application/json"},
		} {
			b.Run(fmt.Sprintf("sources=%d/spaces=%d/%s", acc.sources, n, bc.name), func(b *testing.B) {
				var size int
				b.ReportAllocs()
				for b.Loop() {
					w := &discard{header: http.Header{}}
					r := httptest.NewRequest("GET", bc.target, nil)
					r.Header.Set("Accept", bc.accept)
					c.StatusHandler(w, r)
					size = w.bytes
				}
				b.ReportMetric(float64(size), "page-bytes")
			})
		}
	}
}
