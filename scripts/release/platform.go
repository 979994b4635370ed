package main

import (
	"fmt"
	"strings"
)

// platform is one target of a release: GOOS, GOARCH and, for arm, GOARM.
type platform struct {
	os, arch, arm string
}

// allPlatforms are those of a release, in the names Docker gives them.
var allPlatforms = []platform{
	{os: "linux", arch: "amd64"},
	{os: "linux", arch: "arm64"},
	{os: "linux", arch: "arm", arm: "7"},
	{os: "darwin", arch: "amd64"},
	{os: "darwin", arch: "arm64"},
	{os: "windows", arch: "amd64"},
}

// String is Docker's name of the platform: linux/arm/v7.
func (p platform) String() string {
	if p.arm != "" {
		return p.os + "/" + p.arch + "/v" + p.arm
	}
	return p.os + "/" + p.arch
}

// archName is the architecture in the names of the archives, as the
// Prometheus projects write it: amd64, arm64, armv7.
func (p platform) archName() string {
	if p.arm != "" {
		return "armv" + p.arm
	}
	return p.arch
}

// dirName is the archive's name without its extension, and the name of
// the directory it holds: cams_exporter-0.1.0.linux-armv7.
func (p platform) dirName(version string) string {
	return "cams_exporter-" + version + "." + p.os + "-" + p.archName()
}

// binaryName is cams_exporter, with .exe on windows.
func (p platform) binaryName() string {
	if p.os == "windows" {
		return "cams_exporter.exe"
	}
	return "cams_exporter"
}

// nfpmArch is nfpm's name of a Linux architecture, which it translates for
// each packager (arm7: armhf for deb, armv7hl for rpm).
func (p platform) nfpmArch() string {
	return p.arch + p.arm
}

func platformNames(ps []platform) []string {
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.String()
	}
	return names
}

// parsePlatforms reads a comma-separated list of platforms of a release.
func parsePlatforms(s string) ([]platform, error) {
	var out []platform
	seen := map[platform]bool{}
	for _, name := range strings.Split(s, ",") {
		name = strings.TrimSpace(name)
		p, ok := findPlatform(name)
		switch {
		case !ok:
			return nil, fmt.Errorf("-platforms: %q is not a platform of a release (%s)", name, strings.Join(platformNames(allPlatforms), ", "))
		case seen[p]:
			return nil, fmt.Errorf("-platforms: %s is given twice", name)
		}
		seen[p] = true
		out = append(out, p)
	}
	return out, nil
}

func findPlatform(name string) (platform, bool) {
	for _, p := range allPlatforms {
		if p.String() == name {
			return p, true
		}
	}
	return platform{}, false
}
