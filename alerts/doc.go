// Package alerts holds the Prometheus alerting and recording rules for
// cams_exporter (cams_exporter.rules.yml), their promtool unit tests
// (tests.yml) and the runbook their runbook_url annotations point at
// (RUNBOOK.md). It has no Go code of its own: its tests run promtool and
// amtool over the rules and over the example configurations in ../examples,
// run the rules over a model of a 10,000-space account (scale_test.go,
// storm_test.go; with the sources of numbers, WABAs and messaging health,
// health_scale_test.go; with message templates, templates_scale_test.go)
// and give the alerts that fire to a real
// Alertmanager with the example's inhibition rules, and check the rules'
// conventions.
package alerts
