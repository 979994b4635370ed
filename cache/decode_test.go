package cache

import (
	"bytes"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// manySpaces is a snapshot of n listed spaces, each with two flows, kept
// for flow info in every third.
func manySpaces(n int) *snapshot.Snapshot {
	states := make(map[string]*snapshot.SpaceState, n)
	for i := range n {
		id := fmt.Sprintf("cams-%06d", i)
		states[id] = &snapshot.SpaceState{ID: id, HasData: true, Up: i%7 != 0, Count: 2, ByCategory: map[string]int{"SURVEY": 2, "SHOPPING": 1},
			FlowIDs: []string{fmt.Sprint(i, "-1"), fmt.Sprint(i, "-2")}, LastSuccess: t0, LastAttempt: t0.Add(time.Duration(i) * time.Millisecond)}
		if i%3 == 0 {
			states[id].Flows = snapshot.NewFlowList([]client.Flow{{FlowID: fmt.Sprint(i, "-1"), FlowName: "one", Categories: []string{"SURVEY", "SHOPPING"}},
				{FlowID: fmt.Sprint(i, "-2"), FlowName: "two", Categories: []string{"SURVEY"}}})
		}
		if i%7 == 0 {
			states[id].LastError = &snapshot.ErrorInfo{Code: "Throttling", Message: "slow down", Class: "throttled"}
		}
	}
	return snapshot.Snapshot{}.WithSpaces(states)
}

// flowless returns states with their kept flows apart, for comparing
// them: a FlowList is compared by its flows.
func flowless(states map[string]*snapshot.SpaceState) (map[string]snapshot.SpaceState, map[string]any) {
	rest, flows := map[string]snapshot.SpaceState{}, map[string]any{}
	for id, st := range states {
		s := *st
		flows[id], s.Flows = s.Flows.Flows(), nil
		rest[id] = s
	}
	return rest, flows
}

func sameStates(t *testing.T, what string, got, want map[string]*snapshot.SpaceState) {
	t.Helper()
	gotRest, gotFlows := flowless(got)
	wantRest, wantFlows := flowless(want)
	if len(got) != len(want) || !reflect.DeepEqual(gotRest, wantRest) || !reflect.DeepEqual(gotFlows, wantFlows) {
		t.Errorf("%s: %d states, not the %d of the file as written", what, len(got), len(want))
	}
}

// TestLoadReadsAStream: the file is read as it comes, whatever the size of
// the reads, and a file written by another hand (its keys in another order
// and case, spaces before the version and settings, keys Load does not
// know, the list of spaces given twice: the last counts) restores the same
// as the file Save writes, as encoding/json read it.
func TestLoadReadsAStream(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.json")
	if err := Save(path, meta, manySpaces(500), t0); err != nil {
		t.Fatal(err)
	}
	want, err := Load(path, meta)
	if err != nil || len(want) != 500 {
		t.Fatalf("Load: %d spaces, %v", len(want), err)
	}
	data, _ := os.ReadFile(path)
	for name, r := range map[string]io.Reader{
		"a byte at a time":           iotest.OneByteReader(bytes.NewReader(data)),
		"the last read with the end": iotest.DataErrReader(bytes.NewReader(data)),
		"reads of odd sizes":         iotest.HalfReader(bytes.NewReader(data)),
	} {
		got, err := decode(r, path, meta)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		sameStates(t, name, got, want)
	}

	spaces := data[bytes.Index(data, []byte(`"spaces":`))+len(`"spaces":`) : len(data)-1]
	metaJSON := `{"Endpoint":"https://cams.ap-southeast-1.aliyuncs.com/","FLOW_NAME":"","flow_info":true}`
	other := `{"Spaces":[{"id":"gone","has_data":true}],"comment":{"a":[1,"two",null,{"x":true}]},"SPACES":` + string(spaces) +
		`,"extra":"text","Meta":` + metaJSON + `,"number":-1.5e3,"VERSION":2}`
	otherPath := filepath.Join(t.TempDir(), "other.json")
	os.WriteFile(otherPath, []byte(other), 0o600)
	got, err := Load(otherPath, meta)
	if err != nil {
		t.Fatal(err)
	}
	sameStates(t, "keys in another order and case", got, want)
}

// TestLoadRefusesTheWholeFile: a file that goes wrong after many good
// spaces restores none of them; each way is one line naming the file.
func TestLoadRefusesTheWholeFile(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	if err := Save(good, meta, manySpaces(2000), t0); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(good)
	body := string(data)
	last := strings.LastIndex(body, `{"id":`)
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(content), 0o600)
		return p
	}
	tests := map[string]struct{ path, want string }{
		"cut in the last space":      {write("cut.json", body[:last+40]), "corrupt: unexpected EOF"},
		"cut after the spaces":       {write("cut2.json", body[:len(body)-1]), "corrupt"},
		"a syntax error at the end":  {write("syntax.json", body[:last]+`{"id":x}]}`), "corrupt: invalid character 'x'"},
		"a wrong type at the end":    {write("type.json", body[:last]+`{"id":"z","count":"many"}]}`), "corrupt"},
		"the last space twice":       {write("twice.json", body[:len(body)-2]+","+body[last:len(body)-2]+"]}"), "twice"},
		"the last up without data":   {write("nodata.json", body[:last]+`{"id":"z","up":true}]}`), "up without data"},
		"data after the object":      {write("after.json", body+`{}`), "corrupt"},
		"garbage after the object":   {write("garbage.json", body+"x"), "corrupt"},
		"spaces not a list":          {write("notalist.json", strings.Replace(body, `"spaces":[`, `"spaces":{"a":[`, 1)+"}"), "corrupt"},
		"not an object":              {write("array.json", "["+body+"]"), "corrupt"},
		"empty":                      {write("empty.json", ""), "corrupt: EOF"},
		"a version after the spaces": {write("v9late.json", body[:len(body)-1]+`,"version":9}`), "format version 9"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := Load(tt.path, meta)
			if err == nil || got != nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.path) || strings.Contains(err.Error(), "\n") {
				t.Errorf("Load = %d spaces, %v; want nothing and one line naming the file and %q", len(got), err, tt.want)
			}
		})
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

// TestLoadStopsAtARefusal: a file of another version or other settings,
// which an exporter writes before its spaces, is refused once they are
// read: its spaces (tens of MB at 200,000 spaces) are not.
func TestLoadStopsAtARefusal(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.json")
	if err := Save(path, meta, manySpaces(20000), t0); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	for name, tt := range map[string]struct {
		data []byte
		meta Meta
		want string
	}{
		"other settings": {data, Meta{Endpoint: "http://127.0.0.1:1/"}, "other settings"},
		"version 9":      {bytes.Replace(data, []byte(`"version":4`), []byte(`"version":9`), 1), meta, "format version 9"},
	} {
		r := &countingReader{r: bytes.NewReader(tt.data)}
		got, err := decode(r, path, tt.meta)
		if err == nil || got != nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %d spaces, %v; want a refusal saying %q", name, len(got), err, tt.want)
		}
		if r.n > 64<<10 {
			t.Errorf("%s: %d of the file's %d bytes read before the refusal", name, r.n, len(tt.data))
		}
	}
}

// TestLoadWithoutSpaces: a file whose list of spaces is null (Save writes
// it so when nothing was listed) or empty restores nothing, without error.
func TestLoadWithoutSpaces(t *testing.T) {
	dir := t.TempDir()
	for _, spaces := range []string{"null", "[]"} {
		p := filepath.Join(dir, "c.json")
		os.WriteFile(p, []byte(`{"version":2,"meta":{"endpoint":"https://cams.ap-southeast-1.aliyuncs.com/","flow_name":"","flow_info":true},"saved_at":"2026-11-26T10:00:00Z","spaces":`+spaces+`}`), 0o600)
		if got, err := Load(p, meta); err != nil || len(got) != 0 {
			t.Errorf("spaces %s: %d states, %v; want none and no error", spaces, len(got), err)
		}
	}
}

// BenchmarkLoad restores 20,000 spaces (a third with flow info); B/op is
// what a restore allocates, most of it the states it returns.
func BenchmarkLoad(b *testing.B) {
	path := filepath.Join(b.TempDir(), "cache.json")
	if err := Save(path, meta, manySpaces(20000), t0); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(path, meta); err != nil {
			b.Fatal(err)
		}
	}
}

// decode reads a cache file from r, without a journal.
func decode(r io.Reader, path string, meta Meta) (map[string]*snapshot.SpaceState, error) {
	return newDecoder(path, meta).decode(r, nil)
}

// TestLoadLeavesOutIdsThatAreNotUTF8: a release that took ids in Latin-1
// saved them with U+FFFD for their invalid bytes (as encoding/json writes
// them), so that two ids could be saved as one. The exporter watches no
// such id any more: they are left out, and every other space restored.
func TestLoadLeavesOutIdsThatAreNotUTF8(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.json")
	file := `{"version":2,"meta":{"endpoint":"https://cams.ap-southeast-1.aliyuncs.com/","flow_name":"","flow_info":true},"saved_at":"2026-01-01T00:00:00Z","spaces":[` +
		`{"id":"cams-caf\ufffd","has_data":true,"count":0,"last_success":"2026-01-01T00:00:00Z","last_attempt":"2026-01-01T00:00:00Z"},` +
		`{"id":"cams-caf\ufffd","has_data":true,"count":0,"last_success":"2026-01-01T00:00:00Z","last_attempt":"2026-01-01T00:00:00Z"},` +
		`{"id":"cams-good","has_data":true,"up":true,"count":0,"last_success":"2026-01-01T00:00:00Z","last_attempt":"2026-01-01T00:00:00Z"}]}`
	if err := os.WriteFile(path, []byte(file), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path, meta)
	if err != nil {
		t.Fatalf("a cache with two ids made of invalid bytes: %v; want the other spaces restored", err)
	}
	if len(got) != 1 || got["cams-good"] == nil || !got["cams-good"].Up {
		t.Errorf("restored %v, want cams-good alone", slices.Sorted(maps.Keys(got)))
	}
}
