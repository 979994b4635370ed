package cache

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/internal/testfiles"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// TestOddCacheFilesAreRefusedAtOnce: a device, a FIFO, a directory or a file
// over MaxFileBytes is not read; Load says so at once.
func TestOddCacheFilesAreRefusedAtOnce(t *testing.T) {
	for path, want := range map[string]string{
		"/dev/full":                         "not a regular file but a character device",
		"/dev/zero":                         "not a regular file but a character device",
		testfiles.FIFO(t):                   "not a regular file but a named pipe (FIFO)",
		t.TempDir():                         "not a regular file but a directory",
		testfiles.Sparse(t, MaxFileBytes+1): fmt.Sprintf("more than the %d allowed", MaxFileBytes),
	} {
		start := time.Now()
		states, err := Load(path, meta)
		if err == nil || states != nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), path) {
			t.Errorf("Load(%s) = %d states, %v; want an error naming the file and %q", path, len(states), err, want)
		}
		// A minute only catches a read that blocks (a FIFO, a device).
		if d := time.Since(start); d > time.Minute {
			t.Errorf("Load(%s) took %v", path, d)
		}
	}
}

// TestOddJournalsAreLeftOutAtOnce: a FIFO, a symbolic link to a device, a
// directory or a file over MaxJournalBytes at the journal's name is not
// read: the file alone is restored at once, with a warning. The writer
// removes only the regular file, and writes the file whole while something
// else is there.
func TestOddJournalsAreLeftOutAtOnce(t *testing.T) {
	for _, tt := range []struct {
		name    string
		make    func(journal string)
		want    string
		removed bool
	}{
		{"a FIFO", func(j string) { os.Rename(testfiles.FIFO(t), j) }, "is not a regular file", false},
		{"a link to /dev/zero", func(j string) { os.Symlink("/dev/zero", j) }, "is not a regular file", false},
		{"a directory", func(j string) { os.Mkdir(j, 0o700) }, "is not a regular file", false},
		{"a file too large", func(j string) { os.Rename(testfiles.Sparse(t, MaxJournalBytes+1), j) }, fmt.Sprintf("more than the %d allowed", MaxJournalBytes), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "cams.cache")
			snap := freshSpaces(30)
			if err := Save(path, meta, snap, t0); err != nil {
				t.Fatal(err)
			}
			tt.make(path + JournalSuffix)
			start := time.Now()
			c := mustRead(t, path)
			if !errors.Is(c.Journal, ErrJournalIgnored) || !strings.Contains(c.Journal.Error(), tt.want) || len(c.States) != 30 {
				t.Errorf("Read: %d spaces, journal %v; want the 30 of the file and %q", len(c.States), c.Journal, tt.want)
			}
			// A minute only catches a read that blocks (a FIFO, a device).
			if d := time.Since(start); d > time.Minute {
				t.Errorf("Read took %v", d)
			}
			restored := snapshot.Snapshot{}.WithSpaces(c.States)
			w := journalWriterOf(t, path, restored, c)
			_, err := os.Lstat(path + JournalSuffix)
			if removed := errors.Is(err, os.ErrNotExist); removed != tt.removed {
				t.Errorf("at the writer's start: the journal removed %v, want %v", removed, tt.removed)
			}
			next := restored.WithChanged(map[string]*snapshot.SpaceState{"cams-00001": nil})
			writeSnapshot(t, w, next)
			if wholes := w.wholes.Load(); (wholes == 0) != tt.removed {
				t.Errorf("%d writes of the whole file; want the write appended to a new journal only where the odd one was removed", wholes)
			}
			if got := mustRead(t, path).States; len(got) != 29 {
				t.Errorf("after a write: %d spaces, want 29", len(got))
			}
		})
	}
}

// TestHostileCacheIsBoundedWhenRestored restores a cache whose texts are far
// longer than anything a listing can bring: every one comes back cut to the
// client's bounds, and a space id longer than any space id is left out.
func TestHostileCacheIsBoundedWhenRestored(t *testing.T) {
	sp, long := hostileSpaces(strings.Repeat("ü", 1<<20)) // texts of 2 MB
	body, _ := json.Marshal(map[string]any{"version": formatVersion, "meta": meta, "saved_at": t0, "spaces": []any{sp, long}})
	path := filepath.Join(t.TempDir(), "cache.json")
	os.WriteFile(path, body, 0o644)

	states, err := Load(path, meta)
	if err != nil {
		t.Fatal(err)
	}
	if len(states) != 1 {
		t.Fatalf("restored %d spaces, want 1 (the id of 129 bytes left out)", len(states))
	}
	checkHostileBounded(t, states["cams-hostile"])
}

// A write of the journal is bounded alike: its texts cut, a space id
// longer than any left out, of the spaces it changes and of those it says
// are gone.
func TestHostileJournalIsBoundedWhenRestored(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.json")
	previous := map[string]*snapshot.SpaceState{"cams-hostile": {ID: "cams-hostile", HasData: true, LastAttempt: t0}}
	if err := Save(path, meta, snapshot.Snapshot{}.WithSpaces(previous), t0); err != nil {
		t.Fatal(err)
	}
	sp, long := hostileSpaces(strings.Repeat("ü", 32<<10)) // texts of 64 KiB: a write within its bound
	line, _ := json.Marshal(map[string]any{"spaces": []any{sp, long}, "gone": []string{strings.Repeat("c", 129)}})
	journal := `{"base":"` + mustRead(t, path).base.id + `"}` + "\n" + string(line) + "\n"
	os.WriteFile(path+JournalSuffix, []byte(journal), 0o600)
	c := mustRead(t, path)
	if c.Journal != nil || len(c.States) != 1 {
		t.Fatalf("restored %d spaces (%v), want 1 (the id of 129 bytes left out)", len(c.States), c.Journal)
	}
	checkHostileBounded(t, c.States["cams-hostile"])
}

// hostileSpaces are a space whose texts are huge, and one whose id is
// longer than any space id.
func hostileSpaces(huge string) (sp, long map[string]any) {
	sp = map[string]any{
		"id": "cams-hostile", "has_data": true, "count": -5,
		"by_category":  map[string]int{huge: 3, huge + "x": 4},
		"flow_ids":     []string{huge},
		"flows":        []map[string]any{{"FlowId": huge, "FlowName": huge, "Categories": append(strings.Split(strings.Repeat("C,", 100), ","), huge)}},
		"last_error":   map[string]string{"code": huge, "message": huge, "request_id": huge, "recommend": huge, "class": huge},
		"last_attempt": t0, "last_success": t0,
		"flow_status": map[string]any{"statuses": []string{huge}, "checked": []int64{1}, "last_error": map[string]string{"code": huge, "message": huge}},
	}
	long = map[string]any{"id": strings.Repeat("c", 129), "has_data": true, "last_attempt": t0}
	return sp, long
}

// checkHostileBounded checks that every text of st, restored from the
// space of hostileSpaces, is within the client's bounds.
func checkHostileBounded(t *testing.T, st *snapshot.SpaceState) {
	t.Helper()
	flows := st.Flows.Flows()
	texts := map[string]struct {
		s     string
		bound int
	}{
		"flow id":             {st.FlowIDs[0], client.MaxFlowIDBytes},
		"flow's id":           {flows[0].FlowID, client.MaxFlowIDBytes},
		"flow name":           {flows[0].FlowName, client.MaxFlowNameBytes},
		"error code":          {st.LastError.Code, client.MaxTextBytes},
		"error message":       {st.LastError.Message, client.MaxTextBytes},
		"error request id":    {st.LastError.RequestID, client.MaxTextBytes},
		"error recommend":     {st.LastError.Recommend, client.MaxTextBytes},
		"error class":         {st.LastError.Class, client.MaxTextBytes},
		"last flow category":  {flows[0].Categories[len(flows[0].Categories)-1], client.MaxCategoryBytes},
		"first flow category": {flows[0].Categories[0], client.MaxCategoryBytes},
		"flow status":         {st.Statuses.Status(0), client.MaxCategoryBytes},
		"flow status error":   {st.Statuses.LastError.Message, client.MaxTextBytes},
	}
	for name, tt := range texts {
		if len(tt.s) > tt.bound || !utf8.ValidString(tt.s) {
			t.Errorf("%s restored with %d bytes, want at most %d", name, len(tt.s), tt.bound)
		}
	}
	if n := len(flows[0].Categories); n != client.MaxCategoriesPerFlow {
		t.Errorf("flow restored with %d categories, want %d", n, client.MaxCategoriesPerFlow)
	}
	if len(st.ByCategory) != 1 || st.Count != 0 {
		t.Errorf("categories %d (two cut to one name), count %d; want 1 and 0", len(st.ByCategory), st.Count)
	}
	for c, n := range st.ByCategory {
		if len(c) > client.MaxCategoryBytes || n != 4 {
			t.Errorf("category of %d bytes with %d flows, want at most %d bytes and the larger count, 4", len(c), n, client.MaxCategoryBytes)
		}
	}
}
