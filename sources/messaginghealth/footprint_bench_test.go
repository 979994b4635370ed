package messaginghealth_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/cache"
	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/engine"
	"github.com/cams-exporter/cams_exporter/health"
	"github.com/cams-exporter/cams_exporter/internal/liveheap"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

// footprintSpaces is how many spaces BenchmarkFootprint keeps.
const footprintSpaces = 10_000

var benchT0 = time.Date(2026, 12, 6, 0, 0, 0, 0, time.UTC)

// realisticAPI answers as CAMS relays Meta: the WABA's node names the WABA,
// its business and the app; a number's node the number and the same three.
// The business is LIMITED with Meta's words for why. Every text is a string
// of its own, as decoding an answer's JSON makes it.
type realisticAPI struct{}

func (realisticAPI) GetHealthStatus(_ context.Context, space string, node client.HealthNode) (*client.HealthStatus, error) {
	i := strings.TrimPrefix(space, "cams-")
	own := strings.Clone
	entities := []client.HealthEntity{
		{EntityType: "WABA", ID: own("10" + i + "00000"), WabaID: own("10" + i + "00000"), CanSendMessage: "AVAILABLE"},
		{EntityType: "BUSINESS", ID: own("20" + i + "00000"), BusinessID: own("20" + i + "00000"), CanSendMessage: "LIMITED", Errors: []client.HealthError{{
			ErrorCode:        own("141010"),
			ErrorDescription: own("The business has not passed business verification."),
			PossibleSolution: own("Start or resolve the business verification in Business Settings."),
		}}},
		{EntityType: "APP", CanSendMessage: "AVAILABLE"},
	}
	if node.Type == client.NodeTypePhone {
		entities = append([]client.HealthEntity{{EntityType: "PHONE_NUMBER", ID: own(node.PhoneNumber), PhoneNumber: own(node.PhoneNumber), CanSendMessage: "AVAILABLE"}}, entities...)
	}
	return &client.HealthStatus{CanSendMessage: "LIMITED", Entities: entities}, nil
}

// footprintSnapshot is n spaces, each with its WABA and 3 numbers as the
// waba and phone-numbers sources know them, and each listed with data.
func footprintSnapshot(n int) *snapshot.Snapshot {
	wabas, numbers := make(map[string]*snapshot.SpacePart, n), make(map[string]*snapshot.SpacePart, n)
	spaces := make(map[string]*snapshot.SpaceState, n)
	for k := range n {
		id := fmt.Sprintf("cams-%06d", k)
		i := strings.TrimPrefix(id, "cams-")
		w := waba.WABA{Bound: true, ID: "10" + i + "00000", BusinessID: "20" + i + "00000", AccountReviewStatus: "APPROVED"}
		var ns phonenumbers.Numbers
		for j := range 3 {
			ns = append(ns, phonenumbers.Number{PhoneNumber: fmt.Sprintf("86138%06d%02d", k, j), Status: "CONNECTED", QualityRating: "GREEN"})
		}
		wabas[id] = &snapshot.SpacePart{Up: true, HasData: true, LastSuccess: benchT0, LastAttempt: benchT0, Data: w}
		numbers[id] = &snapshot.SpacePart{Up: true, HasData: true, LastSuccess: benchT0, LastAttempt: benchT0, Data: ns}
		spaces[id] = &snapshot.SpaceState{ID: id, HasData: true, Up: true, Count: 1, ByCategory: map[string]int{"SURVEY": 1}, LastSuccess: benchT0, LastAttempt: benchT0}
	}
	return snapshot.Snapshot{Completed: true, Refreshes: 1}.WithSpaces(spaces).WithSources([]*snapshot.SourceState{
		snapshot.NewSourceState(waba.Name, client.OperationQueryBindWaba).WithParts(wabas),
		snapshot.NewSourceState(phonenumbers.Name, client.OperationQueryPhoneNumbers).WithParts(numbers),
	})
}

// footprintParts asks every node of every space of snap once, the WABA
// first and each number a minute later, as the source's runner would, and
// returns the parts it applied.
func footprintParts(src *messaginghealth.Source, snap *snapshot.Snapshot) map[string]*snapshot.SpacePart {
	parts := make(map[string]*snapshot.SpacePart, snap.Len())
	for space := range snap.All() {
		var part *snapshot.SpacePart
		tasks, _, _ := src.Due(nil, space, nil, snap, benchT0)
		for k, t := range tasks {
			v, err := src.Call(context.Background(), t)
			at := benchT0.Add(time.Duration(k) * time.Minute)
			part = src.Apply(space, part, []engine.Done{{Task: t, At: at, Value: v, Err: err}}, snap)
		}
		parts[space] = part
	}
	return parts
}

// builtHeap is the heap the Data of every space of snap holds as the
// source's calls make them.
func builtHeap(src *messaginghealth.Source, snap *snapshot.Snapshot) float64 {
	return liveheap.Of(func() any {
		var data []any
		for _, p := range footprintParts(src, snap) {
			data = append(data, p.Data)
		}
		return data
	})
}

// restoredHeap is the heap the Data of parts holds once written as the
// cache writes it and read back by the source's codec.
func restoredHeap(b *testing.B, src *messaginghealth.Source, parts map[string]*snapshot.SpacePart) float64 {
	raws := make([][]byte, 0, len(parts))
	for _, p := range parts {
		raw, err := json.Marshal(p.Data)
		if err != nil {
			b.Fatal(err)
		}
		raws = append(raws, raw)
	}
	return liveheap.Decoded(b, raws, func(raw []byte) (any, error) { return src.Decode(raw) })
}

// BenchmarkFootprint measures what messaging health costs a space of 3
// numbers whose answers all name the same WABA, business and app (the
// business LIMITED with Meta's description and solution): heap-B/space the
// heap its Data holds as the source's calls make it, restored-B/space as
// the cache's codec reads it back, cache-B/space its entry in the cache
// file, status-B/space what its part adds to /status's JSON. Run it on two
// trees side by side (-count=5, benchstat).
func BenchmarkFootprint(b *testing.B) {
	snap := footprintSnapshot(footprintSpaces)
	src := messaginghealth.New(realisticAPI{}, 0, 0)
	dir := b.TempDir()
	var heap, restored, file, status float64
	for b.Loop() {
		heap = builtHeap(src, snap) / footprintSpaces
		parts := footprintParts(src, snap)
		restored = restoredHeap(b, src, parts) / footprintSpaces
		withHealth := snap.WithSources(append(snap.Sources(), snapshot.NewSourceState(messaginghealth.Name, client.OperationGetHealthStatus).WithParts(parts)))
		file = float64(cacheBytes(b, filepath.Join(dir, "with"), withHealth)-cacheBytes(b, filepath.Join(dir, "without"), snap)) / footprintSpaces
		status = float64(statusBytes(withHealth)-statusBytes(snap)) / footprintSpaces
	}
	b.ReportMetric(heap, "heap-B/space")
	b.ReportMetric(restored, "restored-B/space")
	b.ReportMetric(file, "cache-B/space")
	b.ReportMetric(status, "status-B/space")
}

// cacheBytes is the size of the cache file of snap.
func cacheBytes(b *testing.B, path string, snap *snapshot.Snapshot) int64 {
	if err := cache.Save(path, cache.Meta{Endpoint: "cams.example"}, snap, benchT0); err != nil {
		b.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		b.Fatal(err)
	}
	return fi.Size()
}

// statusBytes is the size of /status's JSON of snap.
func statusBytes(snap *snapshot.Snapshot) int {
	c := health.Checker{Snapshot: func() *snapshot.Snapshot { return snap }, Now: func() time.Time { return benchT0 }}
	w := &counter{header: http.Header{}}
	r := httptest.NewRequest("GET", "/status", nil)
	r.Header.Set("Accept", "application/json")
	c.StatusHandler(w, r)
	return w.bytes
}

// counter is a ResponseWriter that counts what it is given.
type counter struct {
	header http.Header
	bytes  int
}

func (c *counter) Header() http.Header         { return c.header }
func (c *counter) WriteHeader(int)             {}
func (c *counter) Write(p []byte) (int, error) { c.bytes += len(p); return len(p), nil }
