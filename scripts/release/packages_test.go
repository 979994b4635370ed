package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/cams-exporter/cams_exporter/internal/tooltest"
)

const (
	unitPath    = "/usr/lib/systemd/system/cams_exporter.service"
	binaryPath  = "/usr/bin/cams_exporter"
	docDir      = "/usr/share/doc/cams-exporter/"
	debEnvFile  = "/etc/default/cams_exporter"
	rpmEnvFile  = "/etc/sysconfig/cams_exporter"
	cacheFlag   = "--cache.file=/var/lib/cams_exporter/cache.json"
	unitService = "cams_exporter.service"
)

// checkDeb reads the .deb with dpkg-deb: its control fields, its config
// file, every file with its mode and owner, their contents, its maintainer
// scripts; then checks its unit.
func checkDeb(t *testing.T, c clone, a artifacts, bin, version string) {
	dpkgDeb := tooltest.Debian(t, "dpkg-deb", "dpkg")
	deb := a.path(a.deb)
	if got, want := command(t, "", dpkgDeb, "--field", deb, "Package", "Version", "Architecture"),
		"Package: cams-exporter\nVersion: "+version+"-1\nArchitecture: amd64\n"; got != want {
		t.Errorf("the deb's control fields:\n%s\nwant\n%s", got, want)
	}
	if got := command(t, "", dpkgDeb, "--info", deb, "conffiles"); got != debEnvFile+"\n" {
		t.Errorf("the deb's conffiles: %q, want only %s", got, debEnvFile)
	}
	files := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(command(t, "", dpkgDeb, "--contents", deb)), "\n") {
		f := strings.Fields(line) // mode owner size date time path
		if len(f) != 6 {
			t.Fatalf("dpkg-deb --contents: %q", line)
		}
		if !strings.HasPrefix(f[0], "d") {
			files[strings.TrimPrefix(f[5], ".")] = f[0] + " " + f[1]
		}
	}
	want := map[string]string{
		binaryPath:           "-rwxr-xr-x root/root",
		unitPath:             "-rw-r--r-- root/root",
		debEnvFile:           "-rw------- root/root",
		docDir + "LICENSE":   "-rw-r--r-- root/root",
		docDir + "README.md": "-rw-r--r-- root/root",
	}
	assertFiles(t, "the deb", files, want)

	root := t.TempDir()
	command(t, "", dpkgDeb, "--extract", deb, root)
	for path, source := range map[string]string{binaryPath: bin, unitPath: c.path("packaging/cams_exporter.service"),
		debEnvFile: c.path("packaging/cams_exporter.env"), docDir + "LICENSE": c.path("LICENSE")} {
		if !sameContent(t, filepath.Join(root, path), source) {
			t.Errorf("the deb's %s differs from %s", path, source)
		}
	}
	checkEnvironmentFile(t, c, readFile(t, filepath.Join(root, debEnvFile)))

	control := t.TempDir()
	command(t, "", dpkgDeb, "--control", deb, control)
	for script, source := range map[string]string{"postinst": "postinstall.sh", "prerm": "preremove.sh", "postrm": "postremove.sh"} {
		path := filepath.Join(control, script)
		if !sameContent(t, path, c.path("packaging/scripts/"+source)) {
			t.Errorf("the deb's %s is not packaging/scripts/%s", script, source)
		}
		if out, err := exec.Command("sh", "-n", path).CombinedOutput(); err != nil {
			t.Errorf("the deb's %s is not valid sh: %v\n%s", script, err, out)
		}
	}
	t.Run("systemd unit", func(t *testing.T) { checkUnit(t, root) })
}

func assertFiles(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	for path, w := range want {
		if got[path] != w {
			t.Errorf("%s's %s: %q, want %q", what, path, got[path], w)
		}
	}
	for path := range got {
		if _, ok := want[path]; !ok {
			t.Errorf("%s holds %s (%s), which it should not", what, path, got[path])
		}
	}
}

// checkEnvironmentFile: the environment file is in systemd's syntax
// (comments and NAME=value lines), sets ARGS, which the unit passes, and
// names the credentials' variables of the README's credential chain.
func checkEnvironmentFile(t *testing.T, c clone, env []byte) {
	t.Helper()
	assignment := regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*=("[^"]*"|[^"\s]*)$`)
	set := map[string]bool{}
	s := bufio.NewScanner(bytes.NewReader(env))
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !assignment.MatchString(line) {
			t.Errorf("environment file: %q is neither a comment nor NAME=value", line)
		}
		name, _, _ := strings.Cut(line, "=")
		set[name] = true
	}
	if !set["ARGS"] {
		t.Error("the environment file does not set ARGS, which the unit passes to the exporter")
	}
	named := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^#?(ALIBABA_CLOUD_[A-Z_]+)=`).FindAllStringSubmatch(string(env), -1) {
		named[m[1]] = true
	}
	readme := string(c.read(t, "README.md"))
	for _, v := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_SECURITY_TOKEN"} {
		if !named[v] {
			t.Errorf("the environment file does not name %s", v)
		}
	}
	for v := range named {
		if !regexp.MustCompile("`" + v + "[`=]").MatchString(readme) {
			t.Errorf("the environment file names %s, which the README's credential chain does not", v)
		}
	}
}

// checkUnit checks the unit's hardening and runs systemd-analyze on it in
// the package's tree (--root), beside the targets it names and kill,
// copied from this machine.
func checkUnit(t *testing.T, root string) {
	analyze := tooltest.Debian(t, "systemd-analyze", "systemd")
	service := unitDirectives(t, readFile(t, filepath.Join(root, unitPath)))
	for key, want := range map[string]string{
		"DynamicUser": "yes", "ProtectSystem": "strict", "NoNewPrivileges": "yes", "StateDirectory": "cams_exporter",
		"ProtectHome": "yes", "PrivateTmp": "yes", "PrivateDevices": "yes", "CapabilityBoundingSet": "", "UMask": "0077",
	} {
		if got, ok := service[key]; !ok || !slices.Equal(got, []string{want}) {
			t.Errorf("the unit's %s is %q, want %q", key, got, want)
		}
	}
	if env := service["EnvironmentFile"]; !slices.Equal(env, []string{"-" + debEnvFile, "-" + rpmEnvFile}) {
		t.Errorf("the unit's EnvironmentFile %q, want the deb's and the rpm's", env)
	}
	if exec := service["ExecStart"]; len(exec) != 1 || !slices.Equal(strings.Fields(exec[0]), []string{binaryPath, cacheFlag, "$ARGS"}) {
		t.Errorf("the unit's ExecStart %q, want %s %s $ARGS", exec, binaryPath, cacheFlag)
	}

	units := filepath.Join(root, filepath.Dir(unitPath))
	targets, _ := filepath.Glob("/usr/lib/systemd/system/*.target")
	if len(targets) == 0 {
		t.Fatal("no systemd targets in /usr/lib/systemd/system to verify the unit beside")
	}
	for _, target := range targets {
		copyFileTo(t, target, filepath.Join(units, filepath.Base(target)), 0o644)
	}
	kill, err := exec.LookPath("kill")
	if err != nil {
		t.Fatal(err)
	}
	copyFileTo(t, kill, filepath.Join(root, "usr", "bin", "kill"), 0o755)

	out, err := exec.Command(analyze, "verify", "--root="+root, unitService).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
	// verify has teeth: a misspelled directive is reported.
	typo := strings.Replace(string(readFile(t, filepath.Join(root, unitPath))), "ProtectSystem=", "ProtectSytem=", 1)
	if err := os.WriteFile(filepath.Join(units, "typo.service"), []byte(typo), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, _ := exec.Command(analyze, "verify", "--root="+root, "typo.service").CombinedOutput(); !strings.Contains(string(out), "ProtectSytem") {
		t.Errorf("systemd-analyze verify passes a unit with ProtectSytem=:\n%s", out)
	}
	// An exposure above 2.0 ("OK") fails: --threshold is ten times it.
	out, err = exec.Command(analyze, "security", "--offline=true", "--threshold=20", "--root="+root, unitService).CombinedOutput()
	if err != nil {
		t.Errorf("systemd-analyze security: %v; exposure above 2.0:\n%s", err, out)
	}
	t.Log(lastLines(string(out), 1))
}

// unitDirectives returns the [Service] section's directives, each with its
// values in order.
func unitDirectives(t *testing.T, unit []byte) map[string][]string {
	t.Helper()
	service := map[string][]string{}
	section := ""
	s := bufio.NewScanner(bytes.NewReader(unit))
	for s.Scan() {
		line := strings.TrimSpace(s.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "["):
			section = line
		case section == "[Service]":
			key, value, ok := strings.Cut(line, "=")
			if !ok {
				t.Fatalf("unit: %q is not Key=value", line)
			}
			service[key] = append(service[key], value)
		}
	}
	return service
}

// checkRPM reads the .rpm with rpm: its header, every file with its mode,
// owner, config flags and digest, and its scriptlets.
func checkRPM(t *testing.T, c clone, a artifacts, bin, version string) {
	rpm := tooltest.Debian(t, "rpm", "rpm")
	pkg := a.path(a.rpm)
	query := func(format string) string {
		return command(t, "", rpm, "-qp", "--queryformat", format, pkg)
	}
	if got, want := query("%{NAME} %{VERSION} %{RELEASE} %{ARCH} %{LICENSE}"), "cams-exporter "+version+" 1 x86_64 Apache-2.0"; got != want {
		t.Errorf("the rpm is %q, want %q", got, want)
	}
	files := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(query(`[%{FILENAMES}\t%{FILEMODES:perms} %{FILEUSERNAME}/%{FILEGROUPNAME} %{FILEFLAGS:fflags} %{FILEDIGESTS}\n]`)), "\n") {
		path, rest, _ := strings.Cut(line, "\t")
		files[path] = rest
	}
	sum := func(path string) string {
		s := sha256.Sum256(readFile(t, path))
		return hex.EncodeToString(s[:])
	}
	// fflags: c a config file, n noreplace (an edited one survives upgrades).
	want := map[string]string{
		binaryPath:           "-rwxr-xr-x root/root  " + sum(bin),
		unitPath:             "-rw-r--r-- root/root  " + sum(c.path("packaging/cams_exporter.service")),
		rpmEnvFile:           "-rw------- root/root cn " + sum(c.path("packaging/cams_exporter.env")),
		docDir + "LICENSE":   "-rw-r--r-- root/root  " + sum(c.path("LICENSE")),
		docDir + "README.md": "-rw-r--r-- root/root  " + sum(c.path("README.md")),
	}
	assertFiles(t, "the rpm", files, want)
	for tag, source := range map[string]string{"POSTIN": "postinstall.sh", "PREUN": "preremove.sh", "POSTUN": "postremove.sh"} {
		if got, want := strings.TrimSpace(query("%{"+tag+"}")), strings.TrimSpace(string(c.read(t, "packaging/scripts/"+source))); got != want {
			t.Errorf("the rpm's %s scriptlet:\n%s\nwant packaging/scripts/%s:\n%s", tag, got, source, want)
		}
	}
}

// checkChart: the packaged chart installs the version released.
func checkChart(t *testing.T, a artifacts, version string) {
	files := map[string][]byte{}
	for _, e := range readTarGz(t, a.path(a.chart)) {
		files[e.hdr.Name] = e.data
	}
	var meta struct {
		AppVersion  string `yaml:"appVersion"`
		Annotations map[string]string
	}
	if err := yaml.Unmarshal(files["cams-exporter/Chart.yaml"], &meta); err != nil {
		t.Fatal(err)
	}
	if meta.AppVersion != version || meta.Annotations["artifacthub.io/license"] != "Apache-2.0" {
		t.Errorf("the packaged chart's appVersion %q and license %q, want %s and Apache-2.0", meta.AppVersion, meta.Annotations["artifacthub.io/license"], version)
	}
	var tests []string
	for name := range files {
		if strings.HasPrefix(name, "cams-exporter/templates/tests/") {
			tests = append(tests, name)
		}
	}
	if len(tests) == 0 {
		t.Error("the packaged chart has no templates/tests/: no helm test")
	}
}

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func sameContent(t *testing.T, a, b string) bool {
	t.Helper()
	return bytes.Equal(readFile(t, a), readFile(t, b))
}

func copyFileTo(t *testing.T, src, dst string, mode os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, readFile(t, src), mode); err != nil {
		t.Fatal(err)
	}
}
