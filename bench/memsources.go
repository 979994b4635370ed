package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/cams-exporter/cams_exporter/cache"
	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/simulator"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

// sourceFlags turn the sources of issue 18 on (phone numbers, WABA,
// messaging health): the sources measure's "every source"; the templates
// measure has its own (memtemplates.go).
var sourceFlags = []string{"--collector." + phonenumbers.Name, "--collector." + waba.Name, "--collector." + messaginghealth.Name}

// Runs of the sources measure, by what is restored and how.
const (
	restoreSourcesOn  = "every source on, the cache file with their parts"
	restoreSourcesOff = "every source off, the same file without their parts"
	restoreBaseFile   = "every source off, the cache file the baseline wrote"
	firstPassSources  = "every source on, a first pass at -proc.rate calls/s each"
)

// sourceRuns are the peak RSS of each run of one kind: once serving (a
// restore) or at the end of the pass (a first pass), after the first
// scrape as Prometheus 3 makes it, and after a text scrape as well; of a
// first pass, the restore of its cache file after the first scrape.
type sourceRuns struct{ serving, scraped, text, restored []float64 }

// measureSources measures the peak RSS of restoring o.procSpaces ×
// o.procFlows spaces with every source on from a cache file that holds
// every source's part of every space (3 numbers a space with a WABA: what
// an exporter saves after hours of calls), once serving, after one scrape
// as Prometheus 3 makes it and after a text scrape; and, side by side, of
// the same file without the parts, every source off. With a baseline build
// (a release before the sources, which cannot read this file's version),
// the baseline first writes a cache file of its own first pass over the
// same spaces, and both builds restore that file too. Last, the first pass
// of every source, each at o.procRate calls/s against a simulator that
// allows more, until every source has made each of its calls.
func measureSources(ctx context.Context, o *options, dir string, builds []build) error {
	current := &builds[len(builds)-1]
	rate := strconv.FormatFloat(o.procSimRate, 'g', -1, 64)
	limits := []string{"--simulator.rate-limit=" + rate}
	for _, op := range budgetOps()[1:] {
		limits = append(limits, "--simulator.operation-rate-limit="+op.operation+"="+rate)
	}
	d, err := startDataLimited(ctx, o, current.bin, dir, o.procSpaces, o.procFlows, 0, limits)
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
	type run struct {
		b     *build
		what  string
		file  string
		flags []string
	}
	var runs []run
	if baseFile != "" {
		runs = append(runs, run{&builds[0], restoreBaseFile, baseFile, nil}, run{current, restoreBaseFile, baseFile, nil})
	}
	runs = append(runs, run{current, restoreSourcesOff, flowsFile, nil}, run{current, restoreSourcesOn, sourcesFile, sourceFlags},
		run{current, firstPassSources, "", nil})
	for rep := range o.memReps {
		for _, r := range runs {
			var f restored
			var err error
			if r.what == firstPassSources {
				f, err = sourcesFirstPass(ctx, o, dir, d, r.b.bin, want[numbersKey])
			} else {
				f, err = restoreRun(ctx, o, dir, d, r.file, r.b.bin, true, r.flags...)
			}
			if err == nil && r.what == restoreSourcesOn {
				err = checkRestoredParts(f.mv, want)
			}
			if err != nil {
				return fmt.Errorf("%s, %s: %w", r.b.name, r.what, err)
			}
			if r.b.sources == nil {
				r.b.sources = map[string]*sourceRuns{}
			}
			sr := r.b.sources[r.what]
			if sr == nil {
				sr = &sourceRuns{}
				r.b.sources[r.what] = sr
			}
			sr.serving, sr.scraped, sr.text = append(sr.serving, f.serving), append(sr.scraped, f.scraped), append(sr.text, f.text)
			fmt.Printf("   run %d, %s, %s: peak RSS %s once serving or at the end of the pass, %s after the first scrape, %s after a text scrape; heap at the first scrape: %s in use, %s allocated\n",
				rep+1, r.b.name, r.what, mbAndMiB(f.serving), mbAndMiB(f.scraped), mbAndMiB(f.text), mbAndMiB(f.mv.heapInuse), mbAndMiB(f.mv.heapAlloc))
		}
	}
	return nil
}

// sourcesFirstPass runs bin's first pass over d's spaces with every source
// on, each at o.procRate calls/s, until ListFlow's pass is over and each
// source has made every call of its pass (the simulator counts them:
// each space's numbers and WABA, then the health of each WABA and
// number), polled as Prometheus 3 scrapes; then a scrape, which must
// show every number, and a text scrape.
func sourcesFirstPass(ctx context.Context, o *options, dir string, d *procData, bin string, numbers int) (restored, error) {
	var f restored
	rate := strconv.FormatFloat(o.procRate, 'g', -1, 64)
	args := append([]string(nil), sourceFlags...)
	for _, op := range budgetOps()[1:] {
		args = append(args, "--"+op.rateFlag+"="+rate)
	}
	nodes := 0
	for _, n := range d.nodes {
		nodes += n.numbers
		if n.waba {
			nodes++
		}
	}
	before, err := simStats(ctx, d.simURL)
	if err != nil {
		return f, err
	}
	// Four passes share the machine: a longer bound than one.
	long := *o
	long.procTimeout = max(o.procTimeout, 10*time.Minute)
	r, err := startExporter(ctx, &long, bin, dir, d, "exporter-sources-first-pass.log", args...)
	if err != nil {
		return f, err
	}
	defer r.stop()
	deadline := time.Now().Add(long.procTimeout)
	for {
		st, err := simStats(ctx, d.simURL)
		if err != nil {
			return f, err
		}
		calls := func(op string) int { return st.Operations[op] - before.Operations[op] }
		if calls(client.OperationQueryPhoneNumbers) >= len(d.ids) && calls(client.OperationQueryBindWaba) >= len(d.ids) && calls(client.OperationGetHealthStatus) >= nodes {
			break
		}
		if r.exp.exited() || ctx.Err() != nil || time.Now().After(deadline) {
			return f, fmt.Errorf("the sources' first pass did not end within %s: %d, %d and %d of %d, %d and %d calls (see %s)", long.procTimeout,
				calls(client.OperationQueryPhoneNumbers), calls(client.OperationQueryBindWaba), calls(client.OperationGetHealthStatus), len(d.ids), len(d.ids), nodes, r.exp.log.Name())
		}
		var mv metricValues
		_, _ = get(ctx, r.hc, r.base+"/metrics", acceptPrometheus3, mv.scan)
		sleep(ctx, time.Second)
	}
	// The last answers are applied within a second.
	sleep(ctx, 2*time.Second)
	if f.serving, err = vmHWM(r.exp.pid()); err != nil {
		return f, err
	}
	if code, err := get(ctx, r.hc, r.base+"/metrics", acceptPrometheus3, f.mv.scan); err != nil || code != http.StatusOK {
		return f, fmt.Errorf("scrape after the pass: HTTP %d, %v", code, err)
	}
	if f.mv.phoneStates != numbers {
		return f, fmt.Errorf("the scrape after the pass shows %d series of cams_phone_number_state, the data set holds %d numbers", f.mv.phoneStates, numbers)
	}
	if f.scraped, err = vmHWM(r.exp.pid()); err != nil {
		return f, err
	}
	if code, err := get(ctx, r.hc, r.base+"/metrics", acceptText, nil); err != nil || code != http.StatusOK {
		return f, fmt.Errorf("text scrape after the pass: HTTP %d, %v", code, err)
	}
	f.text, err = vmHWM(r.exp.pid())
	return f, err
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

// addSourceRestoreRows adds measureSources's figures.
func addSourceRestoreRows(o *options, t *table, builds []build) {
	name := fmt.Sprintf("5. %s spaces × %d flows, 3 numbers a space, ", thousands(o.procSpaces), o.procFlows)
	current := builds[len(builds)-1]
	for _, b := range builds {
		for _, what := range []string{restoreBaseFile, restoreSourcesOff, restoreSourcesOn, firstPassSources} {
			runs, ok := b.sources[what]
			if !ok {
				continue
			}
			suffix := fmt.Sprintf(" (%s, median of %d)", b.name, len(runs.serving))
			first := "restore"
			if what == firstPassSources {
				first = "end of the pass"
			}
			t.add(name+what+": peak RSS, "+first+suffix, mbRuns(runs.serving), "", nil)
			if what == restoreSourcesOn && b.name == current.name {
				t.add(name+what+": peak RSS, + the first scrape"+suffix, mbRuns(runs.scraped), "<= 150 MB", ptr(median(runs.scraped) <= 150e6))
			} else {
				t.add(name+what+": peak RSS, + the first scrape"+suffix, mbRuns(runs.scraped), "", nil)
			}
			t.add(name+what+": peak RSS, + a text scrape (identity)"+suffix, mbRuns(runs.text), "", nil)
		}
	}
	ratio := func(label string, a, b *sourceRuns) {
		if a != nil && b != nil {
			t.add(name+label, fmt.Sprintf("%.2f", median(a.scraped)/median(b.scraped)), "", nil)
		}
	}
	ratio("after the first scrape: every source on / off, the restores (this tree, medians)", current.sources[restoreSourcesOn], current.sources[restoreSourcesOff])
	if len(builds) == 2 {
		base := builds[0].sources[restoreBaseFile]
		ratio("the baseline's file, after the first scrape: this tree / "+builds[0].name+" (medians)", current.sources[restoreBaseFile], base)
		ratio("after the first scrape: this tree's restore with every source on / "+builds[0].name+"'s of its file (medians)", current.sources[restoreSourcesOn], base)
	}
}
