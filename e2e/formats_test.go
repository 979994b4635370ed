package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/internal/loopback"
	"github.com/cams-exporter/cams_exporter/internal/tooltest"
	"github.com/cams-exporter/cams_exporter/simulator"
)

// snapshotFamilies are the families the exporter derives from its snapshot;
// with a refresh interval of an hour they do not change after the first
// pass.
var snapshotFamilies = []string{
	"cams_up", "cams_refreshes_total", "cams_refresh_failures_total", "cams_refresh_duration_seconds",
	"cams_refresh_expected_duration_seconds", "cams_space_up", "cams_space_last_success_timestamp_seconds",
	"cams_flow_changes_total", "cams_flows", "cams_flows_by_category", "cams_flow_info",
}

// TestPrometheusIngestsEveryFormat has two real Prometheus servers scrape
// the exporter: one as it comes, which negotiates OpenMetrics, and one with
// native histograms on, which negotiates the protobuf format. Both must
// store the same series with the same values, and the same metadata, with
// flow info on and flow names and categories that need escaping.
func TestPrometheusIngestsEveryFormat(t *testing.T) {
	// Prometheus 3 turns native histograms on in its configuration; 2.x
	// with a feature flag.
	for _, v := range []struct {
		name, bin  string
		nativeFlag bool
	}{
		{"prometheus-" + tooltest.Version(t, "PROMETHEUS_VERSION"), tooltest.Bin(t, "prometheus"), false},
		{"debian", tooltest.Debian(t, "prometheus", "prometheus"), true},
	} {
		t.Run(v.name, func(t *testing.T) { ingestsEveryFormat(t, v.bin, v.nativeFlag) })
	}
}

func ingestsEveryFormat(t *testing.T, promBin string, nativeFlag bool) {
	data := &simulator.Dataset{Spaces: []simulator.Space{
		{ID: "cams-odd1", Flows: []simulator.Flow{
			{FlowId: "f1", FlowName: `Say "hello"`, Categories: []string{"SIGN_UP", `WE"IRD\`}},
			{FlowId: "f2", FlowName: "two\nlines", Categories: []string{"SHOPPING", "SIGN_UP"}},
			{FlowId: "f3", FlowName: `C:\flows\`, Categories: []string{"new\nline"}},
		}},
		{ID: "cams-odd2", Flows: []simulator.Flow{{FlowId: "é", FlowName: "ünïcödé 日本語", Categories: []string{"Café"}}}},
	}}
	for _, sp := range simulator.Generate(5, 40, 8).Spaces {
		if sp.ID != "" {
			data.Spaces = append(data.Spaces, sp)
		}
	}
	_, simURL := startSimulator(t, data)

	exporterAddr := loopback.FreeAddr(t)
	args := []string{"--web.listen-address=" + exporterAddr, "--cams.endpoint=" + simURL, "--refresh.interval=1h", "--collector.flow-info"}
	flows := 0
	for _, sp := range data.Spaces {
		args = append(args, "--cams.space="+sp.ID)
		flows += len(sp.Flows)
	}
	start(t, "cams_exporter", []string{"ALIBABA_CLOUD_ECS_METADATA_DISABLED=true",
		"ALIBABA_CLOUD_ACCESS_KEY_ID=" + keyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET=" + keySecret}, buildExporter(t), args...)

	type server struct {
		name, addr string
		proxy      *contentTypes
	}
	servers := []*server{{name: "OpenMetrics"}, {name: "protobuf"}}
	for _, s := range servers {
		s.addr, s.proxy = loopback.FreeAddr(t), newContentTypes(t, exporterAddr)
		dir := t.TempDir()
		config := filepath.Join(dir, "prometheus.yml")
		target := strings.TrimPrefix(s.proxy.url, "http://")
		global := "  scrape_interval: 1s\n"
		if s.name == "protobuf" && !nativeFlag {
			global += "  scrape_native_histograms: true\n"
		}
		if err := os.WriteFile(config, []byte(fmt.Sprintf("global:\n%sscrape_configs:\n  - job_name: cams\n    static_configs:\n      - targets: ['%s']\n", global, target)), 0o644); err != nil {
			t.Fatal(err)
		}
		pargs := []string{"--config.file=" + config, "--storage.tsdb.path=" + filepath.Join(dir, "data"), "--web.listen-address=" + s.addr}
		if s.name == "protobuf" && nativeFlag {
			pargs = append(pargs, "--enable-feature=native-histograms")
		}
		start(t, "prometheus-"+s.name, nil, promBin, pargs...)
	}
	selector := `{job="cams",__name__=~"` + strings.Join(snapshotFamilies, "|") + `"}`
	snapshot := func(addr string) (map[string]float64, error) {
		samples, err := query(addr, selector)
		if err != nil {
			return nil, err
		}
		out := map[string]float64{}
		for _, s := range samples {
			delete(s.Metric, "instance")
			out[fmt.Sprint(s.Metric)] = s.value()
		}
		return out, nil
	}
	var want map[string]float64
	eventually(t, 90*time.Second, "both servers hold the first pass's series", func() string {
		var got []map[string]float64
		for _, s := range servers {
			if s, err := query(s.addr, `count(cams_flow_info{job="cams"}) == `+fmt.Sprint(flows)+` and on() cams_refreshes_total{job="cams"} > 0`); err != nil || len(s) != 1 {
				return fmt.Sprint("flow info not complete yet: ", s, err)
			}
			m, err := snapshot(s.addr)
			if err != nil {
				return err.Error()
			}
			got = append(got, m)
		}
		if fmt.Sprint(got[0]) != fmt.Sprint(got[1]) {
			return fmt.Sprintf("the servers differ:\n%v\n%v", got[0], got[1])
		}
		want = got[0]
		return ""
	})
	for _, label := range []string{`Say "hello"`, "two\nlines", `SIGN_UP,WE"IRD\`, "ünïcödé 日本語", "new\nline"} {
		if !slices.ContainsFunc(keys(want), func(k string) bool { return strings.Contains(k, label) }) {
			t.Errorf("no series with a label value %q", label)
		}
	}

	// The metadata Prometheus keeps is the same from either format. From
	// OpenMetrics it files a counter under its family's name, without _total.
	for _, name := range snapshotFamilies {
		var meta [2]string
		for i, s := range servers {
			name := name
			if s.name == "OpenMetrics" {
				name = strings.TrimSuffix(name, "_total")
			}
			var body struct {
				Data map[string][]struct {
					Type string `json:"type"`
					Help string `json:"help"`
				} `json:"data"`
			}
			if err := getJSON("http://"+s.addr+"/api/v1/metadata?metric="+url.QueryEscape(name), &body); err != nil {
				t.Fatal(err)
			}
			meta[i] = fmt.Sprint(body.Data[name])
		}
		if meta[0] != meta[1] || meta[0] == "[]" {
			t.Errorf("%s: metadata %s from OpenMetrics, %s from protobuf", name, meta[0], meta[1])
		}
	}

	// And each server was served the format it asked for.
	for _, s := range servers {
		prefix := map[string]string{"OpenMetrics": "application/openmetrics-text", "protobuf": "application/vnd.google.protobuf"}[s.name]
		types := s.proxy.seen()
		if len(types) == 0 {
			t.Errorf("%s server: no scrape went through the proxy", s.name)
		}
		for _, ct := range types {
			if !strings.HasPrefix(ct, prefix) {
				t.Errorf("%s server: a response of Content-Type %q", s.name, ct)
			}
		}
	}
}

func keys(m map[string]float64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// contentTypes is a reverse proxy to the exporter that records the
// Content-Type of every /metrics response.
type contentTypes struct {
	url   string
	mu    sync.Mutex
	types map[string]bool
}

func newContentTypes(t *testing.T, exporterAddr string) *contentTypes {
	c := &contentTypes{types: map[string]bool{}}
	proxy := httputil.NewSingleHostReverseProxy(&url.URL{Scheme: "http", Host: exporterAddr})
	proxy.ModifyResponse = func(r *http.Response) error {
		c.mu.Lock()
		c.types[r.Header.Get("Content-Type")] = true
		c.mu.Unlock()
		return nil
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	c.url = srv.URL
	return c
}

func (c *contentTypes) seen() []string {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []string
	for ct := range c.types {
		out = append(out, ct)
	}
	return out
}
