package main

import (
	"github.com/prometheus/common/version"
	"github.com/prometheus/exporter-toolkit/web"
)

// demoBanner tells whoever opens the landing page of --demo that nothing on
// it comes from a CAMS account.
const demoBanner = `<p id="demo"><strong>Demo mode:</strong> every figure here comes from a built-in CAMS simulator ` +
	`with generated spaces and flows, not from a CAMS account. Run without <code>--demo</code> to watch your own.</p>`

// newLandingPage builds the page served at /: the exporter's own links and
// no profiling links, since the exporter serves no /debug/pprof.
func newLandingPage(o *exporterOptions) (*web.LandingPageHandler, error) {
	cfg := web.LandingConfig{
		Name:        "CAMS Exporter",
		Description: "Prometheus exporter and health checker for Alibaba Cloud Chat App Message Service flows",
		Version:     version.Info(),
		Profiling:   "false",
		Links: []web.LandingLinks{
			{Address: o.telemetryPath, Text: "Metrics"},
			{Address: "/status", Text: "Status", Description: "each space's last refresh: a page to read in a browser, JSON for other clients"},
			{Address: "/readyz", Text: "Readiness"},
			{Address: "/healthz", Text: "Health"},
		},
	}
	if o.demo {
		cfg.Name = "CAMS Exporter (demo)"
		cfg.ExtraHTML = demoBanner
	}
	return web.NewLandingPage(cfg)
}
