package main

import (
	"runtime/debug"
	"strings"
)

// moduleVersion is the version the exporter reports: the one set at link
// time (make build, the Docker image), else the main module's version in
// the build info, which go build (Go 1.24 and later) takes from version
// control: a tag such as v1.2.0, or a pseudo-version such as
// v0.0.0-20261130041500-75b5fb3d4912 (+dirty with local changes); else "dev".
// The revision needs no such help: prometheus/common/version reads
// vcs.revision from the build info when -ldflags leaves it empty.
func moduleVersion(linked string, info *debug.BuildInfo, ok bool) string {
	switch {
	case linked != "":
		return linked
	case ok && info.Main.Version != "" && info.Main.Version != "(devel)":
		return strings.TrimPrefix(info.Main.Version, "v")
	}
	return "dev"
}
