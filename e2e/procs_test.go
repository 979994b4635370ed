package e2e

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/simulator"
)

// process is a program the test started; its output goes to a log file that
// is printed when the test fails.
type process struct {
	name string
	cmd  *exec.Cmd
	log  string
}

func start(t *testing.T, name string, env []string, path string, args ...string) *process {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = f, f
	cmd.Env = append(os.Environ(), env...)
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	p := &process{name: name, cmd: cmd, log: logPath}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		f.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			t.Logf("--- %s log (last 3000 bytes) ---\n%s", name, tail(b, 3000))
		}
	})
	return p
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return string(b)
}

// startSimulator serves data on a loopback port with the tests' key until
// the test ends, and returns it with its URL.
func startSimulator(t *testing.T, data *simulator.Dataset) (*simulator.Server, string) {
	t.Helper()
	sim, err := simulator.New(simulator.Config{AccessKeyID: keyID, AccessKeySecret: keySecret, Data: data})
	if err != nil {
		t.Fatal(err)
	}
	url, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	return sim, url
}

// eventually polls cond every 250 ms until it returns "" (done) or the
// timeout passes; then it fails with the last reason.
func eventually(t *testing.T, timeout time.Duration, what string, cond func() string) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	var why string
	for time.Now().Before(deadline) {
		if why = cond(); why == "" {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("%s: not within %s: %s", what, timeout, why)
}

// sample is one element of an instant vector.
type sample = promResult

func (s promResult) value() float64 { return sampleValue(s.Value) }

// query evaluates expr on Prometheus now; an error means Prometheus refused
// it.
func query(addr, expr string) ([]sample, error) { return queryAt(addr, expr, 0) }

// getJSON decodes a JSON answer.
func getJSON(rawURL string, v any) error {
	resp, err := http.Get(rawURL)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("GET %s: %s", rawURL, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

// webhook records what Alertmanager sends.
type webhook struct {
	mu       sync.Mutex
	messages []string
}

func (w *webhook) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	w.mu.Lock()
	w.messages = append(w.messages, r.URL.Path+" "+string(body))
	w.mu.Unlock()
}

func (w *webhook) all() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.messages, "\n")
}
