package cache

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/internal/testfiles"
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

// TestHostileCacheIsBoundedWhenRestored restores a cache whose texts are far
// longer than anything a listing can bring: every one comes back cut to the
// client's bounds, and a space id longer than any space id is left out.
func TestHostileCacheIsBoundedWhenRestored(t *testing.T) {
	huge := strings.Repeat("ü", 1<<20) // 2 MB
	sp := map[string]any{
		"id": "cams-hostile", "has_data": true, "count": -5,
		"by_category":  map[string]int{huge: 3, huge + "x": 4},
		"flow_ids":     []string{huge},
		"flows":        []map[string]any{{"FlowId": huge, "FlowName": huge, "Categories": append(strings.Split(strings.Repeat("C,", 100), ","), huge)}},
		"last_error":   map[string]string{"code": huge, "message": huge, "request_id": huge, "recommend": huge, "class": huge},
		"last_attempt": t0, "last_success": t0,
		"flow_status": map[string]any{"statuses": []string{huge}, "checked": []int64{1}, "last_error": map[string]string{"code": huge, "message": huge}},
	}
	long := map[string]any{"id": strings.Repeat("c", 129), "has_data": true, "last_attempt": t0}
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
	st := states["cams-hostile"]
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
