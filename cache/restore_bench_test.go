package cache

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/engine"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

// restoreChildEnv names the file a child process of BenchmarkRestorePeak
// restores (see TestMain), and restoreCodecsEnv whether it has the
// sources' codecs.
const (
	restoreChildEnv  = "CAMS_CACHE_RESTORE_CHILD"
	restoreCodecsEnv = "CAMS_CACHE_RESTORE_CODECS"
)

// accountParts are the parts of an account's spaces as the three sources
// keep them at the end of a pass: numbers numbers a space, a WABA (none
// for every seventh space), and the health of the WABA and each number as
// Meta answers it (the WABA, business and app entities; a number's own
// too).
func accountParts(ids []string, numbers int) []*snapshot.SourceState {
	parts := map[string]map[string]*snapshot.SpacePart{}
	for _, name := range sourceNamesAll {
		parts[name] = make(map[string]*snapshot.SpacePart, len(ids))
	}
	for i, id := range ids {
		nums, w := spaceNumbers(i, numbers), spaceWABA(i)
		at := t0.Add(-time.Duration(i%900) * time.Second)
		var wabaNode *messaginghealth.Answer
		var phones []messaginghealth.Answer
		shared := []messaginghealth.Entity{{Type: "BUSINESS", ID: fmt.Sprint("biz-", i%10), CanSendMessage: "AVAILABLE"}, {Type: "APP", ID: "app-1", CanSendMessage: "AVAILABLE"}}
		if w.Bound {
			wabaNode = &messaginghealth.Answer{Node: messaginghealth.Node{WabaID: w.ID, Checked: at, CanSendMessage: "AVAILABLE"},
				Entities: append([]messaginghealth.Entity{{Type: "WABA", ID: w.ID, CanSendMessage: "AVAILABLE"}}, shared...)}
		}
		for _, n := range nums {
			phones = append(phones, messaginghealth.Answer{Node: messaginghealth.Node{PhoneNumber: n.PhoneNumber, Checked: at, CanSendMessage: "AVAILABLE"},
				Entities: append([]messaginghealth.Entity{{Type: "PHONE_NUMBER", ID: n.PhoneNumber, CanSendMessage: "AVAILABLE"}, {Type: "WABA", ID: w.ID, CanSendMessage: "AVAILABLE"}}, shared...)})
		}
		h := messaginghealth.FromAnswers(wabaNode, phones...)
		for name, data := range map[string]any{phonenumbers.Name: nums, waba.Name: w, messaginghealth.Name: h} {
			parts[name][id] = &snapshot.SpacePart{Up: true, HasData: true, LastSuccess: at, LastAttempt: at, Data: data}
		}
	}
	return sourceStates(parts)
}

// BenchmarkRestorePeak measures the restore of 200,000 spaces of 5 flows
// (bench/snapshot.go's account) from a cache file, in a process of its own
// each time (the benchmark's binary, see TestMain): "spaces" a file
// without parts; "parts" one with the parts of the three sources, 3
// numbers a space, restored into their runners; "parts, collectors off"
// that file restored without codecs. peak-heap-MB is the most heap in use
// during the restore (sampled every 200 µs), live-heap-MB the heap that
// stays once it is over (after a GC), peak-RSS-MB the process's, cpu-s
// its CPU time (user and system, the file's building excluded: it is the
// parent's); each the median of the runs (-benchtime=5x for 5).
func BenchmarkRestorePeak(b *testing.B) {
	snap, ids := benchAccount(200_000)
	dir := b.TempDir()
	files := map[string]*snapshot.Snapshot{"spaces": snap, "parts": snap.WithSources(accountParts(ids, 3))}
	for name, s := range files {
		if err := Save(filepath.Join(dir, name), meta, s, t0); err != nil {
			b.Fatal(err)
		}
	}
	for _, tt := range []struct{ name, file, codecs string }{
		{"spaces", "spaces", "all"},
		{"parts", "parts", "all"},
		{"parts, collectors off", "parts", "none"},
	} {
		b.Run(tt.name, func(b *testing.B) {
			var peak, live, rss, cpu []float64
			for b.Loop() {
				m, err := restoreInChild(filepath.Join(dir, tt.file), tt.codecs)
				if err != nil {
					b.Fatal(err)
				}
				peak, live, rss, cpu = append(peak, m["peak"]), append(live, m["live"]), append(rss, m["rss"]), append(cpu, m["cpu"])
			}
			b.Logf("runs: peak heap %s MB, live heap %s MB, peak RSS %s MB, CPU %s s", mbs(peak), mbs(live), mbs(rss), fmt.Sprint(cpu))
			b.ReportMetric(median(peak)/1e6, "peak-heap-MB")
			b.ReportMetric(median(live)/1e6, "live-heap-MB")
			b.ReportMetric(median(rss)/1e6, "peak-RSS-MB")
			b.ReportMetric(median(cpu), "cpu-s")
			b.ReportMetric(float64(fileBytes(filepath.Join(dir, tt.file)))/1e6, "file-MB")
		})
	}
}

// mbs lists v in MB.
func mbs(v []float64) string {
	var out []string
	for _, x := range v {
		out = append(out, fmt.Sprintf("%.1f", x/1e6))
	}
	return strings.Join(out, ", ")
}

func median(v []float64) float64 {
	s := slices.Sorted(slices.Values(v))
	return s[len(s)/2]
}

// restoreInChild runs the benchmark's binary to restore path, with the
// sources' codecs or none, and returns what it measured.
func restoreInChild(path, codecs string) (map[string]float64, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), restoreChildEnv+"="+path, restoreCodecsEnv+"="+codecs)
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%v: %s", err, out)
	}
	m := map[string]float64{"cpu": (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds()}
	for _, field := range strings.Fields(string(out)) {
		k, v, _ := strings.Cut(field, "=")
		m[k], _ = strconv.ParseFloat(v, 64)
	}
	return m, nil
}

// restoreChild restores the file of restoreChildEnv as the exporter does
// (the spaces into a snapshot's table, each source's parts into its
// runner), and prints the peak and live heap and the peak RSS.
func restoreChild(path string) {
	done := make(chan struct{})
	peak := make(chan uint64)
	go samplePeakHeap(done, peak)
	var codecs Codecs
	src := map[string]engine.Source{phonenumbers.Name: phonenumbers.New(nil, 0), waba.Name: waba.New(nil, 0), messaginghealth.Name: messaginghealth.New(nil, 0, 0)}
	if os.Getenv(restoreCodecsEnv) == "all" {
		codecs = Codecs{}
		for name, s := range src {
			codecs[name] = s.(interface {
				Decode(json.RawMessage) (any, error)
			}).Decode
		}
	}
	c, err := ReadWith(path, meta, codecs)
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	snap := snapshot.Snapshot{}.WithSpaces(c.States)
	c.States = nil
	ids := snap.SpaceIDs() // the spaces watched, whose parts the runners restore
	watched := engine.NewWatched(func() []string { return ids }, nil)
	var runners []*engine.Runner
	for _, name := range sourceNamesAll {
		if parts := c.Parts[name]; parts != nil {
			r := engine.NewRunner(engine.Config{Source: src[name], Watched: watched})
			r.Restore(parts)
			runners = append(runners, r)
		}
	}
	c.Parts = nil
	close(done)
	max := <-peak
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	status, _ := os.ReadFile("/proc/self/status")
	var rss float64
	for _, line := range strings.Split(string(status), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			rss = kb * 1024
		}
	}
	fmt.Printf("peak=%d live=%d rss=%.0f spaces=%d runners=%d\n", max, ms.HeapAlloc, rss, snap.Len(), len(runners))
	runtime.KeepAlive(snap)
	runtime.KeepAlive(runners)
}

// samplePeakHeap samples the heap's objects until done is closed, then
// sends the most it saw.
func samplePeakHeap(done <-chan struct{}, peak chan<- uint64) {
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	var max uint64
	t := time.NewTicker(200 * time.Microsecond)
	defer t.Stop()
	for {
		metrics.Read(sample)
		max = maxOf(max, sample[0].Value.Uint64())
		select {
		case <-done:
			metrics.Read(sample)
			peak <- maxOf(max, sample[0].Value.Uint64())
			return
		case <-t.C:
		}
	}
}

func maxOf(a, b uint64) uint64 {
	if a > b {
		return a
	}
	return b
}
