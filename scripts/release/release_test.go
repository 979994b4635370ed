package main

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"debug/buildinfo"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/cams-exporter/cams_exporter/internal/tooltest"
)

// TestReleaseOfOnePlatform builds, with the program `make release` runs and
// from a clean clone of this tree, the release of linux/amd64 (its archive,
// SBOM, .deb and .rpm), the chart and the checksums, and inspects each:
// the archive's layout and binary (static, stamped: its --version), the
// SBOM against the binary's modules and go.mod, the packages' files, modes
// and config files with dpkg-deb and rpm, and the systemd unit with
// systemd-analyze. `make release` builds the other five platforms the same
// way; a release of all six takes minutes (README: Install).
func TestReleaseOfOnePlatform(t *testing.T) {
	toolsBin := filepath.Dir(tooltest.Bin(t, "nfpm"))
	tooltest.Bin(t, "cyclonedx-gomod")
	tooltest.Bin(t, "helm")
	c := newClone(t)
	version := strings.TrimSpace(string(c.read(t, "VERSION")))
	dist := filepath.Join(t.TempDir(), "dist")
	stdout, stderr, code := c.release(t, "-dist", dist, "-platforms", "linux/amd64", "-tools", toolsBin)
	if code != 0 {
		t.Fatalf("release: exit %d\n%s%s", code, stdout, stderr)
	}
	t.Logf("release:\n%s", stdout)

	var chartMeta struct{ Version string }
	if err := yaml.Unmarshal(c.read(t, "charts/cams-exporter/Chart.yaml"), &chartMeta); err != nil {
		t.Fatal(err)
	}
	base := "cams_exporter-" + version + ".linux-amd64"
	a := artifacts{
		dist:    dist,
		archive: base + ".tar.gz",
		sbom:    base + ".sbom.cdx.json",
		deb:     "cams-exporter_" + version + "-1_amd64.deb",
		rpm:     "cams-exporter-" + version + "-1.x86_64.rpm",
		chart:   "cams-exporter-" + chartMeta.Version + ".tgz",
	}
	entries, err := os.ReadDir(dist)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{a.archive, a.sbom, a.deb, a.rpm, a.chart, "sha256sums.txt"}
	sort.Strings(want)
	if !slices.Equal(names, want) {
		t.Fatalf("dist holds %v, want %v", names, want)
	}

	bin := checkArchive(t, c, a, base, version)
	t.Run("checksums", func(t *testing.T) { checkChecksums(t, a) })
	t.Run("SBOM", func(t *testing.T) { checkSBOM(t, c, a, bin, version) })
	t.Run("deb", func(t *testing.T) { checkDeb(t, c, a, bin, version) })
	t.Run("rpm", func(t *testing.T) { checkRPM(t, c, a, bin, version) })
	t.Run("chart", func(t *testing.T) { checkChart(t, a, version) })
}

// artifacts are the names of the files of a release of linux/amd64.
type artifacts struct {
	dist, archive, sbom, deb, rpm, chart string
}

func (a artifacts) path(name string) string { return filepath.Join(a.dist, name) }

// checkArchive checks the archive's layout and its binary, and returns the
// binary's path.
func checkArchive(t *testing.T, c clone, a artifacts, dir, version string) string {
	t.Helper()
	entries := readTarGz(t, a.path(a.archive))
	var layout []string
	files := map[string]tarEntry{}
	for _, e := range entries {
		layout = append(layout, e.hdr.Name+" "+os.FileMode(e.hdr.Mode).String())
		files[strings.TrimPrefix(e.hdr.Name, dir+"/")] = e
		if e.hdr.Uid != 0 || e.hdr.Gid != 0 || !e.hdr.ModTime.Equal(commitDate) {
			t.Errorf("archive entry %s: owner %d:%d, time %s; want 0:0 and the commit's time %s", e.hdr.Name, e.hdr.Uid, e.hdr.Gid, e.hdr.ModTime, commitDate)
		}
	}
	wantLayout := []string{dir + "/ -rwxr-xr-x", dir + "/LICENSE -rw-r--r--", dir + "/README.md -rw-r--r--", dir + "/cams_exporter -rwxr-xr-x"}
	if !slices.Equal(layout, wantLayout) {
		t.Errorf("archive holds\n%s\nwant\n%s", strings.Join(layout, "\n"), strings.Join(wantLayout, "\n"))
	}
	for _, f := range []string{"LICENSE", "README.md"} {
		if !bytes.Equal(files[f].data, c.read(t, f)) {
			t.Errorf("the archive's %s differs from the repository's", f)
		}
	}
	if !bytes.HasPrefix(c.read(t, "LICENSE"), []byte("                                 Apache License\n                           Version 2.0, January 2004\n")) {
		t.Error("LICENSE is not the Apache License 2.0")
	}
	bin := filepath.Join(t.TempDir(), "cams_exporter")
	if err := os.WriteFile(bin, files["cams_exporter"].data, 0o755); err != nil {
		t.Fatal(err)
	}
	checkStaticBinary(t, bin, "linux", "amd64", elf.EM_X86_64)

	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("the archive's binary --version: %v\n%s", err, out)
	}
	for _, want := range []string{
		"cams_exporter, version " + version + " (branch: " + c.branch + ", revision: " + c.revision + ")\n",
		"build user:       cams_exporter-release\n",
		"build date:       " + commitDate.Format("20060102-15:04:05") + "\n",
		"platform:         linux/amd64\n",
	} {
		if !strings.Contains(string(out), want) {
			t.Errorf("--version says\n%s\nwant %q", out, want)
		}
	}
	return bin
}

// checkStaticBinary checks that bin is a static executable for the platform
// (no interpreter, no shared library), built without cgo and with -trimpath.
func checkStaticBinary(t *testing.T, bin, goos, goarch string, machine elf.Machine) {
	t.Helper()
	f, err := elf.Open(bin)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Machine != machine {
		t.Errorf("%s is for %s, want %s", bin, f.Machine, machine)
	}
	for _, p := range f.Progs {
		if p.Type == elf.PT_INTERP {
			t.Errorf("%s has an interpreter: not static", bin)
		}
	}
	if libs, _ := f.ImportedLibraries(); len(libs) > 0 {
		t.Errorf("%s needs shared libraries %v", bin, libs)
	}
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	settings := map[string]string{}
	for _, s := range info.Settings {
		settings[s.Key] = s.Value
	}
	for k, v := range map[string]string{"CGO_ENABLED": "0", "-trimpath": "true", "GOOS": goos, "GOARCH": goarch} {
		if settings[k] != v {
			t.Errorf("%s was built with %s=%q, want %q", bin, k, settings[k], v)
		}
	}
}

// checkChecksums: sha256sums.txt gives, sorted by name, the SHA-256 of
// every other file of the release, as sha256sum writes them.
func checkChecksums(t *testing.T, a artifacts) {
	b, err := os.ReadFile(a.path("sha256sums.txt"))
	if err != nil {
		t.Fatal(err)
	}
	line := regexp.MustCompile(`^([0-9a-f]{64})  (\S+)$`)
	var listed []string
	for _, l := range strings.Split(strings.TrimSuffix(string(b), "\n"), "\n") {
		m := line.FindStringSubmatch(l)
		if m == nil {
			t.Errorf("sha256sums.txt: %q is not \"<sha256>  <name>\"", l)
			continue
		}
		listed = append(listed, m[2])
		data, err := os.ReadFile(a.path(m[2]))
		if err != nil {
			t.Errorf("sha256sums.txt lists %s: %v", m[2], err)
			continue
		}
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != m[1] {
			t.Errorf("sha256sums.txt gives %s the sum %s; it is %x", m[2], m[1], sum)
		}
	}
	want := []string{a.archive, a.chart, a.deb, a.rpm, a.sbom}
	sort.Strings(want)
	if !slices.Equal(listed, want) {
		t.Errorf("sha256sums.txt lists %v, want %v in that order", listed, want)
	}
}

// checkSBOM: a CycloneDX document made by cyclonedx-gomod, at its pinned
// version, whose components are exactly the modules the binary's build
// information lists, at their versions, each the version go.mod requires,
// and the Go standard library the binary was built with.
func checkSBOM(t *testing.T, c clone, a artifacts, bin, version string) {
	var bom struct {
		BOMFormat, SpecVersion string
		Metadata               struct {
			Tools     json.RawMessage
			Component struct{ Name, Version, Type string }
		}
		Components []struct{ Name, Version, Purl string }
	}
	data, err := os.ReadFile(a.path(a.sbom))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &bom); err != nil {
		t.Fatalf("the SBOM is not JSON: %v", err)
	}
	if bom.BOMFormat != "CycloneDX" || !strings.HasPrefix(bom.SpecVersion, "1.") {
		t.Errorf("the SBOM is %q %q, want CycloneDX 1.x", bom.BOMFormat, bom.SpecVersion)
	}
	if m := bom.Metadata.Component; m.Name != "github.com/cams-exporter/cams_exporter" || m.Version != "v"+version || m.Type != "application" {
		t.Errorf("the SBOM describes %+v, want the application github.com/cams-exporter/cams_exporter v%s", m, version)
	}
	var tools any
	if err := json.Unmarshal(bom.Metadata.Tools, &tools); err != nil {
		t.Fatal(err)
	}
	if v, want := toolVersion(tools, "cyclonedx-gomod"), "v"+tooltest.Version(t, "CYCLONEDX_GOMOD_VERSION"); v != want {
		t.Errorf("the SBOM's tools %s give cyclonedx-gomod the version %q, want %s", bom.Metadata.Tools, v, want)
	}
	got := map[string]string{}
	for _, comp := range bom.Components {
		got[comp.Name] = comp.Version
		if !strings.HasPrefix(comp.Purl, "pkg:golang/"+comp.Name+"@"+comp.Version) {
			t.Errorf("SBOM component %s %s has the purl %q", comp.Name, comp.Version, comp.Purl)
		}
	}
	info, err := buildinfo.ReadFile(bin)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"std": info.GoVersion}
	required := goModRequires(t, c.read(t, "go.mod"))
	for _, dep := range info.Deps {
		want[dep.Path] = dep.Version
		if required[dep.Path] != dep.Version {
			t.Errorf("the binary holds %s %s; go.mod requires %q", dep.Path, dep.Version, required[dep.Path])
		}
	}
	if len(info.Deps) < 10 || want["github.com/prometheus/client_golang"] == "" {
		t.Fatalf("the binary's build information lists %d modules, without client_golang: %v", len(info.Deps), info.Deps)
	}
	for path, v := range want {
		if got[path] != v {
			t.Errorf("the SBOM gives %s the version %q; the binary holds %s", path, got[path], v)
		}
	}
	for path := range got {
		if _, ok := want[path]; !ok {
			t.Errorf("the SBOM lists %s, which the binary does not hold", path)
		}
	}
	t.Logf("the SBOM lists the %d modules of the binary and %s, e.g. client_golang %s as go.mod requires",
		len(info.Deps), info.GoVersion, required["github.com/prometheus/client_golang"])
}

// toolVersion finds the version of the tool named name in the SBOM's
// metadata.tools, a list of tools (CycloneDX 1.4) or of components (1.5).
func toolVersion(v any, name string) string {
	switch v := v.(type) {
	case map[string]any:
		if v["name"] == name {
			s, _ := v["version"].(string)
			return s
		}
		for _, e := range v {
			if s := toolVersion(e, name); s != "" {
				return s
			}
		}
	case []any:
		for _, e := range v {
			if s := toolVersion(e, name); s != "" {
				return s
			}
		}
	}
	return ""
}

// goModRequires reads go.mod's requirements: module path to version.
func goModRequires(t *testing.T, gomod []byte) map[string]string {
	t.Helper()
	req := map[string]string{}
	line := regexp.MustCompile(`^\s*(?:require\s+)?([a-zA-Z0-9./_~-]+)\s+(v[0-9][^\s]*)(\s*//.*)?$`)
	inBlock := false
	s := bufio.NewScanner(bytes.NewReader(gomod))
	for s.Scan() {
		l := strings.TrimSpace(s.Text())
		switch {
		case l == "require (":
			inBlock = true
		case inBlock && l == ")":
			inBlock = false
		case inBlock || strings.HasPrefix(l, "require "):
			if m := line.FindStringSubmatch(l); m != nil {
				req[m[1]] = m[2]
			}
		}
	}
	if len(req) == 0 {
		t.Fatal("go.mod requires nothing")
	}
	return req
}
