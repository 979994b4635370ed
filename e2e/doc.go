// Package e2e holds the end-to-end test: the simulator, the exporter binary,
// and the real Prometheus and Alertmanager running the files of examples/,
// alerts/ and dashboards/.
package e2e
