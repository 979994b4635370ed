package e2e

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/cams-exporter/cams_exporter/cache"
	"github.com/cams-exporter/cams_exporter/internal/loopback"
	"github.com/cams-exporter/cams_exporter/simulator"
)

const (
	firstPassSpaces   = 400
	firstPassInterval = 10 * time.Minute
)

// TestFirstPassAndRestart runs the real binary against the simulator with
// 400 spaces at the default 4 calls/s (the simulator allows 5, like CAMS):
//
//   - within 15 s of start at least 40 spaces show their exact flow counts,
//     cams_up is 1, /readyz is 200 and the cams_spaces states sum to 400;
//   - no scrape shows cams_space_up 1 without that space's exact cams_flows,
//     and a space the simulator has not been asked for has no cams_space_up;
//   - SIGTERM at about 30 s exits 0 and the cache file holds every space
//     listed so far;
//   - a restart with the same --cache.file serves the restored spaces at
//     once, with their original timestamps, and is ready; it lists the
//     missing spaces, and the simulator's request log shows that no space
//     listed in the first run is requested again before it is due
//     (--refresh.interval=10m).
func TestFirstPassAndRestart(t *testing.T) {
	data := simulator.Generate(21, firstPassSpaces, 6)
	sim, simURL := startSimulator(t, data)
	dir := t.TempDir()
	flows := map[string]float64{}
	var ids []string
	for _, sp := range data.Spaces {
		if sp.ID != "" {
			ids = append(ids, sp.ID)
			flows[sp.ID] = float64(len(sp.Flows))
		}
	}
	spacesFile := filepath.Join(dir, "spaces.txt")
	if err := os.WriteFile(spacesFile, []byte(strings.Join(ids, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cacheFile := filepath.Join(dir, "cams.cache")
	addr := loopback.FreeAddr(t)
	bin := buildExporter(t)
	env := []string{"ALIBABA_CLOUD_ECS_METADATA_DISABLED=true", "ALIBABA_CLOUD_ACCESS_KEY_ID=" + keyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET=" + keySecret}
	args := []string{"--web.listen-address=" + addr, "--cams.endpoint=" + simURL, "--cams.spaces-file=" + spacesFile,
		"--cache.file=" + cacheFile, "--refresh.interval=" + firstPassInterval.String()}

	// Run 1: the first pass, watched scrape by scrape.
	began := time.Now()
	run1 := start(t, "cams_exporter run 1", env, bin, args...)
	reached := time.Duration(0)
	var last scrape
	for time.Since(began) < 30*time.Second {
		s, ok := scrapeExporter(addr)
		if !ok {
			time.Sleep(50 * time.Millisecond)
			continue
		}
		requested := requestedSpaces(sim)
		checkScrape(t, s, requested, flows)
		last = s
		if reached == 0 && s.exact(flows) >= 40 && s.value("cams_up") == 1 {
			reached = time.Since(began)
			if status, body := get(addr, "/readyz"); status != 200 {
				t.Errorf("/readyz = %d %q with %d spaces listed", status, body, s.exact(flows))
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("run 1: 40 spaces with exact flows after %v; %d after %v", reached.Round(time.Millisecond), last.exact(flows), time.Since(began).Round(time.Second))
	if reached == 0 || reached > 15*time.Second {
		t.Errorf("40 spaces with their exact flows, cams_up 1 and /readyz 200 after %v, want within 15 s", reached)
	}
	stop(t, run1)
	run1End := time.Now()

	states, err := cache.Load(cacheFile, cache.Meta{Endpoint: simURL + "/"})
	if err != nil {
		t.Fatalf("the cache after SIGTERM: %v", err)
	}
	for id := range last.spacesUp() {
		if st := states[id]; st == nil || !st.HasData || float64(st.Count) != flows[id] {
			t.Errorf("space %s was served before SIGTERM but the cache holds %+v", id, st)
		}
	}
	lastRun1 := map[string]time.Time{}
	for _, r := range sim.Requests().Requests {
		lastRun1[r.Space] = r.Time
	}
	t.Logf("run 1 listed %d spaces, the cache holds %d", len(lastRun1), len(states))

	// Run 2: the restored spaces are served at once; the missing ones are
	// listed, the restored ones are not.
	restart := time.Now()
	run2 := start(t, "cams_exporter run 2", env, bin, args...)
	var first scrape
	for {
		if s, ok := scrapeExporter(addr); ok {
			first = s
			break
		}
		if time.Since(restart) > time.Minute {
			t.Fatal("run 2 did not serve /metrics within a minute")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if status, body := get(addr, "/readyz"); status != 200 {
		t.Errorf("run 2: /readyz = %d %q at once, want 200 with %d spaces restored", status, body, len(states))
	}
	for id, st := range states {
		if got := first.value(`cams_flows{space="` + id + `"}`); got != float64(st.Count) {
			t.Errorf("run 2 at once: cams_flows of %s = %v, want the restored %d", id, got, st.Count)
		}
		if got, want := first.value(`cams_space_last_success_timestamp_seconds{space="`+id+`"}`), float64(st.LastSuccess.UnixNano())/1e9; got < want-0.001 || got > want+0.001 {
			t.Errorf("run 2 at once: last success of %s = %v, want the original %v", id, got, want)
		}
	}
	deadline := restart.Add(time.Duration(firstPassSpaces-len(states))*time.Second/4 + 30*time.Second)
	for {
		s, ok := scrapeExporter(addr)
		if ok {
			checkScrape(t, s, requestedSpaces(sim), flows)
			if s.value(`cams_spaces{state="pending"}`) == 0 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("run 2: spaces still pending at %v: %v", deadline.Sub(restart), s.value(`cams_spaces{state="pending"}`))
		}
		time.Sleep(250 * time.Millisecond)
	}
	time.Sleep(2 * time.Second) // room for a wrong call to show
	stop(t, run2)
	t.Logf("run 2 listed the %d missing spaces in %v", firstPassSpaces-len(states), time.Since(restart).Round(time.Second))

	requested2 := map[string]int{}
	for _, r := range sim.Requests().Requests {
		if r.Time.Before(run1End) {
			continue
		}
		requested2[r.Space]++
		if st := states[r.Space]; st != nil && r.Time.Before(st.LastAttempt.Add(firstPassInterval)) {
			t.Errorf("run 2 requested %s at %s, listed in run 1 at %s: not due before %s", r.Space, r.Time.Format(time.RFC3339Nano),
				st.LastAttempt.Format(time.RFC3339Nano), st.LastAttempt.Add(firstPassInterval).Format(time.RFC3339Nano))
		}
	}
	for _, id := range ids {
		if states[id] == nil && requested2[id] == 0 {
			t.Errorf("space %s, missing from the cache, was not listed in run 2", id)
		}
	}
}

// stop sends SIGTERM and waits for a clean exit.
func stop(t *testing.T, p *process) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("%s after SIGTERM: %v", p.name, err)
		}
	case <-time.After(time.Minute):
		t.Fatalf("%s still running a minute after SIGTERM", p.name)
	}
}

// requestedSpaces are the spaces the simulator has been asked for.
func requestedSpaces(sim *simulator.Server) map[string]bool {
	out := map[string]bool{}
	for _, r := range sim.Requests().Requests {
		out[r.Space] = true
	}
	return out
}

// scrape is one /metrics answer: each sample keyed name{label="value",...}
// with the labels sorted.
type scrape map[string]float64

func (s scrape) value(key string) float64 {
	if v, ok := s[key]; ok {
		return v
	}
	return -1
}

// spacesUp returns the spaces whose cams_space_up is 1.
func (s scrape) spacesUp() map[string]bool {
	out := map[string]bool{}
	for k, v := range s {
		if id, ok := strings.CutPrefix(k, `cams_space_up{space="`); ok && v == 1 {
			out[strings.TrimSuffix(id, `"}`)] = true
		}
	}
	return out
}

// exact counts the spaces whose cams_flows is their data set's count.
func (s scrape) exact(flows map[string]float64) int {
	n := 0
	for id, want := range flows {
		if s.value(`cams_flows{space="`+id+`"}`) == want {
			n++
		}
	}
	return n
}

// checkScrape checks one scrape of the first pass: no space up without its
// exact flows, no series for a space not requested yet, and the cams_spaces
// states summing to the spaces watched. requested is read after the scrape.
func checkScrape(t *testing.T, s scrape, requested map[string]bool, flows map[string]float64) {
	t.Helper()
	for id := range s.spacesUp() {
		if got := s.value(`cams_flows{space="` + id + `"}`); got != flows[id] {
			t.Errorf("cams_space_up{space=%q} is 1 with cams_flows %v, want %v", id, got, flows[id])
		}
	}
	for k := range s {
		if id, ok := strings.CutPrefix(k, `cams_space_up{space="`); ok && !requested[strings.TrimSuffix(id, `"}`)] {
			t.Errorf("%s is exported but the simulator was never asked for that space", k)
		}
	}
	sum := s.value(`cams_spaces{state="pending"}`) + s.value(`cams_spaces{state="up"}`) + s.value(`cams_spaces{state="down"}`)
	if sum != firstPassSpaces {
		t.Errorf("cams_spaces states sum to %v, want %d", sum, firstPassSpaces)
	}
}

// scrapeExporter fetches and parses /metrics; false if it does not answer.
func scrapeExporter(addr string) (scrape, bool) {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return nil, false
	}
	defer resp.Body.Close()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		return nil, false
	}
	out := scrape{}
	for name, mf := range families {
		for _, m := range mf.Metric {
			var labels []string
			for _, l := range m.Label {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			sort.Strings(labels)
			key := name
			if len(labels) > 0 {
				key += "{" + strings.Join(labels, ",") + "}"
			}
			switch {
			case m.Gauge != nil:
				out[key] = m.Gauge.GetValue()
			case m.Counter != nil:
				out[key] = m.Counter.GetValue()
			}
		}
	}
	return out, true
}

func get(addr, path string) (int, string) {
	resp, err := http.Get("http://" + addr + path)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, strings.TrimSpace(string(b))
}
