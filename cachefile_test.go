package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/cache"
	"github.com/cams-exporter/cams_exporter/internal/loopback"
	"github.com/cams-exporter/cams_exporter/internal/tooltest"
	"github.com/cams-exporter/cams_exporter/simulator"
)

// cacheRun is what the tests of --cache.file run: a simulator with four
// spaces, and the exporter's arguments watching them with a cache file in a
// directory of its own.
type cacheRun struct {
	sim       *simulator.Server
	url       string
	bin       string
	env       []string
	dir       string
	cacheFile string
	ids       []string
}

func newCacheRun(t *testing.T) *cacheRun {
	t.Helper()
	data := simulator.Generate(17, 5, 5) // the account's own space and four others
	sim, url := startSimulator(t, data, -1)
	r := &cacheRun{sim: sim, url: url, bin: buildBinary(t), env: credentialEnv(t), dir: t.TempDir()}
	r.cacheFile = filepath.Join(r.dir, "cams.cache")
	for _, sp := range data.Spaces[1:] {
		r.ids = append(r.ids, sp.ID)
	}
	return r
}

// args are the exporter's arguments watching the first n spaces. The
// interval is long: a space restored from the cache is not listed again
// during a test.
func (r *cacheRun) args(n int) []string {
	args := []string{"--cams.endpoint=" + r.url, "--cache.file=" + r.cacheFile, "--refresh.interval=1h"}
	for _, id := range r.ids[:n] {
		args = append(args, "--cams.space="+id)
	}
	return args
}

// fill runs the exporter on the first n spaces until it has listed them,
// and stops it: the cache file holds them.
func (r *cacheRun) fill(t *testing.T, n int) {
	t.Helper()
	p := startExporter(t, r.bin, r.env, r.args(n)...)
	waitForMetric(t, p.addr, fmt.Sprintf("cams_spaces{state=\"up\"} %d\n", n))
	if err := p.stop(); err != nil {
		t.Fatalf("stop: %v\n%s", err, p.stderr.String())
	}
	if states, err := cache.Load(r.cacheFile, cache.Meta{Endpoint: r.url + "/"}); err != nil || len(states) != n {
		t.Fatalf("the cache holds %d spaces (%v), want %d", len(states), err, n)
	}
}

// leftovers lists the temporary files of the cache file's writes (its
// name, ".tmp-" and digits).
func (r *cacheRun) leftovers(t *testing.T) []string {
	t.Helper()
	names, err := filepath.Glob(r.cacheFile + ".tmp-[0-9]*")
	if err != nil {
		t.Fatal(err)
	}
	return names
}

// TestKilledCacheWriteIsSweptAtRestart kills the exporter (SIGKILL, as kill
// -9 or an OOM kill) in the middle of a write of the whole cache file, at
// the worst moment: its temporary file is written, the rename not done. The
// file left behind is removed when the exporter starts again, and nothing
// else beside the cache file is; the cache file is the previous one
// throughout. The file is made one without a write id, as a release before
// the journal wrote it, so that the restart's write is of the whole file
// rather than appended to its journal.
func TestKilledCacheWriteIsSweptAtRestart(t *testing.T) {
	strace := tooltest.Debian(t, "strace", "strace") // kills the exporter in the middle of a write
	r := newCacheRun(t)
	r.fill(t, 3)
	withoutWriteID(t, r.cacheFile)
	previous, _ := os.ReadFile(r.cacheFile)
	others := []string{"cams.cache.tmp-x", "cams.cache.bak", "other.cache.tmp-1", "notes.txt"}
	for _, name := range others {
		os.WriteFile(filepath.Join(r.dir, name), []byte(name), 0o600)
	}

	// strace kills the exporter with SIGKILL as it enters its rename: the
	// kernel never runs that rename.
	addr := loopback.FreeAddr(t)
	argv := append([]string{strace, "-f", "-qq", "-o", "/dev/null", "-e", "trace=/^rename", "-e", "inject=/^rename:signal=SIGKILL",
		r.bin, "--web.listen-address=" + addr}, r.args(4)...)
	p := startCommand(t, addr, r.env, argv...)
	waitForMetric(t, addr, "cams_spaces{state=\"up\"} 4\n") // a space not in the cache was listed: a write is due
	exporterPid := childOf(t, p.cmd.Process.Pid)
	syscall.Kill(exporterPid, syscall.SIGTERM)
	waitExit(t, p, 30*time.Second)
	if !strings.Contains(p.cmd.ProcessState.String(), "killed") {
		t.Fatalf("the exporter under strace ended with %v, want killed\n%s", p.cmd.ProcessState, p.stderr.String())
	}
	left := r.leftovers(t)
	if now, _ := os.ReadFile(r.cacheFile); len(left) != 1 || !bytes.Equal(now, previous) {
		t.Fatalf("after a kill in the middle of the write: temporary files %v, cache file changed %v; want one left and the file unchanged", left, !bytes.Equal(now, previous))
	}

	p = startExporter(t, r.bin, r.env, r.args(4)...)
	// The sweep logs once it has removed: wait for both.
	swept := func() bool {
		log := p.stderr.String()
		return len(r.leftovers(t)) == 0 && strings.Contains(log, "removed the temporary files of cache writes that were killed") && strings.Contains(log, "removed=1")
	}
	waitFor(t, time.Minute, "the restart to remove the leftover and say it removed one", swept)
	for _, name := range others {
		if data, err := os.ReadFile(filepath.Join(r.dir, name)); string(data) != name {
			t.Errorf("%s beside the cache file: %q, %v; want it untouched", name, data, err)
		}
	}
	waitForMetric(t, p.addr, "cams_spaces{state=\"up\"} 4\n")
	if err := p.stop(); err != nil {
		t.Fatal(err)
	}
	states, err := cache.Load(r.cacheFile, cache.Meta{Endpoint: r.url + "/"})
	if err != nil || len(states) != 4 || len(r.leftovers(t)) != 0 {
		t.Errorf("after a clean stop: %d spaces in the cache (%v), leftovers %v; want 4 and none", len(states), err, r.leftovers(t))
	}
}

// withoutWriteID makes the cache file at path one without a write id
// (version 2, as a release before the journal wrote it): its next write is
// of the whole file.
func withoutWriteID(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	stripped := regexp.MustCompile(`,"write_id":"[0-9a-f]{16}"`).ReplaceAll(bytes.Replace(data, []byte(`{"version":4,`), []byte(`{"version":2,`), 1), nil)
	if len(stripped) != len(data)-len(`,"write_id":"0123456789abcdef"`) {
		t.Fatalf("the cache file has no write id to take out: %.200s", data)
	}
	if err := os.WriteFile(path, stripped, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestRestartAppendsToTheCacheJournal restarts the exporter on its cache
// file with one space more: the space listed is appended to the file's
// journal, the file itself is not written (the same inode, modification
// time and bytes), and the next restart restores the four spaces from both;
// stopped with nothing new, it writes neither.
func TestRestartAppendsToTheCacheJournal(t *testing.T) {
	r := newCacheRun(t)
	r.fill(t, 3)
	before, err := os.Stat(r.cacheFile)
	if err != nil {
		t.Fatal(err)
	}
	previous, _ := os.ReadFile(r.cacheFile)
	unchanged := func(what string) {
		t.Helper()
		after, err := os.Stat(r.cacheFile)
		now, _ := os.ReadFile(r.cacheFile)
		if err != nil || !os.SameFile(before, after) || !after.ModTime().Equal(before.ModTime()) || !bytes.Equal(now, previous) {
			t.Errorf("%s: the cache file was written (inode kept %v, mtime %v -> %v)", what, os.SameFile(before, after), before.ModTime(), after.ModTime())
		}
	}

	p := startExporter(t, r.bin, r.env, r.args(4)...)
	waitForMetric(t, p.addr, "cams_spaces{state=\"up\"} 4\n") // 3 restored, 1 listed
	if err := p.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	unchanged("after a restart that listed one space")
	journal, err := os.ReadFile(r.cacheFile + cache.JournalSuffix)
	if lines := strings.Split(strings.TrimSuffix(string(journal), "\n"), "\n"); err != nil || len(lines) < 2 || !strings.Contains(lines[len(lines)-1], `"id":"`+r.ids[3]+`"`) {
		t.Fatalf("the journal after the restart (%v):\n%s\nwant its first line and a write of %s", err, journal, r.ids[3])
	}
	if states, err := cache.Load(r.cacheFile, cache.Meta{Endpoint: r.url + "/"}); err != nil || len(states) != 4 || states[r.ids[3]] == nil {
		t.Fatalf("the file and its journal hold %d spaces (%v), want the 4", len(states), err)
	}

	calls := r.sim.Stats().Calls
	p = startExporter(t, r.bin, r.env, r.args(4)...)
	waitForMetric(t, p.addr, "cams_spaces{state=\"up\"} 4\n") // all 4 restored
	if err := p.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if n := r.sim.Stats().Calls - calls; n != 0 {
		t.Fatalf("the second restart made %d calls; the test needs none (nothing due)", n)
	}
	unchanged("after a restart with nothing new")
	if now, _ := os.ReadFile(r.cacheFile + cache.JournalSuffix); !bytes.Equal(now, journal) {
		t.Errorf("the journal was written at a shutdown with nothing new:\n%s", now)
	}
}

// childOf returns the pid of the one child of the process pid (the
// exporter run under strace).
func childOf(t *testing.T, pid int) int {
	t.Helper()
	var child int
	waitFor(t, 10*time.Second, "the traced exporter's pid", func() bool {
		data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
		_, err := fmt.Sscan(string(data), &child)
		return err == nil
	})
	return child
}

// TestSecondExporterOnACacheFileRefusesToStart runs two exporters on one
// cache file: the second stops at once, exit 1, with one line naming
// --cache.file, and the first goes on; once the first has stopped, the
// second starts.
func TestSecondExporterOnACacheFileRefusesToStart(t *testing.T) {
	r := newCacheRun(t)
	first := startExporter(t, r.bin, r.env, r.args(2)...)
	waitForMetric(t, first.addr, "cams_spaces{state=\"up\"} 2\n")
	code, out := runBinary(t, r.bin, r.env, append(r.args(2), "--web.listen-address="+loopback.FreeAddr(t))...)
	lines := strings.Split(strings.TrimSpace(out), "\n")
	want := "cams_exporter: error: --cache.file: " + r.cacheFile + " is in use by another running exporter (it holds the lock on " + r.cacheFile + ".lock); give each exporter a cache file of its own"
	if code != 1 || len(lines) != 1 || lines[0] != want {
		t.Fatalf("a second exporter: exit %d, output:\n%s\nwant exit 1 and the one line\n%s", code, out, want)
	}
	if status, _ := fetch(testHTTPClient, "http://"+first.addr+"/metrics"); status != 200 || first.exited() {
		t.Fatalf("the first exporter after the second was refused: /metrics %d, exited %v", status, first.exited())
	}
	if err := first.stop(); err != nil {
		t.Fatal(err)
	}
	second := startExporter(t, r.bin, r.env, r.args(2)...)
	waitForMetric(t, second.addr, "cams_spaces{state=\"up\"} 2\n")
}

// TestShutdownWithNothingNewLeavesTheCacheFile restarts the exporter on its
// cache file and stops it before any space is due: nothing was listed,
// nothing changed, and the file is not rewritten (the same inode,
// modification time and bytes).
func TestShutdownWithNothingNewLeavesTheCacheFile(t *testing.T) {
	r := newCacheRun(t)
	r.fill(t, 4)
	before, err := os.Stat(r.cacheFile)
	if err != nil {
		t.Fatal(err)
	}
	previous, _ := os.ReadFile(r.cacheFile)
	calls := r.sim.Stats().Calls

	p := startExporter(t, r.bin, r.env, r.args(4)...)
	waitForMetric(t, p.addr, "cams_spaces{state=\"up\"} 4\n") // restored
	if err := p.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if n := r.sim.Stats().Calls - calls; n != 0 {
		t.Fatalf("the restarted exporter made %d calls; the test needs none (nothing due)", n)
	}
	after, err := os.Stat(r.cacheFile)
	now, _ := os.ReadFile(r.cacheFile)
	if err != nil || !os.SameFile(before, after) || !after.ModTime().Equal(before.ModTime()) || !bytes.Equal(now, previous) {
		t.Errorf("the cache file was rewritten at a shutdown with nothing new (inode kept %v, mtime %v -> %v)", os.SameFile(before, after), before.ModTime(), after.ModTime())
	}
}

// TestCacheFileInADirectoryThatCannotBeWritten starts the exporter on a
// cache file whose directory it may not write (as on a read-only volume):
// it starts, serves the cached data, says once that the file is never
// written, and writes nothing there, not even a lock file.
func TestCacheFileInADirectoryThatCannotBeWritten(t *testing.T) {
	r := newCacheRun(t)
	r.fill(t, 3)
	os.Chmod(r.cacheFile, 0o644)
	previous, _ := os.ReadFile(r.cacheFile)
	os.Remove(r.cacheFile + cache.LockSuffix)
	before, _ := os.ReadDir(r.dir)

	addr := loopback.FreeAddr(t)
	cmd := exec.Command(r.bin, append(r.args(4), "--web.listen-address="+addr)...)
	cmd.Env = r.env
	if os.Geteuid() == 0 {
		// root writes any directory: run as nobody, who may not write it.
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
		for dir := filepath.Dir(r.bin); dir != os.TempDir() && dir != "/"; dir = filepath.Dir(dir) {
			os.Chmod(dir, 0o755) // nobody reads the binary and the cache
		}
		for dir := r.dir; dir != os.TempDir() && dir != "/"; dir = filepath.Dir(dir) {
			os.Chmod(dir, 0o755)
		}
	} else {
		os.Chmod(r.dir, 0o555)
		t.Cleanup(func() { os.Chmod(r.dir, 0o755) })
	}
	p := &exporterProcess{cmd: cmd, addr: addr, stderr: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.stderr, p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.stop() })

	waitForMetric(t, addr, "cams_spaces{state=\"up\"} 4\n") // 3 restored, 1 listed
	if err := p.stop(); err != nil {
		t.Fatalf("stop: %v\n%s", err, p.stderr.String())
	}
	log := p.stderr.String()
	if strings.Count(log, "the cache file is restored but never written") != 1 || !strings.Contains(log, "spaces=3") {
		t.Errorf("the exporter did not restore the cache and say once that it is never written:\n%s", log)
	}
	if strings.Contains(log, "cannot write the cache file") {
		t.Errorf("the exporter tried to write the cache file:\n%s", log)
	}
	after, _ := os.ReadDir(r.dir)
	if now, _ := os.ReadFile(r.cacheFile); !bytes.Equal(now, previous) || len(after) != len(before) {
		t.Errorf("the directory went from %v to %v, the cache changed %v; want nothing written", before, after, !bytes.Equal(now, previous))
	}
}

// waitStopped abandons the cache's write that has not ended margin before
// the budget ends, then waits out the budget for it; work that ends in time
// is not abandoned.
func TestWaitStoppedAbandonsTheCacheWrite(t *testing.T) {
	var abandoned atomic.Bool
	release := make(chan struct{})
	e := &exporter{abandonCacheWrite: func() {
		if !abandoned.Swap(true) {
			close(release)
		}
	}}
	blockedWrite := func() { <-release } // returns once abandoned
	if !e.waitStopped(blockedWrite, time.Hour+time.Millisecond, time.Hour) || !abandoned.Load() {
		t.Errorf("a write blocked until abandoned: abandoned %v", abandoned.Load())
	}
	abandoned.Store(false)
	if !e.waitStopped(func() {}, time.Hour, time.Second) || abandoned.Load() {
		t.Errorf("work that ended at once: abandoned %v, want not", abandoned.Load())
	}
	never := make(chan struct{})
	defer close(never)
	e.abandonCacheWrite = func() { abandoned.Store(true) }
	if e.waitStopped(func() { <-never }, 2*time.Millisecond, time.Millisecond) || !abandoned.Load() {
		t.Errorf("work that never ends: waitStopped reported it stopped, or abandoned nothing")
	}
}
