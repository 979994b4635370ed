// Package dashboards holds the Grafana dashboard for cams_exporter
// (cams_exporter.json), Grafana provisioning files for it (provisioning/),
// and a small reader of the dashboard that tests use to check and evaluate
// every panel's PromQL expression.
package dashboards
