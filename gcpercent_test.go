package main

import (
	"net/http"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/simulator"
)

func TestSetGCPercent(t *testing.T) {
	defer debug.SetGCPercent(debug.SetGCPercent(100))
	for _, tt := range []struct {
		gogc string
		want int
	}{
		{"", 50},     // not set: the exporter's default
		{"100", 100}, // set: Go applied it, left as it is
		{"off", 100},
	} {
		debug.SetGCPercent(100)
		setGCPercent(tt.gogc)
		if got := debug.SetGCPercent(100); got != tt.want {
			t.Errorf("GOGC=%q: the collector's percent is %d, want %d", tt.gogc, got, tt.want)
		}
	}
}

// The binary collects at 50 % unless GOGC says otherwise, as its Go
// metrics show.
func TestBinaryGCPercent(t *testing.T) {
	t.Parallel()
	_, url := startSimulator(t, &simulator.Dataset{Spaces: []simulator.Space{{ID: "cams-x"}}}, -1)
	bin := buildBinary(t)
	for _, tt := range []struct {
		env  []string
		want string
	}{
		{nil, "go_gc_gogc_percent 50\n"},
		{[]string{"GOGC=200"}, "go_gc_gogc_percent 200\n"},
	} {
		env := credentialEnv(t)
		kept := env[:0]
		for _, kv := range env {
			if !strings.HasPrefix(kv, "GOGC=") {
				kept = append(kept, kv)
			}
		}
		p := startExporter(t, bin, append(kept, tt.env...), "--cams.endpoint="+url, "--cams.space=cams-x", "--refresh.interval=1h")
		var body string
		waitFor(t, time.Minute, "/metrics", func() bool {
			var code int
			code, body = fetch(&http.Client{Timeout: 5 * time.Second}, "http://"+p.addr+"/metrics")
			return code == http.StatusOK || p.exited()
		})
		if !strings.Contains(body, tt.want) {
			t.Errorf("with %v: /metrics lacks %q", tt.env, strings.TrimSpace(tt.want))
		}
		p.stop()
	}
}
