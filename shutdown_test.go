package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/cache"
	"github.com/cams-exporter/cams_exporter/internal/loopback"
	"github.com/cams-exporter/cams_exporter/simulator"
)

// TestSIGTERMDuringARefreshKeepsTheCache stops the exporter while a listing
// hangs: it ends within its shutdown timeout, exits 0, and the cache file
// holds every space of the last pass.
func TestSIGTERMDuringARefreshKeepsTheCache(t *testing.T) {
	data := simulator.Generate(5, 3, 10)
	sim, url := startSimulator(t, data, -1)
	bin := buildBinary(t)
	addr := loopback.FreeAddr(t)
	cacheFile := filepath.Join(t.TempDir(), "cams.cache")
	args := []string{"--web.listen-address=" + addr, "--cams.endpoint=" + url, "--cache.file=" + cacheFile, "--refresh.interval=10s", "--cams.timeout=30s"}
	var ids []string
	for _, sp := range data.Spaces[1:] {
		ids = append(ids, sp.ID)
		args = append(args, "--cams.space="+sp.ID)
	}
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "ALIBABA_CLOUD_ECS_METADATA_DISABLED=true",
		"ALIBABA_CLOUD_ACCESS_KEY_ID="+testKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET="+testKeySecret)
	stderr := &lockedBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Process.Kill()
	waitForMetric(t, addr, "\ncams_refreshes_total 1\n")

	// The next listings hang until the server closes: SIGTERM arrives mid-pass.
	sim.Inject(simulator.Fault{Kind: "hang"})
	deadline := time.Now().Add(time.Minute)
	for sim.Stats().Faulted == 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	if sim.Stats().Faulted == 0 {
		t.Fatal("no listing reached the hanging fault")
	}
	start := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, stderr)
		}
	case <-time.After(time.Minute): // a hang; the exporter's own timers bound the shutdown
		t.Fatalf("still running a minute after SIGTERM\n%s", stderr)
	}
	t.Logf("stopped %v after SIGTERM", time.Since(start).Round(time.Millisecond))
	states, err := cache.Load(cacheFile, cache.Meta{Endpoint: url + "/"})
	if err != nil {
		t.Fatalf("cache after SIGTERM: %v\n%s", err, stderr)
	}
	for i, id := range ids {
		st := states[id]
		if st == nil || !st.HasData || st.Count != len(data.Spaces[i+1].Flows) {
			t.Errorf("space %s in the cache: %+v, want %d flows", id, st, len(data.Spaces[i+1].Flows))
		}
	}
	if strings.Contains(stderr.String(), "refresh of space failed") && strings.Contains(stderr.String(), "context canceled") {
		t.Errorf("shutdown was logged as a failing space:\n%s", stderr)
	}
	b, _ := os.ReadFile(cacheFile)
	if !json.Valid(b) {
		t.Error("the cache file is not valid JSON")
	}
}

func waitForMetric(t *testing.T, addr, want string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for ctx.Err() == nil {
		if resp, err := http.Get("http://" + addr + "/metrics"); err == nil {
			b, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if strings.Contains(string(b), want) {
				return
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("/metrics never showed %q", want)
}
