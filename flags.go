package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/alecthomas/kingpin/v2"
	"github.com/prometheus/exporter-toolkit/web"
	"github.com/prometheus/exporter-toolkit/web/kingpinflag"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/internal/safefile"
	"github.com/cams-exporter/cams_exporter/spaces"
)

// defaultListenAddress is the exporter's port, used everywhere: the
// Dockerfile, the examples and the README.
const defaultListenAddress = ":9949"

// exporterOptions are the flags of serve; check takes those of checkFlags,
// and holds the others at their defaults.
type exporterOptions struct {
	web                    *web.FlagConfig
	telemetryPath          string
	maxRequests            int
	disableExporterMetrics bool
	logLevel, logFormat    string

	region, endpoint string
	insecureEndpoint bool
	spaces           []string
	spacesFile       string
	discoverSpaces   bool
	discoverInterval time.Duration
	discoverChannel  string
	flowName         string
	pageSize         int
	maxPages         int
	rateLimit        float64
	timeout          time.Duration
	maxRetries       int

	refreshInterval time.Duration
	cacheFile       string
	flowInfo        bool

	flowStatus         bool
	getFlowRateLimit   float64
	flowStatusInterval time.Duration

	// sources are the flags of the engine's sources (sources.go).
	sources []*sourceFlags

	maxStaleness time.Duration
	demo         bool
}

// flagGroup is where flags are defined: the application or a command.
type flagGroup interface {
	Flag(name, help string) *kingpin.FlagClause
}

func addExporterFlags(app flagGroup) *exporterOptions {
	o := &exporterOptions{web: kingpinflag.AddFlags(app, defaultListenAddress)}
	app.Flag("web.telemetry-path", "Path under which to expose metrics.").Default("/metrics").StringVar(&o.telemetryPath)
	app.Flag("web.max-requests", "Maximum number of scrape requests prepared at once (writing their answers is not counted); beyond it /metrics answers 503 at once. 0 disables the limit.").Default("40").IntVar(&o.maxRequests)
	app.Flag("web.disable-exporter-metrics", "Exclude the exporter's own process and Go metrics (promhttp_*, process_*, go_*).").BoolVar(&o.disableExporterMetrics)
	app.Flag("log.level", "Only log messages with the given severity or above. One of: [debug, info, warn, error]").Default("info").EnumVar(&o.logLevel, "debug", "info", "warn", "error")
	app.Flag("log.format", "Output format of log messages. One of: [logfmt, json]").Default("logfmt").EnumVar(&o.logFormat, "logfmt", "json")

	app.Flag("cams.region", "Region of the CAMS endpoint, cams.<region>.aliyuncs.com.").Default(client.DefaultRegion).StringVar(&o.region)
	app.Flag("cams.endpoint", "CAMS endpoint URL; overrides --cams.region.").StringVar(&o.endpoint)
	app.Flag("cams.insecure-endpoint", "Allow a plain http:// endpoint that is not a loopback address.").BoolVar(&o.insecureEndpoint)
	app.Flag("cams.space", "CustSpaceId of a space to watch (repeatable). With no space at all, the account's own flows.").StringsVar(&o.spaces)
	app.Flag("cams.spaces-file", "File of CustSpaceIds, one a line, # comments; re-read on SIGHUP and when it changes.").StringVar(&o.spacesFile)
	app.Flag("cams.discover-spaces", "Also watch every space of the account, found with ListInstance (needs cams:ListInstance).").BoolVar(&o.discoverSpaces)
	app.Flag("cams.discover-interval", "How often --cams.discover-spaces lists the account's spaces again (at least 1m).").Default("1h").DurationVar(&o.discoverInterval)
	app.Flag("cams.discover-channel-type", "Only discover spaces of this channel type (ListInstance's ChannelType, compared without regard to case), e.g. whatsapp.").StringVar(&o.discoverChannel)
	app.Flag("cams.flow-name", "Only count flows whose name contains this (ListFlow's FlowName).").StringVar(&o.flowName)
	app.Flag("cams.page-size", "ListFlow page size (1-100).").Default("20").IntVar(&o.pageSize)
	app.Flag("cams.max-pages", "End a space's listing that has not reached a short page after this many pages (1-10000): the space is down with TooManyPages and keeps its last data.").Default("500").IntVar(&o.maxPages)
	app.Flag("cams.rate-limit", "ListFlow calls per second for the whole account (CAMS allows 5).").Default("4").Float64Var(&o.rateLimit)
	app.Flag("cams.timeout", "Timeout of one CAMS API call (1s-5m).").Default("10s").DurationVar(&o.timeout)
	app.Flag("cams.max-retries", "Retries of a throttled or failed call (0-10).").Default("3").IntVar(&o.maxRetries)

	app.Flag("refresh.interval", "Target age of each space's data: a space is listed again in the background once its data is this old, the stalest first (at least 10s).").Default("5m").DurationVar(&o.refreshInterval)
	app.Flag("cache.file", "Persist the data to this file (atomically, at most once a minute while listings end, and at shutdown, when a space changed); a restart serves it at once and lists only the spaces missing from it or due. Locked with <file>.lock: one exporter per file.").StringVar(&o.cacheFile)
	app.Flag("collector.flow-info", "Export cams_flow_info, one series per flow (high cardinality).").BoolVar(&o.flowInfo)
	app.Flag("collector.flow-status", "Also read each flow's status (DRAFT, PUBLISHED, DEPRECATED) with GetFlow, one call per flow per --flow-status.interval, on a limiter of its own (needs cams:GetFlow): cams_flows_by_status.").BoolVar(&o.flowStatus)
	app.Flag("cams.getflow-rate-limit", "GetFlow calls per second for the whole account, with --collector.flow-status (CAMS allows 5, apart from ListFlow's 5).").Default("4").Float64Var(&o.getFlowRateLimit)
	app.Flag("flow-status.interval", "Target age of each flow's status, with --collector.flow-status: a flow is checked again once its last check is this old, the stalest first (1m-720h). A pass checks every flow at --cams.getflow-rate-limit: when that takes longer, statuses are as old as a pass.").Default("1h").DurationVar(&o.flowStatusInterval)
	o.sources = addSourceFlags(app)
	app.Flag("health.max-staleness", "/readyz fails when no ListFlow call has succeeded for this long while spaces were due, and /status marks data older than this stale (default: 3 x --refresh.interval for /readyz; 3 x the longer of --refresh.interval and the expected pass over every space for /status).").DurationVar(&o.maxStaleness)
	app.Flag("demo", "Run against a built-in CAMS simulator with generated data: no account needed.").BoolVar(&o.demo)
	return o
}

// Bounds and default of --flow-status.interval: 1m to 30 days, 1h.
const (
	maxFlowStatusInterval     = 720 * time.Hour
	defaultFlowStatusInterval = time.Hour // the flag's Default
)

// telemetryPathPattern is what --web.telemetry-path may be: a plain path
// the HTTP mux takes as it is.
var telemetryPathPattern = regexp.MustCompile(`^/[A-Za-z0-9._~/-]+$`)

// reservedPaths are served by the exporter itself.
var reservedPaths = map[string]bool{"/healthz": true, "/readyz": true, "/status": true}

// validate checks the flags that kingpin cannot, with messages that name the
// flag and what is allowed.
func (o *exporterOptions) validate() error {
	switch {
	case o.pageSize < 1 || o.pageSize > 100:
		return fmt.Errorf("--cams.page-size must be between 1 and 100, got %d", o.pageSize)
	case o.maxPages < 1 || o.maxPages > client.MaxPagesLimit:
		return fmt.Errorf("--cams.max-pages must be between 1 and %d, got %d", client.MaxPagesLimit, o.maxPages)
	case !(o.rateLimit > 0) || o.rateLimit > 1000:
		return fmt.Errorf("--cams.rate-limit must be above 0 and at most 1000 calls per second, got %g", o.rateLimit)
	case o.timeout < time.Second || o.timeout > 5*time.Minute:
		return fmt.Errorf("--cams.timeout must be between 1s and 5m, got %s", o.timeout)
	case o.maxRetries < 0 || o.maxRetries > 10:
		return fmt.Errorf("--cams.max-retries must be between 0 and 10, got %d", o.maxRetries)
	case o.refreshInterval < 10*time.Second && !o.demo:
		return fmt.Errorf("--refresh.interval must be at least 10s, got %s", o.refreshInterval)
	case o.discoverInterval < time.Minute:
		return fmt.Errorf("--cams.discover-interval must be at least 1m, got %s", o.discoverInterval)
	case o.maxRequests < 0:
		return fmt.Errorf("--web.max-requests must be 0 (no limit) or more, got %d", o.maxRequests)
	case o.maxStaleness < 0:
		return fmt.Errorf("--health.max-staleness must not be negative, got %s", o.maxStaleness)
	case !telemetryPathPattern.MatchString(o.telemetryPath) || reservedPaths[o.telemetryPath]:
		return fmt.Errorf("--web.telemetry-path must be a path such as /metrics (letters, digits, -._~/), other than /, /healthz, /readyz and /status; got %q", o.telemetryPath)
	case o.refreshInterval > 24*time.Hour:
		return fmt.Errorf("--refresh.interval must be at most 24h, got %s", o.refreshInterval)
	case !(o.getFlowRateLimit > 0) || o.getFlowRateLimit > 1000:
		return fmt.Errorf("--cams.getflow-rate-limit must be above 0 and at most 1000 calls per second, got %g", o.getFlowRateLimit)
	case (o.flowStatusInterval < time.Minute && !o.demo) || o.flowStatusInterval > maxFlowStatusInterval:
		return fmt.Errorf("--flow-status.interval must be between 1m and 720h, got %s", o.flowStatusInterval)
	}
	if err := validateSources(o.sources, o.demo); err != nil {
		return err
	}
	if o.web.WebConfigFile != nil && *o.web.WebConfigFile != "" {
		if err := safefile.CheckRegular(*o.web.WebConfigFile); err != nil {
			return fmt.Errorf("--web.config.file: %v", err)
		}
		if err := web.Validate(*o.web.WebConfigFile); err != nil {
			return fmt.Errorf("--web.config.file: %s", oneLine(err.Error()))
		}
	}
	if err := checkCacheFile(o.cacheFile); err != nil {
		return err
	}
	if _, err := spaces.NewSet(o.spaces, o.spacesFile); err != nil {
		return err
	}
	if _, err := client.ResolveEndpoint(o.region, o.endpoint, o.insecureEndpoint); err != nil {
		return fmt.Errorf("--cams.endpoint/--cams.region: %v", err)
	}
	return nil
}

// checkCacheFile checks that the cache file's directory exists, so that a
// typo is found at start-up rather than at the first write.
func checkCacheFile(path string) error {
	if path == "" {
		return nil
	}
	dir := filepath.Dir(path)
	if info, err := os.Stat(dir); err != nil || !info.IsDir() {
		return fmt.Errorf("--cache.file: directory %s does not exist", dir)
	}
	if info, err := os.Stat(path); err == nil && info.IsDir() {
		return fmt.Errorf("--cache.file: %s is a directory; give a file path", path)
	}
	if err := safefile.CheckRegular(path); err != nil {
		return fmt.Errorf("--cache.file: %v; give the path of a plain file", err)
	}
	return nil
}

// oneLine puts a multi-line message on one line: YAML lists each problem of
// a file on a line of its own.
func oneLine(msg string) string {
	lines := strings.Split(strings.TrimSpace(msg), "\n")
	for i := range lines {
		lines[i] = strings.TrimSpace(lines[i])
	}
	if len(lines) == 1 {
		return lines[0]
	}
	return lines[0] + " " + strings.Join(lines[1:], "; ")
}
