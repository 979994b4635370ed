package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-kit/log"

	"github.com/cams-exporter/cams_exporter/cache"
	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/simulator"
)

// latin1Data holds two spaces whose ids, saved as Latin-1, differ only in a
// byte that is not UTF-8: as label values, or in the cache's JSON, both
// would become "cams-caf\ufffd".
func latin1Data() *simulator.Dataset {
	flows := []simulator.Flow{{FlowId: "1", FlowName: "a", Categories: []string{"SURVEY"}}}
	return &simulator.Dataset{Spaces: []simulator.Space{
		{ID: "cams-ok", Flows: flows}, {ID: "cams-caf\xe9", Flows: flows}, {ID: "cams-caf\xe8", Flows: flows},
	}}
}

// An id that is not valid UTF-8 never gets in: a spaces file's is left out
// with an error naming its line, discovery's with a warning naming it
// escaped, the other spaces are served, and the cache written then loads
// (and, from the spaces file, is served by the next start before any call).
// Before, both ids were watched, and the cache refused its own file: "space
// twice".
func TestIdsThatAreNotUTF8NeverReachTheCache(t *testing.T) {
	spacesFile := filepath.Join(t.TempDir(), "spaces.txt")
	if err := os.WriteFile(spacesFile, []byte("cams-ok\ncams-caf\xe9\ncams-caf\xe8\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name    string
		args    []string
		wantLog string
	}{
		{"spaces file", []string{"--cams.spaces-file=" + spacesFile},
			`msg="spaces file: ids left out" file=` + spacesFile + ` err="` + spacesFile + `:2: space id \"cams-caf\\xe9\" is not valid UTF-8`},
		{"discovery", []string{"--cams.discover-spaces"},
			// The simulator's JSON turns both into U+FFFD, as CAMS's would.
			`msg="discovered spaces left out: their CustSpaceId is not valid UTF-8" count=1 ids="\"cams-caf\\ufffd\""`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			data := latin1Data()
			sim, url := startSimulator(t, data, -1)
			cacheFile := filepath.Join(t.TempDir(), "cache.json")
			args := append([]string{"--cams.endpoint=" + url, "--cams.rate-limit=500", "--refresh.interval=1h", "--cache.file=" + cacheFile}, tt.args...)
			var logs lockedBuffer
			h := newExporterHarness(t, sim, &logs, args...)
			if h.exp.discovery != nil {
				if err := h.exp.discovery.Discover(context.Background()); err != nil {
					t.Fatal(err)
				}
			}
			h.refresh()
			checkSeries(t, h.scrape(), expected(data, "cams-ok"))
			if got := spacesUp(h.scrape()); got != "cams-ok" {
				t.Errorf("watched %q, want only cams-ok", got)
			}
			if !strings.Contains(logs.String(), tt.wantLog) {
				t.Errorf("log lacks %s:\n%s", tt.wantLog, logs.String())
			}
			ctx, cancel := context.WithCancel(context.Background())
			wait := h.exp.start(ctx)
			cancel()
			wait() // the shutdown write

			states, err := cache.Load(cacheFile, h.exp.cacheMeta())
			if err != nil || len(states) != 1 || states["cams-ok"] == nil || states["cams-ok"].Count != 1 {
				t.Fatalf("the cache written: %v, %v; want cams-ok alone, with its flow", states, err)
			}
			if h.exp.discovery == nil {
				// The next start serves it before any call.
				listed := sim.Stats().ListFlow["cams-ok"]
				var logs2 lockedBuffer
				h2 := newExporterHarness(t, sim, &logs2, args...)
				checkSeries(t, h2.scrape(), expected(data, "cams-ok"))
				if sim.Stats().ListFlow["cams-ok"] != listed {
					t.Errorf("the restart listed cams-ok again:\n%s", logs2.String())
				}
			}
		})
	}
}

// newExporterHarness wires an exporter logging to logs.
func newExporterHarness(t *testing.T, sim *simulator.Server, logs *lockedBuffer, args ...string) *harness {
	t.Helper()
	o := parseFlags(t, args...)
	e, err := newExporter(o, client.StaticCredentials{AccessKeyID: testKeyID, AccessKeySecret: testKeySecret}, log.NewLogfmtLogger(logs))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(e.client.Close)
	return &harness{t: t, sim: sim, exp: e, opts: o, srv: httptestServer(t, e)}
}

// A --cams.space that is not valid UTF-8 is a bad flag: one line naming
// it, exit 1 (3 for check).
func TestSpaceFlagThatIsNotUTF8IsRefused(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	for _, tt := range []struct {
		args []string
		code int
	}{
		{[]string{"--cams.space=cams-caf\xe9", "--cams.endpoint=http://127.0.0.1:1"}, 1},
		{[]string{"check", "--cams.space=cams-ok", "--cams.space=cams-caf\xe9", "--cams.endpoint=http://127.0.0.1:1"}, 3},
	} {
		var code int
		out := captureStderr(t, func() { code = run(tt.args) })
		want := `--cams.space: space id "cams-caf\xe9" is not valid UTF-8`
		if code != tt.code || strings.Count(strings.TrimSpace(out), "\n") != 0 || !strings.Contains(out, want) {
			t.Errorf("%q: exit %d, stderr %q; want exit %d and one line containing %s", tt.args, code, out, tt.code, want)
		}
	}
}

// check leaves out a spaces file's id that is not UTF-8 too: a warning on
// stderr naming its line, and the report of the others.
func TestCheckLeavesOutIdsThatAreNotUTF8(t *testing.T) {
	_, url := startSimulator(t, latin1Data(), -1)
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", testKeyID)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", testKeySecret)
	spacesFile := filepath.Join(t.TempDir(), "spaces.txt")
	if err := os.WriteFile(spacesFile, []byte("cams-caf\xe9\ncams-ok\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var code int
	var stdout string
	stderr := captureStderr(t, func() {
		stdout = captureStdout(t, func() {
			code = run([]string{"check", "--cams.endpoint=" + url, "--cams.rate-limit=500", "--cams.spaces-file=" + spacesFile})
		})
	})
	want := "cams_exporter check: warning: " + spacesFile + `:1: space id "cams-caf\xe9" is not valid UTF-8`
	if code != 0 || !strings.Contains(stdout, "CAMS OK - 1 space") || !strings.HasPrefix(stderr, want) || strings.Count(stderr, "\n") != 1 {
		t.Errorf("exit %d\nstdout:\n%s\nstderr:\n%s\nwant exit 0, one space checked and one warning: %s", code, stdout, stderr, want)
	}
}
