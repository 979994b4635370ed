package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/go-kit/log"

	"github.com/cams-exporter/cams_exporter/cache"
	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/simulator"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

func spacesUp(got map[string]float64) string {
	var ids []string
	for k := range got {
		if strings.HasPrefix(k, "cams_space_up{") {
			ids = append(ids, strings.TrimSuffix(strings.TrimPrefix(k, `cams_space_up{space="`), `"}`))
		}
	}
	sort.Strings(ids)
	return strings.Join(ids, ",")
}

func TestDiscoveredSpacesJoinAndLeave(t *testing.T) {
	data := &simulator.Dataset{Spaces: []simulator.Space{
		{ID: "cams-a", Flows: []simulator.Flow{{FlowId: "1", FlowName: "a", Categories: []string{"SURVEY"}}}},
		{ID: "cams-b"}, {ID: "cams-c"},
	}}
	h := newHarness(t, data, "--cams.discover-spaces", "--cams.space=cams-a")
	discover := func() {
		t.Helper()
		if err := h.exp.discovery.Discover(context.Background()); err != nil {
			t.Fatal(err)
		}
		h.refresh()
	}
	discover()
	if got := spacesUp(h.scrape()); got != "cams-a,cams-b,cams-c" {
		t.Fatalf("watched %s, want the explicit space and the discovered ones (not the own space)", got)
	}
	h.sim.DeleteSpace("cams-c")
	h.sim.AddSpace("cams-d")
	discover()
	if got := spacesUp(h.scrape()); got != "cams-a,cams-b,cams-d" {
		t.Errorf("after the account changed: watched %s, want cams-a,cams-b,cams-d", got)
	}
	h.sim.DeleteSpace("cams-a") // configured explicitly: it stays, and says what is wrong
	discover()
	got := h.scrape()
	if spacesUp(got) != "cams-a,cams-b,cams-d" || got[`cams_space_up{space="cams-a"}`] != 0 || got[`cams_flows{space="cams-a"}`] != 1 {
		t.Errorf("an explicit space left or lost its data: %v", spacesUp(got))
	}
	if got[`cams_discovered_spaces{}`] != 2 {
		t.Errorf("cams_discovered_spaces = %v, want 2", got[`cams_discovered_spaces{}`])
	}
	if got[`cams_api_requests_total{operation="ListInstance"}`] < 3 {
		t.Errorf("ListInstance calls not counted: %v", got[`cams_api_requests_total{operation="ListInstance"}`])
	}
}

// --cams.discover-channel-type matches without regard to case, whichever
// way the user and the data spell it: CAMS documents "viber", the SDK's
// examples say "VIBER".
func TestDiscoverChannelTypeIgnoresCase(t *testing.T) {
	data := &simulator.Dataset{Spaces: []simulator.Space{
		{ID: "cams-w"}, // whatsapp, the simulator's default
		{ID: "cams-v1", ChannelType: "viber"},
		{ID: "cams-v2", ChannelType: "VIBER"},
		{ID: "cams-m", ChannelType: "messenger"},
	}}
	for _, tt := range []struct{ flag, want string }{
		{"Viber", "cams-v1,cams-v2"},
		{"VIBER", "cams-v1,cams-v2"},
		{"WhatsApp", "cams-w"},
		{"messenger", "cams-m"},
	} {
		t.Run(tt.flag, func(t *testing.T) {
			h := newHarness(t, data, "--cams.discover-spaces", "--cams.discover-channel-type="+tt.flag)
			if err := h.exp.discovery.Discover(context.Background()); err != nil {
				t.Fatal(err)
			}
			if got := strings.Join(h.exp.discovery.Spaces(), ","); got != tt.want {
				t.Errorf("discovered %s, want %s", got, tt.want)
			}
		})
	}
}

func TestCacheServesAtOnceAfterARestart(t *testing.T) {
	data := testData()
	a, b := data.Spaces[1].ID, data.Spaces[2].ID
	path := filepath.Join(t.TempDir(), "cache.json")
	h := newHarness(t, data, "--cams.space="+a, "--cams.space="+b, "--cache.file="+path)
	h.refresh()
	first := h.scrape()
	ctx, cancel := context.WithCancel(context.Background())
	wait := h.exp.start(ctx)
	cancel()
	wait() // the shutdown write

	// A second exporter on the same cache serves the data before any call.
	o := parseFlags(t, "--cams.endpoint="+h.opts.endpoint, "--cams.space="+a, "--cams.space="+b, "--cache.file="+path, "--refresh.interval=1m", "--cams.rate-limit=500")
	e2, err := newExporter(o, client.StaticCredentials{AccessKeyID: testKeyID, AccessKeySecret: testKeySecret}, log.NewNopLogger())
	if err != nil {
		t.Fatal(err)
	}
	calls := h.sim.Stats().Calls
	h2 := &harness{t: t, sim: h.sim, exp: e2, opts: o, srv: httptestServer(t, e2)}
	got := h2.scrape()
	checkSeries(t, got, expected(data, a, b))
	for _, id := range []string{a, b} {
		key := fmt.Sprintf("cams_space_last_success_timestamp_seconds{space=%q}", id)
		if got[key] != first[key] {
			t.Errorf("%s = %v after restart, want the original %v", key, got[key], first[key])
		}
	}
	if status, body := h2.get("/readyz"); status != 200 {
		t.Errorf("/readyz with fresh cached data = %d %s", status, body)
	}
	if h.sim.Stats().Calls != calls {
		t.Error("restoring the cache called the API")
	}
}

func TestCorruptCacheIsIgnoredWithAWarning(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cache.json")
	os.WriteFile(path, []byte(`{"version":1,"spaces":[`), 0o600)
	var logs lockedBuffer
	data := testData()
	_, url := startSimulator(t, data, -1)
	o := parseFlags(t, "--cams.endpoint="+url, "--cache.file="+path)
	e, err := newExporter(o, client.StaticCredentials{AccessKeyID: testKeyID, AccessKeySecret: testKeySecret}, log.NewLogfmtLogger(&logs))
	if err != nil {
		t.Fatalf("a corrupt cache file stopped the exporter: %v", err)
	}
	if !strings.Contains(logs.String(), "ignoring the cache file") || !strings.Contains(logs.String(), "corrupt") {
		t.Errorf("no warning:\n%s", logs.String())
	}
	if e.refresher.Snapshot().Completed {
		t.Error("a corrupt cache produced data")
	}
	// The next write replaces it with a good one.
	e.refresher.Refresh(context.Background())
	ctx, cancel := context.WithCancel(context.Background())
	wait := e.start(ctx)
	time.Sleep(10 * time.Millisecond)
	cancel()
	wait()
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), `"version":4`) || !strings.HasSuffix(strings.TrimSpace(string(b)), "}") {
		t.Errorf("the cache was not rewritten: %.100s", b)
	}
}

// TestCacheEntryFromTheFuture restarts on a cache file one of whose spaces
// was last listed an hour from now: that entry is not trusted (its count
// would pass for fresh and never be refreshed). The other space is served
// at once; the future one is pending, said in the log, and listed at once.
// The restart's interval is an hour, so that the other space cannot fall
// due however slow the machine; the test waits for the future one's series,
// not for its first call, which would leave the listing half done.
func TestCacheEntryFromTheFuture(t *testing.T) {
	data := testData()
	a, b := data.Spaces[1].ID, data.Spaces[2].ID
	path := filepath.Join(t.TempDir(), "cache.json")
	h := newHarness(t, data, "--cams.space="+a, "--cams.space="+b, "--cache.file="+path)
	h.refresh()
	snap := h.exp.refresher.Snapshot()
	future := *snap.Space(b)
	future.Count, future.LastSuccess, future.LastAttempt = 999, time.Now().Add(time.Hour), time.Now().Add(time.Hour)
	snap = snap.WithChanged(map[string]*snapshot.SpaceState{b: &future})
	if err := cache.Save(path, h.exp.cacheMeta(), snap, time.Now()); err != nil {
		t.Fatal(err)
	}

	var logs lockedBuffer
	o := parseFlags(t, "--cams.endpoint="+h.opts.endpoint, "--cams.space="+a, "--cams.space="+b, "--cache.file="+path, "--refresh.interval=1h", "--cams.rate-limit=500")
	e2, err := newExporter(o, client.StaticCredentials{AccessKeyID: testKeyID, AccessKeySecret: testKeySecret}, log.NewLogfmtLogger(&logs))
	if err != nil {
		t.Fatal(err)
	}
	h2 := &harness{t: t, sim: h.sim, exp: e2, opts: o, srv: httptestServer(t, e2)}
	got := h2.scrape()
	checkSeries(t, got, expected(data, a))
	checkSeries(t, got, map[string]float64{`cams_spaces{state="pending"}`: 1, `cams_spaces{state="up"}`: 1})
	if _, ok := got[fmt.Sprintf("cams_flows{space=%q}", b)]; ok {
		t.Errorf("the future entry's count is served: %v", got[fmt.Sprintf("cams_flows{space=%q}", b)])
	}
	if !strings.Contains(logs.String(), "later than the clock") || !strings.Contains(logs.String(), b) {
		t.Errorf("no warning naming %s:\n%s", b, logs.String())
	}
	calls := h.sim.Stats().ListFlow
	ctx, cancel := context.WithCancel(context.Background())
	wait := e2.start(ctx)
	flowsOfB := fmt.Sprintf("cams_flows{space=%q}", b)
	waitFor(t, time.Minute, "the future space listed", func() bool {
		_, listed := h2.scrape()[flowsOfB]
		return listed
	})
	cancel()
	wait()
	if h.sim.Stats().ListFlow[b] == calls[b] || h.sim.Stats().ListFlow[a] != calls[a] {
		t.Errorf("listings after the restart: %s %d, %s %d; want the future one listed at once, the other not (due in an hour)",
			b, h.sim.Stats().ListFlow[b]-calls[b], a, h.sim.Stats().ListFlow[a]-calls[a])
	}
	checkSeries(t, h2.scrape(), expected(data, a, b))
}

// With --cams.discover-spaces and an explicit space, a restart during a
// ListInstance outage restores the discovered spaces from the cache; they
// are not watched (discovery has not answered) and not exported, but the
// shutdown write keeps them. Once discovery answers without one, the
// others are watched again with their data, and the departed one is still
// saved during its grace (dropped after it: see the cache package's
// tests).
func TestCacheKeepsDiscoveredSpacesThroughADiscoveryOutage(t *testing.T) {
	data := &simulator.Dataset{Spaces: []simulator.Space{
		{ID: "cams-a", Flows: []simulator.Flow{{FlowId: "1", FlowName: "a"}}},
		{ID: "cams-b", Flows: []simulator.Flow{{FlowId: "2", FlowName: "b"}, {FlowId: "3", FlowName: "c"}}},
		{ID: "cams-c"},
	}}
	path := filepath.Join(t.TempDir(), "cache.json")
	flags := []string{"--cams.discover-spaces", "--cams.space=cams-a", "--cache.file=" + path, "--cams.max-retries=0"}
	h := newHarness(t, data, flags...)
	if err := h.exp.discovery.Discover(context.Background()); err != nil {
		t.Fatal(err)
	}
	h.refresh()
	stop := func(e *exporter) {
		ctx, cancel := context.WithCancel(context.Background())
		wait := e.start(ctx)
		cancel()
		wait() // the shutdown write
	}
	stop(h.exp)
	cached := func(what string, want string) {
		t.Helper()
		states, err := cache.Load(path, h.exp.cacheMeta())
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		var ids []string
		for id := range states {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		if got := strings.Join(ids, ","); got != want {
			t.Fatalf("%s: the cache holds %s, want %s", what, got, want)
		}
	}
	cached("first run", "cams-a,cams-b,cams-c")

	if _, err := h.sim.Inject(simulator.Fault{Action: "ListInstance", Kind: simulator.FaultError, Code: "ServiceUnavailable"}); err != nil {
		t.Fatal(err)
	}
	restart := func() *harness {
		o := parseFlags(t, append([]string{"--cams.endpoint=" + h.opts.endpoint, "--refresh.interval=1m", "--cams.rate-limit=500"}, flags...)...)
		e, err := newExporter(o, client.StaticCredentials{AccessKeyID: testKeyID, AccessKeySecret: testKeySecret}, log.NewNopLogger())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(e.client.Close)
		return &harness{t: t, sim: h.sim, exp: e, opts: o, srv: httptestServer(t, e)}
	}
	h2 := restart()
	if err := h2.exp.discovery.Discover(context.Background()); err == nil {
		t.Fatal("discovery answered during the outage")
	}
	got := h2.scrape()
	if spacesUp(got) != "cams-a" || got[`cams_spaces{state="up"}`] != 1 {
		t.Errorf("during the outage: spaces exported %s, %v up; want cams-a only", spacesUp(got), got[`cams_spaces{state="up"}`])
	}
	stop(h2.exp)
	cached("a restart during the outage", "cams-a,cams-b,cams-c")

	h.sim.ClearFaults()
	h.sim.DeleteSpace("cams-c")
	h3 := restart()
	listFlowCalls := h.sim.Stats().ListFlow["cams-b"]
	ctx, cancel := context.WithCancel(context.Background())
	wait := h3.exp.start(ctx)
	waitFor(t, 10*time.Second, "discovery's answer", func() bool { return h3.exp.refresher.Snapshot().Space("cams-b") != nil })
	got = h3.scrape()
	if spacesUp(got) != "cams-a,cams-b" || got[`cams_flows{space="cams-b"}`] != 2 || h.sim.Stats().ListFlow["cams-b"] != listFlowCalls {
		t.Errorf("after discovery answered: spaces %s, cams-b's flows %v; want cams-a and cams-b served from the cache", spacesUp(got), got[`cams_flows{space="cams-b"}`])
	}
	cancel()
	wait()
	cached("discovery answered without cams-c: its grace", "cams-a,cams-b,cams-c")
}
