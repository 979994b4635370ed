package main

import (
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/simulator"
)

// The binary at the default log level, watching 30 spaces of which 25 fail
// with one code and one with another, over three passes: the crowd is one
// line with its count and remedy, the lone failure one line with its code,
// RequestId and remedy, each once however many passes fail the same way; a
// new code and a recovery are logged when they happen; the last window is
// logged at shutdown.
func TestFailuresAreLoggedOnceWithTheirRemedy(t *testing.T) {
	t.Parallel()
	data := simulator.Generate(5, 30, 3)
	data.Spaces = data.Spaces[1:] // not the account's own space
	sim, url := startSimulator(t, data, -1)
	var args []string
	for _, sp := range data.Spaces {
		args = append(args, "--cams.space="+sp.ID)
	}
	crowd := map[string]bool{}
	for _, sp := range data.Spaces[:25] {
		crowd[sp.ID] = true
		sim.SetSpaceError(sp.ID, "Ram.PermissionDeny")
	}
	lone, changing := data.Spaces[25].ID, data.Spaces[26].ID
	sim.SetSpaceError(lone, "Product.Unsubscript")

	p := startExporter(t, buildBinary(t), credentialEnv(t), append(args, "--cams.endpoint="+url, "--cams.rate-limit=100",
		"--refresh.interval=10s", "--cams.max-retries=1")...)
	passes := func() int { return strings.Count(p.stderr.String(), `msg="pass finished with failing spaces"`) }
	waitFor(t, 40*time.Second, "two passes", func() bool { return passes() >= 2 })
	// Before the third pass: one space recovers, a healthy one starts
	// failing, and one of the crowd fails with another code.
	sim.SetSpaceError(lone, "")
	sim.SetSpaceError(changing, "Product.Unsubscript")
	switched := data.Spaces[0].ID
	sim.SetSpaceError(switched, "Unknown.ResourceOwnerId")
	waitFor(t, 40*time.Second, "a third pass", func() bool { return passes() >= 3 })
	if err := p.stop(); err != nil {
		t.Fatalf("exporter: %v", err)
	}

	var lines []string
	for l := range strings.Lines(p.stderr.String()) {
		if strings.Contains(l, "space is") || strings.Contains(l, "spaces are") {
			lines = append(lines, l)
		}
	}
	want := []struct {
		name string
		has  []string
	}{
		{"the crowd", []string{"level=warn", `msg="spaces are down"`, "code=Ram.PermissionDeny", "spaces=25", "first=", `remedy="grant cams:ListFlow`}},
		{"the lone failure", []string{"level=warn", `msg="space is down"`, "space=" + lone, "code=Product.Unsubscript", "request_id=", `remedy="subscribe`}},
		{"a healthy space failing", []string{"level=warn", `msg="space is down"`, "space=" + changing, "code=Product.Unsubscript", "was=up"}},
		{"a new code", []string{"level=warn", `msg="space is down"`, "space=" + switched, "code=Unknown.ResourceOwnerId", "was=Ram.PermissionDeny", `remedy="the space id does not belong`}},
		{"the recovery", []string{"level=info", `msg="space is up again"`, "space=" + lone, "was=Product.Unsubscript"}},
	}
	if len(lines) != len(want) {
		t.Fatalf("%d lines about spaces over 3 passes, want %d:\n%s", len(lines), len(want), strings.Join(lines, ""))
	}
	for _, w := range want {
		found := 0
		for _, l := range lines {
			if containsAll(l, w.has) {
				found++
			}
		}
		if found != 1 {
			t.Errorf("%s: %d lines with %q, want 1:\n%s", w.name, found, w.has, strings.Join(lines, ""))
		}
	}
	// The crowd's line names five of its spaces.
	for _, l := range lines {
		if !strings.Contains(l, "spaces=25") {
			continue
		}
		_, rest, _ := strings.Cut(l, `first="`)
		names, _, _ := strings.Cut(rest, `"`)
		if f := strings.Fields(names); len(f) != 5 || !crowd[f[0]] || !crowd[f[4]] {
			t.Errorf("first=%q, want five of the 25", names)
		}
	}
}

func containsAll(s string, subs []string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}
