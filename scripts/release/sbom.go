package main

import (
	"context"
	"path/filepath"
)

// sbomName is the SBOM of p's archive: its name with .sbom.cdx.json, the
// extension CycloneDX recommends.
func sbomName(src source, p platform) string {
	return p.dirName(src.version) + ".sbom.cdx.json"
}

// writeSBOM writes a CycloneDX SBOM (JSON) of the modules built into bin,
// read by cyclonedx-gomod from the binary's build information: every
// module with its version and hash, and the Go standard library. Without a
// serial number or a timestamp, so that one commit gives one SBOM.
func writeSBOM(ctx context.Context, t tools, src source, p platform, bin, dist string) (string, error) {
	name := sbomName(src, p)
	_, err := runTool(ctx, nil, t.cyclonedx, "bin", "-json", "-std", "-noserial", "-notimestamp",
		"-version", "v"+src.version, "-output", filepath.Join(dist, name), bin)
	return name, err
}
