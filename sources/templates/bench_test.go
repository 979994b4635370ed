package templates

import (
	"fmt"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/engine"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// benchSource is the source the benchmarks run: the default budget.
func benchSource() *Source {
	return New(nil, time.Hour, 20, 0, Options{MaxProblemSeries: DefaultMaxProblemSeries})
}

// benchTemplates are a space's 50 templates, i of them (0 to 5) problems.
func benchTemplates(i int) []client.Template {
	problems := []int{0, 5, 3, 2}[i%4]
	out := make([]client.Template, 50)
	for k := range out {
		status := StatusPass
		if k < problems {
			status = StatusPaused
		}
		out[k] = client.Template{TemplateCode: fmt.Sprintf("t%02d", k), Language: "en_US", Category: "UTILITY", AuditStatus: status}
	}
	return out
}

// BenchmarkApply applies a complete listing of 50 templates, 5 % of them
// problems on average, to one of 10,000 spaces in turn, over its last part.
func BenchmarkApply(b *testing.B) {
	src := benchSource()
	const spaces = 10000
	parts := make([]*snapshot.SpacePart, spaces)
	listings := make([]*client.TemplatePager, 4)
	for i := range listings {
		listings[i] = listingOf(b, benchTemplates(i), 50)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		space := i % spaces
		done := []engine.Done{{Task: engine.Task{Space: "s"}, At: t1, Value: listings[space%4]}}
		parts[space] = src.Apply(fmt.Sprint("cs-", space), parts[space], done, nil)
	}
}

// BenchmarkRestore restores the parts of 10,000 spaces of 50 templates
// into a paged runner (the start-up with a cache).
func BenchmarkRestore(b *testing.B) {
	const spaces = 10000
	ids := make([]string, spaces)
	parts := map[string]*snapshot.SpacePart{}
	src := benchSource()
	for i := range spaces {
		ids[i] = fmt.Sprintf("cs-%05d", i)
		done := []engine.Done{{Task: engine.Task{Space: ids[i]}, At: t1, Value: listingOf(b, benchTemplates(i), 50)}}
		parts[ids[i]] = src.Apply(ids[i], nil, done, nil)
	}
	watched := engine.NewWatched(func() []string { return ids }, nil)
	b.ReportAllocs()
	for b.Loop() {
		r := engine.NewPagedRunner(engine.Config{Rate: 4, Watched: watched}, benchSource())
		r.Restore(parts)
	}
}
