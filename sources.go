package main

import (
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/go-kit/log"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/engine"
	"github.com/cams-exporter/cams_exporter/health"
	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/templates"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

// sourceSpec is what the exporter needs to offer a source of the engine:
// its flags (--collector.<name>, --cams.<name>-rate-limit,
// --<name>.interval and any other) and how to build it. Adding a source is
// one package and one entry of sourceSpecs.
type sourceSpec struct {
	name, operation string
	help            string // what --collector.<name> turns on
	interval        time.Duration
	intervalHelp    string
	// extra are intervals beyond --<name>.interval, by flag name.
	extra []extraInterval
	// ints and bools are the source's other flags.
	ints  []extraInt
	bools []extraBool
	// needs are the sources that must be on with it.
	needs []string
	build func(api *client.Client, f *sourceFlags, o *exporterOptions, logger log.Logger) builtSource
}

type extraInterval struct {
	flag, help string
	def        time.Duration
}

// extraInt is an integer flag, between min and max; check takes it when
// it changes what check reads.
type extraInt struct {
	flag, help    string
	def, min, max int
	check         bool
}

// extraBool is a switch, off by default.
type extraBool struct{ flag, help string }

// builtSource is a source ready for an engine: add adds it with cfg
// (engine.Add, or engine.AddPaged for a source listed page by page).
type builtSource struct {
	add    func(e *engine.Engine, cfg engine.Config) *engine.Runner
	series collector.SourceSeries
}

// callingSource is a builtSource of a Source that makes one call per task.
func callingSource(src engine.Source, series collector.SourceSeries) builtSource {
	return builtSource{series: series, add: func(e *engine.Engine, cfg engine.Config) *engine.Runner {
		cfg.Source = src
		return e.Add(cfg)
	}}
}

// sourceSpecs are the engine's sources, in the order they are wired.
var sourceSpecs = []sourceSpec{
	{
		name: phonenumbers.Name, operation: client.OperationQueryPhoneNumbers, interval: phonenumbers.DefaultInterval,
		help:         "Read each space's phone numbers (status, quality rating, messaging limit tier) with QueryChatappPhoneNumbers, one call per space per --phone-numbers.interval, on a limiter of its own (needs cams:QueryChatappPhoneNumbers): cams_phone_number_state and friends.",
		intervalHelp: "Target age of each space's phone numbers, with --collector.phone-numbers (1m-720h).",
		build: func(api *client.Client, f *sourceFlags, _ *exporterOptions, _ log.Logger) builtSource {
			return callingSource(phonenumbers.New(api, f.interval), &phonenumbers.Series{})
		},
	},
	{
		name: waba.Name, operation: client.OperationQueryBindWaba, interval: waba.DefaultInterval,
		help:         "Read the WhatsApp Business Account bound to each space (its review status) with QueryChatappBindWaba, one call per space per --waba.interval, on a limiter of its own (needs cams:QueryChatappBindWaba): cams_waba_info, cams_waba_bound.",
		intervalHelp: "Target age of each space's WABA, with --collector.waba (1m-720h).",
		build: func(api *client.Client, f *sourceFlags, _ *exporterOptions, _ log.Logger) builtSource {
			return callingSource(waba.New(api, f.interval), &waba.Series{})
		},
	},
	{
		name: messaginghealth.Name, operation: client.OperationGetHealthStatus, interval: messaginghealth.DefaultInterval,
		help:         "Read Meta's messaging health (can the WABA, each number, the business and the app send?) with GetWhatsappHealthStatus, on a limiter of its own (needs cams:GetWhatsappHealthStatus and --collector.waba; with --collector.phone-numbers each number too): cams_messaging_health and friends.",
		intervalHelp: "Target age of the health of each space's WABA, with --collector.messaging-health (1m-720h).",
		extra: []extraInterval{{flag: "messaging-health.phone-interval", def: messaginghealth.DefaultPhoneInterval,
			help: "Target age of the health of each phone number, with --collector.messaging-health and --collector.phone-numbers (1m-720h); new numbers and numbers not CONNECTED or not GREEN are asked first."}},
		needs: []string{waba.Name},
		build: func(api *client.Client, f *sourceFlags, _ *exporterOptions, _ log.Logger) builtSource {
			return callingSource(messaginghealth.New(api, f.interval, *f.extra["messaging-health.phone-interval"]), &messaginghealth.Series{})
		},
	},
	{
		name: templates.Name, operation: client.OperationListTemplates, interval: templates.DefaultInterval,
		help:         "List each space's message templates (audit status, category) with ListChatappTemplate, a page at a time, every --templates.interval, on a limiter of its own (needs cams:ListChatappTemplate): cams_templates, cams_template_problem_info and friends.",
		intervalHelp: "Target age of each space's templates, with --collector.templates (1m-720h).",
		ints: []extraInt{
			{flag: "templates.page-size", def: client.DefaultTemplatesPageSize, min: 1, max: client.MaxTemplatesPageSize, check: true,
				help: fmt.Sprintf("Templates asked for per ListChatappTemplate page, with --collector.templates (1-%d; CAMS documents no maximum, its console pages by 20). A listing ends at its Total or a short page, after at most --cams.max-pages pages.", client.MaxTemplatesPageSize)},
			{flag: "templates.max-problem-series", def: templates.DefaultMaxProblemSeries, min: 0, max: maxProblemSeries,
				help: fmt.Sprintf("At most this many cams_template_problem_info series for the whole exporter, with --collector.templates (0-%d); the problem templates beyond it are counted in cams_template_problem_series_folded (cams_templates counts every template).", maxProblemSeries)},
		},
		bools: []extraBool{{flag: "collector.template-info",
			help: "With --collector.templates, a cams_template_info series for every template (500,000 series at 10,000 spaces of 50 templates)."}},
		build: func(api *client.Client, f *sourceFlags, o *exporterOptions, logger log.Logger) builtSource {
			src := templates.New(api, f.interval, *f.ints["templates.page-size"], o.maxPages,
				templates.Options{MaxProblemSeries: *f.ints["templates.max-problem-series"], Logger: logger, KeepAll: *f.bools["collector.template-info"]})
			return builtSource{series: &templates.Series{Info: *f.bools["collector.template-info"]},
				add: func(e *engine.Engine, cfg engine.Config) *engine.Runner { return engine.AddPaged(e, cfg, src) }}
		},
	},
}

// maxProblemSeries bounds --templates.max-problem-series.
const maxProblemSeries = 1_000_000

func init() { maps.Copy(checkFlags, sourceCheckFlags()) }

// sourceFlags are one source's flags.
type sourceFlags struct {
	spec     *sourceSpec
	on       bool
	rate     float64
	interval time.Duration
	extra    map[string]*time.Duration
	ints     map[string]*int
	bools    map[string]*bool
}

// Bounds of a source's intervals and rate.
const (
	minSourceInterval = time.Minute
	maxSourceInterval = 720 * time.Hour
	maxSourceRate     = 1000
)

// addSourceFlags defines the flags of every source.
func addSourceFlags(app flagGroup) []*sourceFlags {
	out := make([]*sourceFlags, len(sourceSpecs))
	for i := range sourceSpecs {
		spec := &sourceSpecs[i]
		f := &sourceFlags{spec: spec, extra: map[string]*time.Duration{}, ints: map[string]*int{}, bools: map[string]*bool{}}
		app.Flag("collector."+spec.name, spec.help).BoolVar(&f.on)
		app.Flag(rateFlag(spec.name), fmt.Sprintf("%s calls per second for the whole account, with --collector.%s (CAMS allows %g, apart from every other operation's).",
			spec.operation, spec.name, client.DefaultRate(spec.operation)/0.8)).Default(fmt.Sprint(client.DefaultRate(spec.operation))).Float64Var(&f.rate)
		app.Flag(spec.name+".interval", spec.intervalHelp).Default(durationText(spec.interval)).DurationVar(&f.interval)
		for _, x := range spec.extra {
			f.extra[x.flag] = new(time.Duration)
			app.Flag(x.flag, x.help).Default(durationText(x.def)).DurationVar(f.extra[x.flag])
		}
		for _, x := range spec.ints {
			f.ints[x.flag] = new(int)
			app.Flag(x.flag, x.help).Default(fmt.Sprint(x.def)).IntVar(f.ints[x.flag])
		}
		for _, x := range spec.bools {
			f.bools[x.flag] = new(bool)
			app.Flag(x.flag, x.help).BoolVar(f.bools[x.flag])
		}
		out[i] = f
	}
	return out
}

func rateFlag(name string) string { return "cams." + name + "-rate-limit" }

// sourceCheckFlags are the source flags check takes: whether each is on,
// and its rate.
func sourceCheckFlags() map[string]bool {
	m := map[string]bool{}
	for _, spec := range sourceSpecs {
		m["collector."+spec.name] = true
		m[rateFlag(spec.name)] = true
		for _, x := range spec.ints {
			m[x.flag] = x.check
		}
	}
	return m
}

// validateSources checks the sources' flags: rates, intervals, needs.
func validateSources(sources []*sourceFlags, demo bool) error {
	on := map[string]bool{}
	for _, f := range sources {
		on[f.spec.name] = f.on
	}
	for _, f := range sources {
		name := f.spec.name
		if !(f.rate > 0) || f.rate > maxSourceRate {
			return fmt.Errorf("--%s must be above 0 and at most %d calls per second, got %g", rateFlag(name), maxSourceRate, f.rate)
		}
		intervals := map[string]time.Duration{name + ".interval": f.interval}
		for flag, d := range f.extra {
			intervals[flag] = *d
		}
		for flag, d := range intervals {
			if (d < minSourceInterval && !demo) || d > maxSourceInterval {
				return fmt.Errorf("--%s must be between 1m and 720h, got %s", flag, d)
			}
		}
		for _, x := range f.spec.ints {
			if v := *f.ints[x.flag]; v < x.min || v > x.max {
				return fmt.Errorf("--%s must be between %d and %d, got %d", x.flag, x.min, x.max, v)
			}
		}
		for _, x := range f.spec.bools {
			if *f.bools[x.flag] && !f.on {
				return fmt.Errorf("--%s needs --collector.%s: turn it on too", x.flag, name)
			}
		}
		for _, need := range f.spec.needs {
			if f.on && !on[need] {
				return fmt.Errorf("--collector.%s needs --collector.%s: turn it on too (it reads what that collector knows)", name, need)
			}
		}
	}
	return nil
}

// enabledSources returns the flags of the sources that are on.
func enabledSources(sources []*sourceFlags) []*sourceFlags {
	var out []*sourceFlags
	for _, f := range sources {
		if f.on {
			out = append(out, f)
		}
	}
	return out
}

// sourceRates returns the rates of the sources that are on, for the
// client's limiters.
func sourceRates(sources []*sourceFlags) map[string]float64 {
	rates := map[string]float64{}
	for _, f := range enabledSources(sources) {
		rates[f.spec.operation] = f.rate
	}
	return rates
}

// wireSources adds each source that is on to the engine, with its metrics.
func (e *exporter) wireSources(api *collector.APIMetrics, forgetAfter time.Duration) {
	for _, f := range enabledSources(e.opts.sources) {
		built := f.spec.build(e.client, f, e.opts, e.logger)
		limiter := e.client.LimiterOf(f.spec.operation)
		built.add(e.engine, engine.Config{Pacer: limiter, Rate: f.rate, Interval: f.interval, ForgetAfter: forgetAfter, Logger: e.logger})
		api.Expect(f.spec.operation)
		e.metrics.Sources = append(e.metrics.Sources, built.series)
		if e.metrics.SourceRates == nil {
			e.metrics.SourceRates = map[string]func() float64{}
		}
		e.metrics.SourceRates[f.spec.name] = limiter.Rate
		if e.checker.SourceLimiters == nil {
			e.checker.SourceLimiters = map[string]health.SourceLimiter{}
		}
		e.checker.SourceLimiters[f.spec.name] = health.SourceLimiter{Rate: limiter.Rate, MaxRate: limiter.MaxRate()}
	}
}

// durationText writes d as a flag's default is written: 15m, not 15m0s.
func durationText(d time.Duration) string {
	s := d.String()
	s, _ = strings.CutSuffix(s, "m0s")
	if len(s) < len(d.String()) {
		s += "m"
	}
	if t, ok := strings.CutSuffix(s, "h0m"); ok {
		s = t + "h"
	}
	return s
}
