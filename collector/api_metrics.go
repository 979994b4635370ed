package collector

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cams-exporter/cams_exporter/client"
)

// APIMetrics counts the client's HTTP attempts, their failures by code and
// their latency. It is a client.Observer (give it to client.Config.Observer)
// and a prometheus.Collector (register it). Safe for concurrent use.
type APIMetrics struct {
	requests *prometheus.CounterVec
	errors   *prometheus.CounterVec
	duration *prometheus.HistogramVec

	codes *ErrorCodes
}

var _ client.Observer = (*APIMetrics)(nil)
var _ prometheus.Collector = (*APIMetrics)(nil)

// NewAPIMetrics returns metrics whose ListFlow request counter and documented
// error codes already exist at 0, so that rate() and increase() see the first
// failure.
func NewAPIMetrics() *APIMetrics {
	m := &APIMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cams_api_requests_total",
			Help: "HTTP attempts made to the CAMS API, retries included, by operation; a call that found no credentials sent none and counts only in cams_api_errors_total.",
		}, []string{"operation"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "cams_api_errors_total",
			Help: "Failed attempts to call the CAMS API by operation and code: the API's error code, HTTP_<status>, Timeout, NetworkError, InvalidResponse or Credentials; unexpected codes beyond the first " +
				strconv.Itoa(MaxExtraErrorCodes) + " are counted as " + OtherErrorCode + ". QueryChatappBindWaba's " + client.CodeNoWABA + " (no WABA bound to the space) is an answer, not a failure: see cams_waba_bound.",
		}, []string{"operation", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "cams_api_request_duration_seconds",
			Help:    "Latency of HTTP attempts to the CAMS API, from sending the request to reading the whole response, by operation.",
			Buckets: []float64{.025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
		}, []string{"operation"}),
		codes: NewErrorCodes(),
	}
	m.Expect(client.OperationListFlow)
	return m
}

// Expect makes an operation's request counter, latency and documented
// error codes exist at 0, so that rate() and increase() see its first
// failure: ListFlow's always, GetFlow's with --collector.flow-status.
func (m *APIMetrics) Expect(operation string) {
	m.requests.WithLabelValues(operation)
	m.duration.WithLabelValues(operation)
	for _, code := range DocumentedErrorCodes {
		m.errors.WithLabelValues(operation, code)
	}
}

// ObserveAttempt implements client.Observer.
func (m *APIMetrics) ObserveAttempt(a client.Attempt) {
	op := validUTF8(a.Operation)
	if a.Code != client.CodeCredentials { // without credentials no request went out
		m.requests.WithLabelValues(op).Inc()
		m.duration.WithLabelValues(op).Observe(max(a.Duration.Seconds(), 0))
	}
	if a.Code != client.CodeOK && !isState(a) {
		m.errors.WithLabelValues(op, m.codes.Label(a.Code)).Inc()
	}
}

// isState reports whether an attempt's error code is an answer about the
// space rather than a failure: QueryChatappBindWaba's "no WABA bound".
func isState(a client.Attempt) bool {
	return a.Code == client.CodeNoWABA && a.Operation == client.OperationQueryBindWaba
}

// Codes returns the set that bounds the code label of
// cams_api_errors_total: give it to Options.ErrorCodes, so that
// cams_space_error_info labels codes as it does.
func (m *APIMetrics) Codes() *ErrorCodes { return m.codes }

// Describe implements prometheus.Collector.
func (m *APIMetrics) Describe(ch chan<- *prometheus.Desc) {
	m.requests.Describe(ch)
	m.errors.Describe(ch)
	m.duration.Describe(ch)
}

// Collect implements prometheus.Collector.
func (m *APIMetrics) Collect(ch chan<- prometheus.Metric) {
	m.requests.Collect(ch)
	m.errors.Collect(ch)
	m.duration.Collect(ch)
}
