package charts

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cams-exporter/cams_exporter/internal/tooltest"
)

const (
	chartDir = "cams-exporter"
	release  = "cams"
	// The release's full name: <release>-<chart>.
	fullname  = release + "-cams-exporter"
	namespace = "monitoring"
)

var allOnValues = filepath.Join(chartDir, "ci", "all-on-values.yaml")

// object is one rendered Kubernetes object.
type object map[string]any

func (o object) kind() string { s, _ := o["kind"].(string); return s }

func (o object) name() string { return str(o, "metadata", "name") }

// get walks maps by key and lists by index (an int key).
func get(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := asMap(v)
			if !ok {
				return nil
			}
			v = m[k]
		case int:
			l, ok := v.([]any)
			if !ok || k >= len(l) {
				return nil
			}
			v = l[k]
		}
	}
	return v
}

func asMap(v any) (map[string]any, bool) {
	switch m := v.(type) {
	case map[string]any:
		return m, true
	case object:
		return m, true
	}
	return nil, false
}

func str(v any, path ...any) string { s, _ := get(v, path...).(string); return s }

// run runs a program and returns its standard output and standard error.
func run(t *testing.T, stdin []byte, name string, args ...string) (string, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// helm runs helm with its own empty configuration and cache directories, so
// that nothing of the user's helm set-up is read or written.
func helm(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	home := helmHome(t)
	cmd := append([]string{"--repository-config", filepath.Join(home, "repositories.yaml"),
		"--repository-cache", filepath.Join(home, "cache"), "--registry-config", filepath.Join(home, "registry.json")}, args...)
	return run(t, nil, tooltest.Bin(t, "helm"), cmd...)
}

func helmHome(t *testing.T) string {
	t.Helper()
	d := t.TempDir()
	for k, v := range map[string]string{"HELM_CONFIG_HOME": "config", "HELM_CACHE_HOME": "cache", "HELM_DATA_HOME": "data"} {
		t.Setenv(k, filepath.Join(d, v))
	}
	return d
}

// render runs helm template with the given extra arguments (-f, --set) and
// returns the manifest and its objects.
func render(t *testing.T, args ...string) (string, []object) {
	t.Helper()
	out, stderr, err := helm(t, append([]string{"template", release, chartDir, "--namespace", namespace}, args...)...)
	if err != nil {
		t.Fatalf("helm template %v: %v\n%s", args, err, stderr)
	}
	return out, parseObjects(t, out)
}

func parseObjects(t *testing.T, manifest string) []object {
	t.Helper()
	var objs []object
	dec := yaml.NewDecoder(strings.NewReader(manifest))
	for {
		var o object
		err := dec.Decode(&o)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("rendered manifest: %v", err)
		}
		if o != nil {
			objs = append(objs, o)
		}
	}
	return objs
}

// find returns the one object of a kind and name, failing when there is not
// exactly one.
func find(t *testing.T, objs []object, kind, name string) object {
	t.Helper()
	var found []object
	for _, o := range objs {
		if o.kind() == kind && o.name() == name {
			found = append(found, o)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d objects %s %s rendered, want 1", len(found), kind, name)
	}
	return found[0]
}

// kubeconform validates a manifest in strict mode against the offline
// schemas; it returns kubeconform's output and whether it passed.
func kubeconform(t *testing.T, manifest string) (string, bool) {
	t.Helper()
	schemas := tooltest.Path(t, "k8s-schemas")
	out, stderr, err := run(t, []byte(manifest), tooltest.Bin(t, "kubeconform"),
		"-strict", "-summary", "-output", "text",
		"-schema-location", filepath.Join(schemas, "{{ .ResourceKind }}{{ .KindSuffix }}.json"), "-")
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("kubeconform: %v\n%s", err, stderr)
	}
	return out + stderr, err == nil
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func toYAML(t *testing.T, objs []object) string {
	t.Helper()
	var b strings.Builder
	for _, o := range objs {
		out, err := yaml.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("---\n")
		b.Write(out)
	}
	return b.String()
}
