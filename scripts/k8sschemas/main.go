// Command k8sschemas writes strict JSON schemas for kubeconform, offline:
// one file per kind of a Kubernetes OpenAPI v2 document (the swagger.json of
// the k8s.io/kubernetes module) and per version of each CustomResourceDefinition
// given, named as kubeconform's template
// {{ .ResourceKind }}{{ .KindSuffix }}.json finds them: deployment-apps-v1.json,
// service-v1.json, servicemonitor-monitoring-v1.json.
//
// Strict: every object schema that lists its properties rejects any other
// (additionalProperties: false), so a misspelled field fails validation.
// Each file is standalone: the definitions a kind refers to are copied into
// it. scripts/install-tools.sh runs it.
//
//	go run ./scripts/k8sschemas -swagger swagger.json -out DIR [crd.yaml...]
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

func main() {
	swagger := flag.String("swagger", "", "Kubernetes OpenAPI v2 document (api/openapi-spec/swagger.json)")
	out := flag.String("out", "", "directory to write the schemas to")
	flag.Parse()
	if *swagger == "" || *out == "" {
		fmt.Fprintln(os.Stderr, "k8sschemas: -swagger and -out are required")
		os.Exit(2)
	}
	n, err := run(*swagger, *out, flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, "k8sschemas:", err)
		os.Exit(1)
	}
	fmt.Printf("k8sschemas: %d schemas in %s\n", n, *out)
}

func run(swaggerPath, out string, crdPaths []string) (int, error) {
	if err := os.MkdirAll(out, 0o755); err != nil {
		return 0, err
	}
	n, err := fromSwagger(swaggerPath, out)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", swaggerPath, err)
	}
	for _, p := range crdPaths {
		m, err := fromCRD(p, out)
		if err != nil {
			return 0, fmt.Errorf("%s: %w", p, err)
		}
		n += m
	}
	return n, nil
}

type schema = map[string]any

const refPrefix = "#/definitions/"

func fromSwagger(path, out string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	var doc struct {
		Definitions map[string]schema `json:"definitions"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return 0, err
	}
	if len(doc.Definitions) == 0 {
		return 0, errors.New("no definitions")
	}
	n := 0
	for name, def := range doc.Definitions {
		gvks, _ := def["x-kubernetes-group-version-kind"].([]any)
		if len(gvks) == 0 {
			continue
		}
		refs := map[string]schema{}
		collectRefs(def, doc.Definitions, refs)
		file := strictCopy(def).(schema)
		if len(refs) > 0 {
			defs := schema{}
			for r, d := range refs {
				defs[r] = strictCopy(d)
			}
			file["definitions"] = defs
		}
		file["$schema"] = "http://json-schema.org/schema#"
		for _, g := range gvks {
			gvk, _ := g.(map[string]any)
			group, _ := gvk["group"].(string)
			version, _ := gvk["version"].(string)
			kind, _ := gvk["kind"].(string)
			if err := write(out, kind, group, version, file); err != nil {
				return 0, fmt.Errorf("%s: %w", name, err)
			}
			n++
		}
	}
	return n, nil
}

// collectRefs adds every definition s refers to, directly or not, to refs.
func collectRefs(s any, defs map[string]schema, refs map[string]schema) {
	switch v := s.(type) {
	case map[string]any:
		if r, ok := v["$ref"].(string); ok {
			name := strings.TrimPrefix(r, refPrefix)
			if _, seen := refs[name]; !seen {
				if d, ok := defs[name]; ok {
					refs[name] = d
					collectRefs(d, defs, refs)
				}
			}
		}
		for _, e := range v {
			collectRefs(e, defs, refs)
		}
	case []any:
		for _, e := range v {
			collectRefs(e, defs, refs)
		}
	}
}

// strictCopy copies a schema, closing every object schema that lists its
// properties, and turning the OpenAPI idioms JSON Schema does not know into
// their equivalents: int-or-string, quantities (a string or a number) and
// nullable.
func strictCopy(s any) any {
	switch v := s.(type) {
	case map[string]any:
		c := make(map[string]any, len(v)+1)
		for k, e := range v {
			c[k] = strictCopy(e)
		}
		if _, ok := c["properties"]; ok {
			if _, set := c["additionalProperties"]; !set && c["x-kubernetes-preserve-unknown-fields"] != true {
				c["additionalProperties"] = false
			}
		}
		if c["format"] == "int-or-string" || c["x-kubernetes-int-or-string"] == true {
			delete(c, "type")
			delete(c, "format")
			c["oneOf"] = []any{schema{"type": "string"}, schema{"type": "integer"}}
		}
		if desc, _ := c["description"].(string); c["type"] == "string" && strings.HasPrefix(desc, "Quantity is a fixed-point representation") {
			c["type"] = []any{"string", "number"}
		}
		if c["nullable"] == true {
			if t, ok := c["type"].(string); ok {
				c["type"] = []any{t, "null"}
			}
		}
		return c
	case []any:
		c := make([]any, len(v))
		for i, e := range v {
			c[i] = strictCopy(e)
		}
		return c
	}
	return s
}

type crd struct {
	Kind string `yaml:"kind"`
	Spec struct {
		Group string `yaml:"group"`
		Names struct {
			Kind string `yaml:"kind"`
		} `yaml:"names"`
		Versions []struct {
			Name   string `yaml:"name"`
			Schema struct {
				OpenAPIV3Schema map[string]any `yaml:"openAPIV3Schema"`
			} `yaml:"schema"`
		} `yaml:"versions"`
	} `yaml:"spec"`
}

func fromCRD(path, out string) (int, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	var c crd
	if err := yaml.Unmarshal(b, &c); err != nil {
		return 0, err
	}
	if c.Kind != "CustomResourceDefinition" || c.Spec.Names.Kind == "" {
		return 0, errors.New("not a CustomResourceDefinition")
	}
	n := 0
	for _, v := range c.Spec.Versions {
		if v.Schema.OpenAPIV3Schema == nil {
			return 0, fmt.Errorf("version %s has no openAPIV3Schema", v.Name)
		}
		s := strictCopy(v.Schema.OpenAPIV3Schema).(schema)
		s["$schema"] = "http://json-schema.org/schema#"
		if err := write(out, c.Spec.Names.Kind, c.Spec.Group, v.Name, s); err != nil {
			return 0, err
		}
		n++
	}
	return n, nil
}

// write writes a kind's schema where kubeconform's
// {{ .ResourceKind }}{{ .KindSuffix }}.json looks for it: the kind, the first
// label of the group (none for the core group) and the version, in lower
// case.
func write(out, kind, group, version string, s schema) error {
	name := kind
	if group != "" {
		name += "-" + strings.Split(group, ".")[0]
	}
	name = strings.ToLower(name + "-" + version)
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	path := filepath.Join(out, name+".json")
	if old, err := os.ReadFile(path); err == nil && !slices.Equal(old, b) {
		return fmt.Errorf("two schemas for %s (%s/%s)", path, group, version)
	}
	return os.WriteFile(path, b, 0o644)
}
