package collector

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/cams-exporter/cams_exporter/client"
)

func listFlow(code string, d time.Duration) client.Attempt {
	return client.Attempt{Operation: "ListFlow", Code: code, Duration: d}
}

// extraCodes returns Extra.Code<from> .. Extra.Code<to>, two digits.
func extraCodes(from, to int) []client.Attempt {
	var out []client.Attempt
	for i := from; i <= to; i++ {
		out = append(out, listFlow(fmt.Sprintf("Extra.Code%02d", i), time.Millisecond))
	}
	return out
}

func TestAPIMetrics(t *testing.T) {
	const errs = "cams_api_errors_total"
	tests := []struct {
		name     string
		attempts []client.Attempt
		file     string
		only     []string
	}{
		{
			name: "initial",
			file: "api_initial.prom",
		},
		{
			name: "requests, errors and latency",
			attempts: []client.Attempt{
				listFlow("OK", 7812500*time.Nanosecond),
				listFlow("OK", 312500*time.Microsecond),
				listFlow("System.LimitControl", 31250*time.Microsecond),
				listFlow("HTTP_502", 3*time.Second),
				listFlow("Timeout", 45*time.Second),
				listFlow("Credentials", 0), // an error, but no request went out
				{Operation: "GetFlow", Code: "OK", Duration: 100 * time.Millisecond},
			},
			file: "api_observed.prom",
		},
		{
			name:     "31st unknown code is Other",
			attempts: extraCodes(1, 31),
			file:     "api_codes_overflow.prom",
			only:     []string{errs},
		},
		{
			name: "budget full: seen and known codes pass, new ones are Other",
			attempts: append(extraCodes(1, 30),
				listFlow("Extra.Code05", 0),
				listFlow("InternalError", 0),
				listFlow("Timeout", 0),
				listFlow("HTTP_503", 0),
				listFlow("Extra.Code31", 0),
			),
			file: "api_codes_full.prom",
			only: []string{errs},
		},
		{
			name: "malformed codes are Other",
			attempts: []client.Attempt{
				listFlow("bad code", 0),
				listFlow("9Lives", 0),
				listFlow("", 0),
				listFlow("Code!", 0),
				listFlow("Code/1", 0),
				listFlow("-Lead", 0),
				listFlow("_Lead", 0),
				listFlow("A"+strings.Repeat("b", 64), 0),
				listFlow("Code\xff", 0),
				listFlow("A"+strings.Repeat("b", 63), 0),
				listFlow("Throttling.Api", 0),
				listFlow("HTTP_429", 0),
				{Operation: "GetFlow", Code: "Ram.PermissionDeny"},
			},
			file: "api_codes_malformed.prom",
			only: []string{errs},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewAPIMetrics()
			for _, a := range tt.attempts {
				m.ObserveAttempt(a)
			}
			if err := testutil.CollectAndCompare(m, fixture(t, "api_help.prom", tt.file), tt.only...); err != nil {
				t.Error(err)
			}
			lint(t, m)
		})
	}
}

// TestAPIMetricsMalformedCodesTakeNoBudget: codes counted as Other for their
// shape leave the 30 extra codes to well-formed ones.
func TestAPIMetricsMalformedCodesTakeNoBudget(t *testing.T) {
	m := NewAPIMetrics()
	for i := range 100 {
		m.ObserveAttempt(listFlow(fmt.Sprintf("bad code %d", i), 0))
	}
	for _, a := range extraCodes(1, 30) {
		m.ObserveAttempt(a)
	}
	// 4 documented codes at 0, Other, Extra.Code01..30.
	if got, want := testutil.CollectAndCount(m, "cams_api_errors_total"), 4+1+30; got != want {
		t.Errorf("%d error series, want %d", got, want)
	}
	if got := testutil.ToFloat64(m.errors.WithLabelValues("ListFlow", "Other")); got != 100 {
		t.Errorf("Other = %v, want 100", got)
	}
}

// TestAPIMetricsConcurrent observes from many goroutines (run with -race):
// every attempt is counted and the code label stays bounded.
func TestAPIMetricsConcurrent(t *testing.T) {
	const workers, perWorker = 8, 200
	m := NewAPIMetrics()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(m)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				m.ObserveAttempt(listFlow(fmt.Sprintf("Worker%d.Code%d", w, i), time.Millisecond))
				m.ObserveAttempt(listFlow("OK", time.Millisecond))
			}
		})
	}
	// Scrape while observing.
	for range 5 {
		if _, err := reg.Gather(); err != nil {
			t.Fatal(err)
		}
	}
	wg.Wait()
	if got, want := testutil.CollectAndCount(m, "cams_api_errors_total"), 4+MaxExtraErrorCodes+1; got != want {
		t.Errorf("%d error series, want %d", got, want)
	}
	if got, want := testutil.ToFloat64(m.requests.WithLabelValues("ListFlow")), float64(2*workers*perWorker); got != want {
		t.Errorf("requests = %v, want %v", got, want)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	var errTotal float64
	for _, mf := range mfs {
		if mf.GetName() == "cams_api_errors_total" {
			for _, metric := range mf.GetMetric() {
				errTotal += metric.GetCounter().GetValue()
			}
		}
	}
	if want := float64(workers * perWorker); errTotal != want {
		t.Errorf("errors = %v, want %v", errTotal, want)
	}
}

func BenchmarkObserveAttempt(b *testing.B) {
	m := NewAPIMetrics()
	a := listFlow("System.LimitControl", 40*time.Millisecond)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			m.ObserveAttempt(a)
		}
	})
}

// TestNoWABAIsNotAnAPIError: a space without a WABA is an answer of
// QueryChatappBindWaba, counted as a request, not as an error; the new
// operations' codes, with their hyphens, keep their own label.
func TestNoWABAIsNotAnAPIError(t *testing.T) {
	m := NewAPIMetrics()
	m.ObserveAttempt(client.Attempt{Operation: client.OperationQueryBindWaba, Code: client.CodeNoWABA})
	m.ObserveAttempt(client.Attempt{Operation: client.OperationGetHealthStatus, Code: client.CodeNoWABA})
	m.ObserveAttempt(client.Attempt{Operation: client.OperationGetHealthStatus, Code: client.CodeMetaCallFailed})
	for _, tc := range []struct {
		metric string
		want   float64
	}{
		{`cams_api_requests_total{operation="QueryChatappBindWaba"}`, 1},
		{`cams_api_errors_total{code="ERR-OPERATION-MAAP-0060",operation="QueryChatappBindWaba"}`, 0},
		{`cams_api_errors_total{code="ERR-OPERATION-MAAP-0060",operation="GetWhatsappHealthStatus"}`, 1},
		{`cams_api_errors_total{code="ERR-FB-001",operation="GetWhatsappHealthStatus"}`, 1},
	} {
		if got := sampleOf(t, m, tc.metric); got != tc.want {
			t.Errorf("%s = %g, want %g", tc.metric, got, tc.want)
		}
	}
}

// sampleOf returns the value of one series of c, 0 when absent.
func sampleOf(t *testing.T, c prometheus.Collector, series string) float64 {
	t.Helper()
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(c)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			var labels []string
			for _, l := range m.GetLabel() {
				labels = append(labels, fmt.Sprintf("%s=%q", l.GetName(), l.GetValue()))
			}
			if f.GetName()+"{"+strings.Join(labels, ",")+"}" == series {
				if m.GetCounter() != nil {
					return m.GetCounter().GetValue()
				}
				return m.GetGauge().GetValue()
			}
		}
	}
	return 0
}
