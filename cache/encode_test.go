package cache

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// oddStrings are texts encoding/json escapes one way or another.
var oddStrings = []string{
	"", "cams-a", `quote " backslash \ slash /`, "<script>&amp;</script>", "tab\tnew\nline\rcr",
	"\b\f\x00\x01\x1f\x7f", "café ☕ 日本", "\u2028\u2029", "bad \xff\xfe utf-8", "\xe2\x80", "\xed\xa0\x80 surrogate",
	"emoji 🙂", "\ufffd", "end\\",
}

// randomState is a state drawn from odd texts, with or without each
// optional field.
func randomState(r *rand.Rand) (string, *snapshot.SpaceState) {
	pick := func() string { return oddStrings[r.IntN(len(oddStrings))] }
	id := pick() + fmt.Sprint(r.IntN(1000))
	st := &snapshot.SpaceState{ID: id, HasData: r.IntN(2) == 0, Up: r.IntN(2) == 0, Count: r.IntN(100) - 1,
		LastSuccess: t0.Add(time.Duration(r.Int64N(int64(time.Hour)))), LastAttempt: t0.Add(time.Duration(r.IntN(3)) * time.Nanosecond)}
	if r.IntN(4) == 0 {
		st.LastSuccess = time.Time{}
	}
	if r.IntN(3) == 0 {
		st.LastAttempt = st.LastAttempt.In(time.FixedZone("east", 8*3600))
	}
	switch r.IntN(3) {
	case 0:
		st.ByCategory = map[string]int{}
	case 1:
		st.ByCategory = map[string]int{pick(): 1, pick(): 2, "SURVEY": 3}
	}
	for range r.IntN(4) {
		st.FlowIDs = append(st.FlowIDs, pick())
	}
	if r.IntN(5) == 0 {
		st.FlowIDs = []string{}
	}
	var flows []client.Flow
	for range r.IntN(3) {
		f := client.Flow{FlowID: pick(), FlowName: pick()}
		switch r.IntN(3) {
		case 0:
			f.Categories = []string{}
		case 1:
			f.Categories = []string{pick(), pick()}
		}
		flows = append(flows, f)
	}
	st.Flows = snapshot.NewFlowList(flows)
	if r.IntN(2) == 0 {
		st.LastError = &snapshot.ErrorInfo{Code: pick(), Message: pick(), Class: pick()}
		if r.IntN(2) == 0 {
			st.LastError.RequestID, st.LastError.Recommend = pick(), pick()
		}
	}
	if r.IntN(2) == 0 {
		st.Statuses = randomStatuses(r, len(st.FlowIDs), pick)
	}
	return id, st
}

// randomStatuses are the statuses of n flows, odd names, checked or not,
// with or without an error.
func randomStatuses(r *rand.Rand, n int, pick func() string) *snapshot.FlowStatuses {
	statuses, checked := make([]string, n), make([]int64, n)
	for i := range n {
		if r.IntN(3) > 0 {
			statuses[i], checked[i] = []string{"PUBLISHED", "DRAFT", pick()}[r.IntN(3)], r.Int64N(2e9)
		}
	}
	var lastErr *snapshot.ErrorInfo
	if r.IntN(2) == 0 {
		lastErr = &snapshot.ErrorInfo{Code: pick(), Message: pick(), Class: pick()}
	}
	fs, err := snapshot.NewFlowStatuses(statuses, checked, lastErr)
	if err != nil {
		panic(err)
	}
	return fs
}

// saveStatuses is fs as a flowStatus, the form Load reads.
func saveStatuses(fs *snapshot.FlowStatuses) *flowStatus {
	if fs == nil {
		return nil
	}
	out := &flowStatus{Statuses: make([]string, fs.Len()), Checked: make([]int64, fs.Len()), LastError: fs.LastError}
	for i := range fs.Len() {
		out.Statuses[i], out.Checked[i] = fs.Status(i), fs.Checked(i)
	}
	return out
}

// spaceOf is the space encoding/json marshals for the space id in state
// st: what Save wrote before it wrote by hand.
func spaceOf(id string, st *snapshot.SpaceState) space {
	return space{ID: id, HasData: st.HasData, Up: st.Up, Count: st.Count, ByCategory: st.ByCategory,
		FlowIDs: st.FlowIDs, Flows: st.Flows.Flows(), LastSuccess: st.LastSuccess, LastAttempt: st.LastAttempt, LastError: st.LastError,
		FlowStatus: saveStatuses(st.Statuses)}
}

func marshalSpace(t *testing.T, id string, st *snapshot.SpaceState) []byte {
	t.Helper()
	want, err := json.Marshal(spaceOf(id, st))
	if err != nil {
		t.Fatal(err)
	}
	return want
}

// TestAppendSpaceIsEncodingJSON: a space is written in the very bytes
// encoding/json marshals it to, odd texts, empty and missing fields, time
// zones and all.
func TestAppendSpaceIsEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for i := range 3000 {
		id, st := randomState(r)
		got, err := appendSpace(nil, id, st)
		if err != nil {
			t.Fatal(err)
		}
		if want := marshalSpace(t, id, st); !bytes.Equal(got, want) {
			t.Fatalf("space %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

// FuzzAppendString: any text is quoted as encoding/json quotes it.
func FuzzAppendString(f *testing.F) {
	for _, s := range oddStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want, _ := json.Marshal(s)
		if got := appendString(nil, s); !bytes.Equal(got, want) {
			t.Fatalf("appendString(%q) = %s, want %s", s, got, want)
		}
	})
}

// TestSaveIsEncodingJSON: the file Save writes is, byte for byte, what
// encoding/json marshals the same spaces to, in the order Save met them;
// and with no space listed, what it marshals a file without spaces to.
func TestSaveIsEncodingJSON(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	states := map[string]*snapshot.SpaceState{"cams-never": {ID: "cams-never"}}
	for range 500 {
		id, st := randomState(r)
		states[id] = st
	}
	for _, snap := range []*snapshot.Snapshot{snapshot.Snapshot{}.WithSpaces(states), snapshot.Snapshot{}.WithSpaces(map[string]*snapshot.SpaceState{"cams-never": {ID: "cams-never"}})} {
		path := filepath.Join(t.TempDir(), "cache.json")
		now := t0.In(time.FixedZone("west", -5*3600))
		if err := Save(path, meta, snap, now); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(path)
		var written struct {
			WriteID string `json:"write_id"`
		}
		if err := json.Unmarshal(got, &written); err != nil || !writeIDPattern.MatchString(written.WriteID) {
			t.Fatalf("the file's write id %q (%v), want 16 hexadecimal digits", written.WriteID, err)
		}
		want := file{Version: formatVersion, Meta: meta, SavedAt: now.UTC(), WriteID: written.WriteID}
		for id, st := range snap.All() {
			if !st.LastAttempt.IsZero() {
				want.Spaces = append(want.Spaces, spaceOf(id, st))
			}
		}
		wantBytes, err := json.Marshal(want)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, wantBytes) {
			t.Errorf("%d spaces: the file is not what encoding/json writes (%d bytes, want %d)", snap.Len(), len(got), len(wantBytes))
		}
	}
}

var writeIDPattern = regexp.MustCompile(`^[0-9a-f]{16}$`)

// TestSaveRefusesTooLargeAndUnencodable: a snapshot over the bound, or with
// a time encoding/json cannot write, is a one-line error; the last file
// stays, whole, and no temporary file is left.
func TestSaveRefusesTooLargeAndUnencodable(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cache.json")
	if err := Save(path, meta, sampleSnapshot(), t0); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	states := map[string]*snapshot.SpaceState{}
	for i := range 2000 {
		id := fmt.Sprintf("cams-%d", i)
		states[id] = &snapshot.SpaceState{ID: id, HasData: true, Up: true, Count: 1, FlowIDs: []string{"f"}, LastSuccess: t0, LastAttempt: t0}
	}
	saved := maxWriteBytes
	maxWriteBytes = 100 << 10
	t.Cleanup(func() { maxWriteBytes = saved })
	bad := &snapshot.SpaceState{ID: "cams-y", LastAttempt: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}
	for name, tt := range map[string]struct {
		snap *snapshot.Snapshot
		want string
	}{
		"too large":  {snapshot.Snapshot{}.WithSpaces(states), "more than the 102400 bytes a restore reads; not written"},
		"year 10000": {snapshot.Snapshot{}.WithSpaces(map[string]*snapshot.SpaceState{"cams-y": bad}), `space "cams-y"`},
	} {
		err := Save(path, meta, tt.snap, t0)
		if err == nil || !strings.HasPrefix(err.Error(), "cache file: ") || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: Save: %v; want one line saying %q", name, err, tt.want)
		}
		if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
			t.Errorf("%s: the last file changed", name)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 1 {
			t.Errorf("%s: %d files in the directory, want the cache alone", name, len(entries))
		}
	}
}
