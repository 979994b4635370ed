package charts

import (
	"bytes"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// chartMetadata is what the tests read of Chart.yaml.
type chartMetadata struct {
	Version     string
	AppVersion  string `yaml:"appVersion"`
	Maintainers []struct{ Name, Email, URL string }
	Annotations map[string]string
}

func chartMeta(t *testing.T) chartMetadata {
	t.Helper()
	var m chartMetadata
	if err := yaml.Unmarshal(readFile(t, filepath.Join(chartDir, "Chart.yaml")), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestChartMetadata: the chart installs the version VERSION holds, has
// maintainers, and Artifact Hub's annotations in the forms Artifact Hub
// reads (artifacthub.io/docs/topics/annotations/helm): the licence of
// LICENSE, its category, flags, links, and the changes of this version.
func TestChartMetadata(t *testing.T) {
	m := chartMeta(t)
	if version := strings.TrimSpace(string(readFile(t, "../VERSION"))); m.AppVersion != version {
		t.Errorf("the chart's appVersion is %q, VERSION %q: the chart would install another version", m.AppVersion, version)
	}
	if !regexp.MustCompile(`^\d+\.\d+\.\d+(-[\w.]+)?$`).MatchString(m.Version) {
		t.Errorf("the chart's version %q is not a semantic version", m.Version)
	}
	if len(m.Maintainers) == 0 {
		t.Error("the chart has no maintainers")
	}
	for _, mt := range m.Maintainers {
		if mt.Name == "" || (mt.Email == "" && !strings.HasPrefix(mt.URL, "https://")) {
			t.Errorf("maintainer %+v: want a name and an email or an https URL", mt)
		}
	}

	a := m.Annotations
	if !bytes.HasPrefix(readFile(t, "../LICENSE"), []byte("                                 Apache License\n                           Version 2.0,")) || a["artifacthub.io/license"] != "Apache-2.0" {
		t.Errorf("artifacthub.io/license %q; LICENSE is the Apache License 2.0, SPDX Apache-2.0", a["artifacthub.io/license"])
	}
	categories := []string{"ai-machine-learning", "database", "integration-delivery", "monitoring-logging", "networking", "security", "storage", "streaming-messaging"}
	if !slices.Contains(categories, a["artifacthub.io/category"]) {
		t.Errorf("artifacthub.io/category %q is not one of Artifact Hub's %v", a["artifacthub.io/category"], categories)
	}
	for _, flag := range []string{"artifacthub.io/prerelease", "artifacthub.io/operator", "artifacthub.io/containsSecurityUpdates"} {
		if v := a[flag]; v != "true" && v != "false" {
			t.Errorf("%s is %q, want \"true\" or \"false\"", flag, v)
		}
	}

	var links []struct{ Name, URL string }
	if err := yaml.Unmarshal([]byte(a["artifacthub.io/links"]), &links); err != nil || len(links) == 0 {
		t.Errorf("artifacthub.io/links: %v, %d links", err, len(links))
	}
	for _, l := range links {
		if l.Name == "" || !strings.HasPrefix(l.URL, "https://") {
			t.Errorf("artifacthub.io/links: %+v, want a name and an https URL", l)
		}
	}

	var changes []struct{ Kind, Description string }
	if err := yaml.Unmarshal([]byte(a["artifacthub.io/changes"]), &changes); err != nil || len(changes) == 0 {
		t.Errorf("artifacthub.io/changes: %v, %d changes", err, len(changes))
	}
	kinds := []string{"added", "changed", "deprecated", "removed", "fixed", "security"}
	for _, c := range changes {
		if !slices.Contains(kinds, c.Kind) || c.Description == "" {
			t.Errorf("artifacthub.io/changes: %+v, want a kind of %v and a description", c, kinds)
		}
	}
	var recommendations []struct{ URL string }
	if err := yaml.Unmarshal([]byte(a["artifacthub.io/recommendations"]), &recommendations); err != nil {
		t.Errorf("artifacthub.io/recommendations: %v", err)
	}
}
