package exposition

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/internal/tooltest"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/templates"
)

// templatesSnapshot is oddSnapshot with the templates source's parts:
// values that need escaping, a space whose listing disagreed, one whose
// problem templates the budget left without series, a failing space with
// its data kept, and the Budget its state publishes.
func templatesSnapshot() *snapshot.Snapshot {
	tpl := func(problemSeries int, disagreement string, list ...templates.Kept) templates.Templates {
		return templates.Templates{List: list, Total: len(list), Disagreement: disagreement, Pages: 1, ProblemSeries: problemSeries,
			Changes: map[string]uint64{templates.StatusPaused: 2}}
	}
	parts := map[string]*snapshot.SpacePart{
		`cams-"quoted"`: {Up: true, HasData: true, LastSuccess: t0, LastAttempt: t0, Data: tpl(2, "1 templates listed twice",
			templates.Kept{Code: `otp"1\`, Language: "en_US", Category: "AUTHENTICATION", AuditStatus: "fail", Reason: "bad\nwords"},
			templates.Kept{Code: "promo", Language: "ünï", Category: "new\ncategory", AuditStatus: "paused"},
			templates.Kept{Code: "welcome", Language: "en_US", Category: "MARKETING", AuditStatus: "pass"})},
		"cams-folded": {Up: true, HasData: true, LastSuccess: t0, LastAttempt: t0, Data: tpl(0, "",
			templates.Kept{Code: "a", Language: "en_US", Category: "UTILITY", AuditStatus: "disabled"})},
		"cams-down": {HasData: true, LastSuccess: t0.Add(-time.Hour), LastAttempt: t0, LastError: &snapshot.ErrorInfo{Code: "System.LimitControl", Class: "throttled"},
			Data: tpl(1, "", templates.Kept{Code: "b", Language: "en_US", Category: "UTILITY", AuditStatus: "fail"})},
	}
	st := snapshot.NewSourceState(templates.Name, client.OperationListTemplates).WithParts(parts)
	st.Interval, st.ExpectedPass, st.Totals = time.Hour, 2*time.Minute, templates.Budget{Max: 3, Series: 3, Folded: 1}
	return oddSnapshot().WithSources([]*snapshot.SourceState{st})
}

// The templates source's series, per space and as a whole, are served as
// client_golang serves them from the same snapshot, in every format, and
// pass promtool check metrics.
func TestTemplatesSeriesServed(t *testing.T) {
	snap := templatesSnapshot()
	opts := func() collector.Options { // series of their own for each schema (see ownSeries)
		return collector.Options{Sources: []collector.SourceSeries{&templates.Series{Info: true}}}
	}
	h := NewHandler(Options{Snapshot: func() *snapshot.Snapshot { return snap }, Metrics: opts(), Gatherer: self})
	reg := prometheus.NewPedanticRegistry()
	reg.MustRegister(collector.New(func() *snapshot.Snapshot { return snap }, opts()))
	ref := promhttp.HandlerFor(prometheus.Gatherers{reg, self}, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError, EnableOpenMetrics: true})
	for _, accept := range accepts {
		for _, enc := range []string{"identity", "gzip"} {
			t.Run(fmt.Sprintf("%s/%s", accept, enc), func(t *testing.T) {
				got, gotType := scrape(t, h, accept, enc, "")
				want, wantType := scrape(t, ref, accept, enc, "")
				if gotType != wantType {
					t.Fatalf("Content-Type %q, want %q", gotType, wantType)
				}
				compareExpositions(t, gotType, got, want)
			})
		}
	}
	text, _ := scrape(t, h, "text/plain;version=0.0.4", "identity", "")
	for _, want := range []string{
		"\ncams_template_problem_series_folded 1\n",
		`cams_template_listing_disagreement{space="cams-\"quoted\""} 1` + "\n",
		`cams_template_problem_info{audit_status="paused",category="new\ncategory",language="ünï",space="cams-\"quoted\"",template_code="promo"} 1` + "\n",
		`cams_template_problem_info{audit_status="fail",category="UTILITY",language="en_US",space="cams-down",template_code="b"} 1` + "\n",
	} {
		if !bytes.Contains(text, []byte(want)) {
			t.Errorf("served no %s", want)
		}
	}
	for _, line := range strings.Split(string(text), "\n") {
		if strings.Contains(line, `space="cams-folded"`) && (strings.HasPrefix(line, "cams_template_problem_info{") || strings.HasPrefix(line, "cams_template_listing_disagreement{")) {
			t.Errorf("served %s: the space's problem has no series, its listing agreed", line)
		}
	}
	if n := bytes.Count(text, []byte("\ncams_template_problem_info{")); n != 3 {
		t.Errorf("%d problem series, want the 3 the parts hold", n)
	}
	for version, promtool := range map[string]string{"Prometheus 2": tooltest.Debian(t, "promtool", "prometheus"), "Prometheus 3": tooltest.Bin(t, "promtool")} {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		cmd := exec.CommandContext(ctx, promtool, "check", "metrics")
		cmd.Stdin = bytes.NewReader(text)
		out, err := cmd.CombinedOutput()
		cancel()
		if err != nil || strings.TrimSpace(string(out)) != "" {
			t.Errorf("promtool of %s: check metrics: %v\n%s", version, err, out)
		}
	}
}
