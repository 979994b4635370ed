package main

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/cache"
	"github.com/cams-exporter/cams_exporter/client"
)

// The templates a listing kept survive a restart through the cache file:
// served at once, before any call, with the budget of problem series
// granted again as before (a budget of 1: the shop's first problem
// template in key order, otp, has its series; receipt is folded).
func TestTemplatesSurviveARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cams.cache")
	on := append([]string{"--collector.templates", "--templates.max-problem-series=1", "--cache.file=" + path}, sourceRateFlags()...)
	spaces := []string{"--cams.space=cs-shop", "--cams.space=cs-unbound"}
	h := newHarness(t, accountData(), slices.Concat(spaces, on)...)
	h.refresh()
	h.exp.engine.RunOnce(context.Background())
	want := map[string]float64{
		`cams_templates{audit_status="paused",space="cs-shop"}`:                                                                         1,
		`cams_templates{audit_status="fail",space="cs-shop"}`:                                                                           1,
		`cams_templates{audit_status="pass",space="cs-unbound"}`:                                                                        0,
		`cams_template_problem_info{audit_status="paused",category="AUTHENTICATION",language="en",space="cs-shop",template_code="otp"}`: 1,
		`cams_template_problem_series_folded{}`:                                                                                         1,
		`cams_collector_space_up{collector="templates",space="cs-shop"}`:                                                                1,
	}
	checkSeries(t, h.scrape(), want)
	if err := cache.Save(path, h.exp.cacheMeta(), h.exp.engine.Snapshot(), time.Now()); err != nil {
		t.Fatal(err)
	}

	creds := client.StaticCredentials{AccessKeyID: testKeyID, AccessKeySecret: testKeySecret}
	endpoint := []string{"--cams.endpoint=" + h.opts.endpoint, "--cams.rate-limit=500", "--refresh.interval=1m"}
	restarted := newHarnessWith(t, h.sim, creds, slices.Concat(endpoint, spaces, on)...)
	got := restarted.scrape()
	checkSeries(t, got, want)
	for k, v := range got {
		if strings.HasPrefix(k, "cams_template_problem_info") && strings.Contains(k, "receipt") {
			t.Errorf("the folded template has its series after the restart: %s", k)
		}
		if strings.HasPrefix(k, `cams_api_requests_total{operation="ListChatappTemplate"}`) && v != 0 {
			t.Errorf("%s = %v before the restarted exporter ran: the restore called CAMS", k, v)
		}
	}
}
