package charts

import (
	"bytes"
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cams-exporter/cams_exporter/internal/loopback"
	"github.com/cams-exporter/cams_exporter/internal/mixin"
	"github.com/cams-exporter/cams_exporter/internal/tooltest"
)

// TestKubernetesE2E installs the packaged chart with every option on into a
// real kube-apiserver (built by scripts/install-tools.sh from k8s.io/kubernetes)
// on Debian's etcd, both on loopback, with the prometheus-operator CRDs
// applied, and reads every object back from the API server. With no kubelet
// nothing is scheduled: this proves what the API server accepts and stores,
// not that the pod runs (the e2e package runs the binary itself).
//
//	make k8s-e2e
func TestKubernetesE2E(t *testing.T) {
	dir := t.TempDir()
	api := startAPIServer(t, dir)
	kubeconfig := api.writeKubeconfig(t, dir)

	for _, crd := range []string{"monitoring.coreos.com_servicemonitors.yaml", "monitoring.coreos.com_prometheusrules.yaml"} {
		api.applyCRD(t, filepath.Join(tooltest.Path(t, "crds"), crd))
	}
	api.waitFor(t, "the monitoring.coreos.com/v1 API", "/apis/monitoring.coreos.com/v1", func(body []byte) string {
		if !bytes.Contains(body, []byte(`"servicemonitors"`)) || !bytes.Contains(body, []byte(`"prometheusrules"`)) {
			return "servicemonitors or prometheusrules not served yet"
		}
		return ""
	})

	pkgDir := t.TempDir()
	if out, stderr, err := helm(t, "package", chartDir, "--destination", pkgDir); err != nil {
		t.Fatalf("helm package: %v\n%s%s", err, out, stderr)
	}
	chart := filepath.Join(pkgDir, "cams-exporter-0.1.0.tgz")
	k := []string{"--kubeconfig", kubeconfig, "--namespace", namespace}

	out, stderr, err := helm(t, append([]string{"install", release, chart, "--create-namespace", "-f", allOnValues, "--timeout", "2m"}, k...)...)
	if err != nil {
		t.Fatalf("helm install: %v\n%s%s", err, out, stderr)
	}
	t.Logf("helm install:\n%s", out)
	for _, want := range []string{"STATUS: deployed", "port-forward svc/" + fullname + " 9949:9949",
		"Credentials: AccessKey from Secret cams-credentials.", "Spaces: 2 from the chart's values.",
		"Cache: on PersistentVolumeClaim " + fullname + "-cache", "Collectors: flows, phone-numbers, waba, messaging-health, templates, template-info.",
		"The RAM identity needs cams:ListFlow, cams:QueryChatappPhoneNumbers, cams:QueryChatappBindWaba, cams:GetWhatsappHealthStatus, cams:ListChatappTemplate\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("helm install's output (NOTES.txt) lacks %q", want)
		}
	}
	if strings.Contains(out, "NOTE: messaging-health") {
		t.Errorf("helm install's output (NOTES.txt) warns about messaging-health with every collector on:\n%s", out)
	}
	// messaging-health without phone-numbers asks about no number:
	// NOTES.txt says so.
	out, stderr, err = helm(t, append([]string{"install", "notes", chart, "--dry-run", "--set", "collectors.messagingHealth=true", "--set", "collectors.waba=true"}, k...)...)
	if err != nil {
		t.Fatalf("helm install --dry-run: %v\n%s%s", err, out, stderr)
	}
	for _, want := range []string{"Collectors: flows, waba, messaging-health.", "The RAM identity needs cams:ListFlow, cams:QueryChatappBindWaba, cams:GetWhatsappHealthStatus\n",
		"collectors.phoneNumbers off it asks about no number."} {
		if !strings.Contains(out, want) {
			t.Errorf("helm install --dry-run's output (NOTES.txt) with messaging-health and waba lacks %q:\n%s", want, out)
		}
	}
	// The templates collector alone: its RAM action, no other's.
	out, stderr, err = helm(t, append([]string{"install", "notes", chart, "--dry-run", "--set", "collectors.templates=true"}, k...)...)
	if err != nil {
		t.Fatalf("helm install --dry-run: %v\n%s%s", err, out, stderr)
	}
	for _, want := range []string{"Collectors: flows, templates.", "The RAM identity needs cams:ListFlow, cams:ListChatappTemplate\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("helm install --dry-run's output (NOTES.txt) with templates lacks %q:\n%s", want, out)
		}
	}

	manifest, stderr, err := helm(t, append([]string{"get", "manifest", release}, k...)...)
	if err != nil {
		t.Fatalf("helm get manifest: %v\n%s", err, stderr)
	}
	objs := parseObjects(t, manifest)
	if len(objs) != 9 {
		t.Errorf("helm installed %d objects, want the 9 of every option on", len(objs))
	}
	paths := map[string]string{}
	for _, o := range objs {
		path := api.objectPath(t, o)
		paths[o.kind()+"/"+o.name()] = path
		got := api.getObject(t, path)
		if err := contains(normalize(t, got), normalize(t, map[string]any(o)), o.kind()); err != nil {
			t.Errorf("%s %s read back from the API server differs from what helm rendered: %v", o.kind(), o.name(), err)
			continue
		}
		if l := str(got, "metadata", "labels", "app.kubernetes.io/managed-by"); l != "Helm" {
			t.Errorf("%s %s: managed-by %q, want Helm", o.kind(), o.name(), l)
		}
		t.Logf("read back %-21s %s/%s: every rendered field as rendered (uid %s)", o.kind(), namespace, o.name(), str(got, "metadata", "uid"))
	}

	// The stored PrometheusRule holds the mixin's rules for the release's
	// job (the Service's name), and the dashboard ConfigMap the chart's
	// dashboard.
	assertRulesSelectJob(t, api.getObject(t, paths["PrometheusRule/"+fullname]), fullname)
	dash := api.getObject(t, paths["ConfigMap/"+fullname+"-dashboard"])
	if str(dash, "data", "cams_exporter.json") != string(readFile(t, "../"+mixin.ChartDashboardFile)) {
		t.Error("the stored dashboard ConfigMap differs from " + mixin.ChartDashboardFile)
	}

	checkHelmTestPod(t, api, k, find(t, objs, "Deployment", fullname))

	// The API server's own validation of the CRDs rejects a misspelled field
	// and a wrong type.
	api.rejects(t, "ServiceMonitor with a misspelled field", "/apis/monitoring.coreos.com/v1/namespaces/"+namespace+"/servicemonitors",
		`{"apiVersion":"monitoring.coreos.com/v1","kind":"ServiceMonitor","metadata":{"name":"typo"},"spec":{"selector":{},"endpoints":[{"port":"http-metrics","intervall":"30s"}]}}`, "intervall")
	api.rejects(t, "PrometheusRule with a wrong type", "/apis/monitoring.coreos.com/v1/namespaces/"+namespace+"/prometheusrules",
		`{"apiVersion":"monitoring.coreos.com/v1","kind":"PrometheusRule","metadata":{"name":"typo"},"spec":{"groups":[{"name":"g","rules":"none"}]}}`, "rules")

	// A changed spaces list reaches the ConfigMap and, with
	// rollOnSpacesChange, the pod template's checksum.
	deployPath := paths["Deployment/"+fullname]
	before := str(api.getObject(t, deployPath), "spec", "template", "metadata", "annotations", "checksum/spaces")
	out, stderr, err = helm(t, append([]string{"upgrade", release, chart, "-f", allOnValues, "--set", "spaces={cams-abc123,cams-xyz789}"}, k...)...)
	if err != nil {
		t.Fatalf("helm upgrade: %v\n%s%s", err, out, stderr)
	}
	after := str(api.getObject(t, deployPath), "spec", "template", "metadata", "annotations", "checksum/spaces")
	spaces := str(api.getObject(t, paths["ConfigMap/"+fullname+"-spaces"]), "data", "spaces.txt")
	if before == "" || after == before || !strings.Contains(spaces, "cams-xyz789") || strings.Contains(spaces, "cams-def456") {
		t.Errorf("after helm upgrade: checksum %q -> %q, spaces file %q", before, after, spaces)
	}
	t.Logf("helm upgrade: spaces file now %q, checksum/spaces %.12s... -> %.12s...", strings.TrimSpace(spaces), before, after)

	out, stderr, err = helm(t, append([]string{"uninstall", release}, k...)...)
	if err != nil {
		t.Fatalf("helm uninstall: %v\n%s%s", err, out, stderr)
	}
	for name, path := range paths {
		api.waitGone(t, name, path)
	}
	t.Logf("helm uninstall: all %d objects gone", len(paths))
}

// checkHelmTestPod: the release's helm test pod, a hook that helm install
// leaves out, is admitted by the API server (a dry run, strict field
// validation) in a namespace that enforces the restricted Pod Security
// Standard, as is a pod of the exporter's Deployment; the same pod without
// runAsNonRoot is refused there. (With no kubelet, helm test itself cannot
// run here; TestHelmTestScript runs its script.)
func checkHelmTestPod(t *testing.T, api *apiServer, k []string, d object) {
	t.Helper()
	hooks, stderr, err := helm(t, append([]string{"get", "hooks", release}, k...)...)
	if err != nil {
		t.Fatalf("helm get hooks: %v\n%s", err, stderr)
	}
	hookObjs := parseObjects(t, hooks)
	if len(hookObjs) != 1 || hookObjs[0].kind() != "Pod" || hookObjs[0].name() != testPod {
		t.Fatalf("the release's hooks are %v, want the Pod %s", hookObjs, testPod)
	}
	const restricted = "psa-restricted"
	ns := `{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"` + restricted + `","labels":{"pod-security.kubernetes.io/enforce":"restricted"}}}`
	if code, body, err := api.do("POST", "/api/v1/namespaces", ns); err != nil || code != http.StatusCreated {
		t.Fatalf("create namespace %s: %d %v: %.300s", restricted, code, err, body)
	}
	// No controller manager makes the default service account here.
	for _, sa := range []string{"default", str(d, "spec", "template", "spec", "serviceAccountName")} {
		body := `{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"` + sa + `"}}`
		if code, resp, err := api.do("POST", "/api/v1/namespaces/"+restricted+"/serviceaccounts", body); err != nil || code != http.StatusCreated {
			t.Fatalf("create service account %s: %d %v: %.300s", sa, code, err, resp)
		}
	}
	pods := "/api/v1/namespaces/" + restricted + "/pods?dryRun=All&fieldValidation=Strict"
	podJSON := func(o object) string {
		o = deepCopy(t, o)
		get(o, "metadata").(map[string]any)["namespace"] = restricted
		b, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	// The admission reads the namespace's label from a cache: wait until it
	// refuses a pod that may run as root.
	lax := deepCopy(t, hookObjs[0])
	delete(get(lax, "spec", "securityContext").(map[string]any), "runAsNonRoot")
	deadline := time.Now().Add(time.Minute)
	for {
		code, body, err := api.do("POST", pods, podJSON(lax))
		if err != nil {
			t.Fatal(err)
		}
		if code == http.StatusForbidden && bytes.Contains(body, []byte("runAsNonRoot")) {
			t.Logf("the restricted namespace refuses the test pod without runAsNonRoot: HTTP %d", code)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a minute after its creation, the restricted namespace answers the test pod without runAsNonRoot %d: %.500s", code, body)
		}
		time.Sleep(200 * time.Millisecond)
	}
	exporterPod := object{"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": "exporter", "labels": get(d, "spec", "template", "metadata", "labels")},
		"spec":     get(d, "spec", "template", "spec")}
	for what, o := range map[string]object{"the helm test pod": hookObjs[0], "a pod of the exporter's Deployment": exporterPod} {
		code, body, err := api.do("POST", pods, podJSON(o))
		if err != nil || code != http.StatusCreated {
			t.Errorf("the restricted namespace refuses %s: %d %v: %.500s", what, code, err, body)
			continue
		}
		t.Logf("the API server admits %s in a namespace enforcing the restricted Pod Security Standard (dry run)", what)
	}
}

// contains reports how want (rendered) is not a part of got (stored): the
// server adds defaults and metadata, but keeps every rendered field.
func contains(got, want any, path string) error {
	switch w := want.(type) {
	case map[string]any:
		g, ok := got.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: %v, want an object", path, got)
		}
		for k, wv := range w {
			if err := contains(g[k], wv, path+"."+k); err != nil {
				return err
			}
		}
	case []any:
		g, ok := got.([]any)
		if !ok || len(g) != len(w) {
			return fmt.Errorf("%s: %v, want %v", path, got, w)
		}
		for i := range w {
			if err := contains(g[i], w[i], fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	default:
		if got != want {
			return fmt.Errorf("%s: %v, want %v", path, got, want)
		}
	}
	return nil
}

type apiServer struct {
	url, token string
	client     *http.Client
}

// startAPIServer starts etcd and kube-apiserver on loopback ports and waits
// until the API server is ready.
func startAPIServer(t *testing.T, dir string) *apiServer {
	t.Helper()
	etcdClient, etcdPeer := loopback.FreeAddr(t), loopback.FreeAddr(t)
	start(t, "etcd", tooltest.Debian(t, "etcd", "etcd-server"),
		"--name=e2e", "--data-dir="+filepath.Join(dir, "etcd"),
		"--listen-client-urls=http://"+etcdClient, "--advertise-client-urls=http://"+etcdClient,
		"--listen-peer-urls=http://"+etcdPeer, "--initial-advertise-peer-urls=http://"+etcdPeer,
		"--initial-cluster=e2e=http://"+etcdPeer)

	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(dir, "sa.key")
	writeFile(t, keyFile, pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(key)}))
	token := fmt.Sprintf("e2e-%x", key.N.Bytes()[:16])
	tokens := filepath.Join(dir, "tokens.csv")
	writeFile(t, tokens, []byte(token+`,e2e-admin,e2e-admin,"system:masters"`+"\n"))

	addr := loopback.FreeAddr(t)
	_, port, _ := net.SplitHostPort(addr)
	exited := start(t, "kube-apiserver", tooltest.Bin(t, "kube-apiserver"),
		"--etcd-servers=http://"+etcdClient,
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1", "--secure-port="+port,
		"--cert-dir="+filepath.Join(dir, "certs"),
		"--service-cluster-ip-range=10.96.0.0/16",
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file="+keyFile, "--service-account-signing-key-file="+keyFile,
		"--token-auth-file="+tokens, "--authorization-mode=RBAC",
		// The endpoint reconciler refuses a loopback advertise address.
		"--endpoint-reconciler-type=none",
		"--profiling=false")

	api := &apiServer{url: "https://" + addr, token: token, client: &http.Client{
		Timeout: 30 * time.Second,
		// The API server's self-signed serving certificate, on loopback.
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
	}}
	started := time.Now()
	api.waitFor(t, "kube-apiserver ready", "/readyz", func([]byte) string {
		select {
		case <-exited:
			t.Fatal("kube-apiserver exited")
		default:
		}
		return ""
	})
	var version struct{ GitVersion string }
	if err := json.Unmarshal(api.get(t, "/version"), &version); err != nil {
		t.Fatal(err)
	}
	want := "v" + tooltest.Version(t, "KUBERNETES_VERSION")
	if version.GitVersion != want {
		t.Errorf("kube-apiserver reports %s, want %s", version.GitVersion, want)
	}
	t.Logf("kube-apiserver %s on %s (etcd on %s) ready in %s", version.GitVersion, addr, etcdClient, time.Since(started).Round(100*time.Millisecond))
	return api
}

func (a *apiServer) writeKubeconfig(t *testing.T, dir string) string {
	t.Helper()
	cfg := map[string]any{
		"apiVersion":      "v1",
		"kind":            "Config",
		"current-context": "e2e",
		"clusters":        []any{map[string]any{"name": "e2e", "cluster": map[string]any{"server": a.url, "insecure-skip-tls-verify": true}}},
		"users":           []any{map[string]any{"name": "e2e", "user": map[string]any{"token": a.token}}},
		"contexts":        []any{map[string]any{"name": "e2e", "context": map[string]any{"cluster": "e2e", "user": "e2e"}}},
	}
	b, err := yaml.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func (a *apiServer) do(method, path, body string) (int, []byte, error) {
	req, err := http.NewRequest(method, a.url+path, strings.NewReader(body))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Authorization", "Bearer "+a.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 32<<20))
	return resp.StatusCode, b, err
}

func (a *apiServer) get(t *testing.T, path string) []byte {
	t.Helper()
	code, body, err := a.do("GET", path, "")
	if err != nil || code != http.StatusOK {
		t.Fatalf("GET %s: %d %v: %.500s", path, code, err, body)
	}
	return body
}

func (a *apiServer) getObject(t *testing.T, path string) map[string]any {
	t.Helper()
	var o map[string]any
	if err := json.Unmarshal(a.get(t, path), &o); err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	return o
}

// waitFor polls path until it answers 200 and check passes.
func (a *apiServer) waitFor(t *testing.T, what, path string, check func([]byte) string) {
	t.Helper()
	deadline := time.Now().Add(3 * time.Minute)
	why := ""
	for time.Now().Before(deadline) {
		code, body, err := a.do("GET", path, "")
		switch {
		case err != nil:
			why = err.Error()
		case code != http.StatusOK:
			why = fmt.Sprintf("HTTP %d: %.300s", code, body)
		default:
			if why = check(body); why == "" {
				return
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("%s: not within 3m: %s", what, why)
}

func (a *apiServer) waitGone(t *testing.T, name, path string) {
	t.Helper()
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		code, body, err := a.do("GET", path, "")
		if err == nil && code == http.StatusNotFound {
			return
		}
		// A claim keeps its kubernetes.io/pvc-protection finalizer until the
		// controller manager, which this test does not run, removes it.
		if err == nil && code == http.StatusOK && strings.HasPrefix(name, "PersistentVolumeClaim/") && bytes.Contains(body, []byte(`"deletionTimestamp"`)) {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Errorf("%s still there a minute after helm uninstall", name)
}

// applyCRD creates a CustomResourceDefinition from its YAML file and waits
// until it is established.
func (a *apiServer) applyCRD(t *testing.T, path string) {
	t.Helper()
	var crd map[string]any
	if err := yaml.Unmarshal(readFile(t, path), &crd); err != nil {
		t.Fatal(err)
	}
	body, err := json.Marshal(crd)
	if err != nil {
		t.Fatal(err)
	}
	const crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions"
	code, resp, err := a.do("POST", crds, string(body))
	if err != nil || code != http.StatusCreated {
		t.Fatalf("create CRD %s: %d %v: %.500s", filepath.Base(path), code, err, resp)
	}
	name := str(crd, "metadata", "name")
	a.waitFor(t, "CRD "+name+" established", crds+"/"+name, func(body []byte) string {
		var c map[string]any
		_ = json.Unmarshal(body, &c)
		conds, _ := get(c, "status", "conditions").([]any)
		for _, cond := range conds {
			if str(cond, "type") == "Established" && str(cond, "status") == "True" {
				return ""
			}
		}
		return "not established"
	})
	t.Logf("applied CRD %s (prometheus-operator v%s)", name, tooltest.Version(t, "PROMETHEUS_OPERATOR_VERSION"))
}

// objectPath finds an object's REST path through the API server's
// discovery: the resource whose kind is the object's.
func (a *apiServer) objectPath(t *testing.T, o object) string {
	t.Helper()
	apiVersion, _ := o["apiVersion"].(string)
	base := "/apis/" + apiVersion
	if !strings.Contains(apiVersion, "/") {
		base = "/api/" + apiVersion
	}
	var list struct {
		Resources []struct {
			Name       string
			Kind       string
			Namespaced bool
		}
	}
	if err := json.Unmarshal(a.get(t, base), &list); err != nil {
		t.Fatal(err)
	}
	for _, r := range list.Resources {
		if r.Kind == o.kind() && !strings.Contains(r.Name, "/") {
			if !r.Namespaced {
				return base + "/" + r.Name + "/" + o.name()
			}
			return base + "/namespaces/" + namespace + "/" + r.Name + "/" + o.name()
		}
	}
	t.Fatalf("the API server serves no kind %s in %s", o.kind(), apiVersion)
	return ""
}

// rejects shows that the API server refuses an object (dry run, strict field
// validation) and names the problem.
func (a *apiServer) rejects(t *testing.T, what, path, body, want string) {
	t.Helper()
	code, resp, err := a.do("POST", path+"?dryRun=All&fieldValidation=Strict", body)
	if err != nil {
		t.Fatal(err)
	}
	if code < 400 || !strings.Contains(string(resp), want) {
		t.Errorf("%s: the API server answered %d: %.500s; want a refusal naming %q", what, code, resp, want)
		return
	}
	var status struct{ Message string }
	_ = json.Unmarshal(resp, &status)
	t.Logf("the API server refuses a %s: HTTP %d: %s", what, code, status.Message)
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// start runs a program for the rest of the test; its log is printed when the
// test fails. The channel is closed when the program exits.
func start(t *testing.T, name, path string, args ...string) <-chan struct{} {
	t.Helper()
	logPath := filepath.Join(t.TempDir(), name+".log")
	f, err := os.Create(logPath)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(path, args...)
	cmd.Stdout, cmd.Stderr = f, f
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	exited := make(chan struct{})
	go func() {
		_ = cmd.Wait()
		close(exited)
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
		f.Close()
		if t.Failed() {
			b, _ := os.ReadFile(logPath)
			if len(b) > 4000 {
				b = b[len(b)-4000:]
			}
			t.Logf("--- %s log (end) ---\n%s", name, b)
		}
	})
	return exited
}
