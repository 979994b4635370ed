package alerts

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/internal/loopback"
	"github.com/cams-exporter/cams_exporter/internal/tooltest"
)

// alertmanagers are the newest Alertmanager and Debian's (0.25).
func alertmanagers(t *testing.T) []tool {
	v := tooltest.Version(t, "ALERTMANAGER_VERSION")
	return []tool{
		{"alertmanager-" + v, tooltest.Bin(t, "alertmanager"), "version " + v},
		{"alertmanager-debian", tooltest.Debian(t, "prometheus-alertmanager", "prometheus-alertmanager"), "version 0."},
	}
}

// checkInhibition gives alerts (as Prometheus sends them) to a real
// Alertmanager running examples/alertmanager.yml, under each version, and
// checks that each alert is muted by one of the alerts mutedBy returns for
// it, or active when it returns none.
func checkInhibition(t *testing.T, alerts []expAlert, mutedBy func(expAlert) []expAlert) {
	t.Helper()
	eachTool(t, alertmanagers(t), func(t *testing.T, bin string) {
		addr := startAlertmanager(t, bin)
		postAlerts(t, addr, alerts)
		var why string
		for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(250 * time.Millisecond) {
			if why = inhibitionDiffers(addr, alerts, mutedBy); why == "" {
				t.Logf("%d alerts: Alertmanager mutes and keeps the right ones", len(alerts))
				return
			}
		}
		t.Fatalf("Alertmanager's alerts not as expected within a minute: %s", why)
	})
}

// amAlert is an alert as Alertmanager's API v2 lists it.
type amAlert struct {
	Labels      map[string]string `json:"labels"`
	Fingerprint string            `json:"fingerprint"`
	Status      struct {
		State       string   `json:"state"`
		InhibitedBy []string `json:"inhibitedBy"`
	} `json:"status"`
}

// inhibitionDiffers returns what differs from the expected states, or "".
func inhibitionDiffers(addr string, alerts []expAlert, mutedBy func(expAlert) []expAlert) string {
	var got []amAlert
	if err := getJSON("http://"+addr+"/api/v2/alerts", &got); err != nil {
		return err.Error()
	}
	byKey := map[string]amAlert{}
	for _, a := range got {
		byKey[labelKey(a.Labels)] = a
	}
	if len(got) != len(alerts) {
		return fmt.Sprintf("%d alerts, want %d", len(got), len(alerts))
	}
	for _, want := range alerts {
		key := labelKey(want.ExpLabels)
		a, ok := byKey[key]
		if !ok {
			return "missing " + key
		}
		sources := mutedBy(want)
		if len(sources) == 0 {
			if a.Status.State != "active" {
				return fmt.Sprintf("%s is %s (by %v), want active", key, a.Status.State, a.Status.InhibitedBy)
			}
			continue
		}
		allowed := map[string]bool{}
		for _, s := range sources {
			allowed[byKey[labelKey(s.ExpLabels)].Fingerprint] = true
		}
		if a.Status.State != "suppressed" || len(a.Status.InhibitedBy) == 0 {
			return fmt.Sprintf("%s is %s, want muted by %s", key, a.Status.State, labelKey(sources[0].ExpLabels))
		}
		for _, fp := range a.Status.InhibitedBy {
			if !allowed[fp] {
				return fmt.Sprintf("%s is muted by %s, want one of %d alerts such as %s", key, fp, len(sources), labelKey(sources[0].ExpLabels))
			}
		}
	}
	return ""
}

// startAlertmanager runs Alertmanager with examples/alertmanager.yml on a
// loopback port until the test ends, its webhooks pointed at a local
// receiver that accepts everything, and returns its address once ready.
func startAlertmanager(t *testing.T, bin string) string {
	t.Helper()
	hook := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	t.Cleanup(hook.Close)
	b, err := os.ReadFile(filepath.Join(examplesDir, "alertmanager.yml"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte("http://127.0.0.1:5001")) {
		t.Fatal("examples/alertmanager.yml no longer sends to http://127.0.0.1:5001; update the test")
	}
	dir := t.TempDir()
	config := filepath.Join(dir, "alertmanager.yml")
	if err := os.WriteFile(config, bytes.ReplaceAll(b, []byte("http://127.0.0.1:5001"), []byte(hook.URL)), 0o644); err != nil {
		t.Fatal(err)
	}
	addr := loopback.FreeAddr(t)
	var out bytes.Buffer
	cmd := exec.Command(bin, "--config.file="+config, "--storage.path="+filepath.Join(dir, "data"),
		"--web.listen-address="+addr, "--cluster.listen-address=")
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("alertmanager's log:\n%s", lastLines(out.String(), 30))
		}
	})
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(100 * time.Millisecond) {
		if resp, err := http.Get("http://" + addr + "/-/ready"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return addr
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("alertmanager not ready on %s within a minute", addr)
		}
	}
}

// postAlerts sends alerts to Alertmanager as Prometheus does, firing for
// the next hour.
func postAlerts(t *testing.T, addr string, alerts []expAlert) {
	t.Helper()
	type postable struct {
		Labels      map[string]string `json:"labels"`
		Annotations map[string]string `json:"annotations"`
		StartsAt    time.Time         `json:"startsAt"`
		EndsAt      time.Time         `json:"endsAt"`
	}
	now := time.Now().UTC()
	body := make([]postable, 0, len(alerts))
	for _, a := range alerts {
		body = append(body, postable{a.ExpLabels, a.ExpAnnotations, now.Add(-time.Minute), now.Add(time.Hour)})
	}
	b, err := json.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "http://"+addr+"/api/v2/alerts", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("posting %d alerts: %s", len(alerts), resp.Status)
	}
}

func getJSON(url string, v any) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
