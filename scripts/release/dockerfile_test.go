package main

import (
	"bytes"
	"debug/buildinfo"
	"debug/elf"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// instruction is one instruction of a Dockerfile, its continuation lines
// joined.
type instruction struct {
	name, args string
}

// dockerStages reads the Dockerfile into its stages, each from its FROM.
func dockerStages(t *testing.T) [][]instruction {
	t.Helper()
	var stages [][]instruction
	var line strings.Builder
	for _, l := range strings.Split(string(readFile(t, filepath.Join(repoRoot, "Dockerfile"))), "\n") {
		trimmed := strings.TrimSpace(l)
		if line.Len() == 0 && (trimmed == "" || strings.HasPrefix(trimmed, "#")) {
			continue
		}
		if strings.HasSuffix(trimmed, `\`) {
			line.WriteString(strings.TrimSuffix(trimmed, `\`) + " ")
			continue
		}
		line.WriteString(trimmed)
		name, args, _ := strings.Cut(line.String(), " ")
		line.Reset()
		in := instruction{name: strings.ToUpper(name), args: strings.TrimSpace(args)}
		if in.name == "FROM" {
			stages = append(stages, nil)
		}
		if len(stages) == 0 {
			t.Fatalf("Dockerfile: %s before the first FROM", in.name)
		}
		stages[len(stages)-1] = append(stages[len(stages)-1], in)
	}
	if len(stages) != 2 {
		t.Fatalf("the Dockerfile has %d stages, want a build stage and the image", len(stages))
	}
	return stages
}

func find(stage []instruction, name string) []instruction {
	var out []instruction
	for _, in := range stage {
		if in.name == name {
			out = append(out, in)
		}
	}
	return out
}

// The build stage runs on the build machine's platform, with the Go of
// go.mod, and its go build cross-compiles for the target platform
// (TARGETOS, TARGETARCH, TARGETVARIANT): run here, outside Docker, as
// BuildKit runs it for linux/amd64 and linux/arm/v7, it makes a static
// binary of each platform, stamped with VERSION's version and the revision,
// branch and date passed; it refuses a VERSION build argument other than
// the VERSION file's.
func TestDockerfileCrossCompilesEveryPlatform(t *testing.T) {
	build := dockerStages(t)[0]
	goVersion := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(readFile(t, filepath.Join(repoRoot, "go.mod")))
	if want := "--platform=$BUILDPLATFORM golang:" + string(goVersion[1]) + " AS build"; build[0].args != want {
		t.Errorf("the build stage is FROM %s, want FROM %s (the build machine's platform, go.mod's Go)", build[0].args, want)
	}
	var goBuild string
	for _, in := range find(build, "RUN") {
		if strings.Contains(in.args, "go build") {
			goBuild = in.args
		}
	}
	if goBuild == "" {
		t.Fatal("the build stage has no RUN with go build")
	}
	declared := map[string]bool{}
	for _, in := range find(build, "ARG") {
		for _, a := range strings.Fields(in.args) {
			name, _, _ := strings.Cut(a, "=")
			declared[name] = true
		}
	}
	for _, a := range []string{"TARGETOS", "TARGETARCH", "TARGETVARIANT", "VERSION", "REVISION", "BRANCH", "CREATED"} {
		if !declared[a] {
			t.Errorf("the build stage does not declare ARG %s, which its RUN would not see", a)
		}
	}

	version := strings.TrimSpace(string(readFile(t, filepath.Join(repoRoot, "VERSION"))))
	const revision, branch, created = "0123456789abcdef0123456789abcdef01234567", "release-1.0", "2026-12-06T12:34:56Z"
	args := map[string]string{"VERSION": version, "REVISION": revision, "BRANCH": branch, "CREATED": created}
	for _, tc := range []struct {
		platform      string
		os, arch, arm string
		machine       elf.Machine
	}{
		{"linux/amd64", "linux", "amd64", "", elf.EM_X86_64},
		{"linux/arm/v7", "linux", "arm", "v7", elf.EM_ARM},
	} {
		t.Run(tc.platform, func(t *testing.T) {
			out := t.TempDir()
			target := map[string]string{"TARGETOS": tc.os, "TARGETARCH": tc.arch, "TARGETVARIANT": tc.arm}
			if stderr, err := runDockerRun(t, goBuild, out, args, target); err != nil {
				t.Fatalf("the Dockerfile's go build for %s: %v\n%s", tc.platform, err, stderr)
			}
			bin := filepath.Join(out, "cams_exporter")
			checkStaticBinary(t, bin, tc.os, tc.arch, tc.machine)
			info, err := buildinfo.ReadFile(bin)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range info.Settings {
				if s.Key == "GOARM" && s.Value != strings.TrimPrefix(tc.arm, "v") {
					t.Errorf("built with GOARM=%s for %s", s.Value, tc.platform)
				}
			}
			if tc.arch != "amd64" {
				return
			}
			got, err := exec.Command(bin, "--version").CombinedOutput()
			if err != nil {
				t.Fatalf("--version: %v\n%s", err, got)
			}
			for _, want := range []string{"version " + version + " (branch: " + branch + ", revision: " + revision + ")", "build date:       " + created + "\n"} {
				if !strings.Contains(string(got), want) {
					t.Errorf("--version says\n%s\nwant %q", got, want)
				}
			}
		})
	}
	for _, wrong := range []string{"", "9.9.9"} {
		t.Run("VERSION="+wrong, func(t *testing.T) {
			bad := map[string]string{"VERSION": wrong, "REVISION": revision}
			stderr, err := runDockerRun(t, goBuild, t.TempDir(), bad, map[string]string{"TARGETOS": "linux", "TARGETARCH": "amd64"})
			if err == nil {
				t.Fatalf("the Dockerfile's build accepts the VERSION build argument %q; the file says %s", wrong, version)
			}
			if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "pass --build-arg VERSION=$(cat VERSION)") {
				t.Errorf("the refusal says %q, want one line naming --build-arg VERSION=$(cat VERSION)", stderr)
			}
		})
	}
}

// runDockerRun runs a RUN instruction with sh in the repository, as the
// build context, with the build arguments in its environment and /out/
// replaced by out.
func runDockerRun(t *testing.T, run, out string, buildArgs, target map[string]string) (string, error) {
	t.Helper()
	cmd := exec.Command("sh", "-c", strings.ReplaceAll(run, "/out/", out+"/"))
	cmd.Dir = repoRoot
	cmd.Env = os.Environ()
	for _, m := range []map[string]string{buildArgs, target} {
		for k, v := range m {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatal(err)
	}
	return stderr.String(), err
}

// The image is distroless static, runs the binary as a non-root user, and
// carries the OCI labels, each ${ARG} of them declared in its stage; `make
// image` builds the release's Linux platforms with the version, revision
// and date.
func TestDockerfileImage(t *testing.T) {
	image := dockerStages(t)[1]
	if from := image[0].args; !regexp.MustCompile(`^gcr\.io/distroless/static-debian\d+:nonroot$`).MatchString(from) {
		t.Errorf("the image is FROM %s, want distroless static nonroot", from)
	}
	if runs := find(image, "RUN"); len(runs) > 0 {
		t.Errorf("the image stage runs %q: distroless has no shell", runs[0].args)
	}
	for name, want := range map[string]string{"USER": "65532:65532", "ENTRYPOINT": `["/cams_exporter"]`, "EXPOSE": "9949"} {
		if got := find(image, name); len(got) != 1 || got[0].args != want {
			t.Errorf("the image's %s is %v, want %s", name, got, want)
		}
	}
	if copies := find(image, "COPY"); !slices.ContainsFunc(copies, func(in instruction) bool { return in.args == "--from=build /out/cams_exporter /cams_exporter" }) {
		t.Errorf("the image copies %v, not the build's /out/cams_exporter", copies)
	}

	labels := map[string]string{}
	for _, in := range find(image, "LABEL") {
		for _, m := range regexp.MustCompile(`([a-z.]+)="([^"]*)"`).FindAllStringSubmatch(in.args, -1) {
			labels[m[1]] = m[2]
		}
	}
	for key, want := range map[string]string{
		"org.opencontainers.image.title": "cams_exporter", "org.opencontainers.image.version": "${VERSION}",
		"org.opencontainers.image.revision": "${REVISION}", "org.opencontainers.image.created": "${CREATED}",
		"org.opencontainers.image.licenses": "Apache-2.0", "org.opencontainers.image.source": "https://github.com/cams-exporter/cams_exporter",
	} {
		if labels[key] != want {
			t.Errorf("the image's label %s is %q, want %q", key, labels[key], want)
		}
	}
	declared := map[string]bool{}
	for _, in := range find(image, "ARG") {
		name, _, _ := strings.Cut(in.args, "=")
		declared[name] = true
	}
	for key, value := range labels {
		for _, m := range regexp.MustCompile(`\$\{(\w+)\}`).FindAllStringSubmatch(value, -1) {
			if !declared[m[1]] {
				t.Errorf("the label %s uses ${%s}, which the image stage does not declare (ARG): it would be empty", key, m[1])
			}
		}
	}

	version := strings.TrimSpace(string(readFile(t, filepath.Join(repoRoot, "VERSION"))))
	revision := command(t, repoRoot, "git", "rev-parse", "HEAD")
	var linux []string
	for _, p := range allPlatforms {
		if p.os == "linux" {
			linux = append(linux, p.String())
		}
	}
	makeImage := strings.Join(strings.Fields(strings.ReplaceAll(command(t, repoRoot, "make", "-n", "image"), "\\\n", " ")), " ")
	for _, want := range []string{"docker buildx build --platform " + strings.Join(linux, ","), "--build-arg VERSION=" + version,
		"--build-arg REVISION=" + strings.TrimSpace(revision), "--build-arg CREATED="} {
		if !strings.Contains(makeImage, want) {
			t.Errorf("make image runs\n%s\nwant %q", makeImage, want)
		}
	}
}
