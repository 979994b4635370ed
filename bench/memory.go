package main

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-kit/log"

	"github.com/cams-exporter/cams_exporter/cache"
	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// runMemory measures the peak RSS of the real binary, o.memReps times and
// reported as medians, side by side with the binary of the git revision
// -baseline when given (the two alternate, in one run on one machine):
//
//   - the restore of o.restoreSize spaces from a cache file: once it serves
//     (the restore is over before it listens), and after its first scrape;
//   - the first pass of o.procSpaces × o.procFlows and one scrape, without
//     and with flow info, and the ratio of the two;
//   - the restore of those spaces with the sources' parts (sources), and
//     their first pass with o.memTemplates templates a space, flows and
//     templates on, beside the same run without templates (templates).
//
// Only memory is measured: peak RSS does not depend on how busy the
// machine is, so the part does not wait for a quiet one.
func runMemory(ctx context.Context, o *options, t *table) error {
	fmt.Printf("\n== 5. memory, medians of %d runs: the restore of %s spaces from a cache file; the first pass of %s spaces × %d flows without and with flow info; the restore of those spaces with every source's parts; their first pass with %d templates a space, templates on and off (-memory.measures: %v)\n",
		o.memReps, o.restoreSize, thousands(o.procSpaces), o.procFlows, o.memTemplates, slices.Sorted(maps.Keys(o.memMeasures)))
	dir, bin, cleanup, err := workDir(ctx, o, "cams-bench-memory-")
	if err != nil {
		return err
	}
	defer cleanup()
	builds := []build{{name: "this tree", bin: bin}}
	if o.baseline != "" {
		base, err := buildRevision(ctx, o.baseline, dir)
		if err != nil {
			return err
		}
		builds = append([]build{{name: "baseline " + o.baseline, bin: base}}, builds...)
	}
	if o.memMeasures["restore"] {
		if err := measureRestores(ctx, o, dir, builds); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
	}
	if o.memMeasures["flow-info"] && ctx.Err() == nil {
		if err := measureFlowInfo(ctx, o, dir, builds); err != nil {
			return fmt.Errorf("flow info: %w", err)
		}
	}
	rows := func() {
		addMemoryRows(o, t, builds)
		addSourceRestoreRows(o, t, builds)
		addTemplateRows(o, t, builds[len(builds)-1])
	}
	if o.memMeasures["sources"] && ctx.Err() == nil {
		if err := measureSources(ctx, o, dir, builds); err != nil {
			rows()
			return fmt.Errorf("sources: %w", err)
		}
	}
	if o.memMeasures["templates"] && ctx.Err() == nil {
		if err := measureTemplates(ctx, o, dir, &builds[len(builds)-1]); err != nil {
			rows()
			return fmt.Errorf("templates: %w", err)
		}
	}
	rows()
	return nil
}

// build is one binary measured by runMemory, and what it measured.
type build struct {
	name string
	bin  string
	// per run
	restoreServing, restoreScraped []float64
	without, with, ratio           []float64
	// sources are the figures of each run of the sources measure, by what
	// it runs (restoreSourcesOn...).
	sources map[string]*sourceRuns
}

// buildRevision builds the binary of the git revision rev (git archive of
// the repository in the working directory) into dir.
func buildRevision(ctx context.Context, rev, dir string) (string, error) {
	src := filepath.Join(dir, "baseline-src")
	if err := os.MkdirAll(src, 0o755); err != nil {
		return "", err
	}
	archive := exec.CommandContext(ctx, "sh", "-c", `git archive --format=tar "$1" | tar -x -C "$2"`, "sh", rev, src)
	if out, err := archive.CombinedOutput(); err != nil {
		return "", fmt.Errorf("git archive %s: %v: %s", rev, err, out)
	}
	bin := filepath.Join(dir, "cams_exporter-baseline")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	cmd.Dir = src
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build of %s: %w", rev, err)
	}
	fmt.Printf("   built the baseline %s into %s\n", rev, bin)
	return bin, nil
}

// measureRestores writes a cache file of o.restoreSize spaces, every one
// listed in the last 5 minutes (none due: the exporter only restores and
// serves), and starts each build on a fresh copy of it, o.memReps times.
func measureRestores(ctx context.Context, o *options, dir string, builds []build) error {
	size := o.restoreSize
	d, err := startData(ctx, o, builds[len(builds)-1].bin, dir, size.spaces, size.flows)
	if err != nil {
		return err
	}
	defer d.sim.stop()
	endpoint, err := client.ResolveEndpoint("", d.simURL, false)
	if err != nil {
		return err
	}
	cacheFile := filepath.Join(dir, "restore.json")
	if err := writeRestoredCache(ctx, cacheFile, cache.Meta{Endpoint: endpoint.String()}, buildSnapshot(o.seed, size.spaces, size.flows), o.journalWrites); err != nil {
		return err
	}
	info, err := os.Stat(cacheFile)
	if err != nil {
		return err
	}
	fmt.Printf("   cache file of %s spaces: %s\n", thousands(len(d.ids)), mbAndMiB(float64(info.Size())))
	if info, err := os.Stat(cacheFile + cache.JournalSuffix); err == nil {
		fmt.Printf("   its journal, %d minutes of listings of 240 spaces: %s\n", o.journalWrites, mbAndMiB(float64(info.Size())))
	}
	for rep := range o.memReps {
		for i := range builds {
			b := &builds[i]
			serving, scraped, err := measureRestore(ctx, o, dir, d, cacheFile, b.bin)
			if err != nil {
				return fmt.Errorf("%s: %w", b.name, err)
			}
			b.restoreServing = append(b.restoreServing, serving)
			b.restoreScraped = append(b.restoreScraped, scraped)
			fmt.Printf("   run %d, %s: restore of %s spaces, peak RSS %s once serving, %s after the first scrape\n",
				rep+1, b.name, thousands(len(d.ids)), mbAndMiB(serving), mbAndMiB(scraped))
		}
	}
	return nil
}

// writeRestoredCache writes the cache file of snap at path, and appends to
// its journal the writes of the given minutes of listings: 240 spaces each,
// listed again at the time of the write, in the order a pass goes.
func writeRestoredCache(ctx context.Context, path string, meta cache.Meta, snap *snapshot.Snapshot, minutes int) error {
	w := &cache.Writer{Path: path, Meta: meta, Snapshot: func() *snapshot.Snapshot { return snap }, Logger: log.NewNopLogger()}
	if err := w.Write(ctx); err != nil {
		return err
	}
	ids := snap.SpaceIDs()
	for i := range minutes {
		changed := make(map[string]*snapshot.SpaceState, 240)
		now := time.Now()
		for k := range 240 {
			id := ids[(i*240+k)%len(ids)]
			st := *snap.Space(id)
			st.LastSuccess, st.LastAttempt = now, now
			changed[id] = &st
		}
		snap = snap.WithChanged(changed)
		if err := w.Write(ctx); err != nil {
			return err
		}
	}
	return nil
}

// measureRestore starts bin on a copy of cacheFile and returns its peak RSS
// once it answers /healthz (it listens once the restore is over) and after
// the first scrape, as Prometheus 3 makes it, that shows every space.
func measureRestore(ctx context.Context, o *options, dir string, d *procData, cacheFile, bin string) (serving, scraped float64, err error) {
	f, err := restoreRun(ctx, o, dir, d, cacheFile, bin, false)
	return f.serving, f.scraped, err
}

// restored is what restoreRun measured: peak RSS once serving, after the
// first scrape and, if asked, after a text scrape too; and what the first
// scrape showed.
type restored struct {
	serving, scraped, text float64
	mv                     metricValues
}

// restoreRun is measureRestore with extra flags for the exporter, and with
// text a scrape in the text format without compression after the first
// (what curl asks for: the exporter keeps the uncompressed text too).
func restoreRun(ctx context.Context, o *options, dir string, d *procData, cacheFile, bin string, text bool, extra ...string) (f restored, err error) {
	run := filepath.Join(dir, "restore-run.json")
	if err := copyFile(cacheFile, run); err != nil {
		return f, err
	}
	os.Remove(run + cache.JournalSuffix)
	if _, err := os.Stat(cacheFile + cache.JournalSuffix); err == nil {
		if err := copyFile(cacheFile+cache.JournalSuffix, run+cache.JournalSuffix); err != nil {
			return f, err
		}
	}
	port, err := freePort()
	if err != nil {
		return f, err
	}
	base := "http://127.0.0.1:" + strconv.Itoa(port)
	exp, err := startChild(bin, append([]string{
		"--cams.endpoint=" + d.simURL, "--cams.spaces-file=" + d.spacesFile, "--cams.page-size=100",
		"--cams.rate-limit=4", "--refresh.interval=10m", "--cache.file=" + run, "--web.listen-address=127.0.0.1:" + strconv.Itoa(port),
	}, extra...), exporterEnv(), filepath.Join(dir, "exporter-restore.log"), nil)
	if err != nil {
		return f, err
	}
	defer exp.stop()
	hc := &http.Client{Timeout: time.Minute}
	defer hc.CloseIdleConnections()
	deadline := time.Now().Add(o.procTimeout)
	for {
		if code, _ := get(ctx, hc, base+"/healthz", acceptText, nil); code == http.StatusOK {
			break
		}
		if exp.exited() || ctx.Err() != nil || time.Now().After(deadline) {
			return f, fmt.Errorf("the exporter did not serve (see %s)", exp.log.Name())
		}
		sleep(ctx, 20*time.Millisecond)
	}
	if f.serving, err = vmHWM(exp.pid()); err != nil {
		return f, err
	}
	if code, err := get(ctx, hc, base+"/metrics", acceptPrometheus3, f.mv.scan); err != nil || code != http.StatusOK {
		return f, fmt.Errorf("first scrape: HTTP %d, %v", code, err)
	}
	if f.mv.spaces != len(d.ids) {
		return f, fmt.Errorf("the first scrape shows %d spaces of the %d cached (see %s)", f.mv.spaces, len(d.ids), exp.log.Name())
	}
	if f.scraped, err = vmHWM(exp.pid()); err != nil || !text {
		return f, err
	}
	if code, err := get(ctx, hc, base+"/metrics", acceptText, nil); err != nil || code != http.StatusOK {
		return f, fmt.Errorf("text scrape: HTTP %d, %v", code, err)
	}
	f.text, err = vmHWM(exp.pid())
	return f, err
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// measureFlowInfo runs each build's first pass of o.procSpaces ×
// o.procFlows without and with flow info, o.memReps times.
func measureFlowInfo(ctx context.Context, o *options, dir string, builds []build) error {
	d, err := startData(ctx, o, builds[len(builds)-1].bin, dir, o.procSpaces, o.procFlows)
	if err != nil {
		return err
	}
	defer d.sim.stop()
	for rep := range o.memReps {
		for i := range builds {
			b := &builds[i]
			var hwm [2]float64
			for j, info := range []bool{false, true} {
				m, err := measureExporter(ctx, o, b.bin, dir, d, info)
				if err != nil {
					return fmt.Errorf("%s, flow info %v: %w", b.name, info, err)
				}
				if m.flows != d.flows {
					return fmt.Errorf("%s, flow info %v: the exporter counted %d flows, the data set holds %d", b.name, info, m.flows, d.flows)
				}
				hwm[j] = m.hwmScrape
			}
			b.without, b.with, b.ratio = append(b.without, hwm[0]), append(b.with, hwm[1]), append(b.ratio, hwm[1]/hwm[0])
			fmt.Printf("   run %d, %s: first pass of %s spaces + 1 scrape, peak RSS %s without flow info, %s with (%.2f ×)\n",
				rep+1, b.name, thousands(len(d.ids)), mbAndMiB(hwm[0]), mbAndMiB(hwm[1]), hwm[1]/hwm[0])
		}
	}
	return nil
}

// addMemoryRows adds runMemory's figures to the table: each build's
// medians (the runs in brackets), the goals held against this tree's.
func addMemoryRows(o *options, t *table, builds []build) {
	restore := fmt.Sprintf("5. restore of %s spaces from the cache file: peak RSS ", o.restoreSize)
	pass := fmt.Sprintf("5. first pass of %s spaces × %d flows + 1 scrape: peak RSS ", thousands(o.procSpaces), o.procFlows)
	for i, b := range builds {
		current := i == len(builds)-1
		goal := func(g string, pass bool) (string, *bool) {
			if !current {
				return "", nil
			}
			return g, ptr(pass)
		}
		name := fmt.Sprintf(" (%s, median of %d)", b.name, o.memReps)
		if len(b.restoreScraped) > 0 {
			t.add(restore+"once serving"+name, mbRuns(b.restoreServing), "", nil)
			g, ok := goal("<= 250 MB", median(b.restoreScraped) <= 250e6)
			t.add(restore+"after the first scrape"+name, mbRuns(b.restoreScraped), g, ok)
		}
		if len(b.with) > 0 {
			t.add(pass+"without flow info"+name, mbRuns(b.without), "", nil)
			t.add(pass+"with flow info"+name, mbRuns(b.with), "", nil)
			g, ok := goal("<= 2", median(b.ratio) <= 2)
			t.add(pass+"with / without flow info"+name, fmt.Sprintf("%.2f (%s)", median(b.ratio), joinFloats(b.ratio, "%.2f")), g, ok)
		}
	}
	if len(builds) == 2 {
		base, cur := builds[0], builds[1]
		vs := fmt.Sprintf(", this tree / %s (medians)", base.name)
		if len(cur.restoreScraped) > 0 {
			t.add(restore+"after the first scrape"+vs, fmt.Sprintf("%.2f", median(cur.restoreScraped)/median(base.restoreScraped)), "", nil)
		}
		if len(cur.with) > 0 {
			t.add(pass+"with flow info"+vs, fmt.Sprintf("%.2f", median(cur.with)/median(base.with)), "", nil)
		}
	}
}

// mbRuns is the median of runs in MB, and each run in brackets.
func mbRuns(runs []float64) string {
	mb := make([]float64, len(runs))
	for i, r := range runs {
		mb[i] = r / 1e6
	}
	return fmt.Sprintf("%s (%s)", mbAndMiB(median(runs)), joinFloats(mb, "%.1f"))
}

func joinFloats(xs []float64, format string) string {
	s := make([]string, len(xs))
	for i, x := range xs {
		s[i] = fmt.Sprintf(format, x)
	}
	return strings.Join(s, ", ")
}
