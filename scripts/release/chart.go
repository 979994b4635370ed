package main

import (
	"context"
	"os"
	"path/filepath"
)

// chartDir is the Helm chart a release packages.
const chartDir = "charts/cams-exporter"

var chartYAML = filepath.Join(chartDir, "Chart.yaml")

// packageChart packages the chart into dist with helm, which follows the
// links of files/ to the rules and the dashboard. Helm's configuration and
// cache are directories of the release's own, not the user's.
func packageChart(ctx context.Context, t tools, work, dist string) (string, error) {
	before, err := os.ReadDir(dist)
	if err != nil {
		return "", err
	}
	home := filepath.Join(work, "helm")
	env := []string{
		"HELM_CONFIG_HOME=" + filepath.Join(home, "config"),
		"HELM_CACHE_HOME=" + filepath.Join(home, "cache"),
		"HELM_DATA_HOME=" + filepath.Join(home, "data"),
	}
	if _, err := runTool(ctx, env, t.helm, "package", chartDir, "--destination", dist); err != nil {
		return "", err
	}
	return newFile(before, dist, ".tgz")
}
