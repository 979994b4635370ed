package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/cams-exporter/cams_exporter/cache"
	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/sources/templates"
)

// Runs of the templates measure.
const (
	templatesOff = "flows alone (templates off), the same data set"
	templatesOn  = "flows and templates on, a first pass of each at -proc.rate calls/s"
)

// measureTemplates measures the peak RSS of the first pass of o.procSpaces
// × o.procFlows with o.memTemplates templates a space with a WABA, flows
// and templates on, each at o.procRate calls/s against a simulator that
// allows o.procSimRate of each, until every space's flows and templates
// are listed, polled every second as Prometheus 3 scrapes; then after a
// scrape as Prometheus 3 makes it, which must show every template, and
// after a text scrape; then the restore of the cache file that pass left,
// until its first scrape (every template served before any call). Side by side, alternating, o.memReps times: the
// same run without templates (the baseline). This tree only: a
// build before the templates source has no --collector.templates.
//
// At the default rate the templates' first pass takes 2 hours (30,000 pages
// at 4 a second); this one takes about a minute. It holds every template,
// as a live exporter does at the end of its first pass, and makes more
// garbage a second than one at 4 calls/s.
func measureTemplates(ctx context.Context, o *options, dir string, b *build) error {
	rate := strconv.FormatFloat(o.procSimRate, 'g', -1, 64)
	limits := []string{"--simulator.rate-limit=" + rate, "--simulator.operation-rate-limit=" + client.OperationListTemplates + "=" + rate}
	d, err := startDataLimited(ctx, o, b.bin, dir, o.procSpaces, o.procFlows, o.memTemplates, limits)
	if err != nil {
		return err
	}
	defer d.sim.stop()
	fmt.Printf("   data set: %s spaces, %s flows, %s templates in the spaces with a WABA\n", thousands(len(d.ids)), thousands(d.flows), thousands(d.templates))
	if b.sources == nil {
		b.sources = map[string]*sourceRuns{}
	}
	for rep := range o.memReps {
		for _, on := range []bool{false, true} {
			cacheFile := filepath.Join(dir, "templates-"+onOff(on)+".json")
			// A first pass: no cache file of an earlier run.
			for _, f := range []string{cacheFile, cacheFile + cache.JournalSuffix} {
				if err := os.Remove(f); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return err
				}
			}
			f, err := templatesFirstPass(ctx, o, dir, d, b.bin, on, cacheFile)
			if err != nil {
				return fmt.Errorf("templates %s: %w", onOff(on), err)
			}
			restore, err := templatesRestore(ctx, o, dir, d, b.bin, on, cacheFile)
			if err != nil {
				return fmt.Errorf("templates %s, the restore: %w", onOff(on), err)
			}
			what := map[bool]string{false: templatesOff, true: templatesOn}[on]
			sr := b.sources[what]
			if sr == nil {
				sr = &sourceRuns{}
				b.sources[what] = sr
			}
			sr.serving, sr.scraped, sr.text = append(sr.serving, f.serving), append(sr.scraped, f.scraped), append(sr.text, f.text)
			sr.restored = append(sr.restored, restore.scraped)
			fmt.Printf("   run %d, %s: peak RSS %s at the end of the pass, %s after the first scrape, %s after a text scrape; heap at the first scrape: %s in use, %s allocated; %s template problem series; the restore of its cache file: peak RSS %s after the first scrape\n",
				rep+1, what, mbAndMiB(f.serving), mbAndMiB(f.scraped), mbAndMiB(f.text), mbAndMiB(f.mv.heapInuse), mbAndMiB(f.mv.heapAlloc), thousands(f.mv.templateProblems), mbAndMiB(restore.scraped))
		}
	}
	return nil
}

// templatesFirstPass runs bin's first pass over d's spaces, with the
// templates source on or not, until every space's flows (and templates)
// are listed; then a scrape, which must show every flow and every
// template (none with templates off), and a text scrape.
func templatesFirstPass(ctx context.Context, o *options, dir string, d *procData, bin string, on bool, cacheFile string) (restored, error) {
	var f restored
	args := append(templatesFlags(o, on), "--cache.file="+cacheFile)
	long := *o
	long.procTimeout = max(o.procTimeout, 10*time.Minute)
	r, err := startExporter(ctx, &long, bin, dir, d, fmt.Sprintf("exporter-templates-%s.log", onOff(on)), args...)
	if err != nil {
		return f, err
	}
	defer r.stop()
	// The flows' pass is over (startExporter); the templates' ends when no
	// space is pending or down, as the exporter says.
	deadline := time.Now().Add(long.procTimeout)
	for on {
		var mv metricValues
		if code, err := get(ctx, r.hc, r.base+"/metrics", acceptPrometheus3, mv.scan); err != nil || code != http.StatusOK {
			return f, fmt.Errorf("scrape during the pass: HTTP %d, %v", code, err)
		}
		state := func(s string) float64 { return mv.collectorSpaces[`{collector="`+templates.Name+`",state="`+s+`"}`] }
		if state("up") == float64(len(d.ids)) {
			break
		}
		if r.exp.exited() || ctx.Err() != nil || time.Now().After(deadline) {
			return f, fmt.Errorf("the templates' first pass did not end within %s: %.0f spaces up, %.0f down, %.0f pending (see %s)",
				long.procTimeout, state("up"), state("down"), state("pending"), r.exp.log.Name())
		}
		sleep(ctx, time.Second)
	}
	if f.serving, err = vmHWM(r.exp.pid()); err != nil {
		return f, err
	}
	if code, err := get(ctx, r.hc, r.base+"/metrics", acceptPrometheus3, f.mv.scan); err != nil || code != http.StatusOK {
		return f, fmt.Errorf("scrape after the pass: HTTP %d, %v", code, err)
	}
	want := 0
	if on {
		want = d.templates
	}
	if int(f.mv.templates) != want || int(f.mv.flows) != d.flows {
		return f, fmt.Errorf("the scrape after the pass counts %.0f templates and %.0f flows, want %d and %d", f.mv.templates, f.mv.flows, want, d.flows)
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

// templatesFlags are the exporter's flags of a run with the templates on or
// off.
func templatesFlags(o *options, on bool) []string {
	if !on {
		return nil
	}
	return []string{"--collector." + templates.Name, "--cams.templates-rate-limit=" + strconv.FormatFloat(o.procRate, 'g', -1, 64)}
}

// templatesRestore restores the cache file a first pass left (restoreRun:
// nothing is due), the templates on or off as in that pass, until the
// first scrape, which must show every flow and every template.
func templatesRestore(ctx context.Context, o *options, dir string, d *procData, bin string, on bool, cacheFile string) (restored, error) {
	f, err := restoreRun(ctx, o, dir, d, cacheFile, bin, false, templatesFlags(o, on)...)
	if err != nil {
		return f, err
	}
	want := 0
	if on {
		want = d.templates
	}
	if int(f.mv.templates) != want || int(f.mv.flows) != d.flows {
		return f, fmt.Errorf("the first scrape after the restore counts %.0f templates and %.0f flows, want %d and %d", f.mv.templates, f.mv.flows, want, d.flows)
	}
	return f, nil
}

// addTemplateRows adds measureTemplates's figures: each run's peak RSS and
// the difference of the medians, held against the goal.
func addTemplateRows(o *options, t *table, b build) {
	off, on := b.sources[templatesOff], b.sources[templatesOn]
	if off == nil || on == nil {
		return
	}
	name := fmt.Sprintf("5. %s spaces × %d flows, %d templates a space with a WABA, ", thousands(o.procSpaces), o.procFlows, o.memTemplates)
	for _, r := range []struct {
		what string
		runs *sourceRuns
	}{{templatesOff, off}, {templatesOn, on}} {
		suffix := fmt.Sprintf(" (%s, median of %d)", b.name, len(r.runs.serving))
		t.add(name+r.what+": peak RSS, end of the pass"+suffix, mbRuns(r.runs.serving), "", nil)
		t.add(name+r.what+": peak RSS, + the first scrape"+suffix, mbRuns(r.runs.scraped), "", nil)
		t.add(name+r.what+": peak RSS, + a text scrape (identity)"+suffix, mbRuns(r.runs.text), "", nil)
		t.add(name+r.what+": peak RSS, the restore of its cache file + the first scrape"+suffix, mbRuns(r.runs.restored), "", nil)
	}
	diff := median(on.scraped) - median(off.scraped)
	t.add(name+"peak RSS after the first scrape, templates on − off (medians)", fmt.Sprintf("%+.1f MB (%.2f ×)", diff/1e6, median(on.scraped)/median(off.scraped)),
		"<= +50 MB", ptr(diff <= 50e6))
	t.add(name+"peak RSS after a text scrape, templates on − off (medians)", fmt.Sprintf("%+.1f MB", (median(on.text)-median(off.text))/1e6), "", nil)
	t.add(name+"peak RSS of the restore and the first scrape, templates on − off (medians)", fmt.Sprintf("%+.1f MB", (median(on.restored)-median(off.restored))/1e6), "", nil)
}
