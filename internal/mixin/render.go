package mixin

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// RulesYAML renders the mixin's recording and alerting rules as one rules
// file: the groups of prometheusRules, then those of prometheusAlerts, each
// rule's fields in the order people read them (name, expr, for, labels,
// annotations), multi-line expressions as literal blocks, a blank line
// between rules, and the header, if any (comment lines without their "# "),
// first.
func RulesYAML(m *Mixin, header string) ([]byte, error) {
	groups := slices.Concat(m.PrometheusRules.Groups, m.PrometheusAlerts.Groups)
	if len(groups) == 0 {
		return nil, fmt.Errorf("the mixin has no rule groups")
	}
	seen := map[string]bool{}
	doc := mapping()
	var list []*yaml.Node
	for _, g := range groups {
		if seen[g.Name] {
			return nil, fmt.Errorf("rule group %q is defined twice", g.Name)
		}
		seen[g.Name] = true
		gn := mapping("name", scalar(g.Name))
		if g.Interval != "" {
			add(gn, "interval", scalar(g.Interval))
		}
		var rules []*yaml.Node
		for _, r := range g.Rules {
			rn, err := ruleNode(g.Name, r)
			if err != nil {
				return nil, err
			}
			rules = append(rules, rn)
		}
		add(gn, "rules", sequence(rules))
		list = append(list, gn)
	}
	add(doc, "groups", sequence(list))

	var buf bytes.Buffer
	if header != "" {
		for _, line := range strings.Split(strings.TrimRight(header, "\n"), "\n") {
			buf.WriteString(strings.TrimRight("# "+line, " ") + "\n")
		}
	}
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(doc); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return spaceRules(buf.Bytes()), nil
}

func ruleNode(group string, r Rule) (*yaml.Node, error) {
	var n *yaml.Node
	switch {
	case (r.Record == "") == (r.Alert == ""):
		return nil, fmt.Errorf("group %s: a rule needs exactly one of record and alert: %+v", group, r)
	case r.Record != "":
		if r.For != "" || len(r.Annotations) > 0 {
			return nil, fmt.Errorf("group %s: recording rule %s has for or annotations", group, r.Record)
		}
		n = mapping("record", scalar(r.Record))
	default:
		n = mapping("alert", scalar(r.Alert))
	}
	if strings.TrimSpace(r.Expr) == "" {
		return nil, fmt.Errorf("group %s: rule %s%s has no expr", group, r.Record, r.Alert)
	}
	add(n, "expr", scalar(r.Expr))
	if r.For != "" {
		add(n, "for", scalar(r.For))
	}
	if len(r.Labels) > 0 {
		add(n, "labels", stringMap(r.Labels, nil))
	}
	if len(r.Annotations) > 0 {
		add(n, "annotations", stringMap(r.Annotations, []string{"summary", "description", "runbook_url"}))
	}
	return n, nil
}

// stringMap is m as a mapping: the keys of first in that order, then the
// others sorted.
func stringMap(m map[string]string, first []string) *yaml.Node {
	n := mapping()
	keys := make([]string, 0, len(m))
	for k := range m {
		if !slices.Contains(first, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range slices.Concat(first, keys) {
		if v, ok := m[k]; ok {
			add(n, k, scalar(v))
		}
	}
	return n
}

func mapping(kv ...any) *yaml.Node {
	n := &yaml.Node{Kind: yaml.MappingNode}
	for i := 0; i < len(kv); i += 2 {
		add(n, kv[i].(string), kv[i+1].(*yaml.Node))
	}
	return n
}

func add(m *yaml.Node, key string, value *yaml.Node) {
	m.Content = append(m.Content, scalar(key), value)
}

func sequence(items []*yaml.Node) *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Content: items}
}

// scalar is a string; one of several lines is a literal block.
func scalar(s string) *yaml.Node {
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	if strings.Contains(strings.TrimRight(s, "\n"), "\n") {
		n.Style = yaml.LiteralStyle
	}
	return n
}

// spaceRules puts a blank line before each rule and group but the first of
// its list.
func spaceRules(b []byte) []byte {
	b = regexp.MustCompile(`(?m)^(  - name: )`).ReplaceAll(b, []byte("\n$1"))
	b = regexp.MustCompile(`(?m)^(      - (alert|record): )`).ReplaceAll(b, []byte("\n$1"))
	// No blank line right after "groups:" or a group's "rules:".
	return regexp.MustCompile(`(?m)^((groups|    rules):\n)\n`).ReplaceAll(b, []byte("$1"))
}

// DashboardJSON renders the dashboard name of the mixin's
// grafanaDashboards (a file name, e.g. cams_exporter.json) as JSON indented
// by two spaces, its keys sorted (as jsonnet gives them) and its numbers in
// their shortest form (jsonnet writes 0.05 as 0.050000000000000003).
func DashboardJSON(m *Mixin, name string) ([]byte, error) {
	raw, ok := m.GrafanaDashboards[name]
	if !ok {
		return nil, fmt.Errorf("the mixin's grafanaDashboards has no %s", name)
	}
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return nil, fmt.Errorf("dashboard %s: %w", name, err)
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("dashboard %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// strictUnmarshal decodes JSON into v, failing on a field v has no place
// for.
func strictUnmarshal(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}
