package main

import (
	"strings"
	"testing"
	"time"
)

func TestProcess(t *testing.T) {
	const (
		passing = `{"Action":"start","Package":"p/a"}
{"Action":"run","Package":"p/a","Test":"TestA"}
{"Action":"output","Package":"p/a","Test":"TestA","Output":"=== RUN   TestA\n"}
{"Action":"output","Package":"p/a","Test":"TestA","Output":"    a_test.go:1: quiet unless it fails\n"}
{"Action":"pass","Package":"p/a","Test":"TestA","Elapsed":0.5}
{"Action":"output","Package":"p/a","Output":"ok  \tp/a\t0.5s\n"}
{"Action":"pass","Package":"p/a","Elapsed":0.5}
{"Action":"start","Package":"p/none"}
{"Action":"output","Package":"p/none","Output":"?   \tp/none\t[no test files]\n"}
{"Action":"skip","Package":"p/none","Elapsed":0}
`
		failing = `{"Action":"start","Package":"p/b"}
{"Action":"run","Package":"p/b","Test":"TestB"}
{"Action":"run","Package":"p/b","Test":"TestB/sub"}
{"Action":"output","Package":"p/b","Test":"TestB/sub","Output":"    b_test.go:9: boom\n"}
{"Action":"fail","Package":"p/b","Test":"TestB/sub","Elapsed":0}
{"Action":"run","Package":"p/b","Test":"TestSkipped"}
{"Action":"skip","Package":"p/b","Test":"TestSkipped","Elapsed":0}
{"Action":"fail","Package":"p/b","Test":"TestB","Elapsed":0}
{"Action":"output","Package":"p/b","Output":"FAIL\tp/b\t0.1s\n"}
{"Action":"fail","Package":"p/b","Elapsed":0.1}
`
		skipping = `{"Action":"start","Package":"p/d"}
{"Action":"run","Package":"p/d","Test":"TestRuns"}
{"Action":"pass","Package":"p/d","Test":"TestRuns","Elapsed":0}
{"Action":"run","Package":"p/d","Test":"TestNeedsATool"}
{"Action":"output","Package":"p/d","Test":"TestNeedsATool","Output":"    d_test.go:5: skipped: promtool is not installed\n"}
{"Action":"skip","Package":"p/d","Test":"TestNeedsATool","Elapsed":0}
{"Action":"output","Package":"p/d","Output":"ok  \tp/d\t0.1s\n"}
{"Action":"pass","Package":"p/d","Elapsed":0.1}
`
		leakAfterTests = `{"Action":"start","Package":"p/e"}
{"Action":"run","Package":"p/e","Test":"TestE"}
{"Action":"pass","Package":"p/e","Test":"TestE","Elapsed":0}
{"Action":"output","Package":"p/e","Output":"leakcheck: goroutines still running 30s after the tests passed: found unexpected goroutines\n"}
{"Action":"output","Package":"p/e","Output":"FAIL\tp/e\t31.0s\n"}
{"Action":"fail","Package":"p/e","Elapsed":31}
`
		buildFailure = `{"ImportPath":"p/c","Action":"build-output","Output":"c.go:1: syntax error\n"}
{"ImportPath":"p/c","Action":"build-fail"}
{"Action":"start","Package":"p/c"}
{"Action":"output","Package":"p/c","Output":"FAIL\tp/c [build failed]\n"}
{"Action":"fail","Package":"p/c","Elapsed":0}
`
	)
	for _, tc := range []struct {
		name, in string
		ok       bool
		want     []string
		notWant  []string
	}{
		{"passing", passing, true,
			[]string{"[1/2] ok  \tp/a\t0.5s\n", "[2/2] ok  \tp/none\t0.0s [no test files]\n", "tests: 1 passed, 0 failed, 0 skipped\n"},
			[]string{"quiet unless it fails", "?   \tp/none"}},
		{"a failing subtest", failing, false,
			[]string{"b_test.go:9: boom", "[1/2] FAIL\tp/b\t0.1s\n", "tests: 0 passed, 2 failed, 1 skipped\n"}, nil},
		{"a skipped test fails the run, with its reason", skipping, false,
			[]string{"d_test.go:5: skipped: promtool is not installed", "FAIL: 1 test(s) skipped", "tests: 1 passed, 0 failed, 1 skipped\n"}, nil},
		{"a build failure", buildFailure, false,
			[]string{"c.go:1: syntax error", "[1/2] FAIL\tp/c\t", "FAIL: package p/c failed (its failing tests or build output are above)\n", "tests: 0 passed, 0 failed, 0 skipped\n"}, nil},
		{"a package failing after its tests passed is named at the end, with why", leakAfterTests, false,
			[]string{"[1/2] FAIL\tp/e\t31.0s\n",
				"FAIL: package p/e failed; its last words:\nleakcheck: goroutines still running 30s after the tests passed: found unexpected goroutines\ntests: 1 passed, 0 failed, 0 skipped\n"}, nil},
		{"not JSON is passed on", "go: downloading x v1\n" + passing, true,
			[]string{"go: downloading x v1\n"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var out strings.Builder
			ok, err := process(strings.NewReader(tc.in), &out, 2, time.Time{}, time.Hour)
			if err != nil || ok != tc.ok {
				t.Errorf("process = %v, %v; want %v", ok, err, tc.ok)
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(out.String(), w) {
					t.Errorf("output has %q:\n%s", w, out.String())
				}
			}
			if !strings.HasSuffix(out.String(), "skipped\n") {
				t.Errorf("the last line is not the count:\n%s", out.String())
			}
		})
	}
}

// TestHeartbeat: while the test binaries build, the report says so every
// period, and while a package runs, it names it.
func TestHeartbeat(t *testing.T) {
	r, w := ioPipe()
	var out syncBuilder
	done := make(chan bool)
	go func() {
		ok, _ := process(r, &out, 0, time.Time{}, 20*time.Millisecond)
		done <- ok
	}()
	deadline := time.Now().Add(time.Minute)
	for !strings.Contains(out.String(), "... building the test binaries") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	w.write(`{"Action":"start","Package":"p/slow"}` + "\n")
	deadline = time.Now().Add(time.Minute)
	for !strings.Contains(out.String(), "... still running: p/slow (") && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	w.write(`{"Action":"pass","Package":"p/slow","Elapsed":1}` + "\n")
	w.close()
	if !<-done {
		t.Error("process failed")
	}
	for _, want := range []string{"... building the test binaries", "... still running: p/slow ("} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("no heartbeat %q:\n%s", want, out.String())
		}
	}
}
