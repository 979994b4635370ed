package main

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/check"
	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/simulator"
)

// sourcesData is an account for check with the sources on: a healthy
// space, a space in trouble (a number BANNED, another FLAGGED and RED
// whose messaging is BLOCKED, its business BLOCKED, its WABA LIMITED and
// under review), a space without a WABA, and the account's own space,
// which has no CustSpaceId and so no call of the sources (its BANNED
// number and REJECTED WABA must never show).
func sourcesData() *simulator.Dataset {
	flow := func(id string) simulator.Flow {
		return simulator.Flow{FlowId: id, FlowName: "flow " + id, Categories: []string{"SURVEY"}}
	}
	blocked := &simulator.Health{CanSendMessage: "BLOCKED", Errors: []simulator.HealthError{{ErrorCode: "141010", ErrorDescription: "The business is not verified.", PossibleSolution: "Verify it."}}}
	return &simulator.Dataset{Spaces: []simulator.Space{
		{ID: "", Flows: []simulator.Flow{flow("0")}, WABA: &simulator.WABA{Id: "w-own", AccountReviewStatus: "REJECTED"},
			PhoneNumbers: []simulator.PhoneNumber{{PhoneNumber: "6500", Status: "BANNED", QualityRating: "RED"}}},
		{ID: "cams-good", Flows: []simulator.Flow{flow("1"), flow("2")},
			WABA: &simulator.WABA{Id: "w-good", Name: "Good Co", BusinessId: "b-good", AccountReviewStatus: "APPROVED"},
			PhoneNumbers: []simulator.PhoneNumber{
				{PhoneNumber: "6511", VerifiedName: "Good Co", Status: "CONNECTED", QualityRating: "GREEN", MessagingLimitTier: "TIER_10K"},
				{PhoneNumber: "6512", VerifiedName: "Good Co", Status: "CONNECTED", QualityRating: "GREEN", MessagingLimitTier: "TIER_1K"},
			}},
		{ID: "cams-risky", Flows: []simulator.Flow{flow("3")},
			WABA:           &simulator.WABA{Id: "w-risky", BusinessId: "b-risky", AccountReviewStatus: "PENDING"},
			WABAHealth:     &simulator.Health{CanSendMessage: "LIMITED"},
			BusinessHealth: blocked,
			PhoneNumbers: []simulator.PhoneNumber{
				{PhoneNumber: "6521", Status: "FLAGGED", QualityRating: "RED", MessagingLimitTier: "TIER_250",
					Health: &simulator.Health{CanSendMessage: "BLOCKED", Errors: []simulator.HealthError{{ErrorCode: "141000"}}}},
				{PhoneNumber: "6522", Status: "BANNED", QualityRating: "YELLOW", MessagingLimitTier: "TIER_1K"},
			}},
		{ID: "cams-nowaba", Flows: []simulator.Flow{flow("4")},
			PhoneNumbers: []simulator.PhoneNumber{{PhoneNumber: "6531", Status: "CONNECTED", QualityRating: "GREEN", MessagingLimitTier: "TIER_50"}}},
	}}
}

// sourcesOn are the flags that turn every source on, fast.
var sourcesOn = []string{"--collector.phone-numbers", "--collector.waba", "--collector.messaging-health",
	"--cams.phone-numbers-rate-limit=500", "--cams.waba-rate-limit=500", "--cams.messaging-health-rate-limit=500"}

var spacesOfSourcesData = []string{"--cams.space=cams-good", "--cams.space=cams-risky", "--cams.space=cams-nowaba"}

// runCheck runs `cams_exporter check` in this process, with the test's
// credentials in the environment, and returns its exit code and output.
func runCheck(t *testing.T, url string, args ...string) (int, string) {
	t.Helper()
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", testKeyID)
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", testKeySecret)
	var code int
	out := captureStdout(t, func() {
		code = run(append([]string{"check", "--cams.endpoint=" + url, "--cams.rate-limit=500", "--check.timeout=5m"}, args...))
	})
	return code, out
}

// TestCheckSources runs check end to end against the simulator with every
// source on: the report carries each space's numbers, WABA and messaging
// health as the data set has them, judged CRITICAL for the BANNED number
// and the BLOCKED business and number, with every other finding counted;
// each operation is called once per space (the health once per WABA and
// number), the own space never.
func TestCheckSources(t *testing.T) {
	sim, url := startSimulator(t, sourcesData(), -1)
	code, out := runCheck(t, url, append(append([]string{"--output=json"}, spacesOfSourcesData...), sourcesOn...)...)
	var report check.Result
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("check --output=json: %v\n%s", err, out)
	}
	wantSummary := "1 number BANNED, 1 business BLOCKED, 1 number BLOCKED; " +
		"1 number RED, 1 number FLAGGED, 1 WABA review PENDING, 1 WABA LIMITED; 3 spaces, 4 flows"
	if code != 2 || report.State != "CRITICAL" || report.Summary != wantSummary {
		t.Errorf("exit %d, %s %q\nwant exit 2, CRITICAL %q", code, report.State, report.Summary, wantSummary)
	}
	ok := check.Call{OK: true}
	want := map[string]check.SpaceResult{
		"cams-good": {
			PhoneNumbers: &check.NumbersResult{Call: ok, Count: 2, WorstStatus: "CONNECTED", WorstQualityRating: "GREEN", LowestMessagingLimitTier: "TIER_1K"},
			WABA:         &check.WABAResult{Call: ok, Bound: true, WabaID: "w-good", BusinessID: "b-good", AccountReviewStatus: "APPROVED"},
			MessagingHealth: &check.HealthResult{Call: ok, CanSendMessage: "AVAILABLE",
				Numbers: []check.NumberHealth{{PhoneNumber: "6511", CanSendMessage: "AVAILABLE"}, {PhoneNumber: "6512", CanSendMessage: "AVAILABLE"}}},
		},
		"cams-risky": {
			PhoneNumbers: &check.NumbersResult{Call: ok, Count: 2, WorstStatus: "BANNED", WorstQualityRating: "RED", LowestMessagingLimitTier: "TIER_250",
				Problems: []check.NumberProblem{
					{PhoneNumber: "6521", Severity: "WARNING", Status: "FLAGGED", QualityRating: "RED", MessagingLimitTier: "TIER_250"},
					{PhoneNumber: "6522", Severity: "CRITICAL", Status: "BANNED", QualityRating: "YELLOW", MessagingLimitTier: "TIER_1K"},
				}},
			WABA: &check.WABAResult{Call: ok, Bound: true, WabaID: "w-risky", BusinessID: "b-risky", AccountReviewStatus: "PENDING"},
			// The business is BLOCKED: so is every answer of the space.
			MessagingHealth: &check.HealthResult{Call: ok, CanSendMessage: "BLOCKED",
				Numbers: []check.NumberHealth{{PhoneNumber: "6521", CanSendMessage: "BLOCKED"}, {PhoneNumber: "6522", CanSendMessage: "BLOCKED"}},
				Entities: []check.EntityHealth{
					{Type: "WABA", ID: "w-risky", CanSendMessage: "LIMITED"},
					{Type: "BUSINESS", ID: "b-risky", CanSendMessage: "BLOCKED", ErrorCodes: []string{"141010"}},
					{Type: "PHONE_NUMBER", ID: "6521", CanSendMessage: "BLOCKED", ErrorCodes: []string{"141000"}},
				}},
		},
		// Without a WABA: OK, and its number's health is not known.
		"cams-nowaba": {
			PhoneNumbers:    &check.NumbersResult{Call: ok, Count: 1, WorstStatus: "CONNECTED", WorstQualityRating: "GREEN", LowestMessagingLimitTier: "TIER_50"},
			WABA:            &check.WABAResult{Call: ok},
			MessagingHealth: &check.HealthResult{Call: ok},
		},
	}
	if len(report.Spaces) != len(want) {
		t.Fatalf("%d spaces reported, want %d:\n%s", len(report.Spaces), len(want), out)
	}
	for _, got := range report.Spaces {
		w, found := want[got.Space]
		if !found {
			t.Errorf("space %q reported", got.Space)
			continue
		}
		for name, pair := range map[string][2]any{
			"phone_numbers": {got.PhoneNumbers, w.PhoneNumbers}, "waba": {got.WABA, w.WABA}, "messaging_health": {got.MessagingHealth, w.MessagingHealth},
		} {
			if !reflect.DeepEqual(pair[0], pair[1]) {
				g, _ := json.Marshal(pair[0])
				e, _ := json.Marshal(pair[1])
				t.Errorf("space %s %s:\n got %s\nwant %s", got.Space, name, g, e)
			}
		}
		if !got.OK || got.Flows != len(flowsOf(sourcesData(), got.Space)) {
			t.Errorf("space %s: ok %v, %d flows", got.Space, got.OK, got.Flows)
		}
	}
	stats := sim.Stats()
	once := map[string]int{"cams-good": 1, "cams-risky": 1, "cams-nowaba": 1}
	for op, calls := range map[string]map[string]int{
		client.OperationQueryPhoneNumbers: once,
		client.OperationQueryBindWaba:     once,
		// The WABA and each number of a space with one; each number of
		// the space without (answered ERR-OPERATION-MAAP-0060).
		client.OperationGetHealthStatus: {"cams-good": 3, "cams-risky": 3, "cams-nowaba": 1},
	} {
		if !maps.Equal(stats.Spaces[op], calls) {
			t.Errorf("%s calls by space %v, want %v", op, stats.Spaces[op], calls)
		}
	}

	// The text report: a column per source, then the problems with their
	// severity.
	_, text := runCheck(t, url, append(spacesOfSourcesData, sourcesOn...)...)
	for _, s := range []string{
		"CAMS CRITICAL - " + wantSummary,
		"NUMBERS: WORST", "WABA", "MESSAGING",
		"cams-good    ok      2      ", "2: CONNECTED GREEN TIER_1K  APPROVED   AVAILABLE",
		"cams-nowaba  ok      1      ", "1: CONNECTED GREEN TIER_50  not bound  -",
		"cams-risky  phone-numbers     number 6522 BANNED YELLOW TIER_1K (CRITICAL)",
		"cams-risky  waba              WABA w-risky review PENDING (WARNING)",
		"cams-risky  messaging-health  BUSINESS b-risky BLOCKED: 141010 (CRITICAL)",
	} {
		if !strings.Contains(text, s) {
			t.Errorf("the text report lacks %q:\n%s", s, text)
		}
	}
	for _, never := range []string{"6500", "w-own", "REJECTED", "The business is not verified", "Verify it"} {
		if strings.Contains(out+text, never) {
			t.Errorf("the report names %q:\n%s\n%s", never, out, text)
		}
	}
}

// flowsOf returns the flows of a space of data.
func flowsOf(data *simulator.Dataset, id string) []simulator.Flow {
	for _, sp := range data.Spaces {
		if sp.ID == id {
			return sp.Flows
		}
	}
	return nil
}

// Without the collector flags check calls none of the three operations and
// names none of them; with them, the own space alone is asked nothing.
func TestCheckSourcesOffAndOwnSpace(t *testing.T) {
	sim, url := startSimulator(t, sourcesData(), -1)
	code, out := runCheck(t, url, spacesOfSourcesData...)
	if code != 0 || !strings.HasPrefix(out, "CAMS OK - 3 spaces, 4 flows\n") {
		t.Errorf("sources off: exit %d\n%s", code, out)
	}
	_, js := runCheck(t, url, append([]string{"--output=json"}, spacesOfSourcesData...)...)
	for _, never := range []string{"NUMBERS", "MESSAGING", "WABA", "number", `"phone_numbers"`, `"waba"`, `"messaging_health"`, "health"} {
		if strings.Contains(out+js, never) {
			t.Errorf("with the sources off the report names %q:\n%s\n%s", never, out, js)
		}
	}
	code, out = runCheck(t, url, sourcesOn...) // no --cams.space: the own space
	if code != 0 || !strings.HasPrefix(out, "CAMS OK - 1 space, 1 flow, 0 numbers, 0 WABAs bound, 0 health checks\n") {
		t.Errorf("the own space with the sources on: exit %d\n%s", code, out)
	}
	for _, op := range []string{client.OperationQueryPhoneNumbers, client.OperationQueryBindWaba, client.OperationGetHealthStatus} {
		if n := sim.Stats().Operations[op]; n != 0 {
			t.Errorf("%d calls of %s, want none", n, op)
		}
	}
}

// A source denied in every space is CRITICAL, naming its RAM action; in
// some spaces a WARNING; the listings and the other sources go on.
func TestCheckSourceDenied(t *testing.T) {
	healthy := []string{"--cams.space=cams-good", "--cams.space=cams-nowaba"}
	tests := []struct {
		name  string
		fault simulator.Fault
		want  check.Status
		texts []string
	}{
		{"QueryChatappPhoneNumbers denied everywhere",
			simulator.Fault{Kind: simulator.FaultError, Code: "Ram.PermissionDeny", Action: client.OperationQueryPhoneNumbers}, check.Critical,
			[]string{"CAMS CRITICAL - QueryChatappPhoneNumbers failed for 2 spaces of 2 (Ram.PermissionDeny); 2 spaces, 3 flows",
				"FAILED Ram.PermissionDeny", "grant cams:QueryChatappPhoneNumbers to the RAM identity the exporter runs as, or run without --collector.phone-numbers",
				"APPROVED", "AVAILABLE"}},
		{"QueryChatappBindWaba denied in one space",
			simulator.Fault{Kind: simulator.FaultError, Code: "Ram.PermissionDeny", Action: client.OperationQueryBindWaba, Space: ptr("cams-good")}, check.Warning,
			[]string{"CAMS WARNING - QueryChatappBindWaba failed for 1 space of 2 (Ram.PermissionDeny); 2 spaces, 3 flows", "grant cams:QueryChatappBindWaba"}},
		// Throttled everywhere is not a permission: a WARNING.
		{"GetWhatsappHealthStatus throttled for good",
			simulator.Fault{Kind: simulator.FaultError, Code: "System.LimitControl", Action: client.OperationGetHealthStatus}, check.Warning,
			[]string{"CAMS WARNING - complete, but CAMS throttled ", "; GetWhatsappHealthStatus failed for 2 spaces of 2 (System.LimitControl)\n",
				"lower --cams.messaging-health-rate-limit or stop other callers of GetWhatsappHealthStatus on this account (5 calls/s in all)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim, url := startSimulator(t, sourcesData(), -1)
			sim.Inject(tt.fault)
			code, out := runCheck(t, url, append(append([]string{"--cams.max-retries=1"}, healthy...), sourcesOn...)...)
			if code != int(tt.want) {
				t.Errorf("exit %d, want %d\n%s", code, tt.want, out)
			}
			for _, s := range tt.texts {
				if !strings.Contains(out, s) {
					t.Errorf("the report lacks %q:\n%s", s, out)
				}
			}
		})
	}
}

// deadline is a context whose deadline the test says has passed: check's
// --check.timeout expiring at a point the test chose.
type deadline struct {
	context.Context
	passed chan struct{}
}

func newDeadline() *deadline {
	return &deadline{Context: context.Background(), passed: make(chan struct{})}
}

func (d *deadline) Done() <-chan struct{} { return d.passed }

func (d *deadline) Err() error {
	select {
	case <-d.passed:
		return context.DeadlineExceeded
	default:
		return nil
	}
}

// A run cut short while a space's calls hang is UNKNOWN, naming the
// listing and each source not finished; the time out comes once every
// call hangs, not after a guess of how long the others take.
func TestCheckSourcesTimeout(t *testing.T) {
	sim, url := startSimulator(t, sourcesData(), -1)
	sim.Inject(simulator.Fault{Kind: simulator.FaultHang, Space: ptr("cams-good")})
	o := parseFlags(t, append([]string{"--cams.endpoint=" + url, "--cams.rate-limit=500", "--cams.timeout=5m", "--cams.space=cams-good"}, sourcesOn...)...)
	c := &checkCommand{output: "text", slowAfter: time.Hour, timeout: 2 * time.Minute}
	ctx := newDeadline()
	type outcome struct {
		res check.Result
		err error
	}
	done := make(chan outcome, 1)
	go func() {
		res, err := c.evaluate(ctx, o, client.StaticCredentials{AccessKeyID: testKeyID, AccessKeySecret: testKeySecret})
		done <- outcome{res, err}
	}()
	waitFor(t, time.Minute, "the listing, the numbers and the WABA of cams-good to hang", func() bool {
		s := sim.Stats()
		return s.ListFlow["cams-good"] == 1 && s.Spaces[client.OperationQueryPhoneNumbers]["cams-good"] == 1 && s.Spaces[client.OperationQueryBindWaba]["cams-good"] == 1
	})
	close(ctx.passed)
	got := <-done
	if got.err != nil {
		t.Fatal(got.err)
	}
	var text bytes.Buffer
	got.res.WriteText(&text)
	want := "--check.timeout 2m0s expired: 1 space of 1 not finished: cams-good; " +
		"QueryChatappPhoneNumbers not finished for 1 space of 1 before --check.timeout 2m0s; QueryChatappBindWaba not finished for 1 space of 1 before --check.timeout 2m0s"
	if got.res.Status != check.Unknown || got.res.Summary != want {
		t.Errorf("got %v %q\nwant UNKNOWN %q\n%s", got.res.Status, got.res.Summary, want, text.String())
	}
	if !strings.Contains(text.String(), "cams-good  UNFINISHED  -      0.000s   UNFINISHED      UNFINISHED  -") {
		t.Errorf("the table lacks the unfinished sources:\n%s", text.String())
	}
	if n := sim.Stats().Operations[client.OperationGetHealthStatus]; n != 0 {
		t.Errorf("%d health calls before the WABA was known", n)
	}
}

// check takes each source's collector and rate flags, not its intervals
// (a check reads each source once), and refuses a source without the one
// it needs: a one-line error and exit 3.
func TestCheckSourceFlags(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"check", "--collector.messaging-health"}, "--collector.messaging-health needs --collector.waba"},
		{[]string{"check", "--collector.phone-numbers", "--cams.phone-numbers-rate-limit=0"}, "--cams.phone-numbers-rate-limit must be above 0"},
		{[]string{"check", "--phone-numbers.interval=1h"}, "--phone-numbers.interval is a flag of serve, not of check"},
		{[]string{"check", "--messaging-health.phone-interval=1h"}, "--messaging-health.phone-interval is a flag of serve, not of check"},
	} {
		var code int
		out := captureStderr(t, func() { code = run(tt.args) })
		if code != 3 || !strings.Contains(out, tt.want) || strings.Count(strings.TrimSpace(out), "\n") != 0 {
			t.Errorf("%v: exit %d, stderr %q; want 3 and one line saying %q", tt.args, code, out, tt.want)
		}
	}
}
