package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/cache"
	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// A collector's part of a space that left the list, saved in the cache
// during its grace, is restored retained with the time it left: not
// served on /metrics or /status (the space is not watched), not counted
// among the collector's spaces. Restarted with the space back in the list,
// the exporter serves its part at once.
func TestRestoredRetainedPartIsNotServed(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cams.cache")
	on := append([]string{"--collector.waba", "--cache.file=" + path}, sourceRateFlags()...)
	h := newHarness(t, accountData(), append([]string{"--cams.space=cs-shop", "--cams.space=cs-unbound"}, on...)...)
	h.refresh()
	h.exp.engine.RunOnce(context.Background())
	snap := h.exp.engine.Snapshot()
	states := slices.Clone(snap.Sources())
	left := time.Now().Add(-10 * time.Minute).UTC().Truncate(time.Second)
	var unbound *snapshot.SpacePart
	for i, st := range states {
		if st.Name == "waba" {
			unbound = st.Part("cs-unbound")
			states[i] = st.WithParts(map[string]*snapshot.SpacePart{"cs-unbound": nil}).
				WithRetained(map[string]*snapshot.KeptPart{"cs-unbound": {Part: unbound, RetainedSince: left}})
		}
	}
	if unbound == nil {
		t.Fatal("no WABA part of cs-unbound to save")
	}
	if err := cache.Save(path, h.exp.cacheMeta(), snap.WithSources(states), time.Now()); err != nil {
		t.Fatal(err)
	}

	creds := client.StaticCredentials{AccessKeyID: testKeyID, AccessKeySecret: testKeySecret}
	endpoint := []string{"--cams.endpoint=" + h.opts.endpoint, "--cams.rate-limit=500", "--refresh.interval=1m"}
	without := newHarnessWith(t, h.sim, creds, slices.Concat(endpoint, []string{"--cams.space=cs-shop"}, on)...)
	st := without.exp.engine.Runner("waba").State()
	if k := st.RetainedPart("cs-unbound"); k == nil || !k.RetainedSince.Equal(left) || st.Len() != 1 || st.Part("cs-unbound") != nil {
		t.Fatalf("restored: %d parts, cs-unbound retained as %+v; want cs-shop's part alone, cs-unbound retained since %v", st.Len(), k, left)
	}
	got := without.scrape()
	for k := range got {
		if strings.Contains(k, `space="cs-unbound"`) {
			t.Errorf("/metrics serves %s of a space not watched", k)
		}
	}
	checkSeries(t, got, map[string]float64{
		`cams_waba_bound{space="cs-shop"}`:                     1,
		`cams_collector_spaces{collector="waba",state="up"}`:   1,
		`cams_collector_spaces{collector="waba",state="down"}`: 0,
	})
	status, body := without.get("/status")
	var parsed map[string]any
	if status != 200 || json.Unmarshal([]byte(body), &parsed) != nil {
		t.Fatalf("/status = %d", status)
	}
	if strings.Contains(body, "cs-unbound") {
		t.Errorf("/status names cs-unbound, which is not watched")
	}

	with := newHarnessWith(t, h.sim, creds, slices.Concat(endpoint, []string{"--cams.space=cs-shop", "--cams.space=cs-unbound"}, on)...)
	checkSeries(t, with.scrape(), map[string]float64{
		`cams_waba_bound{space="cs-unbound"}`:                          0,
		`cams_collector_spaces{collector="waba",state="up"}`:           2,
		`cams_collector_space_up{collector="waba",space="cs-unbound"}`: 1,
	})
	if p := with.exp.engine.Runner("waba").State().Part("cs-unbound"); p == nil || !p.LastAttempt.Equal(unbound.LastAttempt) {
		t.Errorf("cs-unbound back: part %+v, want the one saved (last attempt %v)", p, unbound.LastAttempt)
	}
}
