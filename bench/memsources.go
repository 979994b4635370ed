package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/cams-exporter/cams_exporter/cache"
	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/simulator"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

// sourceFlags turn every source of the engine on.
var sourceFlags = []string{"--collector." + phonenumbers.Name, "--collector." + waba.Name, "--collector." + messaginghealth.Name}

// Restores of the sources measure, by what is restored and how.
const (
	restoreSourcesOn  = "every source on, the cache file with their parts"
	restoreSourcesOff = "every source off, the same file without their parts"
	restoreBaseFile   = "every source off, the cache file the baseline wrote"
)

// measureSourceRestores measures the peak RSS of restoring o.procSpaces ×
// o.procFlows spaces with every source on from a cache file that holds
// every source's part of every space (3 numbers a space with a WABA: what
// an exporter saves after hours of calls), once serving and after one
// scrape as Prometheus 3 makes it; and, side by side, of the same file
// without the parts, every source off. With a baseline build (a release
// before the sources, which cannot read this file's version), the baseline
// first writes a cache file of its own first pass over the same spaces,
// and both builds restore that file too.
func measureSourceRestores(ctx context.Context, o *options, dir string, builds []build) error {
	current := &builds[len(builds)-1]
	d, err := startData(ctx, o, current.bin, dir, o.procSpaces, o.procFlows)
	if err != nil {
		return err
	}
	defer d.sim.stop()
	endpoint, err := client.ResolveEndpoint("", d.simURL, false)
	if err != nil {
		return err
	}
	meta := cache.Meta{Endpoint: endpoint.String()}
	snap := buildSnapshot(o.seed, o.procSpaces, o.procFlows)
	flowsFile, sourcesFile := filepath.Join(dir, "flows.json"), filepath.Join(dir, "sources.json")
	if err := cache.Save(flowsFile, meta, snap, time.Now()); err != nil {
		return err
	}
	// Called a minute ago: nothing is due, the exporter restores and serves.
	full := withAccountParts(snap, simulator.Generate(o.seed, o.procSpaces, o.procFlows), time.Now().Add(-time.Minute))
	if err := cache.Save(sourcesFile, meta, full, time.Now()); err != nil {
		return err
	}
	want := restoredParts(full)
	for _, f := range []string{flowsFile, sourcesFile} {
		info, err := os.Stat(f)
		if err != nil {
			return err
		}
		fmt.Printf("   cache file %s: %s\n", filepath.Base(f), mbAndMiB(float64(info.Size())))
	}
	fmt.Printf("   parts in %s: %v\n", filepath.Base(sourcesFile), want)
	snap, full = nil, nil
	var baseFile string
	if len(builds) == 2 {
		if baseFile, err = firstPassCache(ctx, o, dir, d, builds[0].bin); err != nil {
			return fmt.Errorf("%s: %w", builds[0].name, err)
		}
	}
	type restore struct {
		b     *build
		what  string
		file  string
		flags []string
	}
	var restores []restore
	if baseFile != "" {
		restores = append(restores, restore{&builds[0], restoreBaseFile, baseFile, nil}, restore{current, restoreBaseFile, baseFile, nil})
	}
	restores = append(restores, restore{current, restoreSourcesOff, flowsFile, nil}, restore{current, restoreSourcesOn, sourcesFile, sourceFlags})
	for rep := range o.memReps {
		for _, r := range restores {
			serving, scraped, mv, err := restoreRun(ctx, o, dir, d, r.file, r.b.bin, r.flags...)
			if err != nil {
				return fmt.Errorf("%s, %s: %w", r.b.name, r.what, err)
			}
			if r.what == restoreSourcesOn {
				if err := checkRestoredParts(mv, want); err != nil {
					return err
				}
			}
			if r.b.sourceRestores == nil {
				r.b.sourceRestores = map[string][2][]float64{}
			}
			runs := r.b.sourceRestores[r.what]
			r.b.sourceRestores[r.what] = [2][]float64{append(runs[0], serving), append(runs[1], scraped)}
			fmt.Printf("   run %d, %s, %s: peak RSS %s once serving, %s after the first scrape\n",
				rep+1, r.b.name, r.what, mbAndMiB(serving), mbAndMiB(scraped))
		}
	}
	return nil
}

// restoredParts counts the parts of each source of snap, and under
// numbersKey the numbers of the phone-numbers parts.
func restoredParts(snap *snapshot.Snapshot) map[string]int {
	want := map[string]int{}
	for _, st := range snap.Sources() {
		want[st.Name] = st.Len()
		if st.Name == phonenumbers.Name {
			for _, p := range st.All() {
				want[numbersKey] += len(phonenumbers.Of(p.Data))
			}
		}
	}
	return want
}

// numbersKey counts the numbers in restoredParts.
const numbersKey = "numbers"

// checkRestoredParts checks that the exporter restored every source's
// parts, as many spaces up or down as the file holds parts, and that its
// scrape shows their series: a cams_phone_number_state series a number.
func checkRestoredParts(mv metricValues, want map[string]int) error {
	if mv.phoneStates != want[numbersKey] {
		return fmt.Errorf("the first scrape shows %d series of cams_phone_number_state, the cache file holds %d numbers", mv.phoneStates, want[numbersKey])
	}
	for name, n := range want {
		if name == numbersKey {
			continue
		}
		got := mv.collectorSpaces[`{collector="`+name+`",state="up"}`] + mv.collectorSpaces[`{collector="`+name+`",state="down"}`]
		if int(got) != n {
			return fmt.Errorf("collector %s: the first scrape shows %.0f spaces up or down, the cache file holds %d parts: the exporter did not restore them", name, got, n)
		}
	}
	return nil
}

// firstPassCache runs bin's first pass over d's spaces with a cache file,
// stops it (it writes the file as it stops) and returns the file.
func firstPassCache(ctx context.Context, o *options, dir string, d *procData, bin string) (string, error) {
	file := filepath.Join(dir, "baseline-first-pass.json")
	r, err := startExporter(ctx, o, bin, dir, d, "exporter-baseline-first-pass.log", "--cache.file="+file)
	if err != nil {
		return "", err
	}
	r.stop()
	info, err := os.Stat(file)
	if err != nil {
		return "", fmt.Errorf("no cache file after its first pass: %w", err)
	}
	fmt.Printf("   the baseline's cache file after its first pass: %s\n", mbAndMiB(float64(info.Size())))
	return file, nil
}

// addSourceRestoreRows adds measureSourceRestores's figures.
func addSourceRestoreRows(o *options, t *table, builds []build) {
	name := fmt.Sprintf("5. restore of %s spaces × %d flows, 3 numbers a space, ", thousands(o.procSpaces), o.procFlows)
	current := builds[len(builds)-1]
	for _, b := range builds {
		for _, what := range []string{restoreBaseFile, restoreSourcesOff, restoreSourcesOn} {
			runs, ok := b.sourceRestores[what]
			if !ok {
				continue
			}
			suffix := fmt.Sprintf(" (%s, median of %d)", b.name, len(runs[0]))
			t.add(name+what+": peak RSS once serving"+suffix, mbRuns(runs[0]), "", nil)
			if what == restoreSourcesOn && b.name == current.name {
				t.add(name+what+": peak RSS after the first scrape"+suffix, mbRuns(runs[1]), "<= 150 MB", ptr(median(runs[1]) <= 150e6))
			} else {
				t.add(name+what+": peak RSS after the first scrape"+suffix, mbRuns(runs[1]), "", nil)
			}
		}
	}
	on, off := current.sourceRestores[restoreSourcesOn], current.sourceRestores[restoreSourcesOff]
	if len(on[1]) > 0 && len(off[1]) > 0 {
		t.add(name+"after the first scrape: every source on / off (this tree, medians)", fmt.Sprintf("%.2f", median(on[1])/median(off[1])), "", nil)
	}
	if len(builds) == 2 {
		base, cur := builds[0].sourceRestores[restoreBaseFile], current.sourceRestores[restoreBaseFile]
		if len(base[1]) > 0 && len(cur[1]) > 0 {
			t.add(name+"the baseline's file, after the first scrape: this tree / "+builds[0].name+" (medians)", fmt.Sprintf("%.2f", median(cur[1])/median(base[1])), "", nil)
		}
		if len(base[1]) > 0 && len(on[1]) > 0 {
			t.add(name+"after the first scrape: this tree with every source on / "+builds[0].name+" (medians)", fmt.Sprintf("%.2f", median(on[1])/median(base[1])), "", nil)
		}
	}
}
