package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// nfpmConfig describes the packages: the files, their modes, the scripts.
const nfpmConfig = "packaging/nfpm.yaml"

// writePackage makes the deb or rpm of a Linux platform with nfpm, named
// as the packager's conventions say (cams-exporter_0.1.0_amd64.deb,
// cams-exporter-0.1.0-1.x86_64.rpm), and returns its name.
func writePackage(ctx context.Context, t tools, src source, p platform, packager, bin, dist string) (string, error) {
	before, err := os.ReadDir(dist)
	if err != nil {
		return "", err
	}
	env := []string{
		"CAMS_VERSION=" + src.version,
		"CAMS_ARCH=" + p.nfpmArch(),
		"CAMS_BINARY=" + bin,
		"SOURCE_DATE_EPOCH=" + strconv.FormatInt(src.date.Unix(), 10),
	}
	if _, err := runTool(ctx, env, t.nfpm, "package", "--config", nfpmConfig, "--packager", packager, "--target", dist+string(filepath.Separator)); err != nil {
		return "", err
	}
	return newFile(before, dist, "."+packager)
}

// newFile is the one file with the extension in dir that was not in
// before.
func newFile(before []os.DirEntry, dir, ext string) (string, error) {
	had := map[string]bool{}
	for _, e := range before {
		had[e.Name()] = true
	}
	after, err := os.ReadDir(dir)
	if err != nil {
		return "", err
	}
	var made []string
	for _, e := range after {
		if !had[e.Name()] && strings.HasSuffix(e.Name(), ext) {
			made = append(made, e.Name())
		}
	}
	if len(made) != 1 {
		return "", fmt.Errorf("expected one new %s file in %s, found %v", ext, dir, made)
	}
	return made[0], nil
}
