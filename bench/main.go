// Command bench measures cams_exporter against its simulator and prints the
// figures of BENCHMARKS.md, each beside its goal:
//
//  1. sweep efficiency: calls made / (configured rate × elapsed) over one
//     full pass of N spaces, and throttled responses (in process);
//  2. scrape cost at 10,000 × 49 and 200,000 × 5 spaces × flows: /metrics
//     latency, plain and gzip, with 1 and 8 concurrent scrapers, of the
//     exporter's handler side by side with promhttp over the same families
//     pre-gathered (the static baseline) and over a registry of GaugeVecs,
//     in one process and run, as medians of 3 repetitions (in process);
//  3. memory: peak RSS of the real binary over its first full pass of
//     10,000 spaces × 50 flows and one scrape, with and without flow info,
//     and under 300 concurrent scrapes with flow info at 30,000 flows;
//  4. refresh CPU: CPU time of that pass per 1,000 flows, and the share of
//     a core used at 200,000 spaces, refreshing at 4 calls/s, scraped and
//     probed, with a cache file: during the first pass, and in the steady
//     state (restored from the cache);
//  5. memory again, as medians of 3 runs and side by side with the binary
//     of another git revision (-baseline): peak RSS of the restore of
//     200,000 spaces from a cache file, and of the first pass of 10,000
//     spaces × 50 flows without and with flow info; and of the first pass
//     of those spaces with 50 templates each, flows and templates on, side
//     by side with the same run without templates;
//  6. budget use: each operation's calls per second in the first pass of
//     10,000 spaces with every source on (phone numbers, WABA, messaging
//     health, templates), against the simulator at CAMS's documented
//     limits, divided by its limiter's rate, from the simulator's request
//     log; ListFlow's pace with every source off and on, side by side.
//
// Run it from the repository's root: `make bench` or `go run ./bench`.
// Parts 3 to 6 build the binary and run it, and the simulator, as child
// processes on loopback ports; every child is killed when the harness ends.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/cams-exporter/cams_exporter/simulator"
)

// Credentials the simulator accepts and the exporter signs with.
const (
	accessKeyID     = "benchAccessKeyId"
	accessKeySecret = "benchAccessKeySecret"
)

type options struct {
	parts string

	seed int64

	sweepSpaces      []int
	sweepRates       []float64
	sweepFlows       int
	sweepConcurrency int
	sweepTimeout     time.Duration

	scrapeSize     scrapeSize
	scrapeBig      scrapeSize
	scrapers       []int
	scrapeCount    int
	scrapeBigCount int
	scrapeReps     int
	scrapeWarmup   int
	scrapeTimeout  time.Duration
	scrapeProfile  string

	procSpaces  int
	procFlows   int
	procRate    float64
	procSimRate float64
	procTimeout time.Duration
	concSpaces  int
	concFlows   int
	concScrapes int

	steadySize        scrapeSize
	steadyRate        float64
	steadyScrapeEvery time.Duration
	steadyWarmup      time.Duration
	steadyWindow      time.Duration
	steadyReps        int
	// steadySources runs the steady state with every source on too.
	steadySources bool
	// steadyTemplates are the message templates of each space with a
	// WABA in the run with every source on (the templates source on too);
	// 0: that run without them.
	steadyTemplates    int
	steadyStartTimeout time.Duration
	binary             string
	keepTemp           bool

	quietWait time.Duration
	quietBusy float64

	memReps      int
	memTemplates int
	restoreSize  scrapeSize
	// journalWrites is how many minutes of listings the restored cache
	// file's journal holds.
	journalWrites int
	baseline      string
	memMeasures   map[string]bool

	budgetSize   scrapeSize
	budgetWarmup time.Duration
	budgetWindow time.Duration
	budgetReps   int
	budgetRuns   int
}

func main() {
	os.Exit(run())
}

func run() int {
	var o options
	var sweepSpaces, sweepRates, scrapeSizeFlag, scrapeBigFlag, scrapersFlag, steadySizeFlag, restoreSizeFlag, memMeasures, budgetSizeFlag string
	flag.StringVar(&o.parts, "parts", "sweep,scrape,proc,steady,memory,budget", "comma-separated parts to run: sweep (1), scrape (2), proc (3 memory and 4 CPU of a first pass), steady (4 CPU at 200,000 spaces: first pass and steady state), memory (5 peak RSS of a restore and of flow info, medians, beside -baseline), budget (6 each operation's budget use in the first pass with every source on, and ListFlow's pace with them off and on)")
	flag.Int64Var(&o.seed, "seed", 1, "seed of the generated data sets")
	flag.StringVar(&sweepSpaces, "sweep.spaces", "1000,10000", "sweep: comma-separated numbers of spaces")
	flag.StringVar(&sweepRates, "sweep.rates", "500,1000", "sweep: comma-separated exporter rates (calls/s); the simulator allows twice as many")
	flag.IntVar(&o.sweepFlows, "sweep.flows", 5, "sweep: average flows per space (one page each)")
	flag.IntVar(&o.sweepConcurrency, "sweep.concurrency", 32, "sweep: spaces listed at once by the refresher")
	flag.DurationVar(&o.sweepTimeout, "sweep.timeout", 2*time.Minute, "sweep: bound of one pass")
	flag.StringVar(&scrapeSizeFlag, "scrape.size", "10000x49", "scrape: spaces x average flows of the snapshot served by every side")
	flag.IntVar(&o.scrapeSize.numbers, "scrape.numbers", 3, "scrape: phone numbers a space of the -scrape.size data set with every source on (phone numbers, WABA, messaging health, templates; issue 18 measures 3); 0 for the flows alone")
	flag.IntVar(&o.scrapeSize.templates, "scrape.templates", 50, "scrape: message templates a space with a WABA of the -scrape.size data set with every source on (with -scrape.numbers above 0; issue 19 measures 50); 0 leaves the templates source off")
	flag.StringVar(&scrapeBigFlag, "scrape.big", "200000x5", "scrape: spaces x flows served by the exporter and the static baseline only, 1 scraper; empty to skip")
	flag.StringVar(&scrapersFlag, "scrape.scrapers", "1,8", "scrape: comma-separated numbers of concurrent scrapers")
	flag.IntVar(&o.scrapeCount, "scrape.count", 8, "scrape: scrapes per side and cell (encoding × scrapers), shared by the scrapers")
	flag.IntVar(&o.scrapeBigCount, "scrape.big-count", 1, "scrape: scrapes per side and cell at -scrape.big")
	flag.IntVar(&o.scrapeReps, "scrape.reps", 3, "scrape: repetitions of every cell; figures are their medians")
	flag.IntVar(&o.scrapeWarmup, "scrape.warmup", 2, "scrape: scrapes of each side and encoding before measuring")
	flag.DurationVar(&o.scrapeTimeout, "scrape.timeout", 5*time.Minute, "scrape: bound of one cell of one side")
	flag.StringVar(&o.scrapeProfile, "scrape.cpuprofile", "", "scrape: write a CPU profile of the exporter side's first cell to this file")
	flag.IntVar(&o.procSpaces, "proc.spaces", 10000, "memory/CPU: spaces")
	flag.IntVar(&o.procFlows, "proc.flows", 50, "memory/CPU: average flows per space")
	flag.Float64Var(&o.procRate, "proc.rate", 1000, "memory/CPU: exporter's --cams.rate-limit")
	flag.Float64Var(&o.procSimRate, "proc.sim-rate", 5000, "memory/CPU: simulator's --simulator.rate-limit")
	flag.IntVar(&o.concSpaces, "conc.spaces", 600, "memory under concurrent scrapes: spaces (with -conc.flows, about 30,000 flows)")
	flag.IntVar(&o.concFlows, "conc.flows", 50, "memory under concurrent scrapes: average flows per space")
	flag.IntVar(&o.concScrapes, "conc.scrapes", 300, "memory under concurrent scrapes: scrapes at once; 0 skips")
	flag.StringVar(&steadySizeFlag, "steady.size", "200000x5", "steady state: spaces x average flows, restored from a cache file")
	flag.Float64Var(&o.steadyRate, "steady.rate", 4, "steady state: the exporter's --cams.rate-limit")
	flag.DurationVar(&o.steadyScrapeEvery, "steady.scrape-every", 15*time.Second, "steady state: scrape interval")
	flag.DurationVar(&o.steadyWarmup, "steady.warmup", 10*time.Second, "steady state: time before measuring")
	flag.DurationVar(&o.steadyWindow, "steady.window", time.Minute, "steady state: measuring window (the cache file is written once a minute)")
	flag.IntVar(&o.steadyReps, "steady.reps", 4, "steady state: consecutive windows; the figure is their mean, the CPU over the wall time of them all (the first pass has one); the Go runtime collects the heap at least every two minutes, so an even number of one-minute windows counts each collection it should")
	flag.BoolVar(&o.steadySources, "steady.sources", true, "steady state: run it with every source on as well (phone numbers, WABA, messaging health, and templates with -steady.templates; each calling at its default rate, every part restored from the cache file), beside the run with them off")
	flag.IntVar(&o.steadyTemplates, "steady.templates", 20, "steady state, every source on: message templates in each space with a WABA, the templates source on (its parts restored, its listings due, calling at its default rate of 4 pages/s); 0 for the three sources of issue 18 alone")
	flag.DurationVar(&o.steadyStartTimeout, "steady.start-timeout", 10*time.Minute, "steady state: bound of the exporter's start-up, the restore of the cache file included")
	flag.DurationVar(&o.procTimeout, "proc.timeout", 2*time.Minute, "memory/CPU: bound of one exporter run")
	flag.StringVar(&o.binary, "binary", "", "memory/CPU: cams_exporter binary to run (default: go build . into a temporary directory)")
	flag.BoolVar(&o.keepTemp, "keep-temp", false, "keep the temporary directory (binary, spaces file, logs)")
	flag.IntVar(&o.memReps, "memory.reps", 3, "memory: runs of each measure and build; figures are their medians")
	flag.StringVar(&restoreSizeFlag, "memory.restore-size", "200000x5", "memory: spaces x average flows of the cache file restored")
	flag.IntVar(&o.journalWrites, "memory.journal-writes", 0, "memory: minutes of listings (240 spaces each) in the journal of the cache file restored (a baseline before the journal, version 3, refuses the file)")
	flag.StringVar(&memMeasures, "memory.measures", "restore,flow-info,sources,templates", "memory: comma-separated measures: restore, flow-info, sources (the restore of -proc.spaces × -proc.flows with the parts of phone numbers, WABA and messaging health, those sources on, beside the same flows without them), templates (the first pass of -proc.spaces × -proc.flows with -memory.templates templates a space, flows and templates on, beside the same run without templates; this tree only)")
	flag.IntVar(&o.memTemplates, "memory.templates", 50, "memory: message templates a space with a WABA of the templates measure (issue 19 measures 50)")
	flag.StringVar(&o.baseline, "baseline", "", "memory: git revision whose binary is measured too, alternating with this tree's (built from git archive)")
	flag.StringVar(&budgetSizeFlag, "budget.size", "10000x50", "budget: spaces x average flows of the simulator's generated account (3 numbers a space with a WABA)")
	flag.IntVar(&o.budgetSize.templates, "budget.templates", 50, "budget: message templates a space with a WABA of the simulator's generated account (issue 19 measures 50)")
	flag.DurationVar(&o.budgetWarmup, "budget.warmup", 30*time.Second, "budget: time from start-up to the first window")
	flag.DurationVar(&o.budgetWindow, "budget.window", time.Minute, "budget: measuring window (calls per second from the simulator's request log)")
	flag.IntVar(&o.budgetReps, "budget.reps", 3, "budget: consecutive windows of each run; figures are their medians")
	flag.IntVar(&o.budgetRuns, "budget.runs", 1, "budget: pairs of runs, every source off then on")
	flag.DurationVar(&o.quietWait, "quiet.wait", time.Minute, "before each part, wait up to this long for other processes to use less than -quiet.busy of the CPU")
	flag.Float64Var(&o.quietBusy, "quiet.busy", 0.15, "share of the CPU other processes may use before a part")
	flag.Parse()

	var err error
	if o.sweepSpaces, err = parseList(sweepSpaces, strconv.Atoi); err != nil {
		return usage("-sweep.spaces", err)
	}
	if o.sweepRates, err = parseList(sweepRates, func(s string) (float64, error) { return strconv.ParseFloat(s, 64) }); err != nil {
		return usage("-sweep.rates", err)
	}
	numbers, templates := o.scrapeSize.numbers, o.scrapeSize.templates
	if o.scrapeSize, err = parseSize(scrapeSizeFlag); err != nil || o.scrapeSize.spaces == 0 {
		return usage("-scrape.size", fmt.Errorf("%q is not SPACESxFLOWS", scrapeSizeFlag))
	}
	if o.scrapeSize.numbers = numbers; numbers < 0 || numbers > 1000 {
		return usage("-scrape.numbers", fmt.Errorf("%d is not between 0 and 1,000 (the most numbers CAMS answers for a space)", numbers))
	}
	for _, t := range []struct {
		flag string
		n    int
	}{{"-scrape.templates", templates}, {"-budget.templates", o.budgetSize.templates}, {"-memory.templates", o.memTemplates}} {
		if t.n < 0 || t.n > simulator.MaxGeneratedTemplates {
			return usage(t.flag, fmt.Errorf("%d is not between 0 and %d (the most the simulator generates for a space)", t.n, simulator.MaxGeneratedTemplates))
		}
	}
	o.scrapeSize.templates = templates
	if scrapeBigFlag != "" {
		if o.scrapeBig, err = parseSize(scrapeBigFlag); err != nil {
			return usage("-scrape.big", err)
		}
	}
	if o.scrapers, err = parseList(scrapersFlag, strconv.Atoi); err != nil || len(o.scrapers) == 0 || slices.Min(o.scrapers) < 1 {
		return usage("-scrape.scrapers", fmt.Errorf("%q is not a list of positive numbers", scrapersFlag))
	}
	if o.scrapeReps < 1 || o.scrapeCount < 1 || o.scrapeBigCount < 1 || o.steadyReps < 1 || o.memReps < 1 || o.budgetReps < 1 || o.budgetRuns < 1 {
		return usage("-scrape.reps, -scrape.count, -scrape.big-count, -steady.reps, -memory.reps, -budget.reps, -budget.runs", errors.New("must be at least 1"))
	}
	budgetTemplates := o.budgetSize.templates
	if o.budgetSize, err = parseSize(budgetSizeFlag); err != nil || o.budgetSize.spaces == 0 {
		return usage("-budget.size", fmt.Errorf("%q is not SPACESxFLOWS", budgetSizeFlag))
	}
	o.budgetSize.templates = budgetTemplates
	if o.budgetWindow <= 0 || o.budgetWarmup < 0 {
		return usage("-budget.window, -budget.warmup", errors.New("the window must be above 0, the warm-up at least 0"))
	}
	if o.restoreSize, err = parseSize(restoreSizeFlag); err != nil || o.restoreSize.spaces == 0 {
		return usage("-memory.restore-size", fmt.Errorf("%q is not SPACESxFLOWS", restoreSizeFlag))
	}
	o.memMeasures = map[string]bool{}
	for _, m := range strings.Split(memMeasures, ",") {
		switch m = strings.TrimSpace(m); m {
		case "restore", "flow-info", "sources", "templates":
			o.memMeasures[m] = true
		default:
			return usage("-memory.measures", fmt.Errorf("unknown measure %q", m))
		}
	}
	if o.steadySize, err = parseSize(steadySizeFlag); err != nil || o.steadySize.spaces == 0 {
		return usage("-steady.size", fmt.Errorf("%q is not SPACESxFLOWS", steadySizeFlag))
	}
	parts := map[string]bool{}
	for _, p := range strings.Split(o.parts, ",") {
		switch p = strings.TrimSpace(p); p {
		case "sweep", "scrape", "proc", "steady", "memory", "budget":
			parts[p] = true
		case "all":
			for _, p := range []string{"sweep", "scrape", "proc", "steady", "memory", "budget"} {
				parts[p] = true
			}
		default:
			return usage("-parts", fmt.Errorf("unknown part %q", p))
		}
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	start := time.Now()
	fmt.Printf("cams_exporter benchmark: %s, %s/%s, %d CPUs (GOMAXPROCS %d), %s\n",
		runtime.Version(), runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), runtime.GOMAXPROCS(0), cpuModel())
	fmt.Printf("started %s; command: %s\n\n", start.UTC().Format(time.RFC3339), strings.Join(os.Args, " "))

	var t table
	failed := false
	if parts["sweep"] {
		waitQuiet(ctx, &o, "the sweep", &t)
		if err := runSweep(ctx, &o, &t); err != nil {
			fmt.Fprintf(os.Stderr, "sweep: %v\n", err)
			failed = true
		}
	}
	if parts["scrape"] && ctx.Err() == nil {
		waitQuiet(ctx, &o, "the scrape", &t)
		if err := runScrape(ctx, &o, &t); err != nil {
			fmt.Fprintf(os.Stderr, "scrape: %v\n", err)
			failed = true
		}
	}
	if parts["proc"] && ctx.Err() == nil {
		waitQuiet(ctx, &o, "memory/CPU", &t)
		if err := runProc(ctx, &o, &t); err != nil {
			fmt.Fprintf(os.Stderr, "memory/CPU: %v\n", err)
			failed = true
		}
	}
	if parts["steady"] && ctx.Err() == nil {
		waitQuiet(ctx, &o, "the steady state", &t)
		if err := runSteady(ctx, &o, &t); err != nil {
			fmt.Fprintf(os.Stderr, "steady state: %v\n", err)
			failed = true
		}
	}
	if parts["memory"] && ctx.Err() == nil {
		// Peak RSS does not depend on the machine's load: no wait.
		if err := runMemory(ctx, &o, &t); err != nil {
			fmt.Fprintf(os.Stderr, "memory: %v\n", err)
			failed = true
		}
	}
	if parts["budget"] && ctx.Err() == nil {
		// Calls per second at 24 a second hardly depend on the load; the
		// wait says how busy the machine was.
		waitQuiet(ctx, &o, "the budget use", &t)
		if err := runBudget(ctx, &o, &t); err != nil {
			fmt.Fprintf(os.Stderr, "budget: %v\n", err)
			failed = true
		}
	}
	fmt.Println()
	t.print(os.Stdout)
	fmt.Printf("\ntook %s\n", time.Since(start).Round(100*time.Millisecond))
	if failed || ctx.Err() != nil {
		return 1
	}
	return 0
}

func usage(flagName string, err error) int {
	fmt.Fprintf(os.Stderr, "bench: %s: %v\n", flagName, err)
	return 2
}

// parseSize parses SPACESxFLOWS.
func parseSize(s string) (scrapeSize, error) {
	a, b, ok := strings.Cut(s, "x")
	spaces, err1 := strconv.Atoi(a)
	flows, err2 := strconv.Atoi(b)
	if !ok || err1 != nil || err2 != nil || spaces < 0 || flows < 0 {
		return scrapeSize{}, fmt.Errorf("%q is not SPACESxFLOWS", s)
	}
	return scrapeSize{spaces: spaces, flows: flows}, nil
}

func parseList[T any](s string, parse func(string) (T, error)) ([]T, error) {
	var out []T
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		v, err := parse(f)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// cpuModel is the first "model name" of /proc/cpuinfo.
func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if name, value, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(name) == "model name" {
			return strings.TrimSpace(value)
		}
	}
	return "unknown CPU"
}
