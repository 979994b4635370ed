package refresh

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-kit/log"
	"github.com/go-kit/log/level"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

var tStart = time.Date(2026, 11, 26, 12, 0, 0, 0, time.UTC)

// upAt and downAt are states of a space listed at the given time.
func upAt(id string, at time.Time) *snapshot.SpaceState {
	return &snapshot.SpaceState{ID: id, Up: true, HasData: true, LastAttempt: at, LastSuccess: at}
}

func downAt(id, code string, at time.Time) *snapshot.SpaceState {
	return &snapshot.SpaceState{ID: id, LastAttempt: at, LastError: &snapshot.ErrorInfo{Code: code, Message: code + " says no", RequestID: "R-" + id}}
}

// logLines returns the lines written to buf, without the empty last one.
func logLines(buf *bytes.Buffer) []string {
	s := strings.TrimSpace(buf.String())
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// testTransitionLog is a transition log whose windows never end by
// themselves: the test flushes.
func testTransitionLog(buf *bytes.Buffer) *transitionLog {
	t := newTransitionLog(log.NewLogfmtLogger(&syncWriter{w: buf}), tStart)
	t.window = time.Hour
	return t
}

// Each kind of change logs its line (or none), with what the issue asks:
// the code, the remedy, and what the space was.
func TestTransitionsFewSpaces(t *testing.T) {
	later := tStart.Add(time.Minute)
	restored := tStart.Add(-time.Hour)
	tests := []struct {
		name       string
		prev, next *snapshot.SpaceState
		want       []string // substrings of the one line, or nothing logged
	}{
		{"first listing fails", nil, downAt("a", "Ram.PermissionDeny", later),
			[]string{"level=warn", `msg="space is down"`, "space=a", "code=Ram.PermissionDeny", `err="Ram.PermissionDeny says no"`, "request_id=R-a", `remedy="grant cams:ListFlow`}},
		{"up to down", upAt("a", tStart), downAt("a", "Product.Unsubscript", later),
			[]string{"level=warn", "space=a", "code=Product.Unsubscript", "remedy=\"subscribe", "was=up"}},
		{"a new code", downAt("a", "System.LimitControl", tStart), downAt("a", client.CodeTimeout, later),
			[]string{"level=warn", "code=Timeout", "was=System.LimitControl", "--cams.timeout"}},
		{"the same code again", downAt("a", "System.LimitControl", tStart), downAt("a", "System.LimitControl", later), nil},
		{"up again", upAt("a", tStart), upAt("a", later), nil},
		{"first listing succeeds", nil, upAt("a", later), nil},
		{"recovery", downAt("a", "Ram.PermissionDeny", tStart), upAt("a", later),
			[]string{"level=info", `msg="space is up again"`, "space=a", "was=Ram.PermissionDeny"}},
		// A failure restored from the cache was logged by an earlier
		// process, if at all: this one says it once.
		{"restored failure, failing the same way", downAt("a", "Ram.PermissionDeny", restored), downAt("a", "Ram.PermissionDeny", later),
			[]string{"level=warn", "code=Ram.PermissionDeny", "remedy="}},
		{"restored failure recovers", downAt("a", "Ram.PermissionDeny", restored), upAt("a", later),
			[]string{"level=info", "was=Ram.PermissionDeny"}},
		{"restored up, now down", upAt("a", restored), downAt("a", "Ram.PermissionDeny", later),
			[]string{"level=warn", "code=Ram.PermissionDeny"}},
		{"a network failure says its cause", nil, &snapshot.SpaceState{ID: "a", LastAttempt: later, LastError: &snapshot.ErrorInfo{Code: client.CodeNetworkError,
			Message: `Post "http://127.0.0.1:1/": dial tcp 127.0.0.1:1: connect: connection refused`}},
			[]string{"code=NetworkError", `cause="connection refused"`, `remedy="nothing listens at the endpoint`}},
		{"the account's own space", nil, downAt("", "Ram.PermissionDeny", later), []string{"space= "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			tl := testTransitionLog(&buf)
			tl.observe(tt.prev, tt.next)
			tl.flush()
			lines := logLines(&buf)
			if tt.want == nil {
				if len(lines) != 0 {
					t.Fatalf("logged %q, want nothing", lines)
				}
				return
			}
			if len(lines) != 1 {
				t.Fatalf("logged %d lines, want 1:\n%s", len(lines), buf.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(lines[0], w) {
					t.Errorf("line %q lacks %q", lines[0], w)
				}
			}
			if strings.Contains(lines[0], "was=") != strings.Contains(strings.Join(tt.want, " "), "was=") {
				t.Errorf("line %q: was= where it should not be, or missing", lines[0])
			}
		})
	}
}

// 10,000 spaces failing in one window with one code log one line, naming
// the count and the first spaces; failing the same way again logs nothing;
// their recovery logs one line. A few with another code each get their own
// line.
func TestTransitionsManySpacesAggregateByCode(t *testing.T) {
	const n = 10000
	var buf bytes.Buffer
	tl := testTransitionLog(&buf)
	at := tStart.Add(time.Minute)
	prev := make([]*snapshot.SpaceState, n)
	for i := range n {
		id := fmt.Sprintf("cams-%05d", i)
		code := client.CodeCredentials
		if i%5000 == 1 {
			code = "Ram.PermissionDeny" // spaces 1 and 5001
		}
		prev[i] = downAt(id, code, at)
		tl.observe(upAt(id, tStart), prev[i])
	}
	tl.flush()
	lines := logLines(&buf)
	if len(lines) != 3 {
		t.Fatalf("logged %d lines, want 3 (one for the code of %d spaces, one per space for the 2 others):\n%s", len(lines), n-2, buf.String())
	}
	want := []string{"level=warn", `msg="spaces are down"`, "code=Credentials", fmt.Sprintf("spaces=%d", n-2),
		`first="cams-00000 cams-00002 cams-00003 cams-00004 cams-00005"`, "remedy=\"set credentials"}
	for _, w := range want {
		if !strings.Contains(lines[0], w) {
			t.Errorf("line %q lacks %q", lines[0], w)
		}
	}
	for i, space := range []string{"cams-00001", "cams-05001"} {
		if l := lines[1+i]; !strings.Contains(l, "space="+space) || !strings.Contains(l, "code=Ram.PermissionDeny") {
			t.Errorf("line %q, want %s with Ram.PermissionDeny", l, space)
		}
	}

	buf.Reset()
	later := at.Add(time.Hour)
	for i := range n {
		next := downAt(prev[i].ID, prev[i].LastError.Code, later)
		tl.observe(prev[i], next)
		prev[i] = next
	}
	tl.flush()
	if lines := logLines(&buf); len(lines) != 0 {
		t.Fatalf("the same failures again logged %d lines, want none:\n%s", len(lines), buf.String())
	}

	for i := range n {
		tl.observe(prev[i], upAt(prev[i].ID, later.Add(time.Hour)))
	}
	tl.flush()
	lines = logLines(&buf)
	if len(lines) != 3 || !strings.Contains(lines[0], `msg="spaces are up again"`) || !strings.Contains(lines[0], fmt.Sprintf("spaces=%d", n-2)) ||
		!strings.Contains(lines[0], "was=Credentials") || !strings.Contains(lines[0], "level=info") {
		t.Errorf("recovery logged:\n%s\nwant one info line for the %d Credentials spaces, one per Ram.PermissionDeny space", buf.String(), n-2)
	}
}

// However many codes come at once, a window logs a bounded number of
// lines, each of bounded length.
func TestTransitionsBoundedWithManyCodes(t *testing.T) {
	const n = 10000
	var buf bytes.Buffer
	tl := testTransitionLog(&buf)
	long := strings.Repeat("é", client.MaxTextBytes/2)
	for i := range n {
		id := fmt.Sprintf("cams-%0*d", client.MaxSpaceIDBytes-5, i)
		st := &snapshot.SpaceState{ID: id, LastAttempt: tStart.Add(time.Minute),
			LastError: &snapshot.ErrorInfo{Code: client.Cut(fmt.Sprintf("Code%d.%s", i, long), client.MaxTextBytes), Message: long, RequestID: long}}
		tl.observe(nil, st)
	}
	tl.flush()
	lines := logLines(&buf)
	// Every code has one space: maxTransitionGroups lines of their own,
	// then one for the others.
	if len(lines) != maxTransitionGroups+1 {
		t.Errorf("%d lines, want %d", len(lines), maxTransitionGroups+1)
	}
	if last := lines[len(lines)-1]; !strings.Contains(last, fmt.Sprintf("spaces=%d", n-maxTransitionGroups)) {
		t.Errorf("last line %q, want the %d other spaces counted", last, n-maxTransitionGroups)
	}
	for _, l := range lines {
		// code, message, RequestId at 512 bytes each, escaped (2 bytes per
		// é in UTF-8, no escaping needed), remedy and keys.
		if len(l) > 4*client.MaxTextBytes+6*client.MaxSpaceIDBytes+512 {
			t.Errorf("a line of %d bytes: %.200s...", len(l), l)
		}
	}
}

// A window with a crowd doubles the next, up to maxTransitionWindow; a
// window of a few spaces, or a quiet spell, brings it back.
func TestTransitionWindowGrowsWithCrowds(t *testing.T) {
	tl := newTransitionLog(log.NewNopLogger(), tStart)
	crowd := func() {
		for i := range perSpaceLines + 1 {
			tl.observe(nil, downAt(fmt.Sprint(i), "X", tStart.Add(time.Minute)))
		}
		tl.flush()
	}
	want := transitionWindow
	for range 8 {
		crowd()
		want = min(2*want, maxTransitionWindow)
		if tl.window != want {
			t.Fatalf("window %v after a crowd, want %v", tl.window, want)
		}
	}
	if want != maxTransitionWindow {
		t.Fatalf("8 crowds give %v, want the cap %v", want, maxTransitionWindow)
	}
	// A transition after a quiet spell opens a short window again.
	tl.lastFlush = time.Now().Add(-maxTransitionWindow - time.Second)
	tl.observe(nil, downAt("q", "X", tStart.Add(time.Minute)))
	if tl.window != transitionWindow {
		t.Errorf("window %v after a quiet spell, want %v", tl.window, transitionWindow)
	}
	tl.flush()
}

// A window ends by itself: its transitions are logged without a flush.
func TestTransitionWindowEnds(t *testing.T) {
	var buf bytes.Buffer
	w := &syncWriter{w: &buf}
	tl := newTransitionLog(log.NewLogfmtLogger(w), tStart)
	tl.window = 20 * time.Millisecond
	tl.lastFlush = time.Now() // not quiet: keep the short window
	tl.observe(nil, downAt("a", "X", tStart.Add(time.Minute)))
	written := func() []string {
		w.mu.Lock()
		defer w.mu.Unlock()
		return logLines(&buf)
	}
	deadline := time.Now().Add(10 * time.Second)
	for len(written()) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if lines := written(); len(lines) != 1 || !strings.Contains(lines[0], "space=a") {
		t.Errorf("logged %q, want one line for space a", lines)
	}
}

// flakyLister fails the spaces in fail with their error and lists the rest
// with one flow.
type flakyLister struct {
	mu   sync.Mutex
	fail map[string]error
}

func (f *flakyLister) set(space string, err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail[space] = err
}

func (f *flakyLister) ListFlowPage(_ context.Context, space, _ string, _, _ int) ([]client.Flow, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.fail[space]; err != nil {
		return nil, err
	}
	return []client.Flow{{FlowID: "1"}}, nil
}

// Through the refresher at the default log level: a space failing pass
// after pass logs its code and remedy once, not once per pass; a new code
// logs again; its recovery logs at info; a space that never fails logs
// nothing; what the last window held is logged when Run ends.
func TestRefresherLogsEachFailureOnce(t *testing.T) {
	var buf bytes.Buffer
	lister := &flakyLister{fail: map[string]error{
		"bad": &client.Error{Code: "Ram.PermissionDeny", Message: "You are not authorized", RequestID: "R1"},
	}}
	logger := level.NewFilter(log.NewLogfmtLogger(&syncWriter{w: &buf}), level.AllowInfo()) // the default --log.level
	r := New(Config{Lister: lister, Spaces: spacesFunc("bad", "good"), Interval: 20 * time.Millisecond, PageSize: 20, Logger: logger})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	waitPasses := func(n uint64) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for start := r.Snapshot().Refreshes; r.Snapshot().Refreshes < start+n; time.Sleep(5 * time.Millisecond) {
			if time.Now().After(deadline) {
				t.Fatalf("fewer than %d passes in 20s", n)
			}
		}
	}
	waitPasses(5)
	lister.set("bad", &client.Error{Code: "Product.Unsubscript", Message: "not subscribed"})
	waitPasses(5)
	lister.set("bad", nil)
	waitPasses(3)
	cancel()
	<-done

	var changes []string
	for _, l := range logLines(&buf) {
		if strings.Contains(l, "space=") {
			changes = append(changes, l)
		}
	}
	want := [][]string{
		{"level=warn", `msg="space is down"`, "space=bad", "code=Ram.PermissionDeny", "request_id=R1", `remedy="grant cams:ListFlow`},
		{"level=warn", `msg="space is down"`, "space=bad", "code=Product.Unsubscript", "was=Ram.PermissionDeny", `remedy="subscribe`},
		{"level=info", `msg="space is up again"`, "space=bad", "was=Product.Unsubscript"},
	}
	if len(changes) != len(want) {
		t.Fatalf("%d lines about spaces, want %d:\n%s", len(changes), len(want), strings.Join(changes, "\n"))
	}
	for i, w := range want {
		for _, s := range w {
			if !strings.Contains(changes[i], s) {
				t.Errorf("line %d %q lacks %q", i, changes[i], s)
			}
		}
	}
}
