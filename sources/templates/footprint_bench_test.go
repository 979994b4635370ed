package templates

import (
	"encoding/json"
	"runtime"
	"testing"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/engine"
	"github.com/cams-exporter/cams_exporter/internal/liveheap"
	"github.com/cams-exporter/cams_exporter/simulator"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// footprintSpaces is how many spaces BenchmarkFootprint lists: issue 19's
// account (50 templates in each space with a WABA).
const footprintSpaces = 10_000

// BenchmarkFootprint measures what the templates of footprintSpaces spaces
// of 50 (the simulator's realistic mix: about 6.5 % need attention) cost
// the exporter: the live heap of their parts (and of the budget's grants)
// as complete listings make them, each answer decoded from JSON as the
// client decodes it, and as the cache's codec reads them back; and the
// size of their Data in the cache file. Per space with templates.
func BenchmarkFootprint(b *testing.B) {
	answers := footprintAnswers(b)
	var heap, restored, file float64
	for b.Loop() {
		src := benchSource()
		var parts []*snapshot.SpacePart
		heap = liveheap.Of(func() any {
			parts = footprintParts(b, src, answers)
			return src
		}) / float64(len(answers))
		raws, bytes := footprintRaws(b, parts)
		file = float64(bytes) / float64(len(answers))
		restored = liveheap.Decoded(b, raws, func(raw []byte) (any, error) { return src.Decode(raw) }) / float64(len(answers))
		runtime.KeepAlive(parts)
	}
	b.ReportMetric(heap, "heap-B/space")
	b.ReportMetric(restored, "restored-B/space")
	b.ReportMetric(file, "cache-B/space")
}

// footprintAnswers are the JSON answers of the spaces with templates of
// the simulator's account of footprintSpaces spaces, by space.
func footprintAnswers(b testing.TB) map[string][]byte {
	data := simulator.Generate(19, footprintSpaces, 1)
	simulator.AddTemplates(19, data, 50)
	answers := map[string][]byte{}
	for _, sp := range data.Spaces {
		if sp.ID == "" || len(sp.Templates) == 0 {
			continue
		}
		raw, err := json.Marshal(sp.Templates)
		if err != nil {
			b.Fatal(err)
		}
		answers[sp.ID] = raw
	}
	return answers
}

// footprintParts applies a complete listing of each space's answer,
// decoded anew.
func footprintParts(b testing.TB, src *Source, answers map[string][]byte) []*snapshot.SpacePart {
	parts := make([]*snapshot.SpacePart, 0, len(answers))
	for space, raw := range answers {
		var listed []client.Template
		if err := json.Unmarshal(raw, &listed); err != nil {
			b.Fatal(err)
		}
		parts = append(parts, src.Apply(space, nil, []engine.Done{{Task: engine.Task{Space: space}, At: t1, Value: listingOf(b, listed, len(listed))}}, nil))
	}
	return parts
}

// footprintRaws is the Data of parts as the cache file holds it, and its
// size in all.
func footprintRaws(b testing.TB, parts []*snapshot.SpacePart) ([][]byte, int) {
	raws, bytes := make([][]byte, 0, len(parts)), 0
	for _, p := range parts {
		raw, err := json.Marshal(p.Data)
		if err != nil {
			b.Fatal(err)
		}
		raws, bytes = append(raws, raw), bytes+len(raw)
	}
	return raws, bytes
}
