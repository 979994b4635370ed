package dashboards

import (
	"cmp"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	yaml "go.yaml.in/yaml/v2"
)

const dashboardFile = "cams_exporter.json"

// knownMetrics are the series the exporter exposes (README "Metrics") plus
// Prometheus' own up: a dashboard query naming anything else is a typo.
// Histograms are listed by their series names.
var knownMetrics = map[string]bool{
	"up":                      true,
	"cams_flows":              true,
	"cams_flows_by_category":  true,
	"cams_flows_by_status":    true,
	"cams_flow_changes_total": true,
	"cams_space_up":           true,
	"cams_space_last_success_timestamp_seconds":  true,
	"cams_space_error_info":                      true,
	"cams_up":                                    true,
	"cams_refresh_duration_seconds":              true,
	"cams_refresh_expected_duration_seconds":     true,
	"cams_refresh_interval_seconds":              true,
	"cams_spaces":                                true,
	"cams_exporter_start_time_seconds":           true,
	"cams_refreshes_total":                       true,
	"cams_refresh_failures_total":                true,
	"cams_api_requests_total":                    true,
	"cams_api_errors_total":                      true,
	"cams_api_request_duration_seconds_bucket":   true,
	"cams_api_request_duration_seconds_sum":      true,
	"cams_api_request_duration_seconds_count":    true,
	"cams_api_rate_limit_requests_per_second":    true,
	"cams_exporter_build_info":                   true,
	"cams_flow_status_expected_duration_seconds": true,
	"cams_flow_status_interval_seconds":          true,
	// The engine's collectors (--collector.phone-numbers, --collector.waba,
	// --collector.messaging-health).
	"cams_collector_spaces":                               true,
	"cams_collector_expected_duration_seconds":            true,
	"cams_collector_interval_seconds":                     true,
	"cams_collector_rate_limit_requests_per_second":       true,
	"cams_collector_values_folded_total":                  true,
	"cams_collector_space_up":                             true,
	"cams_collector_space_last_success_timestamp_seconds": true,
	"cams_collector_space_error_info":                     true,
	"cams_phone_numbers":                                  true,
	"cams_phone_number_state":                             true,
	"cams_phone_number_messaging_limit":                   true,
	"cams_waba_bound":                                     true,
	"cams_waba_info":                                      true,
	"cams_messaging_health":                               true,
	"cams_messaging_health_entity":                        true,
	"cams_messaging_health_error_info":                    true,
	// --collector.templates.
	"cams_templates":                     true,
	"cams_templates_by_category":         true,
	"cams_template_problem_info":         true,
	"cams_template_status_changes_total": true,
	"cams_template_info":                 true,
}

// spaceMetrics carry the space label, so their selectors must filter on
// the space variable, as a regular expression: space=~"${space:pipe}".
var spaceMetrics = map[string]bool{
	"cams_flows":                                          true,
	"cams_flows_by_category":                              true,
	"cams_flows_by_status":                                true,
	"cams_flow_changes_total":                             true,
	"cams_space_up":                                       true,
	"cams_space_error_info":                               true,
	"cams_space_last_success_timestamp_seconds":           true,
	"cams_collector_space_up":                             true,
	"cams_collector_space_last_success_timestamp_seconds": true,
	"cams_collector_space_error_info":                     true,
	"cams_phone_numbers":                                  true,
	"cams_phone_number_state":                             true,
	"cams_phone_number_messaging_limit":                   true,
	"cams_waba_bound":                                     true,
	"cams_waba_info":                                      true,
	"cams_messaging_health":                               true,
	"cams_messaging_health_entity":                        true,
	"cams_messaging_health_error_info":                    true,
	"cams_templates":                                      true,
	"cams_templates_by_category":                          true,
	"cams_template_problem_info":                          true,
	"cams_template_status_changes_total":                  true,
	"cams_template_info":                                  true,
}

// spaceMatch is how every selector of a per-space metric matches the space
// variable. The pipe format joins the chosen spaces with | and leaves them
// unescaped, so that a regular expression typed as a custom value (e.g.
// cams-12.*) works as one; Grafana's default format for a multi-value
// variable would escape it.
const spaceMatch = "${space:pipe}"

// exporterSelector is the mixin's default _config.camsExporterSelector,
// which every variable's query and every selector of the panels start with,
// so that the job variable's All (.*) stays within the exporter's jobs.
const exporterSelector = `job="cams"`

func loadDashboard(t *testing.T) *Dashboard {
	t.Helper()
	d, err := Load(dashboardFile)
	if err != nil {
		t.Fatalf("Load(%q): %v", dashboardFile, err)
	}
	return d
}

func isDatasourceRef(ds *Datasource) bool {
	return ds != nil && ds.Type == "prometheus" && (ds.UID == "${datasource}" || ds.UID == "$datasource")
}

func TestDashboardMetadata(t *testing.T) {
	d := loadDashboard(t)
	if d.UID != "cams-exporter" {
		t.Errorf("uid = %q, want cams-exporter", d.UID)
	}
	if d.Title != "CAMS Exporter" {
		t.Errorf("title = %q, want CAMS Exporter", d.Title)
	}
	if d.SchemaVersion < 39 {
		t.Errorf("schemaVersion = %d, want >= 39", d.SchemaVersion)
	}
	if len(d.Tags) == 0 {
		t.Error("no tags")
	}
	if len(d.Queries()) == 0 {
		t.Error("no queries")
	}
}

func TestVariables(t *testing.T) {
	d := loadDashboard(t)
	ds, ok := d.Variable("datasource")
	if !ok {
		t.Fatal("no datasource variable")
	}
	if ds.Type != "datasource" || ds.QueryString() != "prometheus" {
		t.Errorf("datasource variable: type %q query %q, want datasource/prometheus", ds.Type, ds.QueryString())
	}
	for _, tc := range []struct {
		name, query string
		multiAll    bool // must be multi-value with All meaning ".*"
	}{
		{"job", `label_values(cams_up{` + exporterSelector + `}, job)`, false},
		{"instance", `label_values(cams_up{` + exporterSelector + `,job=~"$job"}, instance)`, false},
		{"space", `label_values(cams_flows{` + exporterSelector + `,job=~"$job",instance=~"$instance"}, space)`, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v, ok := d.Variable(tc.name)
			if !ok {
				t.Fatalf("no %s variable", tc.name)
			}
			if v.Type != "query" {
				t.Errorf("type = %q, want query", v.Type)
			}
			if got := v.QueryString(); got != tc.query {
				t.Errorf("query = %q, want %q", got, tc.query)
			}
			if v.Definition != "" && v.Definition != tc.query {
				t.Errorf("definition = %q, want %q", v.Definition, tc.query)
			}
			if !isDatasourceRef(v.Datasource) {
				t.Errorf("datasource = %+v, want prometheus ${datasource}", v.Datasource)
			}
			if tc.multiAll && (!v.Multi || !v.IncludeAll || v.AllValue != ".*" || !v.AllowCustomValue) {
				t.Errorf("multi %v includeAll %v allValue %q allowCustomValue %v, want true true .* true", v.Multi, v.IncludeAll, v.AllValue, v.AllowCustomValue)
			}
			// Substitute maps $job etc. to ".*": that must be what All means.
			if v.IncludeAll && v.AllValue != ".*" {
				t.Errorf("allValue = %q with includeAll, want .*", v.AllValue)
			}
		})
	}
}

var panelTypes = map[string]bool{"row": true, "stat": true, "timeseries": true, "table": true, "bargauge": true}

func TestPanels(t *testing.T) {
	d := loadDashboard(t)
	ids := map[int]string{}
	titles := map[string]bool{}
	for _, p := range d.AllPanels() {
		name := fmt.Sprintf("panel %d %q", p.ID, p.Title)
		if p.ID <= 0 {
			t.Errorf("%s: id must be positive", name)
		}
		if prev, dup := ids[p.ID]; dup {
			t.Errorf("%s: id also used by %q", name, prev)
		}
		ids[p.ID] = p.Title
		if !panelTypes[p.Type] {
			t.Errorf("%s: type %q not one of row, stat, timeseries, table, bargauge", name, p.Type)
		}
		if p.Title == "" {
			t.Errorf("%s: no title", name)
		}
		if p.GridPos == nil || p.GridPos.W <= 0 || p.GridPos.H <= 0 || p.GridPos.X < 0 || p.GridPos.Y < 0 || p.GridPos.X+p.GridPos.W > 24 {
			t.Errorf("%s: bad gridPos %+v", name, p.GridPos)
		}
		if !isDatasourceRef(p.Datasource) {
			t.Errorf("%s: datasource = %+v, want prometheus ${datasource}", name, p.Datasource)
		}
		if p.Type == "row" {
			continue
		}
		if titles[p.Title] {
			t.Errorf("%s: title used twice", name)
		}
		titles[p.Title] = true
		if strings.TrimSpace(p.Description) == "" {
			t.Errorf("%s: no description", name)
		}
		if p.FieldConfig.Defaults.Unit == "" {
			t.Errorf("%s: no fieldConfig.defaults.unit", name)
		}
		if len(p.Targets) == 0 {
			t.Errorf("%s: no targets", name)
		}
		refIDs := map[string]bool{}
		for i, tg := range p.Targets {
			if tg.RefID == "" || refIDs[tg.RefID] {
				t.Errorf("%s: target %d: refId %q empty or repeated", name, i, tg.RefID)
			}
			refIDs[tg.RefID] = true
			if !isDatasourceRef(tg.Datasource) {
				t.Errorf("%s: target %s: datasource = %+v, want prometheus ${datasource}", name, tg.RefID, tg.Datasource)
			}
			if strings.TrimSpace(tg.Expr) == "" {
				t.Errorf("%s: target %s: no expr", name, tg.RefID)
			}
			if tg.Format != "table" && tg.LegendFormat == "" {
				t.Errorf("%s: target %s: no legendFormat", name, tg.RefID)
			}
		}
	}
}

func TestPanelsDoNotOverlap(t *testing.T) {
	d := loadDashboard(t)
	ps := d.Panels // collapsed rows' children share their row's space
	for i := range ps {
		for j := i + 1; j < len(ps); j++ {
			a, b := ps[i].GridPos, ps[j].GridPos
			if a == nil || b == nil {
				continue
			}
			if a.X < b.X+b.W && b.X < a.X+a.W && a.Y < b.Y+b.H && b.Y < a.Y+a.H {
				t.Errorf("panels %q %+v and %q %+v overlap", ps[i].Title, *a, ps[j].Title, *b)
			}
		}
	}
}

// collectorRows are the rows of the engine's collectors, each collapsed
// (Grafana runs a row's queries when it is opened: an exporter without the
// collector costs nothing), and the series their panels may query: their
// collector's only, so that a row shows its data whichever other collectors
// are on. The message templates' row shows its collector's state too: its
// selectors of cams_collector_* series select collector="templates"
// (collectorFilters).
// The keys are dashboards.CollectorRows.
var collectorRows = map[string]*regexp.Regexp{
	"Phone numbers":     regexp.MustCompile(`^cams_phone_number`),
	"WABA":              regexp.MustCompile(`^cams_waba_`),
	"Messaging health":  regexp.MustCompile(`^cams_messaging_health`),
	"Message templates": regexp.MustCompile(`^(cams_templates?_.*|cams_templates|cams_collector_.*)$`),
	"Collectors: phone numbers, WABA, messaging health, templates": regexp.MustCompile(`^(cams_collector_.*|cams_api_errors_total)$`),
}

// collectorFilters are the collector a row's cams_collector_* selectors
// must select, for the rows of one collector that query them.
var collectorFilters = map[string]string{"Message templates": "templates"}

// collectorSeries are the series of the engine's collectors.
var collectorSeries = regexp.MustCompile(`^cams_(phone_number|waba_|messaging_health|collector_|templates?_|templates$)`)

// collectorUnits are the units of the collectors' panels that are not
// counts ("none").
var collectorUnits = map[string]string{
	"Collector spaces failing":    "s",
	"Collector pass and interval": "s",
	"Collector limiter rates":     "reqps",
}

func TestCollectorRows(t *testing.T) {
	d := loadDashboard(t)
	found := map[string]bool{}
	row := ""
	for _, p := range d.Panels {
		if p.Type == "row" {
			row = p.Title
			allowed, ok := collectorRows[row]
			if !ok {
				continue
			}
			found[row] = true
			if !p.Collapsed || len(p.Panels) < 3 {
				t.Errorf("row %q: collapsed %v with %d panels, want collapsed with its panels", row, p.Collapsed, len(p.Panels))
			}
			for _, c := range p.Panels {
				if want := cmp.Or(collectorUnits[c.Title], "none"); c.FieldConfig.Defaults.Unit != want {
					t.Errorf("row %q, panel %q: unit %q, want %q", row, c.Title, c.FieldConfig.Defaults.Unit, want)
				}
				for _, metric := range panelMetrics(t, c) {
					if !allowed.MatchString(metric) {
						t.Errorf("row %q, panel %q queries %s, not its collector's", row, c.Title, metric)
					}
				}
				if name, ok := collectorFilters[row]; ok {
					for _, s := range panelSelectors(t, c) {
						if strings.HasPrefix(s.metric, "cams_collector_") && !s.has("collector", "=", name) {
							t.Errorf("row %q, panel %q selects %s of every collector, want collector=%q", row, c.Title, s.metric, name)
						}
					}
				}
			}
			continue
		}
		for _, metric := range panelMetrics(t, p) {
			if collectorSeries.MatchString(metric) {
				t.Errorf("row %q, panel %q queries a collector's %s: it belongs in the collector's row", row, p.Title, metric)
			}
		}
	}
	for title := range collectorRows {
		if !found[title] {
			t.Errorf("no row %q", title)
		}
	}
	if got, want := slices.Sorted(slices.Values(CollectorRows)), slices.Sorted(maps.Keys(collectorRows)); !slices.Equal(got, want) {
		t.Errorf("CollectorRows = %q, want %q", got, want)
	}
}

// panelMetrics returns the metrics the panel's queries select.
func panelMetrics(t *testing.T, p Panel) []string {
	t.Helper()
	var out []string
	for _, s := range panelSelectors(t, p) {
		out = append(out, s.metric)
	}
	return out
}

// panelSelectors returns the selectors of the panel's queries.
func panelSelectors(t *testing.T, p Panel) []selector {
	t.Helper()
	var out []selector
	for _, tg := range p.Targets {
		sc, err := scanExpr(tg.Expr)
		if err != nil {
			t.Errorf("panel %q, target %s: %v", p.Title, tg.RefID, err)
			continue
		}
		out = append(out, sc.selectors...)
	}
	return out
}

var spaces = regexp.MustCompile(`\s+`)

// TestRequiredQueries checks that the panels asked for are there, with the
// expressions they were specified with (whitespace aside).
func TestRequiredQueries(t *testing.T) {
	d := loadDashboard(t)
	const ji = exporterSelector + `,job=~"$job",instance=~"$instance"`
	const jis = ji + `,space=~"${space:pipe}"`
	// The refresh period of each exporter: the longer of the interval and
	// the expected pass, as the alerts' cams:refresh_period_seconds:max.
	const period = `max by (job, instance) (cams_refresh_interval_seconds{` + ji + `} >= on (job, instance) cams_refresh_expected_duration_seconds{` + ji + `} or on (job, instance) cams_refresh_expected_duration_seconds{` + ji + `})`
	// A collector's period: the longer of its interval and its expected
	// pass.
	const collectorPeriod = `max by (job, instance, collector) (cams_collector_interval_seconds{` + ji + `} >= on (job, instance, collector) cams_collector_expected_duration_seconds{` + ji + `} or on (job, instance, collector) cams_collector_expected_duration_seconds{` + ji + `})`
	// The numbers whose messaging limit is lower now than at some time in
	// the range.
	const limit = `cams_phone_number_messaging_limit{` + jis + `}`
	const decreased = `max by (space, phone_number) (` + limit + ` < on (job, instance, space, phone_number) max_over_time(` + limit + `[$__range]))`
	// The 20 spaces with the most templates that cannot be sent.
	const worstTemplates = `topk(20, sum by (space) (max by (space, audit_status) (cams_templates{` + jis + `,audit_status=~"fail|paused|disabled"})) > 0)`
	// The templates collector's period.
	const templatesPeriod = `max by (job, instance) (cams_collector_interval_seconds{` + ji + `,collector="templates"} >= on (job, instance) cams_collector_expected_duration_seconds{` + ji + `,collector="templates"} or on (job, instance) cams_collector_expected_duration_seconds{` + ji + `,collector="templates"})`
	byPanel := map[string][]string{}
	panelType := map[string]string{}
	for _, p := range d.AllPanels() {
		panelType[p.Title] = p.Type
		for _, tg := range p.Targets {
			byPanel[p.Title] = append(byPanel[p.Title], spaces.ReplaceAllString(tg.Expr, ""))
		}
	}
	for _, tc := range []struct {
		panel, typ, expr string
	}{
		{"Exporter up", "stat", `up{` + ji + `}`},
		{"CAMS up", "stat", `cams_up{` + ji + `}`},
		{"Spaces", "stat", `sum(cams_spaces{` + ji + `})`},
		{"Spaces pending", "stat", `sum(cams_spaces{` + ji + `,state="pending"})`},
		{"Spaces down", "stat", `sum(cams_spaces{` + ji + `,state="down"})`},
		{"Total flows", "stat", `sum(cams_flows{` + jis + `})`},
		{"Flows by space (10 largest)", "timeseries", `sum by (space) (cams_flows{` + jis + `}) and on (space) topk(10, sum by (space) (cams_flows{` + jis + `} @ end()))`},
		{"Largest spaces", "table", `sort_desc(topk(20, sum by (space) (cams_flows{` + jis + `})))`},
		{"Flows by category", "timeseries", `sum by (category) (cams_flows_by_category{` + jis + `})`},
		{"Flows by status", "timeseries", `sum by (status) (cams_flows_by_status{` + jis + `})`},
		{"Flow status pass", "timeseries", `cams_flow_status_expected_duration_seconds{` + ji + `}`},
		{"Flow status pass", "timeseries", `cams_flow_status_interval_seconds{` + ji + `}`},
		{"Flow changes", "timeseries", `sum by (change) (increase(cams_flow_changes_total{` + jis + `}[$__rate_interval]))`},
		{"Most changed spaces", "table", `sort_desc(topk(10, sum by (space) (increase(cams_flow_changes_total{` + jis + `}[$__range]))))`},
		{"API request rate", "timeseries", `sum by (operation) (rate(cams_api_requests_total{` + ji + `}[$__rate_interval]))`},
		{"API errors by code", "timeseries", `sum by (code) (rate(cams_api_errors_total{` + ji + `}[$__rate_interval]))`},
		{"API latency", "timeseries", `histogram_quantile(0.5, sum by (le) (rate(cams_api_request_duration_seconds_bucket{` + ji + `}[$__rate_interval])))`},
		{"API latency", "timeseries", `histogram_quantile(0.9, sum by (le) (rate(cams_api_request_duration_seconds_bucket{` + ji + `}[$__rate_interval])))`},
		{"API latency", "timeseries", `histogram_quantile(0.99, sum by (le) (rate(cams_api_request_duration_seconds_bucket{` + ji + `}[$__rate_interval])))`},
		{"Throttling and limiter rate", "timeseries", `sum(rate(cams_api_errors_total{` + ji + `,code=~"System.LimitControl|Throttling.*"}[$__rate_interval]))`},
		{"Throttling and limiter rate", "timeseries", `cams_api_rate_limit_requests_per_second{` + ji + `}`},
		{"Data age by space (10 stalest)", "timeseries", `max by (space) (time() - cams_space_last_success_timestamp_seconds{` + jis + `}) and on (space) bottomk(10, min by (space) (cams_space_last_success_timestamp_seconds{` + jis + `} @ end()))`},
		{"Stalest spaces", "table", `sort_desc(topk(20, max by (space) (time() - cams_space_last_success_timestamp_seconds{` + jis + `})))`},
		{"Spaces failing", "table", `sort_desc(topk(20, max by (space, code) ((time() - cams_space_last_success_timestamp_seconds{` + jis + `}) * on (job, instance, space) group_left (code) cams_space_error_info{` + jis + `} or on (job, instance, space) cams_space_error_info{` + jis + `} * Inf)))`},
		{"Failing spaces by code", "timeseries", `count by (code) (max by (space, code) (cams_space_error_info{` + jis + `}))`},
		{"Spaces by state", "timeseries", `sum by (state) (cams_spaces{` + ji + `})`},
		{"Spaces by flow count", "bargauge", `count(max by (space) (cams_flows{` + jis + `}) == 0) or vector(0)`},
		{"Spaces by flow count", "bargauge", `count(max by (space) (cams_flows{` + jis + `}) > 500) or vector(0)`},
		{"Spaces by data age", "bargauge", `count(max by (space) ((time() - cams_space_last_success_timestamp_seconds{` + jis + `}) / on (job, instance) group_left () ` + period + `) <= 1) or vector(0)`},
		{"Spaces by data age", "bargauge", `count(max by (space) ((time() - cams_space_last_success_timestamp_seconds{` + jis + `}) / on (job, instance) group_left () ` + period + `) > 3 <= 10) or vector(0)`},
		{"Spaces by data age", "bargauge", `count(max by (space) (cams_space_up{` + jis + `} == 0 unless on (job, instance, space) cams_space_last_success_timestamp_seconds{` + jis + `})) or vector(0)`},
		{"Refresh duration", "timeseries", `cams_refresh_duration_seconds{` + ji + `}`},
		{"Expected pass duration", "timeseries", `cams_refresh_expected_duration_seconds{` + ji + `}`},
		{"Expected pass duration", "timeseries", `cams_refresh_interval_seconds{` + ji + `}`},
		{"Refresh failure rate", "timeseries", `sum(rate(cams_refresh_failures_total{` + ji + `}[$__rate_interval])) * 3600`},
		{"Build info", "table", `cams_exporter_build_info{` + ji + `}`},
		// The collectors' rows.
		{"Phone numbers", "stat", `sum(max by (space) (cams_phone_numbers{` + jis + `}))`},
		{"Phone numbers", "stat", `count(max by (space, phone_number) (cams_phone_number_state{` + jis + `,status!="CONNECTED"})) or vector(0)`},
		{"Phone numbers", "stat", `count(max by (space, phone_number) (cams_phone_number_state{` + jis + `,quality_rating="RED"})) or vector(0)`},
		{"Phone numbers", "stat", `count(` + decreased + `) or vector(0)`},
		{"Numbers by status", "timeseries", `count by (status) (max by (space, phone_number, status) (cams_phone_number_state{` + jis + `}))`},
		{"Numbers by quality rating", "timeseries", `count by (quality_rating) (max by (space, phone_number, quality_rating) (cams_phone_number_state{` + jis + `}))`},
		{"Numbers by messaging limit tier", "timeseries", `count by (messaging_limit_tier) (max by (space, phone_number, messaging_limit_tier) (cams_phone_number_state{` + jis + `}))`},
		{"Numbers needing attention", "table", `sort_desc(topk(20, max by (space, phone_number, status, quality_rating, messaging_limit_tier) (cams_phone_number_state{` + jis + `,status=~"BANNED|DELETED"} * 3 or cams_phone_number_state{` + jis + `,status=~"FLAGGED|RESTRICTED|RATE_LIMITED|DISCONNECTED|OFFLINE"} * 2 or cams_phone_number_state{` + jis + `,quality_rating="RED"})))`},
		{"Messaging limit decreases", "table", `sort(bottomk(20, ` + decreased + `))`},
		{"Messaging limit decreases", "table", `max by (space, phone_number) (max_over_time(` + limit + `[$__range])) and on (space, phone_number) bottomk(20, ` + decreased + `)`},
		{"Spaces by phone number count", "bargauge", `count(max by (space) (cams_phone_numbers{` + jis + `}) == 0) or vector(0)`},
		{"Spaces by phone number count", "bargauge", `count(max by (space) (cams_phone_numbers{` + jis + `}) > 10) or vector(0)`},
		{"WABA binding", "stat", `count(max by (space) (cams_waba_bound{` + jis + `}) == 1) or vector(0)`},
		{"WABA binding", "stat", `count(max by (space) (cams_waba_bound{` + jis + `}) == 0) or vector(0)`},
		{"Spaces by WABA review status", "timeseries", `count by (account_review_status) (max by (space, account_review_status) (cams_waba_info{` + jis + `}))`},
		{"WABAs not approved", "table", `sort_desc(topk(20, max by (space, waba_id, business_id, account_review_status) (cams_waba_info{` + jis + `,account_review_status=~"REJECTED|DISABLED"} * 2 or cams_waba_info{` + jis + `,account_review_status!="APPROVED"})))`},
		{"Nodes by can_send_message", "timeseries", `count by (node, can_send_message) (max by (space, node, phone_number, can_send_message) (cams_messaging_health{` + jis + `}))`},
		{"Entities not available by type", "timeseries", `count by (entity_type, can_send_message) (max by (entity_type, entity_id, can_send_message) (cams_messaging_health_entity{` + jis + `,can_send_message!="AVAILABLE"}))`},
		{"Spaces by health error code", "timeseries", `count by (error_code) (max by (space, error_code) (cams_messaging_health_error_info{` + jis + `}))`},
		{"Entities not available", "table", `sort_desc(topk(20, count by (entity_type, entity_id, can_send_message) (max by (space, entity_type, entity_id, can_send_message) (cams_messaging_health_entity{` + jis + `,can_send_message!="AVAILABLE"}))))`},
		{"API errors by operation", "timeseries", `sum by (operation) (rate(cams_api_errors_total{` + ji + `}[$__rate_interval]))`},
		{"API latency by operation", "timeseries", `histogram_quantile(0.5, sum by (operation, le) (rate(cams_api_request_duration_seconds_bucket{` + ji + `}[$__rate_interval])))`},
		{"API latency by operation", "timeseries", `histogram_quantile(0.99, sum by (operation, le) (rate(cams_api_request_duration_seconds_bucket{` + ji + `}[$__rate_interval])))`},
		{"Collector spaces by state", "timeseries", `sum by (collector, state) (cams_collector_spaces{` + ji + `})`},
		{"Failing collector spaces by code", "timeseries", `count by (collector, code) (max by (collector, space, code) (cams_collector_space_error_info{` + jis + `}))`},
		{"Collector spaces failing", "table", `sort_desc(topk(20, max by (collector, space, code) ((time() - cams_collector_space_last_success_timestamp_seconds{` + jis + `}) * on (job, instance, collector, space) group_left (code) cams_collector_space_error_info{` + jis + `} or on (job, instance, collector, space) cams_collector_space_error_info{` + jis + `} * Inf)))`},
		{"Collector data age", "bargauge", `count by (collector) (max by (collector, space) ((time() - cams_collector_space_last_success_timestamp_seconds{` + jis + `}) / on (job, instance, collector) group_left () ` + collectorPeriod + `) <= 1)`},
		{"Collector data age", "bargauge", `count by (collector) (max by (collector, space) ((time() - cams_collector_space_last_success_timestamp_seconds{` + jis + `}) / on (job, instance, collector) group_left () ` + collectorPeriod + `) > 3 <= 10)`},
		{"Collector data age", "bargauge", `count by (collector) (max by (collector, space) (cams_collector_space_up{` + jis + `} == 0 unless on (job, instance, collector, space) cams_collector_space_last_success_timestamp_seconds{` + jis + `}))`},
		{"Collector pass and interval", "timeseries", `cams_collector_expected_duration_seconds{` + ji + `}`},
		{"Collector pass and interval", "timeseries", `cams_collector_interval_seconds{` + ji + `}`},
		{"Collector limiter rates", "timeseries", `cams_collector_rate_limit_requests_per_second{` + ji + `}`},
		{"Collector limiter rates", "timeseries", `sum by (operation) (rate(cams_api_errors_total{` + ji + `,operation=~"QueryChatappPhoneNumbers|QueryChatappBindWaba|GetWhatsappHealthStatus|ListChatappTemplate",code=~"System.LimitControl|Throttling.*"}[$__rate_interval]))`},
		// The message templates' row: totals over the spaces chosen, the
		// 20 spaces with the most templates that cannot be sent, and the
		// collector's own spaces.
		{"Message templates", "stat", `sum(max by (space, audit_status) (cams_templates{` + jis + `}))`},
		{"Message templates", "stat", `sum(max by (space, audit_status) (cams_templates{` + jis + `,audit_status="paused"})) or vector(0)`},
		{"Message templates", "stat", `sum(max by (space, audit_status) (cams_templates{` + jis + `,audit_status="disabled"})) or vector(0)`},
		{"Message templates", "stat", `sum(max by (space, audit_status) (cams_templates{` + jis + `,audit_status="fail"})) or vector(0)`},
		{"Message templates", "stat", `count(max by (space) ((sum by (job, instance, space) (cams_templates{` + jis + `,audit_status=~"fail|paused|disabled|auditing|unaudit"}) == on (job, instance, space) sum by (job, instance, space) (cams_templates{` + jis + `})) and on (job, instance, space) (sum by (job, instance, space) (cams_templates{` + jis + `,audit_status=~"fail|paused|disabled"}) > 0))) or vector(0)`},
		{"Templates by audit status", "timeseries", `sum by (audit_status) (max by (space, audit_status) (cams_templates{` + jis + `}))`},
		{"Templates by category", "timeseries", `sum by (category) (max by (space, category) (cams_templates_by_category{` + jis + `}))`},
		{"Template status changes", "timeseries", `sum by (audit_status) (increase(cams_template_status_changes_total{` + jis + `}[$__rate_interval]))`},
		{"Spaces with problem templates", "table", `sort_desc(` + worstTemplates + `)`},
		{"Spaces with problem templates", "table", `max by (space) (cams_templates{` + jis + `,audit_status="paused"}) and on (space) ` + worstTemplates},
		{"Spaces with problem templates", "table", `max by (space) (cams_templates{` + jis + `,audit_status="disabled"}) and on (space) ` + worstTemplates},
		{"Spaces with problem templates", "table", `max by (space) (cams_templates{` + jis + `,audit_status="fail"}) and on (space) ` + worstTemplates},
		{"Spaces with problem templates", "table", `sum by (space) (max by (space, audit_status) (cams_templates{` + jis + `})) and on (space) ` + worstTemplates},
		{"Spaces most paused or disabled", "table", `sort_desc(topk(10, sum by (space) (increase(cams_template_status_changes_total{` + jis + `}[$__range])) > 0))`},
		{"Template collection", "bargauge", `count(max by (space) (cams_collector_space_up{` + jis + `,collector="templates"}) == 1) or vector(0)`},
		{"Template collection", "bargauge", `count(max by (space) (cams_collector_space_up{` + jis + `,collector="templates"}) == 0) or vector(0)`},
		{"Template collection", "bargauge", `count(max by (space) ((time() - cams_collector_space_last_success_timestamp_seconds{` + jis + `,collector="templates"}) / on (job, instance) group_left () ` + templatesPeriod + `) > 3) or vector(0)`},
		{"Template collection", "bargauge", `count(max by (space) (cams_collector_space_up{` + jis + `,collector="templates"} == 0 unless on (job, instance, space) cams_collector_space_last_success_timestamp_seconds{` + jis + `,collector="templates"})) or vector(0)`},
	} {
		if got := panelType[tc.panel]; got != tc.typ {
			t.Errorf("panel %q: type %q, want %q", tc.panel, got, tc.typ)
			continue
		}
		want := spaces.ReplaceAllString(tc.expr, "")
		found := false
		for _, e := range byPanel[tc.panel] {
			found = found || e == want
		}
		if !found {
			t.Errorf("panel %q: no query %s; has %q", tc.panel, tc.expr, byPanel[tc.panel])
		}
	}
}

// ---------------------------------------------------------------------------
// A small PromQL scanner: enough to find metric selectors, their matchers,
// range selectors and the function call each selector sits in.

type tokKind int

const (
	tIdent tokKind = iota
	tString
	tNumber
	tVar // a Grafana variable: $name or ${name...}
	tPunct
)

type token struct {
	kind tokKind
	text string // for strings: the unquoted value (escapes kept)
}

func lex(expr string) ([]token, error) {
	var out []token
	isIdentStart := func(c byte) bool { return c == '_' || c == ':' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }
	isIdent := func(c byte) bool { return isIdentStart(c) || c >= '0' && c <= '9' }
	for i := 0; i < len(expr); {
		c := expr[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '#':
			for i < len(expr) && expr[i] != '\n' {
				i++
			}
		case c == '"' || c == '\'' || c == '`':
			j := i + 1
			for j < len(expr) && expr[j] != c {
				if expr[j] == '\\' && c != '`' {
					j++
				}
				j++
			}
			if j >= len(expr) {
				return nil, fmt.Errorf("unterminated string at %d", i)
			}
			out = append(out, token{tString, expr[i+1 : j]})
			i = j + 1
		case c == '$':
			j := i + 1
			if j < len(expr) && expr[j] == '{' {
				k := strings.IndexByte(expr[j:], '}')
				if k < 0 {
					return nil, fmt.Errorf("unterminated ${ at %d", i)
				}
				j += k + 1
			} else {
				for j < len(expr) && isIdent(expr[j]) {
					j++
				}
			}
			out = append(out, token{tVar, expr[i:j]})
			i = j
		case isIdentStart(c):
			j := i
			for j < len(expr) && isIdent(expr[j]) {
				j++
			}
			out = append(out, token{tIdent, expr[i:j]})
			i = j
		case c >= '0' && c <= '9' || c == '.':
			j := i
			for j < len(expr) && (isIdent(expr[j]) || expr[j] == '.') {
				j++
			}
			out = append(out, token{tNumber, expr[i:j]})
			i = j
		default:
			if i+1 < len(expr) {
				switch two := expr[i : i+2]; two {
				case "=~", "!~", "!=", "==", ">=", "<=":
					out = append(out, token{tPunct, two})
					i += 2
					continue
				}
			}
			out = append(out, token{tPunct, string(c)})
			i++
		}
	}
	return out, nil
}

// keywords are identifiers that are neither metrics nor label names.
var keywords = map[string]bool{
	"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
	"bool": true, "and": true, "or": true, "unless": true, "offset": true, "atan2": true,
	"inf": true, "nan": true, "Inf": true, "NaN": true,
}

// groupingWords open a parenthesised list of label names.
var groupingWords = map[string]bool{
	"by": true, "without": true, "on": true, "ignoring": true, "group_left": true, "group_right": true,
}

type matcher struct{ label, op, value string }

// selector is one metric selector found in an expression.
type selector struct {
	metric   string
	matchers []matcher
	call     string // the function whose parentheses immediately enclose it, "" if none
	rng      []token
	hasRange bool
}

func (s selector) has(label, op, value string) bool {
	for _, m := range s.matchers {
		if m.label == label && m.op == op && m.value == value {
			return true
		}
	}
	return false
}

type scan struct {
	selectors []selector
	ranges    [][]token // the contents of every [...]
	calls     map[string][][]token
}

// scanExpr finds the selectors, ranges and function calls of expr.
func scanExpr(expr string) (*scan, error) {
	toks, err := lex(expr)
	if err != nil {
		return nil, err
	}
	type frame struct {
		open  string // "(", "{" or "["
		fn    string // for "(": the identifier before it
		start int
	}
	sc := &scan{calls: map[string][][]token{}}
	var stack []frame
	closing := map[string]string{")": "(", "}": "{", "]": "["}
	for i := 0; i < len(toks); i++ {
		tk := toks[i]
		if tk.kind == tPunct {
			switch tk.text {
			case "(", "[":
				fn := ""
				if tk.text == "(" && i > 0 && toks[i-1].kind == tIdent {
					fn = toks[i-1].text
				}
				stack = append(stack, frame{tk.text, fn, i + 1})
			case "{":
				return nil, fmt.Errorf("label matchers without a metric name at token %d", i)
			case ")", "]":
				if len(stack) == 0 || stack[len(stack)-1].open != closing[tk.text] {
					return nil, fmt.Errorf("unbalanced %q at token %d", tk.text, i)
				}
				f := stack[len(stack)-1]
				stack = stack[:len(stack)-1]
				if tk.text == "]" {
					sc.ranges = append(sc.ranges, toks[f.start:i])
				} else if f.fn != "" {
					sc.calls[f.fn] = append(sc.calls[f.fn], toks[f.start:i])
				}
			case "}":
				return nil, fmt.Errorf("unbalanced } at token %d", i)
			}
			continue
		}
		if tk.kind != tIdent || keywords[tk.text] {
			continue
		}
		if i+1 < len(toks) && toks[i+1].kind == tPunct && toks[i+1].text == "(" {
			continue // a function call
		}
		if i+1 < len(toks) && toks[i+1].kind == tIdent && (toks[i+1].text == "by" || toks[i+1].text == "without") {
			continue // an aggregation: sum by (...) (...)
		}
		if n := len(stack); n > 0 && stack[n-1].open == "(" && groupingWords[stack[n-1].fn] {
			continue // a label name in by (...), on (...), ...
		}
		s := selector{metric: tk.text}
		for n := len(stack) - 1; n >= 0; n-- {
			if stack[n].open == "(" {
				s.call = stack[n].fn
				break
			}
		}
		if i+1 < len(toks) && toks[i+1].text == "{" && toks[i+1].kind == tPunct {
			j := i + 2
			for ; j < len(toks) && !(toks[j].kind == tPunct && toks[j].text == "}"); j++ {
				if toks[j].kind == tPunct && toks[j].text == "," {
					continue
				}
				if j+2 >= len(toks) || toks[j].kind != tIdent || toks[j+1].kind != tPunct || toks[j+2].kind != tString {
					return nil, fmt.Errorf("bad label matcher in %s{...}", tk.text)
				}
				s.matchers = append(s.matchers, matcher{toks[j].text, toks[j+1].text, toks[j+2].text})
				j += 2
			}
			if j >= len(toks) {
				return nil, fmt.Errorf("unterminated %s{", tk.text)
			}
			i = j
		}
		if i+1 < len(toks) && toks[i+1].kind == tPunct && toks[i+1].text == "[" {
			k := i + 2
			for k < len(toks) && !(toks[k].kind == tPunct && toks[k].text == "]") {
				k++
			}
			s.hasRange = true
			s.rng = toks[min(i+2, len(toks)):min(k, len(toks))]
		}
		sc.selectors = append(sc.selectors, s)
	}
	if len(stack) > 0 {
		return nil, fmt.Errorf("unclosed %q", stack[len(stack)-1].open)
	}
	return sc, nil
}

var counterName = regexp.MustCompile(`_(total|bucket|count|sum)$`)

// counterViolations lists the counters of expr that are not the direct
// argument of rate() or increase().
func counterViolations(sc *scan) []string {
	var bad []string
	for _, s := range sc.selectors {
		if counterName.MatchString(s.metric) && s.call != "rate" && s.call != "increase" {
			bad = append(bad, s.metric)
		}
	}
	return bad
}

func isRateInterval(r []token) bool {
	return len(r) == 1 && r[0].kind == tVar && (r[0].text == "$__rate_interval" || r[0].text == "${__rate_interval}")
}

func isRange(r []token) bool {
	return len(r) == 1 && r[0].kind == tVar && (r[0].text == "$__range" || r[0].text == "${__range}")
}

// rangeOK says whether r may be a query's range: $__rate_interval, or, in an
// instant query (a "top" table over the dashboard's time range), $__range.
func rangeOK(r []token, instant bool) bool {
	return isRateInterval(r) || instant && isRange(r)
}

func TestScanner(t *testing.T) {
	for _, tc := range []struct {
		expr     string
		metrics  []string
		counters []string // counters outside rate()/increase()
		wantErr  bool
	}{
		{expr: `rate(cams_refreshes_total{job=~"$job"}[$__rate_interval])`, metrics: []string{"cams_refreshes_total"}},
		{expr: `sum by (code) (increase(cams_api_errors_total[$__rate_interval]))`, metrics: []string{"cams_api_errors_total"}},
		{expr: `cams_refreshes_total`, metrics: []string{"cams_refreshes_total"}, counters: []string{"cams_refreshes_total"}},
		{expr: `sum(cams_refreshes_total{job="x"})`, metrics: []string{"cams_refreshes_total"}, counters: []string{"cams_refreshes_total"}},
		{expr: `rate(a_total[$__rate_interval]) / b_count`, metrics: []string{"a_total", "b_count"}, counters: []string{"b_count"}},
		{expr: `histogram_quantile(0.9, sum by (le) (rate(h_bucket[$__rate_interval])))`, metrics: []string{"h_bucket"}},
		{expr: `histogram_quantile(0.9, sum by (le) (h_bucket))`, metrics: []string{"h_bucket"}, counters: []string{"h_bucket"}},
		{expr: `sum(rate(h_sum[1m])) / sum(rate(h_count[1m]))`, metrics: []string{"h_sum", "h_count"}},
		{expr: `rate(sum(x_total)[5m:1m])`, metrics: []string{"x_total"}, counters: []string{"x_total"}},
		{expr: `time() - g{code="a_total",space=~"$space"}`, metrics: []string{"g"}},
		{expr: `count(up == 0) or vector(0)`, metrics: []string{"up"}},
		{expr: `a * on (instance) group_left (version) b_info`, metrics: []string{"a", "b_info"}},
		{expr: `sum(rate(x_total[$__rate_interval])`, wantErr: true},
		{expr: `{__name__="x_total"}`, wantErr: true},
		{expr: `x{job="unterminated}`, wantErr: true},
	} {
		t.Run(tc.expr, func(t *testing.T) {
			sc, err := scanExpr(tc.expr)
			if tc.wantErr {
				if err == nil {
					t.Fatal("no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var metrics []string
			for _, s := range sc.selectors {
				metrics = append(metrics, s.metric)
			}
			if fmt.Sprint(metrics) != fmt.Sprint(tc.metrics) {
				t.Errorf("metrics %q, want %q", metrics, tc.metrics)
			}
			if got := counterViolations(sc); fmt.Sprint(got) != fmt.Sprint(tc.counters) {
				t.Errorf("counters outside rate/increase %q, want %q", got, tc.counters)
			}
		})
	}
}

func TestQueries(t *testing.T) {
	d := loadDashboard(t)
	for _, q := range d.Queries() {
		t.Run(q.PanelTitle+"/"+q.RefID, func(t *testing.T) {
			if !strings.Contains(q.Expr, "$job") || !strings.Contains(q.Expr, "$instance") {
				t.Errorf("does not reference both $job and $instance: %s", q.Expr)
			}
			sc, err := scanExpr(q.Expr)
			if err != nil {
				t.Fatalf("%s: %v", q.Expr, err)
			}
			if len(sc.selectors) == 0 {
				t.Errorf("no metric selector: %s", q.Expr)
			}
			for _, s := range sc.selectors {
				if !knownMetrics[s.metric] {
					t.Errorf("unknown metric %q (typo?)", s.metric)
				}
				if !s.has("job", "=~", "$job") || !s.has("instance", "=~", "$instance") {
					t.Errorf("%s: selector lacks job=~\"$job\" or instance=~\"$instance\": %s", s.metric, q.Expr)
				}
				if !s.has("job", "=", "cams") {
					t.Errorf("%s: selector lacks the exporter selector %s: %s", s.metric, exporterSelector, q.Expr)
				}
				if spaceMetrics[s.metric] && !s.has("space", "=~", spaceMatch) {
					t.Errorf("%s has a space label but its selector lacks space=~%q: %s", s.metric, spaceMatch, q.Expr)
				}
				if s.hasRange && !rangeOK(s.rng, q.Instant) {
					t.Errorf("%s: range is not [$__rate_interval] (or [$__range] in an instant query): %s", s.metric, q.Expr)
				}
			}
			if bad := counterViolations(sc); len(bad) > 0 {
				t.Errorf("counters outside rate()/increase(): %q in %s", bad, q.Expr)
			}
			for _, r := range sc.ranges {
				if !rangeOK(r, q.Instant) {
					t.Errorf("a range or subquery other than [$__rate_interval] (or [$__range] in an instant query): %s", q.Expr)
				}
			}
			for _, fn := range []string{"rate", "increase", "irate", "delta", "idelta", "deriv"} {
				for _, args := range sc.calls[fn] {
					if fn != "rate" && fn != "increase" {
						t.Errorf("%s() used; only rate() and increase() are expected: %s", fn, q.Expr)
					}
					ok := false
					for i := 0; i+2 < len(args); i++ {
						if args[i].text == "[" && rangeOK(args[i+1:i+2], q.Instant) && args[i+2].text == "]" {
							ok = true
						}
					}
					if !ok {
						t.Errorf("%s() without [$__rate_interval] (or [$__range] in an instant query): %s", fn, q.Expr)
					}
				}
			}
			sub := Substitute(q.Expr, "1m")
			if strings.Contains(sub, "$") {
				t.Errorf("a variable Substitute does not replace: %s", sub)
			}
			if _, err := scanExpr(sub); err != nil {
				t.Errorf("substituted %s: %v", sub, err)
			}
		})
	}
}

func TestSubstitute(t *testing.T) {
	for _, tc := range []struct{ in, interval, want string }{
		{`rate(x{job=~"$job",instance=~"$instance"}[$__rate_interval])`, "1m",
			`rate(x{job=~".*",instance=~".*"}[1m])`},
		{`x{space=~"${space}",job=~"${job:regex}"}[${__rate_interval}]`, "2m",
			`x{space=~".*",job=~".*"}[2m]`},
		{`$jobs $instance_name $__rate_interval_ms $__interval $other`, "1m",
			`$jobs $instance_name $__rate_interval_ms $__interval $other`},
		{`a{space=~"$space"} + b{space=~"$space"}`, "5m", `a{space=~".*"} + b{space=~".*"}`},
		{`increase(x{space=~"${space:pipe}"}[$__range]) $__range_s ${__range}`, "1m", `increase(x{space=~".*"}[1m]) $__range_s 1m`},
		{`no variables`, "1m", `no variables`},
	} {
		if got := Substitute(tc.in, tc.interval); got != tc.want {
			t.Errorf("Substitute(%q, %q) = %q, want %q", tc.in, tc.interval, got, tc.want)
		}
	}
}

func TestValuesSubstitute(t *testing.T) {
	chosen := Values{RateInterval: "2m", Range: "6h", Space: "cams-a|cams-b.*"}
	for _, tc := range []struct {
		v        Values
		in, want string
	}{
		{chosen, `sum(increase(x{job=~"$job",space=~"${space:pipe}"}[$__range])) / y[$__rate_interval]`,
			`sum(increase(x{job=~".*",space=~"cams-a|cams-b.*"}[6h])) / y[2m]`},
		{chosen, `x{space=~"$space",instance=~"${instance}"}`, `x{space=~"cams-a|cams-b.*",instance=~".*"}`},
		{Values{RateInterval: "1m", Range: "1h"}, `x{space=~"${space:pipe}"}[$__range]`, `x{space=~".*"}[1h]`},
		{chosen, `$spaces $__range_ms $other`, `$spaces $__range_ms $other`},
	} {
		if got := tc.v.Substitute(tc.in); got != tc.want {
			t.Errorf("%+v.Substitute(%q) = %q, want %q", tc.v, tc.in, got, tc.want)
		}
	}
}

func TestQueriesOrderAndCollapsedRows(t *testing.T) {
	d, err := Parse([]byte(`{"uid":"u","panels":[
		{"id":1,"type":"timeseries","title":"A","targets":[{"refId":"A","expr":"a"},{"refId":"B","expr":""}]},
		{"id":2,"type":"row","title":"R","collapsed":true,"panels":[
			{"id":3,"type":"stat","title":"B","targets":[{"refId":"A","expr":"b"}]}]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := []Query{{"A", "A", "a", false, ""}, {"B", "A", "b", false, "R"}}
	if got := d.Queries(); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Queries() = %v, want %v", got, want)
	}
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"uid": "x",`), 0o600); err != nil {
		t.Fatal(err)
	}
	trailing := filepath.Join(dir, "trailing.json")
	if err := os.WriteFile(trailing, []byte(`{"uid": "x"} {}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{filepath.Join(dir, "missing.json"), bad, trailing} {
		if _, err := Load(p); err == nil {
			t.Errorf("Load(%s): no error", filepath.Base(p))
		}
	}
}

func TestVariableQueryForms(t *testing.T) {
	for _, tc := range []struct{ raw, want string }{
		{`"prometheus"`, "prometheus"},
		{`{"query":"label_values(up, job)","refId":"X"}`, "label_values(up, job)"},
		{`42`, ""},
	} {
		if got := (Variable{Query: []byte(tc.raw)}).QueryString(); got != tc.want {
			t.Errorf("QueryString(%s) = %q, want %q", tc.raw, got, tc.want)
		}
	}
}

func TestProvisioningDatasource(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("provisioning", "datasources", "datasource.yml"))
	if err != nil {
		t.Fatal(err)
	}
	// Every key the file may use is declared, and parsing is strict, so a
	// misspelt key (isdefault, URL, ...) fails instead of being ignored.
	var f struct {
		APIVersion  int `yaml:"apiVersion"`
		Datasources []struct {
			Name      string `yaml:"name"`
			Type      string `yaml:"type"`
			UID       string `yaml:"uid"`
			URL       string `yaml:"url"`
			Access    string `yaml:"access"`
			IsDefault bool   `yaml:"isDefault"`
			Editable  bool   `yaml:"editable"`
			JSONData  struct {
				TimeInterval string `yaml:"timeInterval"`
			} `yaml:"jsonData"`
		} `yaml:"datasources"`
	}
	if err := yaml.UnmarshalStrict(data, &f); err != nil {
		t.Fatalf("datasource.yml: %v", err)
	}
	if f.APIVersion != 1 || len(f.Datasources) != 1 {
		t.Fatalf("apiVersion %d with %d datasources, want 1 and 1", f.APIVersion, len(f.Datasources))
	}
	ds := f.Datasources[0]
	if ds.Type != "prometheus" || ds.UID != "prometheus" || ds.URL != "http://prometheus:9090" || !ds.IsDefault || ds.Access != "proxy" || ds.Name == "" {
		t.Errorf("datasource = %+v, want a named default prometheus, uid prometheus, proxy to http://prometheus:9090", ds)
	}
}

func TestProvisioningDashboards(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("provisioning", "dashboards", "dashboards.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		APIVersion int `yaml:"apiVersion"`
		Providers  []struct {
			Name                  string `yaml:"name"`
			OrgID                 int    `yaml:"orgId"`
			Type                  string `yaml:"type"`
			Folder                string `yaml:"folder"`
			DisableDeletion       bool   `yaml:"disableDeletion"`
			AllowUIUpdates        bool   `yaml:"allowUiUpdates"`
			UpdateIntervalSeconds int    `yaml:"updateIntervalSeconds"`
			Options               struct {
				Path                      string `yaml:"path"`
				FoldersFromFilesStructure bool   `yaml:"foldersFromFilesStructure"`
			} `yaml:"options"`
		} `yaml:"providers"`
	}
	if err := yaml.UnmarshalStrict(data, &f); err != nil {
		t.Fatalf("dashboards.yml: %v", err)
	}
	if f.APIVersion != 1 || len(f.Providers) != 1 {
		t.Fatalf("apiVersion %d with %d providers, want 1 and 1", f.APIVersion, len(f.Providers))
	}
	p := f.Providers[0]
	if p.Type != "file" || p.Folder != "CAMS" || p.Options.Path != "/var/lib/grafana/dashboards" || p.Name == "" {
		t.Errorf("provider = %+v, want a named file provider, folder CAMS, path /var/lib/grafana/dashboards", p)
	}
}
