package cache

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-kit/log"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/internal/fakeclock"
	"github.com/cams-exporter/cams_exporter/refresh"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// journalWriterOf is a writer of the file at path as an exporter runs one
// after restoring it (Read, then restored for Restored), or after a start
// without it (nil restored); its writes are made with writeSnapshot.
func journalWriterOf(t *testing.T, path string, restored *snapshot.Snapshot, contents *Contents) *Writer {
	t.Helper()
	w := &Writer{Path: path, Meta: meta, Restored: restored, Contents: contents, Logger: log.NewNopLogger()}
	w.started.Do(w.start)
	return w
}

// writeSnapshot makes the writer's write of snap, as at a tick.
func writeSnapshot(t *testing.T, w *Writer, snap *snapshot.Snapshot) {
	t.Helper()
	w.Snapshot = func() *snapshot.Snapshot { return snap }
	if err := w.Write(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// savedFromScratch is what a restore of snap written whole gives: what
// the file and its journal must restore.
func savedFromScratch(t *testing.T, snap *snapshot.Snapshot) map[string]*snapshot.SpaceState {
	t.Helper()
	path := filepath.Join(t.TempDir(), "scratch.json")
	if err := Save(path, meta, snap, t0); err != nil {
		t.Fatal(err)
	}
	states, err := Load(path, meta)
	if err != nil {
		t.Fatal(err)
	}
	return states
}

// mustRead reads path and fails the test on an error of the file.
func mustRead(t *testing.T, path string) *Contents {
	t.Helper()
	c, err := Read(path, meta)
	if err != nil || c == nil {
		t.Fatalf("Read: %v, %v", c, err)
	}
	return c
}

// journalLines returns the journal's lines, each whole (with its newline);
// a last line without one is returned as it is.
func journalLines(t *testing.T, path string) []string {
	t.Helper()
	data, err := os.ReadFile(path + JournalSuffix)
	if err != nil {
		t.Fatal(err)
	}
	return strings.SplitAfter(string(data), "\n")[:strings.Count(string(data), "\n")+min(1, len(data)-bytes.LastIndexByte(data, '\n')-1)]
}

// listed is st listed again at at: a new state, as a listing makes one.
func listed(st *snapshot.SpaceState, at time.Time, count int) *snapshot.SpaceState {
	c := *st
	c.LastAttempt, c.LastSuccess, c.Count, c.Up, c.HasData, c.LastError = at, at, count, true, true, nil
	return &c
}

// A file and the writes appended to its journal restore exactly the
// snapshot written last, as that snapshot written whole does: whatever
// the writes changed (listings, failures, flows and statuses, spaces that
// leave and come back, spaces never listed), and after each write. Only
// the first write, after a start that restored nothing, writes the file;
// the others append a line each.
func TestJournalRestoresTheLastWrite(t *testing.T) {
	type step func(snap *snapshot.Snapshot, i int) map[string]*snapshot.SpaceState
	at := func(i int) time.Time { return t0.Add(time.Duration(i+1) * time.Minute) }
	for _, tt := range []struct {
		name string
		step step
	}{
		{"listings", func(snap *snapshot.Snapshot, i int) map[string]*snapshot.SpaceState {
			changed := map[string]*snapshot.SpaceState{}
			for k := range 25 {
				id := fmt.Sprintf("cams-%06d", (i*25+k)%500)
				changed[id] = listed(snap.Space(id), at(i), i+k)
			}
			return changed
		}},
		{"failures and recoveries", func(snap *snapshot.Snapshot, i int) map[string]*snapshot.SpaceState {
			id := fmt.Sprintf("cams-%06d", i%4)
			st := *snap.Space(id)
			if st.Up {
				st.Up, st.LastAttempt, st.LastError = false, at(i), &snapshot.ErrorInfo{Code: "Ram.PermissionDeny", Message: "denied <&>", Class: "permanent"}
			} else {
				return map[string]*snapshot.SpaceState{id: listed(&st, at(i), 9)}
			}
			return map[string]*snapshot.SpaceState{id: &st}
		}},
		{"flows and their statuses", func(snap *snapshot.Snapshot, i int) map[string]*snapshot.SpaceState {
			id := fmt.Sprintf("cams-%06d", 3*(i%5))
			st := listed(snap.Space(id), at(i), 3)
			st.FlowIDs = []string{"a", "b", fmt.Sprint("c", i)}
			st.Flows = snapshot.NewFlowList([]client.Flow{{FlowID: "a", FlowName: "one", Categories: []string{"SURVEY"}}, {FlowID: "b", FlowName: "\u2028two"},
				{FlowID: fmt.Sprint("c", i), FlowName: "three", Categories: []string{}}})
			st.Statuses = mustStatuses([]string{"PUBLISHED", "", "DRAFT"}, []int64{at(i).Unix(), 0, at(i).Unix() - 5}, nil)
			return map[string]*snapshot.SpaceState{id: st}
		}},
		{"spaces leave and come back", func(snap *snapshot.Snapshot, i int) map[string]*snapshot.SpaceState {
			changed := map[string]*snapshot.SpaceState{}
			for k := range 10 {
				id := fmt.Sprintf("cams-%06d", (i*7+k)%40)
				if st := snap.Space(id); st != nil {
					changed[id] = nil // gone
				} else {
					changed[id] = &snapshot.SpaceState{ID: id, HasData: true, Up: true, Count: k, FlowIDs: []string{"f"}, LastSuccess: at(i), LastAttempt: at(i)}
				}
			}
			return changed
		}},
		{"spaces never listed", func(snap *snapshot.Snapshot, i int) map[string]*snapshot.SpaceState {
			// A space watched and never listed has no state worth keeping;
			// one listed before and then reset is no longer saved.
			return map[string]*snapshot.SpaceState{fmt.Sprint("cams-new-", i): {ID: fmt.Sprint("cams-new-", i)},
				fmt.Sprintf("cams-%06d", i): {ID: fmt.Sprintf("cams-%06d", i)}}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cams.cache")
			snap := manySpaces(500)
			w := journalWriterOf(t, path, nil, nil)
			writeSnapshot(t, w, snap)
			file, _ := os.ReadFile(path)
			for i := range 12 {
				snap = snap.WithChanged(tt.step(snap, i))
				writeSnapshot(t, w, snap)
				c := mustRead(t, path)
				sameStates(t, fmt.Sprintf("after write %d", i+2), c.States, savedFromScratch(t, snap))
				if c.Journal != nil {
					t.Fatalf("after write %d: %v", i+2, c.Journal)
				}
			}
			if now, _ := os.ReadFile(path); !bytes.Equal(now, file) || w.wholes.Load() != 1 || w.writes.Load() != 13 {
				t.Errorf("the file rewritten %v, %d writes of the whole file, %d writes; want the first whole, 12 appended", !bytes.Equal(now, file), w.wholes.Load(), w.writes.Load())
			}
			if n := len(journalLines(t, path)); n != 13 {
				t.Errorf("the journal has %d lines, want its first and 12 writes", n)
			}
		})
	}
}

// A restart goes on appending to the journal it restored, and a restart
// from that restores the writes of both runs; a shutdown with nothing new
// appends nothing.
func TestJournalAcrossRestarts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cams.cache")
	snap := manySpaces(300)
	if err := Save(path, meta, snap, t0); err != nil {
		t.Fatal(err)
	}
	for run := range 3 {
		c := mustRead(t, path)
		restored := snapshot.Snapshot{}.WithSpaces(c.States)
		w := journalWriterOf(t, path, restored, c)
		writeSnapshot(t, w, restored.WithChanged(nil)) // nothing new
		if w.writes.Load() != 0 {
			t.Fatalf("run %d: a write with nothing new", run)
		}
		snap = restored
		for i := range 4 {
			id := fmt.Sprintf("cams-%06d", run*10+i)
			snap = snap.WithChanged(map[string]*snapshot.SpaceState{id: listed(snap.Space(id), t0.Add(time.Duration(run*10+i)*time.Hour), 100+run)})
			writeSnapshot(t, w, snap)
		}
		if w.wholes.Load() != 0 || w.writes.Load() != 4 {
			t.Fatalf("run %d: %d writes, %d of the whole file; want 4 appended", run, w.writes.Load(), w.wholes.Load())
		}
	}
	sameStates(t, "after three runs", mustRead(t, path).States, savedFromScratch(t, snap))
	if n := len(journalLines(t, path)); n != 13 {
		t.Errorf("the journal has %d lines, want its first and 4 writes of each of 3 runs", n)
	}
}

// discoveredRefresher is a refresher watching cams-explicit and, once
// discovery answers, what it finds, restored from the file at path as the
// exporter restores it; it returns it with the file's contents.
func discoveredRefresher(t *testing.T, path string, list *discoveredList, now func() time.Time) (*refresh.Refresher, *Contents) {
	t.Helper()
	r := refresh.New(refresh.Config{Lister: oneFlowLister{}, Spaces: list.spaces, SpacesComplete: list.complete,
		Interval: time.Minute, PageSize: 10, Now: now})
	c := mustRead(t, path)
	r.Restore(c.States)
	return r, c
}

// The states kept of spaces not watched (restored before discovery
// answers, gone within their grace) are appended as the watched ones are:
// a space leaving the list for the retained ones with its state is no
// change, one forgotten after its grace leaves the journal's restore too,
// and the journal restores what a write of the whole file would at every
// step.
func TestJournalKeepsRetainedSpaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cams.cache")
	before := t0.Add(-time.Hour)
	previous := map[string]*snapshot.SpaceState{}
	for _, id := range []string{"cams-explicit", "cams-found", "cams-departed", "cams-other"} {
		previous[id] = &snapshot.SpaceState{ID: id, HasData: true, Up: true, Count: 1, ByCategory: map[string]int{"SURVEY": 1}, FlowIDs: []string{"f-" + id},
			LastSuccess: before, LastAttempt: before}
	}
	if err := Save(path, meta, snapshot.Snapshot{}.WithSpaces(previous), before); err != nil {
		t.Fatal(err)
	}
	// The refresher's publish timer reads the clock while the test moves it.
	clock := fakeclock.New(t0)
	list := &discoveredList{explicit: []string{"cams-explicit"}, watched: []string{"cams-explicit"}}
	r, c := discoveredRefresher(t, path, list, clock.Now)
	w := journalWriterOf(t, path, r.Snapshot(), c)
	file, _ := os.ReadFile(path)
	check := func(what string, appended int, want ...string) {
		t.Helper()
		snap := r.Snapshot()
		writeSnapshot(t, w, snap)
		got := mustRead(t, path).States
		sameStates(t, what, got, savedFromScratch(t, snap))
		if len(got) != len(want) {
			t.Errorf("%s: %d spaces restored, want %v", what, len(got), want)
		}
		for _, id := range want {
			if got[id] == nil {
				t.Errorf("%s: %s not restored", what, id)
			}
		}
		if w.writes.Load() != uint64(appended) {
			t.Errorf("%s: %d writes, want %d", what, w.writes.Load(), appended)
		}
	}
	check("restored, nothing new", 0, "cams-explicit", "cams-found", "cams-departed", "cams-other")
	clock.Advance(3 * time.Hour)
	r.Refresh(context.Background())
	check("the explicit space listed, discovery not answered", 1, "cams-explicit", "cams-found", "cams-departed", "cams-other")
	list.answer("cams-found", "cams-other")
	r.Refresh(context.Background()) // cams-departed retained, within its grace
	check("discovery answered without cams-departed", 2, "cams-explicit", "cams-found", "cams-departed", "cams-other")
	list.answer("cams-found")
	r.Refresh(context.Background()) // cams-other leaves for the retained, its state as it was
	writes := w.writes.Load()
	check("cams-other left the list", int(writes)+1, "cams-explicit", "cams-found", "cams-departed", "cams-other")
	if got := mustRead(t, path).States["cams-other"]; !got.LastAttempt.Equal(clock.Now()) {
		t.Errorf("cams-other restored as listed at %s, want its last listing, %s", got.LastAttempt, clock.Now())
	}
	clock.Advance(refresh.DefaultForgetAfter + time.Minute)
	r.Refresh(context.Background())
	check("after the grace", int(w.writes.Load())+1, "cams-explicit", "cams-found")
	if now, _ := os.ReadFile(path); !bytes.Equal(now, file) || w.wholes.Load() != 0 {
		t.Errorf("the file was written whole (%d times); want every write appended", w.wholes.Load())
	}
	if lines := journalLines(t, path); !strings.Contains(lines[len(lines)-1], `"gone":["cams-departed","cams-other"]`) &&
		!strings.Contains(lines[len(lines)-1], `"gone":["cams-other","cams-departed"]`) {
		t.Errorf("the last write %s, want the two forgotten spaces gone", lines[len(lines)-1])
	}
}

// journalOf writes the file at path whole with the snapshot of 200 spaces,
// then appends 3 writes, and returns the snapshots of the file and of each
// write.
func journalOf(t *testing.T, path string) []*snapshot.Snapshot {
	t.Helper()
	snaps := []*snapshot.Snapshot{manySpaces(200)}
	w := journalWriterOf(t, path, nil, nil)
	writeSnapshot(t, w, snaps[0])
	for i := range 3 {
		snap := snaps[i]
		id := fmt.Sprintf("cams-%06d", i)
		snaps = append(snaps, snap.WithChanged(map[string]*snapshot.SpaceState{id: listed(snap.Space(id), t0.Add(time.Hour), 50+i), fmt.Sprint("new-", i): {
			ID: fmt.Sprint("new-", i), HasData: true, Count: i, LastSuccess: t0, LastAttempt: t0}, fmt.Sprintf("cams-%06d", 100+i): nil}))
		writeSnapshot(t, w, snaps[i+1])
	}
	if w.wholes.Load() != 1 || len(journalLines(t, path)) != 4 {
		t.Fatalf("%d writes of the whole file, %d lines in the journal; want 1 and 4", w.wholes.Load(), len(journalLines(t, path)))
	}
	return snaps
}

// A journal whose last write was cut short (a kill during the append, a
// power loss before its blocks reached the disk) restores the writes
// before it; the writer started on it cuts it off before it appends, so
// that no later write follows it, and the next restore has every write.
func TestJournalLastWriteCutShort(t *testing.T) {
	for _, tt := range []struct {
		name string
		cut  func(last string) string // what is left of the last line
	}{
		{"its first byte", func(last string) string { return last[:1] }},
		{"half of it", func(last string) string { return last[:len(last)/2] }},
		{"all but its newline", func(last string) string { return last[:len(last)-1] }},
		{"zeros where it was (a power loss)", func(last string) string { return strings.Repeat("\x00", len(last)) }},
		{"zeros and a newline", func(last string) string { return strings.Repeat("\x00", len(last)-1) + "\n" }},
		{"another line half written", func(last string) string { return last + last[:len(last)/3] }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cams.cache")
			snaps := journalOf(t, path)
			lines := journalLines(t, path)
			data := strings.Join(lines[:len(lines)-1], "") + tt.cut(lines[len(lines)-1])
			wantSnap := snaps[len(snaps)-2]
			if strings.HasPrefix(tt.name, "another") {
				wantSnap = snaps[len(snaps)-1]
			}
			os.WriteFile(path+JournalSuffix, []byte(data), 0o600)
			c := mustRead(t, path)
			sameStates(t, "restored", c.States, savedFromScratch(t, wantSnap))
			if c.Journal == nil || !errors.Is(c.Journal, errJournalCut) || errors.Is(c.Journal, ErrJournalIgnored) || strings.Contains(c.Journal.Error(), "\n") {
				t.Errorf("Journal = %v, want one line saying the last write was cut short", c.Journal)
			}

			restored := snapshot.Snapshot{}.WithSpaces(c.States)
			w := journalWriterOf(t, path, restored, c)
			if got, _ := os.ReadFile(path + JournalSuffix); !bytes.HasSuffix(got, []byte("\n")) || len(got) >= len(data) || !strings.HasPrefix(data, string(got)) {
				t.Fatalf("at the writer's start the journal is %d bytes, want the %d bytes before the write cut short", len(got), len(data))
			}
			next := restored.WithChanged(map[string]*snapshot.SpaceState{"cams-000007": listed(restored.Space("cams-000007"), t0.Add(2*time.Hour), 77)})
			writeSnapshot(t, w, next)
			c = mustRead(t, path)
			sameStates(t, "after the next write", c.States, savedFromScratch(t, next))
			if c.Journal != nil || w.wholes.Load() != 0 {
				t.Errorf("after the next write: journal %v, %d writes of the whole file; want it appended whole", c.Journal, w.wholes.Load())
			}
		})
	}
}

// A journal cut short in its first line, or empty (a kill as it was made),
// restores the file alone; the writer starts a new one.
func TestJournalFirstLineCutShort(t *testing.T) {
	for _, journal := range []string{"", `{"ba`, `{"base":"0123456789abcdef"}`} {
		path := filepath.Join(t.TempDir(), "cams.cache")
		snap := manySpaces(50)
		if err := Save(path, meta, snap, t0); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(path+JournalSuffix, []byte(journal), 0o600)
		c := mustRead(t, path)
		sameStates(t, fmt.Sprintf("journal %q", journal), c.States, savedFromScratch(t, snap))
		if !errors.Is(c.Journal, errJournalCut) {
			t.Errorf("journal %q: Journal = %v, want it cut short", journal, c.Journal)
		}
		restored := snapshot.Snapshot{}.WithSpaces(c.States)
		w := journalWriterOf(t, path, restored, c)
		next := restored.WithChanged(map[string]*snapshot.SpaceState{"cams-000001": nil})
		writeSnapshot(t, w, next)
		sameStates(t, fmt.Sprintf("journal %q, after a write", journal), mustRead(t, path).States, savedFromScratch(t, next))
		if lines := journalLines(t, path); len(lines) != 2 || w.wholes.Load() != 0 {
			t.Errorf("journal %q: %d lines after a write, %d writes of the whole file; want a new journal of 2 lines", journal, len(lines), w.wholes.Load())
		}
	}
}

// A kill between the write of the whole file (its rename) and the
// journal's removal leaves a journal of the file replaced: it is not
// applied (the file is newer than all of it), the writer removes it when
// it starts, and its next write starts a new journal naming the file.
func TestJournalOfAnotherWrite(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cams.cache")
	snaps := journalOf(t, path)
	old, _ := os.ReadFile(path + JournalSuffix)
	latest := snaps[len(snaps)-1].WithChanged(map[string]*snapshot.SpaceState{"cams-000150": nil})
	// The writing of the whole file, killed before it removed the journal.
	if _, err := saveBase(context.Background(), path, meta, latest, t0); err != nil {
		t.Fatal(err)
	}
	if now, _ := os.ReadFile(path + JournalSuffix); !bytes.Equal(now, old) {
		t.Fatal("the journal changed")
	}
	c := mustRead(t, path)
	sameStates(t, "restored", c.States, savedFromScratch(t, latest))
	if c.Journal == nil || !strings.Contains(c.Journal.Error(), "extends write") || errors.Is(c.Journal, ErrJournalIgnored) {
		t.Errorf("Journal = %v, want one saying it extends another write", c.Journal)
	}
	restored := snapshot.Snapshot{}.WithSpaces(c.States)
	w := journalWriterOf(t, path, restored, c)
	if _, err := os.Stat(path + JournalSuffix); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("the journal of another write is still there at the writer's start: %v", err)
	}
	next := restored.WithChanged(map[string]*snapshot.SpaceState{"cams-000151": nil})
	writeSnapshot(t, w, next)
	c = mustRead(t, path)
	sameStates(t, "after a write", c.States, savedFromScratch(t, next))
	if c.Journal != nil || len(journalLines(t, path)) != 2 || w.wholes.Load() != 0 {
		t.Errorf("after a write: %v, %d lines, %d writes of the whole file; want a new journal of 2 lines", c.Journal, len(journalLines(t, path)), w.wholes.Load())
	}

	// Save writes the file whole and removes the journal itself.
	if err := Save(path, meta, latest, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path + JournalSuffix); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Save left the journal: %v", err)
	}
}

// A file without a write id (a version 2 file, written before the journal)
// has no journal: one beside it is not applied, and the first write that
// has something new writes the file whole, removing it.
func TestJournalOfAFileWithoutWriteID(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cams.cache")
	snaps := journalOf(t, path)
	data, _ := os.ReadFile(path)
	var f file
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	v2 := bytes.Replace(bytes.Replace(data, []byte(`"version":4`), []byte(`"version":2`), 1), []byte(`,"write_id":"`+f.WriteID+`"`), nil, 1)
	os.WriteFile(path, v2, 0o600)
	c := mustRead(t, path)
	sameStates(t, "restored", c.States, savedFromScratch(t, snaps[0]))
	if c.Journal == nil || !strings.Contains(c.Journal.Error(), "no write id") {
		t.Errorf("Journal = %v, want one saying the file has no write id", c.Journal)
	}
	restored := snapshot.Snapshot{}.WithSpaces(c.States)
	w := journalWriterOf(t, path, restored, c)
	writeSnapshot(t, w, restored.WithChanged(nil))
	if now, _ := os.ReadFile(path); !bytes.Equal(now, v2) || w.writes.Load() != 0 {
		t.Fatalf("nothing new: %d writes, file changed %v", w.writes.Load(), !bytes.Equal(now, v2))
	}
	next := restored.WithChanged(map[string]*snapshot.SpaceState{"cams-000003": nil})
	writeSnapshot(t, w, next)
	if _, err := os.Stat(path + JournalSuffix); w.wholes.Load() != 1 || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("%d writes of the whole file, journal %v; want the file written whole and the journal removed", w.wholes.Load(), err)
	}
	sameStates(t, "after a write", mustRead(t, path).States, savedFromScratch(t, next))
}

// A journal damaged otherwise (a write before the last that is not one, a
// space twice or that cannot be restored, a line longer than any write) is
// left out whole with a warning: the file alone is restored, never part of
// the journal, not even the good write before the damage. The writer
// removes it when it starts. Anything but a regular file at the journal's name is left alone,
// and the writer writes the file whole then.
func TestJournalCorrupt(t *testing.T) {
	good := `{"spaces":[{"id":"cams-000001","has_data":true,"up":true,"count":9,"last_success":"2026-11-26T11:00:00Z","last_attempt":"2026-11-26T11:00:00Z"}]}` + "\n"
	for _, tt := range []struct {
		name  string
		lines []string // after the first line, the good write and a last good write
		want  string
	}{
		{"not JSON", []string{"{\"spaces\":[\n"}, "line 3 is corrupt"},
		{"zeros", []string{"\x00\x00\x00\n"}, "line 3 is corrupt"},
		{"a space twice", []string{`{"spaces":[{"id":"a","last_attempt":"2026-11-26T11:00:00Z"}],"gone":["a"]}` + "\n"}, `space "a" twice`},
		{"up without data", []string{`{"spaces":[{"id":"a","up":true,"last_attempt":"2026-11-26T11:00:00Z"}]}` + "\n"}, "up without data"},
		{"statuses of other flows", []string{`{"spaces":[{"id":"a","has_data":true,"flow_ids":["1"],"flow_status":{"statuses":[],"checked":[]}}]}` + "\n"}, "0 statuses for 1 flows"},
		{"spaces not a list", []string{`{"spaces":{"id":"a"}}` + "\n"}, "not an array"},
		{"gone not a list", []string{`{"gone":"a"}` + "\n"}, "line 3 is corrupt"},
		{"data after the write", []string{`{"gone":[]} {}` + "\n"}, "data after the object"},
		{"a line too long", []string{`{"gone":["` + strings.Repeat("x", 300) + `"]}` + "\n"}, "longer than the 256 bytes"},
		{"not an object", []string{`["cams-000001"]` + "\n"}, "not a JSON object"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			saved := maxLineBytes
			maxLineBytes = 256
			t.Cleanup(func() { maxLineBytes = saved })
			path := filepath.Join(t.TempDir(), "cams.cache")
			snap := manySpaces(20)
			if err := Save(path, meta, snap, t0); err != nil {
				t.Fatal(err)
			}
			id := mustRead(t, path).base.id
			journal := strings.Join(append(append([]string{`{"base":"` + id + `"}` + "\n", good}, tt.lines...), good), "")
			os.WriteFile(path+JournalSuffix, []byte(journal), 0o600)
			c := mustRead(t, path)
			sameStates(t, "restored", c.States, savedFromScratch(t, snap))
			if !errors.Is(c.Journal, ErrJournalIgnored) || !strings.Contains(c.Journal.Error(), tt.want) || strings.Contains(c.Journal.Error(), "\n") {
				t.Errorf("Journal = %v, want one line saying %q", c.Journal, tt.want)
			}
			journalWriterOf(t, path, snapshot.Snapshot{}.WithSpaces(c.States), c)
			if _, err := os.Stat(path + JournalSuffix); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the corrupt journal is still there at the writer's start: %v", err)
			}
		})
	}

	t.Run("not a regular file", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "cams.cache")
		snap := manySpaces(20)
		if err := Save(path, meta, snap, t0); err != nil {
			t.Fatal(err)
		}
		os.Mkdir(path+JournalSuffix, 0o700)
		c := mustRead(t, path)
		if !errors.Is(c.Journal, ErrJournalIgnored) || !strings.Contains(c.Journal.Error(), "not a regular file") {
			t.Errorf("Journal = %v, want it ignored, not a regular file", c.Journal)
		}
		restored := snapshot.Snapshot{}.WithSpaces(c.States)
		w := journalWriterOf(t, path, restored, c)
		next := restored.WithChanged(map[string]*snapshot.SpaceState{"cams-000002": nil})
		writeSnapshot(t, w, next)
		if info, err := os.Stat(path + JournalSuffix); err != nil || !info.IsDir() || w.wholes.Load() != 1 {
			t.Errorf("the directory at the journal's name: %v; %d writes of the whole file, want it left alone and 1", err, w.wholes.Load())
		}
		sameStates(t, "after a write", mustRead(t, path).States, savedFromScratch(t, next))
	})
}

// The writer writes the file whole, with a new write id, and removes the
// journal, once a write would take the journal beyond half the file (at
// least a MiB), or a write is longer than a line may be: the journal never
// exceeds its bound, and the file and journal restore the last write
// throughout.
func TestJournalIsFoldedIntoTheFileAtItsBound(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cams.cache")
	snap := manySpaces(2000)
	w := journalWriterOf(t, path, nil, nil)
	writeSnapshot(t, w, snap)
	info, _ := os.Stat(path)
	limit := max(info.Size()/2, 1<<20)
	firstID := w.file.id
	appended := 0
	for i := 0; w.wholes.Load() == 1; i++ {
		changed := map[string]*snapshot.SpaceState{}
		for k := range 200 {
			id := fmt.Sprintf("cams-%06d", (i*200+k)%2000)
			changed[id] = listed(snap.Space(id), t0.Add(time.Duration(i)*time.Minute), i)
		}
		snap = snap.WithChanged(changed)
		writeSnapshot(t, w, snap)
		if w.wholes.Load() == 1 {
			appended++
			if info, err := os.Stat(path + JournalSuffix); err != nil || info.Size() > limit {
				t.Fatalf("write %d: the journal is %d bytes (%v), over its bound of %d", i, info.Size(), err, limit)
			}
		}
		if i > 1000 {
			t.Fatal("the journal never folded into the file")
		}
	}
	if _, err := os.Stat(path + JournalSuffix); !errors.Is(err, os.ErrNotExist) || w.file.id == firstID || appended < 10 {
		t.Fatalf("after %d writes appended: journal %v, write id %s (was %s); want it removed and a new id", appended, err, w.file.id, firstID)
	}
	c := mustRead(t, path)
	sameStates(t, "after the file was written whole", c.States, savedFromScratch(t, snap))

	// A write longer than a line may be is a write of the whole file.
	saved := maxLineBytes
	maxLineBytes = 4 << 10
	t.Cleanup(func() { maxLineBytes = saved })
	small := snap.WithChanged(map[string]*snapshot.SpaceState{"cams-000001": nil})
	writeSnapshot(t, w, small)
	changed := map[string]*snapshot.SpaceState{}
	for k := range 100 {
		id := fmt.Sprintf("cams-%06d", 10+k)
		changed[id] = listed(snap.Space(id), t0.Add(-time.Minute), 1)
	}
	large := small.WithChanged(changed)
	writeSnapshot(t, w, large)
	if w.wholes.Load() != 3 || w.writes.Load() != uint64(appended)+4 {
		t.Errorf("%d writes of the whole file, %d writes; want the small one appended and the large one whole", w.wholes.Load(), w.writes.Load())
	}
	sameStates(t, "after a write longer than a line", mustRead(t, path).States, savedFromScratch(t, large))
}

// The minute's write at 10,000 spaces with 40 changed appends those 40
// spaces and nothing else: their bytes as encoding/json writes them, in one
// line. The file is not written.
func TestJournalAppendsOnlyWhatChanged(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cams.cache")
	snap := freshSpaces(10_000)
	if err := Save(path, meta, snap, t0); err != nil {
		t.Fatal(err)
	}
	file, _ := os.ReadFile(path)
	c := mustRead(t, path)
	w := journalWriterOf(t, path, snap, c)
	for minute := range 3 {
		changed := map[string]*snapshot.SpaceState{}
		want := 0
		for k := range 40 {
			id := fmt.Sprintf("cams-%05d", minute*1000+k*7)
			st := listed(snap.Space(id), t0.Add(time.Duration(minute+1)*time.Minute), k)
			changed[id] = st
			want += len(marshalSpace(t, id, st)) + len(",")
		}
		want += len(`{"spaces":[]}`+"\n") - len(",")
		if minute == 0 {
			want += len(`{"base":"0123456789abcdef"}` + "\n")
		}
		var before int64
		if info, err := os.Stat(path + JournalSuffix); err == nil {
			before = info.Size()
		}
		snap = snap.WithChanged(changed)
		writeSnapshot(t, w, snap)
		info, err := os.Stat(path + JournalSuffix)
		if err != nil || info.Size()-before != int64(want) {
			t.Errorf("minute %d: %d bytes appended (%v), want the %d of the 40 spaces changed", minute, info.Size()-before, err, want)
		}
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, file) {
		t.Error("the file was written")
	}
	sameStates(t, "restored", mustRead(t, path).States, savedFromScratch(t, snap))
}

// An append at shutdown, blocked by a disk that does not answer, is
// abandoned at its deadline: Run returns, the journal is as it was; the
// append, once the disk answers, ends the journal with a whole write (or
// none), never one that another follows: the writer writes the whole file
// after an abandoned append.
func TestJournalAppendAbandonedAtItsDeadline(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cams.cache")
	journalOf(t, path)
	journalBefore, _ := os.ReadFile(path + JournalSuffix)
	c := mustRead(t, path)
	restored := snapshot.Snapshot{}.WithSpaces(c.States)
	blocked := make(chan *blockingWriter, 1)
	journalWriter = func(f *os.File) io.Writer { b := newBlockingWriter(f); blocked <- b; return b }
	t.Cleanup(func() { journalWriter = func(f *os.File) io.Writer { return f } })

	next := restored.WithChanged(map[string]*snapshot.SpaceState{"cams-000009": listed(restored.Space("cams-000009"), t0.Add(3*time.Hour), 99)})
	w, _ := tickedWriter(path, func() *snapshot.Snapshot { return next })
	w.Restored, w.Contents = restored, c
	ctx, stop := context.WithCancel(context.Background())
	deadline, abandon := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { w.Run(ctx, deadline); close(done) }()
	stop()
	b := <-blocked
	var releaseOnce sync.Once
	release := func() { releaseOnce.Do(func() { close(b.release) }) }
	t.Cleanup(release)
	<-b.entered
	abandon()
	<-done
	if now, _ := os.ReadFile(path + JournalSuffix); !bytes.Equal(now, journalBefore) || w.writes.Load() != 0 {
		t.Fatalf("after the abandoned append: the journal changed %v, %d writes", !bytes.Equal(now, journalBefore), w.writes.Load())
	}
	release()
	writing.Wait()
	c = mustRead(t, path)
	if c.Journal != nil {
		t.Errorf("once the abandoned append woke: %v", c.Journal)
	}
	sameStates(t, "once the abandoned append woke", c.States, savedFromScratch(t, next))
	if len(tempFiles(t, path)) != 0 {
		t.Errorf("temporary files %v", tempFiles(t, path))
	}
	journalWriter = func(f *os.File) io.Writer { return f }
	later := next.WithChanged(map[string]*snapshot.SpaceState{"cams-000010": nil})
	writeSnapshot(t, w, later)
	if _, err := os.Stat(path + JournalSuffix); w.wholes.Load() != 1 || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the write after an abandoned append: %d writes of the whole file, journal %v; want it whole", w.wholes.Load(), err)
	}
	sameStates(t, "after the next write", mustRead(t, path).States, savedFromScratch(t, later))
}
