// Package alerts holds the Prometheus alerting and recording rules for
// cams_exporter (cams_exporter.rules.yml), their promtool unit tests
// (tests.yml) and the runbook their runbook_url annotations point at
// (RUNBOOK.md). It has no Go code of its own: its tests run promtool and
// amtool over the rules and over the example configurations in ../examples,
// and check the rules' conventions.
package alerts
