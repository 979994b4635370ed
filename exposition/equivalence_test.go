package exposition

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	versioncollector "github.com/prometheus/client_golang/prometheus/collectors/version"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"google.golang.org/protobuf/encoding/protodelim"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// Accept headers as scrapers send them.
const (
	// Prometheus 3 by default (scrape_protocols OpenMetricsText1.0.0,
	// OpenMetricsText0.0.1, PrometheusText1.0.0, PrometheusText0.0.4).
	acceptPrometheus3 = "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1"
	// Prometheus with native histograms on: protobuf first.
	acceptNativeHistograms = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited;q=0.5,application/openmetrics-text;version=1.0.0;q=0.4,application/openmetrics-text;version=0.0.1;q=0.3,text/plain;version=0.0.4;q=0.2,*/*;q=0.1"
	// Prometheus 2.
	acceptPrometheus2 = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
)

var accepts = []string{
	acceptPrometheus3,
	acceptNativeHistograms,
	acceptPrometheus2,
	"text/plain;version=0.0.4",
	"application/openmetrics-text;version=0.0.1",
	"application/openmetrics-text;version=1.0.0;escaping=underscores",
	"application/openmetrics-text;version=2.0.0", // not offered: text
	"*/*",
	"",
}

// selfRegistry holds exporter-own metrics whose values do not change between
// two gatherings: build info, API metrics with attempts observed, and a
// summary and a counter with odd label values.
func selfRegistry() *prometheus.Registry {
	reg := prometheus.NewPedanticRegistry()
	api := collector.NewAPIMetrics()
	for i, code := range []string{"OK", "OK", "System.LimitControl", "HTTP_503", "Timeout"} {
		api.ObserveAttempt(client.Attempt{Operation: "ListFlow", Code: code, Duration: time.Duration(i+1) * 70 * time.Millisecond, Throttled: code == "System.LimitControl"})
	}
	sum := prometheus.NewSummary(prometheus.SummaryOpts{Name: "test_pause_seconds", Help: "A summary.", Objectives: map[float64]float64{0.5: 0.05, 0.99: 0.001}})
	for i := range 10 {
		sum.Observe(float64(i) / 10)
	}
	odd := prometheus.NewCounterVec(prometheus.CounterOpts{Name: "test_odd_total", Help: `Odd "labels" \ here.`}, []string{"v"})
	for _, v := range []string{`q"uote`, `back\slash`, "new\nline", "ünï"} {
		odd.WithLabelValues(v).Add(3)
	}
	reg.MustRegister(versioncollector.NewCollector("cams_exporter"), api, sum, odd)
	return reg
}

// reference is what the exporter served before pre-rendering, and what
// client_golang renders from the same snapshot: promhttp over
// collector.Collector and the exporter's own registry.
func reference(snap *snapshot.Snapshot, opts collector.Options, self prometheus.Gatherer) http.Handler {
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(collector.New(func() *snapshot.Snapshot { return snap }, ownSeries(opts)))
	return promhttp.HandlerFor(prometheus.Gatherers{reg, self}, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError, EnableOpenMetrics: true})
}

// TestEquivalence checks, for every format and encoding a scraper can
// negotiate, that the handler's output parses to the same families (HELP
// and TYPE) and the same samples as client_golang's rendering of the same
// snapshot, with no family repeated or interleaved, and that a gzip
// response is one gzip member of the declared length.
func TestEquivalence(t *testing.T) {
	five := func() float64 { return 5 }
	cases := []struct {
		name string
		snap *snapshot.Snapshot
		opts collector.Options
	}{
		{"odd values, flow info", oddSnapshot(), collector.Options{FlowInfo: true, RefreshInterval: 5 * time.Minute, LimiterRate: five}},
		{"odd values, no flow info", oddSnapshot(), collector.Options{LimiterRate: five}},
		{"odd values, flow info and statuses", oddStatusSnapshot(), collector.Options{FlowInfo: true, FlowStatus: true, FlowStatusInterval: time.Hour, LimiterRate: five, GetFlowLimiterRate: five}},
		{"odd values, statuses without flow info", oddStatusSnapshot(), collector.Options{FlowStatus: true}},
		{"300 spaces in buckets, flow info", testSnapshot(300, 3), collector.Options{FlowInfo: true, RefreshInterval: time.Minute}},
		{"before the first pass", snapshot.Snapshot{}.WithSpaces(map[string]*snapshot.SpaceState{"": {}, "cams-a": {ID: "cams-a"}, "b\xff": {}}), collector.Options{LimiterRate: five}},
		{"no snapshot", nil, collector.Options{}},
		{"no space", snapshot.Snapshot{Completed: true}.WithSpaces(map[string]*snapshot.SpaceState{}), collector.Options{FlowInfo: true}},
		{"odd values, sources, flow info and statuses", oddStatusSnapshot().WithSources(oddSourcesSnapshot().Sources()), withSources(collector.Options{FlowInfo: true, FlowStatus: true, RefreshInterval: 5 * time.Minute, LimiterRate: five})},
		{"odd values, sources", oddSourcesSnapshot(), withSources(collector.Options{LimiterRate: five})},
		{"130 spaces in buckets, sources", withTestSources(testSnapshot(130, 0), 3), withSources(collector.Options{RefreshInterval: time.Minute})},
		{"sources without parts", snapshot.Snapshot{Completed: true}.WithSpaces(nil).WithSources(sourceStates(nil, nil, nil)), withSources(collector.Options{})},
		{"sources on, none in the snapshot", oddSnapshot(), withSources(collector.Options{})},
		{"one source on, three in the snapshot", oddSourcesSnapshot(), collector.Options{Sources: withSources(collector.Options{}).Sources[1:2]}},
	}
	const sourcesQuery = "?name[]=cams_collector_space_up&name[]=cams_phone_number_state&name[]=cams_waba_bound&name[]=cams_collector_spaces&name[]=cams_space_up&name[]=cams_up"
	queries := []string{
		"",
		"?name[]=cams_flows&name[]=cams_up&name[]=cams_flow_info&name[]=test_odd_total&name[]=cams_exporter_api_request_duration_seconds&name[]=cams_flows_by_status",
		sourcesQuery,
	}
	for _, tc := range cases {
		snap := tc.snap
		h := NewHandler(Options{Snapshot: func() *snapshot.Snapshot { return snap }, Metrics: tc.opts, Gatherer: self})
		if snap == nil {
			snap = &snapshot.Snapshot{}
		}
		ref := reference(snap, tc.opts, self)
		for _, accept := range accepts {
			for _, enc := range []string{"identity", "gzip"} {
				for _, q := range queries {
					if q == sourcesQuery && tc.opts.Sources == nil {
						continue
					}
					t.Run(fmt.Sprintf("%s/%s/%s/%s", tc.name, accept, enc, q), func(t *testing.T) {
						got, gotType := scrape(t, h, accept, enc, q)
						want, wantType := scrape(t, ref, accept, enc, q)
						if gotType != wantType {
							t.Fatalf("Content-Type %q, want %q", gotType, wantType)
						}
						compareExpositions(t, gotType, got, want)
					})
				}
			}
		}
	}
}

// scrape gets h's response to a scrape and returns the decoded body and its
// Content-Type, after checking the length and, for gzip, that the body is
// exactly one gzip member.
func scrape(t *testing.T, h http.Handler, accept, enc, query string) ([]byte, string) {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, "/metrics"+query, nil)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	req.Header.Set("Accept-Encoding", enc)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	body := rec.Body.Bytes()
	if cl := rec.Header().Get("Content-Length"); cl != "" && cl != strconv.Itoa(len(body)) {
		t.Fatalf("Content-Length %s, body of %d bytes", cl, len(body))
	}
	if got := rec.Header().Get("Content-Encoding"); got != map[string]string{"gzip": "gzip"}[enc] {
		t.Fatalf("Content-Encoding %q for Accept-Encoding %s", got, enc)
	}
	if enc == "gzip" {
		src := bytes.NewReader(body)
		zr, err := gzip.NewReader(src)
		if err != nil {
			t.Fatal(err)
		}
		zr.Multistream(false)
		if body, err = io.ReadAll(zr); err != nil {
			t.Fatalf("gunzip: %v", err)
		}
		if src.Len() != 0 {
			t.Fatalf("%d bytes after the first gzip member", src.Len())
		}
	}
	return body, rec.Header().Get("Content-Type")
}

func compareExpositions(t *testing.T, contentType string, got, want []byte) {
	t.Helper()
	mediaType, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		t.Fatal(err)
	}
	var g, w *parsedExposition
	switch {
	case mediaType == "application/openmetrics-text":
		if g, err = parseOpenMetrics(string(got)); err != nil {
			t.Fatalf("exporter: %v", err)
		}
		if w, err = parseOpenMetrics(string(want)); err != nil {
			t.Fatalf("reference: %v", err)
		}
	case mediaType == "text/plain":
		g, w = parseText(t, "exporter", got), parseText(t, "reference", want)
	case params["encoding"] == "delimited":
		g, w = parseProto(t, "exporter", got), parseProto(t, "reference", want)
	default:
		t.Fatalf("Content-Type %q is not one the handler renders", contentType)
	}
	if len(g.samples) == 0 {
		t.Fatal("no sample")
	}
	for name, m := range w.families {
		if g.families[name] != m {
			t.Errorf("family %s: got %+v, want %+v", name, g.families[name], m)
		}
	}
	for name := range g.families {
		if _, ok := w.families[name]; !ok {
			t.Errorf("family %s is not in the reference", name)
		}
	}
	for k, v := range w.samples {
		if gv, ok := g.samples[k]; !ok || !sameFloat(gv, v) {
			t.Errorf("sample %s: got %v (present %v), want %v", k, gv, ok, v)
		}
	}
	for k := range g.samples {
		if _, ok := w.samples[k]; !ok {
			t.Errorf("sample %s is not in the reference", k)
		}
	}
}

func sameFloat(a, b float64) bool { return a == b || a != a && b != b }

// parseText parses the text format with expfmt (promtool's and the
// Pushgateway's parser), after checking that no family's lines are
// interleaved with another's, which expfmt does not.
func parseText(t *testing.T, side string, body []byte) *parsedExposition {
	t.Helper()
	closed := map[string]bool{}
	cur := ""
	sc := bufio.NewScanner(bytes.NewReader(body))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		var fam string
		if rest, ok := strings.CutPrefix(line, "# HELP "); ok {
			fam, _, _ = strings.Cut(rest, " ")
		} else if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			fam, _, _ = strings.Cut(rest, " ")
		} else {
			fam = line[:strings.IndexAny(line, "{ ")]
			if !strings.HasPrefix(fam, cur) {
				t.Fatalf("%s: sample %q outside its family %q", side, line, cur)
			}
			continue
		}
		if fam != cur {
			if closed[fam] {
				t.Fatalf("%s: family %s appears twice", side, fam)
			}
			closed[cur], cur = true, fam
		}
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	mfs, err := p.TextToMetricFamilies(bytes.NewReader(body))
	if err != nil {
		t.Fatalf("%s: %v", side, err)
	}
	out := &parsedExposition{families: map[string]familyMeta{}, samples: map[string]float64{}}
	for _, mf := range mfs {
		addFamily(t, side, out, mf)
	}
	return out
}

// parseProto decodes delimited MetricFamily messages.
func parseProto(t *testing.T, side string, body []byte) *parsedExposition {
	t.Helper()
	out := &parsedExposition{families: map[string]familyMeta{}, samples: map[string]float64{}}
	r := bufio.NewReader(bytes.NewReader(body))
	for {
		var mf dto.MetricFamily
		err := protodelim.UnmarshalFrom(r, &mf)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("%s: %v", side, err)
		}
		if _, dup := out.families[mf.GetName()]; dup {
			t.Fatalf("%s: family %s appears twice", side, mf.GetName())
		}
		addFamily(t, side, out, &mf)
	}
}

// addFamily adds mf's family and samples, named as in the text format.
func addFamily(t *testing.T, side string, out *parsedExposition, mf *dto.MetricFamily) {
	name := mf.GetName()
	out.families[name] = familyMeta{typ: strings.ToLower(mf.GetType().String()), help: mf.GetHelp(), hasHelp: mf.Help != nil}
	add := func(sample string, m *dto.Metric, v float64, extra ...string) {
		var labels []string
		for _, l := range m.GetLabel() {
			labels = append(labels, l.GetName()+"="+strconv.Quote(l.GetValue()))
		}
		labels = append(labels, extra...)
		slices.Sort(labels)
		key := sample + "{" + strings.Join(labels, ",") + "}"
		if _, dup := out.samples[key]; dup {
			t.Fatalf("%s: sample %s repeated", side, key)
		}
		out.samples[key] = v
	}
	// The value is read from the field the family's type names, as
	// Prometheus reads it.
	for _, m := range mf.GetMetric() {
		switch typ := mf.GetType(); {
		case typ == dto.MetricType_GAUGE && m.Gauge != nil:
			add(name, m, m.GetGauge().GetValue())
		case typ == dto.MetricType_COUNTER && m.Counter != nil:
			add(name, m, m.GetCounter().GetValue())
		case typ == dto.MetricType_UNTYPED && m.Untyped != nil:
			add(name, m, m.GetUntyped().GetValue())
		case typ == dto.MetricType_SUMMARY && m.Summary != nil:
			for _, q := range m.GetSummary().GetQuantile() {
				add(name, m, q.GetValue(), "quantile="+strconv.Quote(fmt.Sprint(q.GetQuantile())))
			}
			add(name+"_sum", m, m.GetSummary().GetSampleSum())
			add(name+"_count", m, float64(m.GetSummary().GetSampleCount()))
		case typ == dto.MetricType_HISTOGRAM && m.Histogram != nil:
			for _, b := range m.GetHistogram().GetBucket() {
				add(name+"_bucket", m, float64(b.GetCumulativeCount()), "le="+strconv.Quote(fmt.Sprint(b.GetUpperBound())))
			}
			add(name+"_sum", m, m.GetHistogram().GetSampleSum())
			add(name+"_count", m, float64(m.GetHistogram().GetSampleCount()))
		default:
			t.Fatalf("%s: %s: a metric without the value of a %s", side, name, mf.GetType())
		}
	}
}
