package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/cache"
	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/simulator"
)

// hostileData is one space with three flows, the answer every hostile fault
// below replaces.
func hostileData() *simulator.Dataset {
	return &simulator.Dataset{Spaces: []simulator.Space{{ID: "cams-h", Flows: []simulator.Flow{
		{FlowId: "1", FlowName: "a", Categories: []string{"SIGN_UP"}},
		{FlowId: "2", FlowName: "b", Categories: []string{"SURVEY"}},
		{FlowId: "3", FlowName: "c", Categories: []string{"SURVEY"}},
	}}}}
}

// statusOf returns the last error /status shows for a space.
func statusOf(t *testing.T, h *harness, space string) (code, message string, body string) {
	t.Helper()
	_, body = h.get("/status")
	var st struct {
		Spaces []struct {
			Space     string
			LastError *struct{ Code, Message string } `json:"last_error"`
		}
	}
	if err := json.Unmarshal([]byte(body), &st); err != nil {
		t.Fatalf("/status: %v", err)
	}
	for _, s := range st.Spaces {
		if s.Space == space && s.LastError != nil {
			return s.LastError.Code, s.LastError.Message, body
		}
	}
	return "", "", body
}

// TestHostileAnswersKeepTheLastData lists a space once, then lets the
// simulator answer with each hostile shape: the space goes down with a
// one-line error naming what was wrong, counted under its code, and keeps
// its three flows; nothing is sent to the host a redirect points to.
func TestHostileAnswersKeepTheLastData(t *testing.T) {
	var stolen atomic.Int64
	thief := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { stolen.Add(1) }))
	l, err := net.Listen("tcp", "127.0.0.2:0")
	if err != nil {
		t.Fatal(err)
	}
	thief.Listener.Close()
	thief.Listener = l
	thief.Start()
	defer thief.Close()

	tests := []struct {
		name           string
		fault          simulator.Fault
		code, inError  string
		attemptsPerRun float64
	}{
		{"redirect to another host", simulator.Fault{Kind: simulator.FaultRedirect, Location: thief.URL + "/collect"}, "HTTP_307", "redirect, which is never followed", 1},
		{"redirect to plain http on another name", simulator.Fault{Kind: simulator.FaultRedirect, Status: 302, Location: strings.Replace(thief.URL, "127.0.0.2", "localhost", 1)}, "HTTP_302", "redirect", 1},
		{"page far larger than Page.Size", simulator.Fault{Kind: simulator.FaultOversizedPage, Items: 70000}, client.CodeInvalidResponse, "page 1 holds 70000 flows, more than the Page.Size of 20 asked for", 2},
		{"flows without FlowId", simulator.Fault{Kind: simulator.FaultNoFlowID}, client.CodeInvalidResponse, "flow 1 of 3 has no FlowId", 2},
		{"huge error texts", simulator.Fault{Kind: simulator.FaultHugeMessage, Bytes: 1 << 20}, "Ram.PermissionDeny", "xxx...", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// The attempts may take long on a loaded machine (a 70,000-flow
			// page is megabytes to make and to read): the test is about
			// what a bad answer does, never about how fast it comes.
			h := newHarness(t, hostileData(), "--cams.space=cams-h", "--cams.max-retries=1", "--cams.timeout=5m")
			h.refresh()
			before := h.scrape()
			if before[`cams_flows{space="cams-h"}`] != 3 {
				t.Fatalf("first listing: %v flows", before[`cams_flows{space="cams-h"}`])
			}
			h.sim.Inject(tt.fault)
			h.refresh()
			got := h.scrape()
			checkSeries(t, got, map[string]float64{
				`cams_space_up{space="cams-h"}`:                                             0,
				`cams_flows{space="cams-h"}`:                                                3,
				`cams_flows_by_category{category="SURVEY",space="cams-h"}`:                  2,
				fmt.Sprintf(`cams_api_errors_total{code=%q,operation="ListFlow"}`, tt.code): tt.attemptsPerRun,
			})
			code, msg, status := statusOf(t, h, "cams-h")
			if code != tt.code || !strings.Contains(msg, tt.inError) || strings.Contains(msg, "\n") || len(msg) > client.MaxTextBytes {
				t.Errorf("/status says %s %q; want %s, one line of at most %d bytes saying %q", code, msg, tt.code, client.MaxTextBytes, tt.inError)
			}
			if len(status) > 4096 {
				t.Errorf("/status is %d bytes for one space", len(status))
			}
			if n := stolen.Load(); n != 0 {
				t.Fatalf("the host a redirect pointed to got %d requests", n)
			}
		})
	}
}

// TestHugeMessagesAreBoundedEverywhere: 20 spaces answer errors with texts
// of 256 KiB; /status, the snapshot and the cache file hold a few hundred
// bytes per space.
func TestHugeMessagesAreBoundedEverywhere(t *testing.T) {
	data := &simulator.Dataset{}
	var args []string
	for i := range 20 {
		id := fmt.Sprintf("cams-%02d", i)
		data.Spaces = append(data.Spaces, simulator.Space{ID: id})
		args = append(args, "--cams.space="+id)
	}
	h := newHarness(t, data, append(args, "--cams.max-retries=0")...)
	h.sim.Inject(simulator.Fault{Kind: simulator.FaultHugeMessage, Bytes: 256 << 10})
	h.refresh()
	_, body := h.get("/status")
	if len(body) > 20*2048 {
		t.Errorf("/status is %d bytes for 20 failing spaces", len(body))
	}
	snap := h.exp.refresher.Snapshot()
	for id, st := range snap.All() {
		e := st.LastError
		if e == nil || e.Code != "Ram.PermissionDeny" {
			t.Fatalf("space %s: %+v", id, e)
		}
		if len(e.Message) > client.MaxTextBytes || len(e.RequestID) > client.MaxTextBytes || len(e.Recommend) > client.MaxTextBytes {
			t.Errorf("space %s keeps texts of %d, %d, %d bytes", id, len(e.Message), len(e.RequestID), len(e.Recommend))
		}
	}
	path := filepath.Join(t.TempDir(), "cache.json")
	if err := cache.Save(path, h.exp.cacheMeta(), snap, time.Now()); err != nil {
		t.Fatal(err)
	}
	info, _ := os.Stat(path)
	if info.Size() > 20*2048 {
		t.Errorf("the cache file is %d bytes for 20 failing spaces", info.Size())
	}
	t.Logf("20 spaces answering texts of 256 KiB: /status %d bytes, cache file %d bytes", len(body), info.Size())
}

// TestTenThousandCategoriesStayBounded serves a space whose 10,000 flows
// carry 10,000 distinct undocumented categories, and a second space with
// five more: /metrics, cams_flow_info, /status and the snapshot carry at
// most 30 undocumented categories in all plus _other, and the counter says
// how many values were folded.
func TestTenThousandCategoriesStayBounded(t *testing.T) {
	wide := simulator.Space{ID: "cams-wide"}
	for i := range 10000 {
		wide.Flows = append(wide.Flows, simulator.Flow{FlowId: fmt.Sprint(i), FlowName: "f", Categories: []string{fmt.Sprintf("CAT_%05d", i), "SIGN_UP"}})
	}
	few := simulator.Space{ID: "cams-few"}
	for i := range 5 {
		few.Flows = append(few.Flows, simulator.Flow{FlowId: fmt.Sprint(i), FlowName: "g", Categories: []string{fmt.Sprintf("FEW_%d", i)}})
	}
	h := newHarness(t, &simulator.Dataset{Spaces: []simulator.Space{wide, few}},
		"--cams.space=cams-wide", "--cams.space=cams-few", "--cams.page-size=100", "--collector.flow-info")
	h.refresh()
	got := h.scrape()

	undocumented := map[string]bool{}
	perSpace := map[string]float64{} // flows counted under undocumented names and _other
	for key, v := range got {
		if !strings.HasPrefix(key, "cams_flows_by_category{") {
			continue
		}
		var cat, space string
		fmt.Sscanf(strings.NewReplacer(`{category="`, " ", `",space="`, " ", `"}`, "").Replace(strings.TrimPrefix(key, "cams_flows_by_category")), "%s %s", &cat, &space)
		if contains(documentedCategories, cat) {
			continue
		}
		if cat != "_other" {
			undocumented[cat] = true
		}
		perSpace[space] += v
	}
	if len(undocumented) != 30 {
		t.Errorf("/metrics has %d undocumented categories, want the 30 kept", len(undocumented))
	}
	// Every flow carries one undocumented category: each is counted once,
	// under its name or under _other.
	if perSpace["cams-wide"] != 10000 || perSpace["cams-few"] != 5 {
		t.Errorf("flows counted under undocumented categories and _other: %v, want 10000 and 5", perSpace)
	}
	// 10,005 distinct values, 30 kept.
	checkSeries(t, got, map[string]float64{`cams_flow_categories_folded_total{}`: 10005 - 30,
		`cams_flows_by_category{category="SIGN_UP",space="cams-wide"}`: 10000})

	infoCategories := map[string]bool{}
	for key := range got {
		if strings.HasPrefix(key, "cams_flow_info{") {
			_, rest, _ := strings.Cut(key, `categories="`)
			value, _, _ := strings.Cut(rest, `"`)
			for _, c := range strings.Split(value, ",") {
				infoCategories[c] = true
			}
		}
	}
	if len(infoCategories) > 30+2 { // the kept, SIGN_UP and _other
		t.Errorf("cams_flow_info carries %d distinct categories", len(infoCategories))
	}
	_, status := h.get("/status")
	var st struct {
		Spaces []struct {
			ByCategory map[string]int `json:"flows_by_category"`
		}
	}
	json.Unmarshal([]byte(status), &st)
	for _, s := range st.Spaces {
		if len(s.ByCategory) > len(documentedCategories)+30+1 { // every documented one, the kept and _other
			t.Errorf("/status holds %d categories for a space", len(s.ByCategory))
		}
	}
	h.refresh()
	if got := h.scrape()[`cams_flow_categories_folded_total{}`]; got != 2*(10005-30) {
		t.Errorf("after a second pass the counter is %v, want %v", got, 2*(10005-30))
	}
}

// TestLongLabelValuesAreCut: a flow whose id and name are far longer than
// any real one reaches cams_flow_info cut to MaxFlowIDBytes and
// MaxFlowNameBytes.
func TestLongLabelValuesAreCut(t *testing.T) {
	long := strings.Repeat("n", 1<<20)
	data := &simulator.Dataset{Spaces: []simulator.Space{{ID: "cams-l", Flows: []simulator.Flow{
		{FlowId: strings.Repeat("7", 4096), FlowName: long, Categories: []string{"OTHER"}},
	}}}}
	h := newHarness(t, data, "--cams.space=cams-l", "--collector.flow-info")
	h.refresh()
	_, body := h.get("/metrics")
	for _, line := range strings.Split(body, "\n") {
		if !strings.HasPrefix(line, "cams_flow_info{") {
			continue
		}
		_, rest, _ := strings.Cut(line, `flow_id="`)
		id, _, _ := strings.Cut(rest, `"`)
		_, rest, _ = strings.Cut(line, `flow_name="`)
		name, _, _ := strings.Cut(rest, `"`)
		if len(id) > client.MaxFlowIDBytes || len(name) > client.MaxFlowNameBytes || !strings.HasSuffix(name, "...") {
			t.Errorf("flow_id of %d bytes, flow_name of %d bytes; want at most %d and %d, marked as cut", len(id), len(name), client.MaxFlowIDBytes, client.MaxFlowNameBytes)
		}
		return
	}
	t.Fatal("no cams_flow_info")
}
