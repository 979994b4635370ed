package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestStrictCopy(t *testing.T) {
	for _, tc := range []struct {
		name     string
		in, want string
	}{
		{"closes an object that lists its properties",
			`{"type":"object","properties":{"a":{"type":"string"}}}`,
			`{"type":"object","properties":{"a":{"type":"string"}},"additionalProperties":false}`},
		{"keeps an open map",
			`{"type":"object","additionalProperties":{"type":"string"}}`,
			`{"type":"object","additionalProperties":{"type":"string"}}`},
		{"keeps an object that preserves unknown fields",
			`{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"a":{}}}`,
			`{"type":"object","x-kubernetes-preserve-unknown-fields":true,"properties":{"a":{}}}`},
		{"closes nested objects",
			`{"properties":{"spec":{"properties":{"b":{"type":"integer"}}}}}`,
			`{"properties":{"spec":{"properties":{"b":{"type":"integer"}},"additionalProperties":false}},"additionalProperties":false}`},
		{"int-or-string (swagger)",
			`{"type":"string","format":"int-or-string"}`,
			`{"oneOf":[{"type":"string"},{"type":"integer"}]}`},
		{"int-or-string (CRD)",
			`{"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}]}`,
			`{"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}],"oneOf":[{"type":"string"},{"type":"integer"}]}`},
		{"quantity: a string or a number",
			`{"type":"string","description":"Quantity is a fixed-point representation of a number."}`,
			`{"type":["string","number"],"description":"Quantity is a fixed-point representation of a number."}`},
		{"nullable",
			`{"type":"string","nullable":true}`,
			`{"type":["string","null"],"nullable":true}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var in, want any
			if err := json.Unmarshal([]byte(tc.in), &in); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tc.want), &want); err != nil {
				t.Fatal(err)
			}
			if got := strictCopy(in); !reflect.DeepEqual(got, want) {
				b, _ := json.Marshal(got)
				t.Errorf("strictCopy(%s) = %s, want %s", tc.in, b, tc.want)
			}
		})
	}
}

// TestRun writes one file per group, version and kind, under the names
// kubeconform's {{ .ResourceKind }}{{ .KindSuffix }}.json asks for, with the
// definitions each refers to.
func TestRun(t *testing.T) {
	dir := t.TempDir()
	swagger := filepath.Join(dir, "swagger.json")
	writeTestFile(t, swagger, `{"definitions":{
		"io.k8s.api.apps.v1.Deployment":{"type":"object","properties":{"spec":{"$ref":"#/definitions/io.k8s.api.apps.v1.DeploymentSpec"}},
			"x-kubernetes-group-version-kind":[{"group":"apps","version":"v1","kind":"Deployment"}]},
		"io.k8s.api.apps.v1.DeploymentSpec":{"type":"object","properties":{"replicas":{"type":"integer"}}},
		"io.k8s.api.core.v1.Service":{"type":"object","properties":{},"x-kubernetes-group-version-kind":[{"group":"","version":"v1","kind":"Service"}]},
		"io.k8s.api.core.v1.Unrelated":{"type":"object"}}}`)
	crd := filepath.Join(dir, "crd.yaml")
	writeTestFile(t, crd, `kind: CustomResourceDefinition
spec:
  group: monitoring.coreos.com
  names: {kind: ServiceMonitor}
  versions:
    - name: v1
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: {type: object, properties: {jobLabel: {type: string}}}
`)
	out := filepath.Join(dir, "out")
	n, err := run(swagger, out, []string{crd})
	if err != nil || n != 3 {
		t.Fatalf("run = %d, %v; want 3 schemas", n, err)
	}
	var dep map[string]any
	if err := json.Unmarshal(readTestFile(t, filepath.Join(out, "deployment-apps-v1.json")), &dep); err != nil {
		t.Fatal(err)
	}
	defs, _ := dep["definitions"].(map[string]any)
	spec, _ := defs["io.k8s.api.apps.v1.DeploymentSpec"].(map[string]any)
	if len(defs) != 1 || spec["additionalProperties"] != false {
		t.Errorf("deployment-apps-v1.json definitions %v, want only DeploymentSpec, closed", defs)
	}
	for _, name := range []string{"service-v1.json", "servicemonitor-monitoring-v1.json"} {
		if _, err := os.Stat(filepath.Join(out, name)); err != nil {
			t.Error(err)
		}
	}
}

func writeTestFile(t *testing.T, path, s string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readTestFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
