// Command testprogress reads `go test -json` on its standard input and
// prints, as it happens, what `go test` would print at the end of each
// package (its "ok" or "FAIL" line, and the output of every failing test),
// each package's progress ("[3/24] ok ... 12.3s"), every minute the packages
// still running and for how long, and finally a count of the tests:
// "tests: N passed, N failed, N skipped", after the time since $TEST_STARTED
// (Unix seconds) when it is set. It exits 1 when a test or a build failed,
// and when a test skipped: `make test` installs everything the tests need,
// so a skip there is a test that did not run (each is printed with its
// reason). scripts/test.sh pipes `go test -json` into it; its optional
// argument is the number of packages.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// event is one line of `go test -json` (cmd/test2json).
type event struct {
	Action     string
	Package    string
	ImportPath string
	Test       string
	Output     string
	Elapsed    float64
}

type report struct {
	mu      sync.Mutex
	out     io.Writer
	started map[string]time.Time
	// output of each running test, printed if it fails.
	tests                   map[string]*strings.Builder
	done, total             int
	passed, failed, skipped int
	failedBuild             bool
	// the package-level output of each package (its last maxPackageOutput
	// bytes), and the packages that failed, in order, so that the end of
	// the run says which package failed and why even when no test did (a
	// leak check or a race after the tests, a panic in init).
	packageOutput  map[string]string
	failedPackages []string
}

// maxPackageOutput bounds the package-level output kept per package.
const maxPackageOutput = 4 << 10

func main() {
	total := 0
	if len(os.Args) > 1 {
		fmt.Sscan(os.Args[1], &total)
	}
	var started time.Time
	if s, err := strconv.ParseInt(os.Getenv("TEST_STARTED"), 10, 64); err == nil {
		started = time.Unix(s, 0)
	}
	ok, err := process(os.Stdin, os.Stdout, total, started, time.Minute)
	if err != nil {
		fmt.Fprintln(os.Stderr, "testprogress:", err)
		os.Exit(1)
	}
	if !ok {
		os.Exit(1)
	}
}

// process reports the events of in on out; it returns false when a test or
// a build failed.
func process(in io.Reader, out io.Writer, total int, started time.Time, heartbeat time.Duration) (bool, error) {
	r := &report{out: out, started: map[string]time.Time{}, tests: map[string]*strings.Builder{}, total: total, packageOutput: map[string]string{}}
	stop := make(chan struct{})
	defer close(stop)
	go r.heartbeat(heartbeat, stop)
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for sc.Scan() {
		var e event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			// Not an event (go vet or the toolchain speaking): pass it on.
			r.print("%s\n", sc.Text())
			continue
		}
		r.handle(e)
	}
	if err := sc.Err(); err != nil {
		return false, err
	}
	if !started.IsZero() {
		r.print("== done in %s\n", time.Since(started).Round(time.Second))
	}
	for _, p := range r.failedPackages {
		if words := r.packageOutput[p]; words != "" {
			r.print("FAIL: package %s failed; its last words:\n%s", p, words)
		} else {
			r.print("FAIL: package %s failed (its failing tests or build output are above)\n", p)
		}
	}
	if r.skipped > 0 {
		r.print("FAIL: %d test(s) skipped; make test runs every test (the reasons are above)\n", r.skipped)
	}
	r.print("tests: %d passed, %d failed, %d skipped\n", r.passed, r.failed, r.skipped)
	return r.failed == 0 && r.skipped == 0 && !r.failedBuild, nil
}

func (r *report) print(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.out, format, args...)
}

func (r *report) handle(e event) {
	key := e.Package + " " + e.Test
	switch {
	case e.Action == "build-output":
		r.print("%s", e.Output)
	case e.Action == "build-fail":
		r.failedBuild = true
	case e.Test == "" && e.Action == "start":
		r.mu.Lock()
		r.started[e.Package] = time.Now()
		r.mu.Unlock()
	case e.Test == "" && e.Action == "output":
		// The package's own lines: "ok", "FAIL", "PASS", panics.
		if o := e.Output; !strings.HasPrefix(o, "PASS") && !strings.HasPrefix(o, "ok ") && !strings.HasPrefix(o, "FAIL\t") && o != "FAIL\n" && !strings.HasPrefix(o, "?") {
			r.print("%s", o)
			r.keepPackageOutput(e.Package, o)
		}
	case e.Test == "" && (e.Action == "pass" || e.Action == "fail" || e.Action == "skip"):
		r.mu.Lock()
		delete(r.started, e.Package)
		r.done++
		n := fmt.Sprint(r.done)
		if r.total > 0 {
			n += fmt.Sprintf("/%d", r.total)
		}
		word := map[string]string{"pass": "ok  ", "fail": "FAIL", "skip": "ok  "}[e.Action]
		note := ""
		if e.Action == "skip" {
			note = " [no test files]"
		}
		if e.Action == "fail" {
			r.failedBuild = true // a package can fail with no failing test (a panic in init, a race in TestMain)
			r.failedPackages = append(r.failedPackages, e.Package)
		}
		fmt.Fprintf(r.out, "[%s] %s\t%s\t%.1fs%s\n", n, word, e.Package, e.Elapsed, note)
		r.mu.Unlock()
	case e.Action == "run":
		r.tests[key] = &strings.Builder{}
	case e.Action == "output":
		if b := r.tests[key]; b != nil {
			b.WriteString(e.Output)
		}
	case e.Action == "pass" || e.Action == "skip" || e.Action == "fail":
		b := r.tests[key]
		delete(r.tests, key)
		switch e.Action {
		case "pass":
			r.passed++
		case "skip":
			r.skipped++
			if b != nil {
				r.print("%s", b.String())
			}
		case "fail":
			r.failed++
			if b != nil {
				r.print("%s", b.String())
			}
		}
	}
}

// keepPackageOutput keeps the last maxPackageOutput bytes of a package's
// own output.
func (r *report) keepPackageOutput(pkg, o string) {
	kept := r.packageOutput[pkg] + o
	if len(kept) > maxPackageOutput {
		kept = kept[len(kept)-maxPackageOutput:]
	}
	r.packageOutput[pkg] = kept
}

// heartbeat prints, every period, the packages still running and for how
// long, so a long package never leaves the terminal silent.
func (r *report) heartbeat(period time.Duration, stop <-chan struct{}) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-stop:
			return
		case <-t.C:
			r.mu.Lock()
			var running []string
			for p, at := range r.started {
				running = append(running, fmt.Sprintf("%s (%s)", p, time.Since(at).Round(time.Second)))
			}
			sort.Strings(running)
			switch {
			case len(running) > 0:
				fmt.Fprintf(r.out, "... still running: %s\n", strings.Join(running, ", "))
			case r.done == 0:
				fmt.Fprintln(r.out, "... building the test binaries (-race)")
			}
			r.mu.Unlock()
		}
	}
}
