package charts

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/cams-exporter/cams_exporter/internal/mixin"
	"github.com/cams-exporter/cams_exporter/internal/tooltest"
)

func TestHelmLintStrict(t *testing.T) {
	for name, args := range map[string][]string{
		"defaults": nil,
		"all on":   {"-f", allOnValues},
	} {
		t.Run(name, func(t *testing.T) {
			out, stderr, err := helm(t, append([]string{"lint", "--strict", chartDir}, args...)...)
			if err != nil || !strings.Contains(out, "1 chart(s) linted, 0 chart(s) failed") {
				t.Fatalf("helm lint --strict: %v\n%s%s", err, out, stderr)
			}
		})
	}
}

// TestTemplateValidates renders the chart with the defaults and with every
// option on, and validates every object with kubeconform in strict mode.
func TestTemplateValidates(t *testing.T) {
	for _, tc := range []struct {
		name  string
		args  []string
		kinds []string
	}{
		// The Pod is helm test's (a hook: helm install leaves it out).
		{"defaults", nil, []string{"Deployment", "Pod", "Service", "ServiceAccount"}},
		{"all on", []string{"-f", allOnValues}, []string{"ConfigMap", "ConfigMap", "Deployment", "NetworkPolicy",
			"PersistentVolumeClaim", "Pod", "PrometheusRule", "Service", "ServiceAccount", "ServiceMonitor"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			manifest, objs := render(t, tc.args...)
			var kinds []string
			for _, o := range objs {
				kinds = append(kinds, o.kind())
			}
			sort.Strings(kinds)
			if !slices.Equal(kinds, tc.kinds) {
				t.Errorf("rendered kinds %v, want %v", kinds, tc.kinds)
			}
			out, ok := kubeconform(t, manifest)
			if !ok {
				t.Fatalf("kubeconform -strict fails:\n%s", out)
			}
			want := fmt.Sprintf("%d resources found parsing stdin - Valid: %d, Invalid: 0, Errors: 0, Skipped: 0", len(objs), len(objs))
			if !strings.Contains(out, want) {
				t.Errorf("kubeconform summary:\n%s\nwant %q", out, want)
			}
		})
	}
}

// TestKubeconformRejectsMistakes shows that the validation has teeth: a
// misspelled field or a wrong type in any object fails.
func TestKubeconformRejectsMistakes(t *testing.T) {
	_, objs := render(t, "-f", allOnValues)
	for _, tc := range []struct {
		name, kind, objName string
		mutate              func(o object)
		want                string
	}{
		{"misspelled Deployment field", "Deployment", fullname, func(o object) {
			spec := get(o, "spec").(map[string]any)
			spec["replica"] = spec["replicas"]
			delete(spec, "replicas")
		}, "replica"},
		{"wrong type in Deployment", "Deployment", fullname, func(o object) {
			get(o, "spec").(map[string]any)["replicas"] = "one"
		}, "replicas"},
		{"misspelled container security field", "Deployment", fullname, func(o object) {
			sc := get(o, "spec", "template", "spec", "containers", 0, "securityContext").(map[string]any)
			sc["readOnlyRootFileSystem"] = true
		}, "readOnlyRootFileSystem"},
		{"misspelled field in the helm test Pod", "Pod", fullname + "-test", func(o object) {
			sc := get(o, "spec", "containers", 0, "securityContext").(map[string]any)
			sc["runAsNonroot"] = true
		}, "runAsNonroot"},
		{"wrong type in Service port", "Service", fullname, func(o object) {
			get(o, "spec", "ports", 0).(map[string]any)["port"] = "9949"
		}, "port"},
		{"misspelled ServiceMonitor field", "ServiceMonitor", fullname, func(o object) {
			ep := get(o, "spec", "endpoints", 0).(map[string]any)
			ep["intervall"] = ep["interval"]
			delete(ep, "interval")
		}, "intervall"},
		{"wrong type in PrometheusRule", "PrometheusRule", fullname, func(o object) {
			get(o, "spec", "groups", 0).(map[string]any)["rules"] = "none"
		}, "rules"},
		{"misspelled NetworkPolicy field", "NetworkPolicy", fullname, func(o object) {
			spec := get(o, "spec").(map[string]any)
			spec["policyType"] = spec["policyTypes"]
			delete(spec, "policyTypes")
		}, "policyType"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var docs []object
			for _, o := range objs {
				if o.kind() == tc.kind && o.name() == tc.objName {
					o = deepCopy(t, o)
					tc.mutate(o)
				}
				docs = append(docs, o)
			}
			out, ok := kubeconform(t, toYAML(t, docs))
			if ok {
				t.Fatalf("kubeconform -strict passes a manifest with a %s:\n%s", tc.name, out)
			}
			if !strings.Contains(out, tc.kind) || !strings.Contains(out, tc.want) || !strings.Contains(out, "Invalid: 1,") {
				t.Errorf("kubeconform output does not name the one invalid %s and %q:\n%s", tc.kind, tc.want, out)
			}
			t.Log(firstLine(out))
		})
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

func deepCopy(t *testing.T, o object) object {
	t.Helper()
	b, err := json.Marshal(o)
	if err != nil {
		t.Fatal(err)
	}
	var c object
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// TestValuesSchemaRejectsMistakes: values.schema.json rejects an unknown key
// (a misspelling, or a secret passed as a value) and a wrong type.
func TestValuesSchemaRejectsMistakes(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"misspelled key", []string{"--set", "serviceMonitor.enabeld=true"}, "enabeld"},
		{"unknown top-level key", []string{"--set", "replica=2"}, "replica"},
		{"a secret as a value", []string{"--set", "credentials.accessKeySecret=s3cr3t"}, "accessKeySecret"},
		{"string for a boolean", []string{"--set-string", "cache.persistence.enabled=true"}, "enabled"},
		{"string for an integer", []string{"--set", "replicas=one"}, "replicas"},
		{"string for a list", []string{"--set", "spaces=cams-abc123"}, "spaces"},
		{"flag without dashes", []string{"--set", "extraArgs[0]=cams.region=cn-hangzhou"}, "extraArgs"},
		{"bad duration", []string{"--set-string", "serviceMonitor.interval=30sec"}, "interval"},
		{"misspelled collector", []string{"--set", "collectors.phoneNumber=true"}, "phoneNumber"},
		{"string for a collector", []string{"--set-string", "collectors.waba=true"}, "waba"},
		{"collector's interval not a duration", []string{"--set-string", "phoneNumbers.interval=15min"}, "interval"},
		{"collector's interval in days", []string{"--set-string", "messagingHealth.phoneInterval=1d"}, "phoneInterval"},
		{"collector's interval without a unit", []string{"--set", "waba.interval=3600"}, "interval"},
		{"misspelled collector's interval", []string{"--set-string", "waba.intervall=1h"}, "intervall"},
		{"zero rate", []string{"--set", "cams.wabaRateLimit=0"}, "wabaRateLimit"},
		{"zero rate as text", []string{"--set-string", "cams.wabaRateLimit=0.0"}, "wabaRateLimit"},
		{"negative rate", []string{"--set", "cams.phoneNumbersRateLimit=-1"}, "phoneNumbersRateLimit"},
		{"rate above 1000", []string{"--set", "cams.messagingHealthRateLimit=5000"}, "messagingHealthRateLimit"},
		{"rate not a number", []string{"--set", "cams.phoneNumbersRateLimit=fast"}, "phoneNumbersRateLimit"},
		{"the flows' rate as a value", []string{"--set", "cams.rateLimit=4"}, "rateLimit"},
		{"string for template-info", []string{"--set-string", "collectors.templateInfo=true"}, "templateInfo"},
		{"templates' interval in days", []string{"--set-string", "templates.interval=1d"}, "interval"},
		{"misspelled templates key", []string{"--set", "templates.pagesize=50"}, "pagesize"},
		{"templates' page size 0", []string{"--set", "templates.pageSize=0"}, "pageSize"},
		{"templates' page size above 250", []string{"--set", "templates.pageSize=251"}, "pageSize"},
		{"templates' page size not whole", []string{"--set-json", "templates.pageSize=20.5"}, "pageSize"},
		{"templates' page size as text", []string{"--set-string", "templates.pageSize=20"}, "pageSize"},
		{"templates' problem series above a million", []string{"--set", "templates.maxProblemSeries=1000001"}, "maxProblemSeries"},
		{"templates' problem series negative", []string{"--set", "templates.maxProblemSeries=-5"}, "maxProblemSeries"},
		{"templates' rate 0", []string{"--set", "cams.templatesRateLimit=0"}, "templatesRateLimit"},
		{"templates' rate above 1000", []string{"--set", "cams.templatesRateLimit=1001"}, "templatesRateLimit"},
		{"templates' rate under the templates key", []string{"--set", "templates.rateLimit=4"}, "rateLimit"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, stderr, err := helm(t, append([]string{"template", release, chartDir}, tc.args...)...)
			if err == nil {
				t.Fatalf("helm template %v passes the values schema:\n%s", tc.args, out)
			}
			if strings.Contains(stderr, "s3cr3t") {
				t.Errorf("helm's error repeats the secret value:\n%s", stderr)
			}
			if !strings.Contains(stderr, "values don't meet the specifications of the schema") || !strings.Contains(stderr, tc.want) {
				t.Errorf("helm template %v: error does not name the schema and %q:\n%s", tc.args, tc.want, stderr)
			}
			if i := strings.LastIndex(stderr, "- at"); i >= 0 {
				t.Log(strings.TrimSpace(stderr[i:]))
			}
		})
	}
}

// TestRenderedRulesAndDashboardEqualSources: with the job cams, the
// PrometheusRule holds exactly the groups of alerts/cams_exporter.rules.yml;
// the dashboard ConfigMap holds dashboards/cams_exporter.json for every job
// (job=~".+" where the default selects job="cams"), read here from the
// sources themselves, not through the chart's files.
func TestRenderedRulesAndDashboardEqualSources(t *testing.T) {
	_, objs := render(t, "--set", "prometheusRule.enabled=true", "--set", "grafanaDashboard.enabled=true", "--set", "serviceMonitor.job=cams")
	rule := find(t, objs, "PrometheusRule", fullname)
	var source map[string]any
	if err := yaml.Unmarshal(readFile(t, "../alerts/cams_exporter.rules.yml"), &source); err != nil {
		t.Fatal(err)
	}
	assertGroups(t, get(rule, "spec", "groups"), source["groups"], "alerts/cams_exporter.rules.yml")

	cm := find(t, objs, "ConfigMap", fullname+"-dashboard")
	want := strings.ReplaceAll(string(readFile(t, "../dashboards/cams_exporter.json")), `job=\"cams\"`, `job=~\".+\"`)
	if got := str(cm, "data", "cams_exporter.json"); got != want {
		t.Errorf("the dashboard ConfigMap's cams_exporter.json (%d bytes) differs from dashboards/cams_exporter.json for every job (%d bytes)", len(got), len(want))
	}
	if got := str(cm, "metadata", "labels", "grafana_dashboard"); got != "1" {
		t.Errorf("dashboard ConfigMap label grafana_dashboard=%q, want \"1\" (Grafana's sidecar)", got)
	}
}

// assertRulesSelectJob: the PrometheusRule holds the monitoring mixin's
// rules generated with the exporter selector job="<job>".
func assertRulesSelectJob(t *testing.T, rule object, job string) {
	t.Helper()
	m, err := mixin.Evaluate("../mixin", mixin.SelectorConfig(fmt.Sprintf("job=%q", job)), mixin.Rules)
	if err != nil {
		t.Fatal(err)
	}
	b, err := mixin.RulesYAML(m, "")
	if err != nil {
		t.Fatal(err)
	}
	var want map[string]any
	if err := yaml.Unmarshal(b, &want); err != nil {
		t.Fatal(err)
	}
	assertGroups(t, get(rule, "spec", "groups"), want["groups"], fmt.Sprintf("the mixin's rules for job %q", job))
}

func assertGroups(t *testing.T, groups, want any, source string) {
	t.Helper()
	if n, _ := want.([]any); len(n) == 0 {
		t.Fatalf("%s has no groups", source)
	}
	if !reflect.DeepEqual(normalize(t, groups), normalize(t, want)) {
		g, _ := json.MarshalIndent(groups, "", " ")
		w, _ := json.MarshalIndent(want, "", " ")
		t.Errorf("the PrometheusRule's groups differ from %s:\n%s\nwant\n%s", source, g, w)
	}
}

// TestEachReleaseWatchesItsOwnJob: two releases in one namespace scrape
// their exporters as two jobs, each the Service's name unless
// serviceMonitor.job says otherwise, and each release's PrometheusRule
// selects its own job in every expression, never the other's.
func TestEachReleaseWatchesItsOwnJob(t *testing.T) {
	jobs := map[string]string{}
	for _, tc := range []struct {
		release string
		args    []string
		job     string
	}{
		{release: "cams-eu", job: "cams-eu-cams-exporter"},
		{release: "cams-us", job: "cams-us-cams-exporter"},
		{release: "cams-exporter", job: "cams-exporter"},
		{release: "cams-cn", args: []string{"--set", "serviceMonitor.job=cams-china"}, job: "cams-china"},
		// A job PromQL must quote: the chart escapes it as a PromQL string.
		{release: "odd", args: []string{"--set-string", `serviceMonitor.job=my "cams"`}, job: `my "cams"`},
	} {
		t.Run(tc.release, func(t *testing.T) {
			out, stderr, err := helm(t, append([]string{"template", tc.release, chartDir, "--namespace", namespace,
				"--set", "serviceMonitor.enabled=true", "--set", "prometheusRule.enabled=true"}, tc.args...)...)
			if err != nil {
				t.Fatalf("helm template: %v\n%s", err, stderr)
			}
			objs := parseObjects(t, out)
			name := tc.release + "-cams-exporter"
			if strings.Contains(tc.release, "cams-exporter") {
				name = tc.release
			}
			sm := find(t, objs, "ServiceMonitor", name)
			find(t, objs, "Service", name)
			if r := get(sm, "spec", "endpoints", 0, "relabelings", 0); str(r, "targetLabel") != "job" || str(r, "replacement") != tc.job {
				t.Errorf("ServiceMonitor's first relabeling %v, want job=%s", r, tc.job)
			}
			rule := find(t, objs, "PrometheusRule", name)
			assertRulesSelectJob(t, rule, tc.job)
			selector := fmt.Sprintf("job=%q", tc.job)
			exprs := 0
			for _, g := range get(rule, "spec", "groups").([]any) {
				for _, r := range get(g, "rules").([]any) {
					expr := str(r, "expr")
					exprs++
					if !strings.Contains(expr, selector) {
						t.Errorf("rule %s%s does not select %s: %s", str(r, "record"), str(r, "alert"), selector, expr)
					}
					for _, m := range jobMatcher.FindAllString(expr, -1) {
						if m != selector {
							t.Errorf("rule %s%s selects %s, not only %s: %s", str(r, "record"), str(r, "alert"), m, selector, expr)
						}
					}
				}
			}
			if exprs < 50 {
				t.Errorf("the PrometheusRule holds %d rules, want the mixin's (more than 50)", exprs)
			}
			if strings.Contains(out, "__CAMS_EXPORTER_JOB__") {
				t.Error("the rendered manifest still holds the placeholder __CAMS_EXPORTER_JOB__")
			}
			if tc.args == nil {
				jobs[tc.release] = tc.job
			}
			if tc.release == "odd" {
				promtoolCheckRules(t, get(rule, "spec"))
			}
		})
	}
	if jobs["cams-eu"] == jobs["cams-us"] {
		t.Errorf("releases cams-eu and cams-us share the job %q", jobs["cams-eu"])
	}
}

// jobMatcher finds the job matchers of an expression (job="..." with its
// PromQL escapes).
var jobMatcher = regexp.MustCompile(`\bjob=~?"(\\.|[^"\\])*"`)

// promtoolCheckRules runs Prometheus 3's promtool check rules over a
// PrometheusRule's spec (a rules file's groups).
func promtoolCheckRules(t *testing.T, spec any) {
	t.Helper()
	b, err := yaml.Marshal(spec)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "rules.yml")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, stderr, err := run(t, nil, tooltest.Bin(t, "promtool"), "check", "rules", path); err != nil {
		t.Errorf("promtool check rules: %v\n%s%s", err, out, stderr)
	}
}

// normalize makes values from two decoders comparable (JSON numbers, maps).
func normalize(t *testing.T, v any) any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPackagedChartHoldsTheSources: the chart a user installs from its
// archive carries the rules and the dashboard the mixin generates for it
// (files/, which TestGeneratedFilesAreCurrent of internal/mixin checks),
// and no test values.
func TestPackagedChartHoldsTheSources(t *testing.T) {
	dir := t.TempDir()
	if out, stderr, err := helm(t, "package", chartDir, "--destination", dir); err != nil {
		t.Fatalf("helm package: %v\n%s%s", err, out, stderr)
	}
	files := chartArchive(t, filepath.Join(dir, "cams-exporter-0.1.0.tgz"))
	generated, err := mixin.Generate("..")
	if err != nil {
		t.Fatal(err)
	}
	for inChart, source := range map[string]string{
		"cams-exporter/files/cams_exporter.rules.yml": mixin.ChartRulesFile,
		"cams-exporter/files/cams_exporter.json":      mixin.ChartDashboardFile,
	} {
		if got, ok := files[inChart]; !ok {
			t.Errorf("the packaged chart has no %s", inChart)
		} else if !bytes.Equal(got, generated[source]) {
			t.Errorf("the packaged chart's %s differs from what the mixin generates for %s", inChart, source)
		}
	}
	for name := range files {
		if strings.Contains(name, "/ci/") {
			t.Errorf("the packaged chart holds the test values %s", name)
		}
	}
}

func chartArchive(t *testing.T, path string) map[string][]byte {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gz, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	tr := tar.NewReader(gz)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(io.LimitReader(tr, 16<<20))
		if err != nil {
			t.Fatal(err)
		}
		files[h.Name] = b
	}
	return files
}

func TestDefaults(t *testing.T) {
	_, objs := render(t)
	d := find(t, objs, "Deployment", fullname)
	assertHardened(t, d)
	if got := get(d, "spec", "replicas"); got != 1 {
		t.Errorf("replicas %v, want 1", got)
	}
	c := get(d, "spec", "template", "spec", "containers", 0)
	// No spaces file without spaces, every collector off and every interval
	// and rate left to the exporter's defaults: nothing but these two.
	if args := strs(get(c, "args")); !slices.Equal(args, baseArgs) {
		t.Errorf("args %v, want only %v", args, baseArgs)
	}
	if get(d, "spec", "template", "spec", "volumes", 0, "emptyDir") == nil {
		t.Errorf("cache volume %v, want an emptyDir", get(d, "spec", "template", "spec", "volumes", 0))
	}
	if ann := get(d, "spec", "template", "metadata", "annotations"); ann != nil {
		t.Errorf("pod annotations %v, want none", ann)
	}
	env := get(c, "env").([]any)
	if len(env) != 1 || str(env[0], "name") != "ALIBABA_CLOUD_ECS_METADATA_DISABLED" || str(env[0], "value") != "true" {
		t.Errorf("env %v, want only ALIBABA_CLOUD_ECS_METADATA_DISABLED=true", env)
	}
	svc := find(t, objs, "Service", fullname)
	if p := get(svc, "spec", "ports", 0); str(p, "name") != "http-metrics" || get(p, "port") != 9949 || str(p, "targetPort") != "http-metrics" {
		t.Errorf("Service port %v, want http-metrics 9949", p)
	}
	// The memory the README's "Memory" table gives the default: the
	// collectors off up to 200,000 spaces, on up to 10,000.
	if lim, req := str(c, "resources", "limits", "memory"), str(c, "resources", "requests", "memory"); lim != "512Mi" || req != "128Mi" {
		t.Errorf("memory limit %q, request %q; want 512Mi and 128Mi, as the README documents", lim, req)
	}
}

// assertHardened checks the pod's and the container's security settings,
// probes and port.
func assertHardened(t *testing.T, d object) {
	t.Helper()
	pod := get(d, "spec", "template", "spec")
	for path, want := range map[string]any{
		"securityContext.runAsNonRoot":                          true,
		"securityContext.seccompProfile.type":                   "RuntimeDefault",
		"automountServiceAccountToken":                          false,
		"containers.0.securityContext.readOnlyRootFilesystem":   true,
		"containers.0.securityContext.allowPrivilegeEscalation": false,
		"containers.0.securityContext.capabilities.drop.0":      "ALL",
		"containers.0.livenessProbe.httpGet.path":               "/healthz",
		"containers.0.readinessProbe.httpGet.path":              "/readyz",
		"containers.0.startupProbe.httpGet.path":                "/healthz",
		"containers.0.ports.0.name":                             "http-metrics",
		"containers.0.ports.0.containerPort":                    9949,
	} {
		if got := get(pod, dotted(path)...); got != want {
			t.Errorf("pod spec %s = %v, want %v", path, got, want)
		}
	}
	if uid, _ := get(pod, "securityContext", "runAsUser").(int); uid == 0 {
		t.Errorf("runAsUser %v, want a non-root uid", get(pod, "securityContext", "runAsUser"))
	}
}

func dotted(path string) []any {
	var out []any
	for _, p := range strings.Split(path, ".") {
		var i int
		if _, err := fmt.Sscanf(p, "%d", &i); err == nil {
			out = append(out, i)
		} else {
			out = append(out, p)
		}
	}
	return out
}

func strs(v any) []string {
	var out []string
	l, _ := v.([]any)
	for _, e := range l {
		s, _ := e.(string)
		out = append(out, s)
	}
	return out
}

func TestAllOn(t *testing.T) {
	_, objs := render(t, "-f", allOnValues)
	d := find(t, objs, "Deployment", fullname)
	assertHardened(t, d)
	pod := get(d, "spec", "template", "spec")
	c := get(pod, "containers", 0)

	args := strs(get(c, "args"))
	for _, want := range []string{"--web.listen-address=:9949", "--cache.file=/var/lib/cams_exporter/cache.json",
		"--cams.spaces-file=/etc/cams_exporter/spaces/spaces.txt", "--cams.region=cn-hangzhou", "--refresh.interval=10m", "--log.format=json",
		// The collectors, their intervals and rates as ci/all-on-values.yaml sets them.
		"--collector.phone-numbers", "--collector.waba", "--collector.messaging-health", "--collector.templates", "--collector.template-info",
		"--phone-numbers.interval=30m", "--waba.interval=12h", "--messaging-health.interval=2h", "--messaging-health.phone-interval=24h",
		"--templates.interval=2h", "--templates.page-size=50", "--templates.max-problem-series=20000",
		"--cams.phone-numbers-rate-limit=6", "--cams.waba-rate-limit=2.5", "--cams.messaging-health-rate-limit=3", "--cams.templates-rate-limit=2"} {
		if !slices.Contains(args, want) {
			t.Errorf("args %v lack %s", args, want)
		}
	}
	assertFlagsOnce(t, args)

	// Credentials only by reference to the Secret.
	refs := map[string]string{}
	for _, e := range get(c, "env").([]any) {
		if v, ok := get(e, "value").(string); ok && strings.HasPrefix(str(e, "name"), "ALIBABA_CLOUD_ACCESS_KEY") {
			t.Errorf("env %s has a literal value %q", str(e, "name"), v)
		}
		if s := str(e, "valueFrom", "secretKeyRef", "name"); s != "" {
			refs[str(e, "name")] = s + "/" + str(e, "valueFrom", "secretKeyRef", "key")
		}
	}
	for _, k := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET"} {
		if refs[k] != "cams-credentials/"+k {
			t.Errorf("env %s from %q, want Secret cams-credentials key %s", k, refs[k], k)
		}
	}

	sa := find(t, objs, "ServiceAccount", fullname)
	if got := str(sa, "metadata", "annotations", "pod-identity.alibabacloud.com/role-name"); got != "cams-exporter" {
		t.Errorf("ServiceAccount RRSA annotation %q, want cams-exporter", got)
	}
	if str(pod, "serviceAccountName") != fullname {
		t.Errorf("serviceAccountName %q, want %s", str(pod, "serviceAccountName"), fullname)
	}

	// The spaces file: one id a line, mounted as a directory, and its
	// checksum (computed here from the ConfigMap) on the pod.
	cm := find(t, objs, "ConfigMap", fullname+"-spaces")
	file := str(cm, "data", "spaces.txt")
	var ids []string
	for _, line := range strings.Split(file, "\n") {
		if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
			ids = append(ids, line)
		}
	}
	if !slices.Equal(ids, []string{"cams-abc123", "cams-def456"}) {
		t.Errorf("spaces file %q holds %v, want the two spaces of the values", file, ids)
	}
	sum := sha256.Sum256([]byte(file))
	if got := str(d, "spec", "template", "metadata", "annotations", "checksum/spaces"); got != hex.EncodeToString(sum[:]) {
		t.Errorf("checksum/spaces %q, want the sha256 of the spaces file %x", got, sum)
	}
	volumes := map[string]any{}
	for _, v := range get(pod, "volumes").([]any) {
		volumes[str(v, "name")] = v
	}
	if got := str(volumes["spaces"], "configMap", "name"); got != fullname+"-spaces" {
		t.Errorf("spaces volume from ConfigMap %q, want %s-spaces", got, fullname)
	}
	for _, m := range get(c, "volumeMounts").([]any) {
		if get(m, "subPath") != nil {
			t.Errorf("volume mount %v uses subPath: the kubelet would never update it", m)
		}
	}

	// The cache on the claim the chart creates.
	pvc := find(t, objs, "PersistentVolumeClaim", fullname+"-cache")
	if got := str(volumes["cache"], "persistentVolumeClaim", "claimName"); got != pvc.name() {
		t.Errorf("cache volume claim %q, want %s", got, pvc.name())
	}
	if str(pvc, "spec", "resources", "requests", "storage") != "2Gi" || str(pvc, "spec", "storageClassName") != "standard" {
		t.Errorf("PVC spec %v, want 2Gi of standard", get(pvc, "spec"))
	}

	sm := find(t, objs, "ServiceMonitor", fullname)
	ep := get(sm, "spec", "endpoints", 0)
	if str(ep, "port") != "http-metrics" || str(sm, "metadata", "labels", "release") != "kube-prometheus-stack" {
		t.Errorf("ServiceMonitor endpoint %v labels %v", ep, get(sm, "metadata", "labels"))
	}
	if r := get(ep, "relabelings", 0); str(r, "targetLabel") != "job" || str(r, "replacement") != fullname {
		t.Errorf("ServiceMonitor's first relabeling %v, want job=%s (the Service's name, which the rules select)", r, fullname)
	}
	assertRulesSelectJob(t, find(t, objs, "PrometheusRule", fullname), fullname)

	np := find(t, objs, "NetworkPolicy", fullname)
	if got := get(np, "spec", "ingress", 0, "ports", 0, "port"); got != "http-metrics" {
		t.Errorf("NetworkPolicy ingress port %v, want http-metrics", got)
	}
	if !slices.Equal(strs(get(np, "spec", "policyTypes")), []string{"Ingress", "Egress"}) {
		t.Errorf("NetworkPolicy policyTypes %v", get(np, "spec", "policyTypes"))
	}
}

// TestExistingConfigMapAndClaim: spacesConfigMap wins over spaces, and an
// existing claim replaces the chart's.
func TestExistingConfigMapAndClaim(t *testing.T) {
	_, objs := render(t, "--set", "spacesConfigMap=team-spaces", "--set", "spacesConfigMapKey=ids.txt",
		"--set", "spaces[0]=cams-ignored", "--set", "rollOnSpacesChange=true",
		"--set", "cache.persistence.enabled=true", "--set", "cache.persistence.existingClaim=old-cache")
	for _, o := range objs {
		if o.kind() == "ConfigMap" || o.kind() == "PersistentVolumeClaim" {
			t.Errorf("%s %s rendered; the existing ones should be used", o.kind(), o.name())
		}
	}
	d := find(t, objs, "Deployment", fullname)
	pod := get(d, "spec", "template", "spec")
	if args := strs(get(pod, "containers", 0, "args")); !slices.Contains(args, "--cams.spaces-file=/etc/cams_exporter/spaces/ids.txt") {
		t.Errorf("args %v, want the spaces file ids.txt", args)
	}
	for _, v := range get(pod, "volumes").([]any) {
		switch str(v, "name") {
		case "spaces":
			if str(v, "configMap", "name") != "team-spaces" {
				t.Errorf("spaces volume %v, want ConfigMap team-spaces", v)
			}
		case "cache":
			if str(v, "persistentVolumeClaim", "claimName") != "old-cache" {
				t.Errorf("cache volume %v, want claim old-cache", v)
			}
		}
	}
	if ann := get(d, "spec", "template", "metadata", "annotations", "checksum/spaces"); ann != nil {
		t.Errorf("checksum/spaces %v on a ConfigMap the chart does not render", ann)
	}
}

// TestReadmeListsEveryValue: every key of values.yaml is in the chart's
// README and in values.schema.json, and the schema has no key values.yaml
// lacks.
func TestReadmeListsEveryValue(t *testing.T) {
	var values map[string]any
	if err := yaml.Unmarshal(readFile(t, filepath.Join(chartDir, "values.yaml")), &values); err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(readFile(t, filepath.Join(chartDir, "values.schema.json")), &schema); err != nil {
		t.Fatal(err)
	}
	readme := string(readFile(t, filepath.Join(chartDir, "README.md")))

	var valueKeys, schemaKeys []string
	walkSchema(schema, "", func(key string, sub map[string]any) {
		schemaKeys = append(schemaKeys, key)
	})
	walkValues(values, schema, "", &valueKeys)
	for _, k := range valueKeys {
		if !strings.Contains(readme, "| `"+k+"` |") {
			t.Errorf("values key %s is not in the README's table", k)
		}
	}
	for _, k := range schemaKeys {
		if k != "global" && !slices.Contains(valueKeys, k) {
			t.Errorf("values.schema.json has %s, which values.yaml lacks", k)
		}
	}
	if len(valueKeys) < 40 {
		t.Errorf("only %d values keys found", len(valueKeys))
	}
}

// walkSchema calls f for every leaf key of the schema: a key whose schema
// does not close its properties.
func walkSchema(s map[string]any, prefix string, f func(string, map[string]any)) {
	props, _ := s["properties"].(map[string]any)
	for k, v := range props {
		sub, _ := v.(map[string]any)
		key := strings.TrimPrefix(prefix+"."+k, ".")
		if sub["additionalProperties"] == false {
			walkSchema(sub, key, f)
		} else {
			f(key, sub)
		}
	}
}

func walkValues(v map[string]any, schema map[string]any, prefix string, keys *[]string) {
	props, _ := schema["properties"].(map[string]any)
	for k, e := range v {
		key := strings.TrimPrefix(prefix+"."+k, ".")
		sub, _ := props[k].(map[string]any)
		if m, ok := e.(map[string]any); ok && sub["additionalProperties"] == false {
			walkValues(m, sub, key, keys)
			continue
		}
		*keys = append(*keys, key)
	}
}
