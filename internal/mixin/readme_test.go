package mixin

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-jsonnet"
	"go.yaml.in/yaml/v3"
)

// TestREADMEImportExample: the README's example of a jsonnet project that
// vendors the mixin with jsonnet-bundler evaluates against this one, as
// `jsonnet -J vendor -S -m out cams.jsonnet` would, and its two files follow
// its _config: every rule selects job="cams-eu", a storm takes 20 spaces,
// the dashboard is cams-eu.
func TestREADMEImportExample(t *testing.T) {
	example := readmeJsonnet(t)
	vendor := filepath.Join(t.TempDir(), "vendor")
	at := filepath.Join(vendor, "github.com", "cams-exporter", "cams_exporter")
	if err := os.MkdirAll(at, 0o755); err != nil {
		t.Fatal(err)
	}
	dir, err := filepath.Abs(filepath.Join(root, "mixin"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(dir, filepath.Join(at, "mixin")); err != nil {
		t.Fatal(err)
	}
	vm := jsonnet.MakeVM()
	vm.Importer(&jsonnet.FileImporter{JPaths: []string{vendor}})
	vm.StringOutput = true
	out, err := vm.EvaluateAnonymousSnippetMulti("cams.jsonnet", example)
	if err != nil {
		t.Fatalf("the README's example: %v", err)
	}
	if len(out) != 2 {
		t.Fatalf("the README's example writes %d files, want 2", len(out))
	}

	var rules RuleFile
	if err := yaml.Unmarshal([]byte(out["cams_exporter.rules.yml"]), &rules); err != nil {
		t.Fatalf("cams_exporter.rules.yml: %v", err)
	}
	n := 0
	for _, g := range rules.Groups {
		for _, r := range g.Rules {
			n++
			for _, s := range vectorSelectors(r.Expr) {
				if !strings.HasPrefix(s.matchers, `job="cams-eu"`) {
					t.Errorf("%s%s: selector %s{%s}, want job=\"cams-eu\" first", r.Record, r.Alert, s.metric, s.matchers)
				}
			}
			if r.Record == "cams:space_error_info:storm" && !strings.Contains(r.Expr, ">= 20") {
				t.Errorf("the storm rule lacks the example's stormMinSpaces (>= 20): %s", r.Expr)
			}
		}
	}
	if n < 50 {
		t.Errorf("cams_exporter.rules.yml holds %d rules, want the mixin's (more than 50)", n)
	}

	var d struct{ UID, Title string }
	if err := json.Unmarshal([]byte(out["cams_exporter.json"]), &d); err != nil {
		t.Fatalf("cams_exporter.json: %v", err)
	}
	if d.UID != "cams-eu" || d.Title != "CAMS (EU)" {
		t.Errorf("the dashboard's uid %q and title %q, want the example's cams-eu and CAMS (EU)", d.UID, d.Title)
	}
}

// readmeJsonnet returns the first jsonnet code block of the README's
// section "Monitoring mixin".
func readmeJsonnet(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Monitoring mixin\n")
	if !ok {
		t.Fatal("README.md has no section Monitoring mixin")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	_, block, ok := strings.Cut(section, "\n```jsonnet\n")
	if !ok {
		t.Fatal("README.md's section Monitoring mixin has no jsonnet example")
	}
	block, _, _ = strings.Cut(block, "\n```\n")
	return block
}
