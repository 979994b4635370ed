// Package mixin evaluates the monitoring mixin in mixin/ (jsonnet, run by
// go-jsonnet, with nothing fetched) and renders what it holds as the files
// the repository ships: the Prometheus rules file and the Grafana
// dashboard. `make mixin` writes them (scripts/mixin); a test fails when a
// committed file differs from what the mixin generates.
package mixin

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/google/go-jsonnet"
)

// Mixin is what mixin.libsonnet holds, as the ecosystem's mixins name it.
type Mixin struct {
	// Config is its _config, with the overrides merged.
	Config            map[string]any             `json:"_config"`
	PrometheusAlerts  RuleFile                   `json:"prometheusAlerts"`
	PrometheusRules   RuleFile                   `json:"prometheusRules"`
	GrafanaDashboards map[string]json.RawMessage `json:"grafanaDashboards"`
}

// RuleFile is a Prometheus rules file.
type RuleFile struct {
	Groups []Group `json:"groups"`
}

// Group is a rule group. Its rules are evaluated in order.
type Group struct {
	Name     string `json:"name"`
	Interval string `json:"interval,omitempty"`
	Rules    []Rule `json:"rules"`
}

// Rule is a recording rule (Record) or an alerting rule (Alert).
type Rule struct {
	Record      string            `json:"record,omitempty"`
	Alert       string            `json:"alert,omitempty"`
	Expr        string            `json:"expr"`
	For         string            `json:"for,omitempty"`
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
}

// Parts are the parts of the mixin to evaluate: the dashboards take most
// of the time.
type Parts int

const (
	Rules      Parts = 1 << iota // prometheusAlerts and prometheusRules
	Dashboards                   // grafanaDashboards
	All        = Rules | Dashboards
)

// Evaluate evaluates the parts of dir/mixin.libsonnet with config, a
// jsonnet object merged into its _config ("" for the defaults), e.g.
// `{camsExporterSelector: 'job="cams-eu"'}`. Unknown fields of the result
// are an error, so that the renderers drop nothing the mixin holds.
func Evaluate(dir, config string, parts Parts) (*Mixin, error) {
	if config == "" {
		config = "{}"
	}
	vm := jsonnet.MakeVM()
	vm.Importer(&jsonnet.FileImporter{JPaths: []string{dir}})
	vm.ErrorFormatter.SetMaxStackTraceSize(2)
	fields := []string{"_config: mixin._config"}
	if parts&Rules != 0 {
		fields = append(fields, "prometheusAlerts: mixin.prometheusAlerts", "prometheusRules: mixin.prometheusRules")
	}
	if parts&Dashboards != 0 {
		fields = append(fields, "grafanaDashboards: mixin.grafanaDashboards")
	}
	snippet := fmt.Sprintf("local mixin = (import 'mixin.libsonnet') + { _config+:: (%s) };\n{ %s }\n", config, strings.Join(fields, ", "))
	out, err := vm.EvaluateAnonymousSnippet(filepath.Join(dir, "generate.jsonnet"), snippet)
	if err != nil {
		return nil, fmt.Errorf("evaluating %s: %s", filepath.Join(dir, "mixin.libsonnet"), oneLine(err))
	}
	var m Mixin
	if err := strictUnmarshal([]byte(out), &m); err != nil {
		return nil, fmt.Errorf("%s: %w", filepath.Join(dir, "mixin.libsonnet"), err)
	}
	return &m, nil
}

// oneLine is jsonnet's error (its message, then the place it arose, then
// what it was doing) on one line.
func oneLine(err error) string {
	var parts []string
	for _, l := range strings.Split(err.Error(), "\n") {
		if l = strings.Join(strings.Fields(l), " "); l != "" && l != "..." && !strings.HasPrefix(l, "During ") {
			parts = append(parts, l)
		}
	}
	return strings.Join(parts, " at ")
}
