package charts

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cams-exporter/cams_exporter/internal/tooltest"
)

const testPod = fullname + "-test"

// TestHelmTestHook: the chart's helm test is a hook Pod that asks the
// exporter's Service, runs a pinned image, is hardened as the exporter's
// pod is, is not selected by the exporter's Deployment or Service, and is
// admitted by the chart's NetworkPolicy.
func TestHelmTestHook(t *testing.T) {
	for name, args := range map[string][]string{"defaults": nil, "all on": {"-f", allOnValues}} {
		t.Run(name, func(t *testing.T) {
			_, objs := render(t, args...)
			pod := find(t, objs, "Pod", testPod)
			if hook := str(pod, "metadata", "annotations", "helm.sh/hook"); hook != "test" {
				t.Errorf("the test pod's helm.sh/hook is %q, want test", hook)
			}
			if policy := str(pod, "metadata", "annotations", "helm.sh/hook-delete-policy"); policy != "before-hook-creation,hook-succeeded" {
				t.Errorf("the test pod's delete policy %q: a second helm test must replace it", policy)
			}
			spec := get(pod, "spec")
			if str(spec, "restartPolicy") != "Never" || get(spec, "automountServiceAccountToken") != false {
				t.Errorf("the test pod: restartPolicy %v, automountServiceAccountToken %v; want Never and false", get(spec, "restartPolicy"), get(spec, "automountServiceAccountToken"))
			}
			c := get(spec, "containers", 0)
			if img := str(c, "image"); !regexp.MustCompile(`^[a-z0-9./-]+:[\w.-]+@sha256:[0-9a-f]{64}$`).MatchString(img) {
				t.Errorf("the test pod's image %q is not pinned by a digest", img)
			}

			// Hardened as the exporter: the same pod and container security
			// settings, which assertHardened checks on the Deployment.
			d := find(t, objs, "Deployment", fullname)
			assertHardened(t, d)
			for _, path := range [][]any{{"securityContext"}, {"containers", 0, "securityContext"}, {"imagePullSecrets"}, {"nodeSelector"}, {"tolerations"}} {
				want := get(d, append([]any{"spec", "template", "spec"}, path...)...)
				if got := get(spec, path...); !reflect.DeepEqual(normalize(t, got), normalize(t, want)) {
					t.Errorf("the test pod's %v is %v; the exporter's is %v", path, got, want)
				}
			}
			if get(c, "resources", "limits", "memory") == nil {
				t.Error("the test pod has no memory limit")
			}

			// It asks the Service, at its port.
			svc := find(t, objs, "Service", fullname)
			env := map[string]string{}
			for _, e := range get(c, "env").([]any) {
				env[str(e, "name")] = str(e, "value")
			}
			if want := fmt.Sprintf("http://%s:%v", svc.name(), get(svc, "spec", "ports", 0, "port")); env["EXPORTER_URL"] != want {
				t.Errorf("the test pod asks %q, want the Service %s", env["EXPORTER_URL"], want)
			}

			labels, _ := asMap(get(pod, "metadata", "labels"))
			for what, selector := range map[string]any{
				"the Deployment's selector": get(d, "spec", "selector", "matchLabels"),
				"the Service's selector":    get(svc, "spec", "selector"),
			} {
				if selects(selector, labels) {
					t.Errorf("%s %v selects the test pod (labels %v)", what, selector, labels)
				}
			}
			if name != "all on" {
				return
			}
			// ci/all-on-values.yaml admits only the namespace monitoring:
			// the policy admits the test pod besides.
			np := find(t, objs, "NetworkPolicy", fullname)
			admitted := false
			for _, peer := range get(np, "spec", "ingress", 0, "from").([]any) {
				if get(peer, "namespaceSelector") == nil && selects(get(peer, "podSelector", "matchLabels"), labels) {
					admitted = true
				}
			}
			if !admitted {
				t.Errorf("the NetworkPolicy's ingress %v does not admit the test pod (labels %v)", get(np, "spec", "ingress"), labels)
			}
		})
	}
}

// selects says whether matchLabels selects a pod with labels: a non-empty
// selector whose every label the pod has.
func selects(matchLabels any, labels map[string]any) bool {
	m, ok := asMap(matchLabels)
	if !ok || len(m) == 0 {
		return false
	}
	for k, v := range m {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// TestHelmTestScript runs the test pod's command, as rendered, with
// busybox's sh and wget (the test image's), against a server on loopback
// that answers as the exporter does: it passes only when /readyz answers
// 200 within the attempts and /metrics is read whole with
// cams_exporter_build_info.
func TestHelmTestScript(t *testing.T) {
	busybox := tooltest.Debian(t, "busybox", "busybox")
	_, objs := render(t)
	c := get(find(t, objs, "Pod", testPod), "spec", "containers", 0)
	command := append(strs(get(c, "command")), strs(get(c, "args"))...)
	if len(command) != 3 || command[0] != "sh" || command[1] != "-c" {
		t.Fatalf("the test pod runs %q, want sh -c SCRIPT", command)
	}
	// Only busybox's applets on the PATH, as in the image.
	bin := t.TempDir()
	for _, applet := range []string{"sh", "wget", "grep", "sleep", "timeout"} {
		if err := os.Symlink(busybox, filepath.Join(bin, applet)); err != nil {
			t.Fatal(err)
		}
	}
	const metrics = "# HELP cams_exporter_build_info x\n# TYPE cams_exporter_build_info gauge\ncams_exporter_build_info{version=\"0.1.0\"} 1\ncams_up 1\n"
	for _, tc := range []struct {
		name        string
		notReady    int // /readyz answers 503 this many times first (-1: never answers)
		attempts    string
		metrics     http.HandlerFunc
		wantExit    int
		wantMessage string
	}{
		{"ready at once", 0, "3", serve(metrics), 0, "ok: URL/metrics: cams_exporter_build_info{version=\"0.1.0\"} 1"},
		{"ready at the third attempt", 2, "3", serve(metrics), 0, "ok: URL/readyz answers 200 (attempt 3)"},
		{"never ready", 3, "3", serve(metrics), 1, "FAIL: URL/readyz did not answer 200 in 3 attempts"},
		// timeout ends each attempt after 10 s.
		{"readyz hanging", -1, "1", serve(metrics), 1, "FAIL: URL/readyz did not answer 200 in 1 attempts"},
		{"no build_info", 0, "3", serve("cams_up 1\n"), 1, "FAIL: URL/metrics could not be read whole, or has no cams_exporter_build_info"},
		{"metrics failing", 0, "3", func(w http.ResponseWriter, _ *http.Request) { http.Error(w, "busy", http.StatusServiceUnavailable) }, 1,
			"FAIL: URL/metrics could not be read whole"},
		{"metrics cut short", 0, "3", cutAfter(metrics), 1, "FAIL: URL/metrics could not be read whole"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var readyz atomic.Int32
			mux := http.NewServeMux()
			mux.HandleFunc("/readyz", func(w http.ResponseWriter, r *http.Request) {
				if tc.notReady < 0 {
					<-r.Context().Done()
					return
				}
				if int(readyz.Add(1)) <= tc.notReady {
					http.Error(w, "not ready: no listing has ended yet", http.StatusServiceUnavailable)
					return
				}
				fmt.Fprintln(w, "ok")
			})
			mux.HandleFunc("/metrics", tc.metrics)
			srv := httptest.NewServer(mux)
			defer srv.Close()

			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, filepath.Join(bin, "sh"), "-c", command[2])
			// A container runtime sets HOME (Debian's busybox wget crashes
			// without it).
			cmd.Env = []string{"PATH=" + bin, "HOME=" + t.TempDir(), "EXPORTER_URL=" + srv.URL, "ATTEMPTS=" + tc.attempts, "INTERVAL=0"}
			out, err := cmd.CombinedOutput()
			exit := 0
			if ee, ok := err.(*exec.ExitError); ok {
				exit = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			text := strings.ReplaceAll(string(out), srv.URL, "URL")
			if exit != tc.wantExit || !strings.Contains(text, tc.wantMessage) {
				t.Errorf("exit %d, output\n%s\nwant exit %d and %q", exit, text, tc.wantExit, tc.wantMessage)
			}
		})
	}
}

func serve(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, body) }
}

// cutAfter sends body, then drops the connection in the middle of a chunked
// answer: build_info arrives, the answer is not whole.
func cutAfter(body string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, body)
		w.(http.Flusher).Flush()
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.(*net.TCPConn).SetLinger(0)
			conn.Close()
		}
	}
}

// The test image's reference is pinned in values.yaml, and Artifact Hub's
// list of the chart's images names it and the exporter's image at the
// chart's appVersion.
func TestArtifactHubImages(t *testing.T) {
	meta := chartMeta(t)
	var values struct {
		Image struct{ Repository string }
		Test  struct {
			Image struct{ Repository, Tag, Digest string }
		}
	}
	if err := yaml.Unmarshal(readFile(t, filepath.Join(chartDir, "values.yaml")), &values); err != nil {
		t.Fatal(err)
	}
	var images []struct{ Name, Image string }
	if err := yaml.Unmarshal([]byte(meta.Annotations["artifacthub.io/images"]), &images); err != nil {
		t.Fatalf("artifacthub.io/images: %v", err)
	}
	var got []string
	for _, i := range images {
		got = append(got, i.Image)
	}
	ti := values.Test.Image
	want := []string{values.Image.Repository + ":" + meta.AppVersion, ti.Repository + ":" + ti.Tag + "@" + ti.Digest}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("artifacthub.io/images lists %v, want %v (values.yaml's images at the appVersion)", got, want)
	}
}
