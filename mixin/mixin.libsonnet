// The monitoring mixin of cams_exporter: Prometheus alerts and recording
// rules, and a Grafana dashboard, for the exporter's metrics.
//
//   _config            the selector, thresholds, windows, dashboard settings
//                      (config.libsonnet)
//   prometheusAlerts   the alerting rules, with the recording rules they
//                      read (alerts/)
//   prometheusRules    rules/: empty, see there
//   grafanaDashboards  {'cams_exporter.json': ...} (dashboards/)
//
// `make mixin` renders it with the default _config as
// alerts/cams_exporter.rules.yml and dashboards/cams_exporter.json; README,
// "Monitoring mixin", shows how to import it into a jsonnet project.
(import 'config.libsonnet') +
(import 'alerts/alerts.libsonnet') +
(import 'rules/rules.libsonnet') +
(import 'dashboards/dashboards.libsonnet')
