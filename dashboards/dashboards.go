package dashboards

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
)

// Dashboard is the part of a Grafana dashboard JSON model that the checks
// and the end-to-end tests need. Unknown fields are ignored.
type Dashboard struct {
	UID           string     `json:"uid"`
	Title         string     `json:"title"`
	Tags          []string   `json:"tags"`
	SchemaVersion int        `json:"schemaVersion"`
	Templating    Templating `json:"templating"`
	Panels        []Panel    `json:"panels"`
}

// Templating holds the dashboard's template variables.
type Templating struct {
	List []Variable `json:"list"`
}

// Variable is a template variable.
type Variable struct {
	Name       string      `json:"name"`
	Type       string      `json:"type"`
	Definition string      `json:"definition"`
	Datasource *Datasource `json:"datasource"`
	// Query is a string for datasource variables and either a string or an
	// object with a "query" field for query variables: see QueryString.
	Query      json.RawMessage `json:"query"`
	Multi      bool            `json:"multi"`
	IncludeAll bool            `json:"includeAll"`
	AllValue   string          `json:"allValue"`
	// AllowCustomValue lets a user type a value that is not among the
	// options (Grafana 11 and later).
	AllowCustomValue bool `json:"allowCustomValue"`
}

// QueryString returns the variable's query whichever form it is stored in.
func (v Variable) QueryString() string {
	var s string
	if json.Unmarshal(v.Query, &s) == nil {
		return s
	}
	var obj struct {
		Query string `json:"query"`
	}
	if json.Unmarshal(v.Query, &obj) == nil {
		return obj.Query
	}
	return ""
}

// Datasource references a data source by type and uid.
type Datasource struct {
	Type string `json:"type"`
	UID  string `json:"uid"`
}

// GridPos places a panel on the dashboard's 24-column grid.
type GridPos struct {
	H int `json:"h"`
	W int `json:"w"`
	X int `json:"x"`
	Y int `json:"y"`
}

// Panel is a dashboard panel. Rows (Type "row") hold their panels in
// Panels only while collapsed; otherwise their panels follow them at the top
// level.
type Panel struct {
	ID          int         `json:"id"`
	Type        string      `json:"type"`
	Title       string      `json:"title"`
	Description string      `json:"description"`
	Datasource  *Datasource `json:"datasource"`
	GridPos     *GridPos    `json:"gridPos"`
	FieldConfig FieldConfig `json:"fieldConfig"`
	Targets     []Target    `json:"targets"`
	Panels      []Panel     `json:"panels"`
	// Collapsed is set on a row whose panels are hidden (in Panels) until
	// it is opened; Grafana runs their queries only then.
	Collapsed bool `json:"collapsed"`
}

// FieldConfig is a panel's field configuration.
type FieldConfig struct {
	Defaults FieldDefaults `json:"defaults"`
}

// FieldDefaults holds the field defaults the checks look at.
type FieldDefaults struct {
	Unit string `json:"unit"`
}

// Target is one query of a panel.
type Target struct {
	RefID        string      `json:"refId"`
	Expr         string      `json:"expr"`
	LegendFormat string      `json:"legendFormat"`
	Datasource   *Datasource `json:"datasource"`
	Instant      bool        `json:"instant"`
	Range        bool        `json:"range"`
	Format       string      `json:"format"`
}

// Query is one panel target's PromQL expression, still holding Grafana's
// variables ($job, $__rate_interval, ...): see Substitute.
type Query struct {
	PanelTitle string
	RefID      string
	Expr       string
	// Instant is true for an instant query (tables, bar gauges): Grafana
	// evaluates it once, at the end of the time range.
	Instant bool
	// Row is the title of the row the panel is in, "" above the first.
	Row string
}

// CollectorRows are the titles of the rows of the engine's collectors,
// which are off by default (--collector.phone-numbers, --collector.waba,
// --collector.messaging-health, --collector.templates): their panels have
// data only when the collectors are on.
var CollectorRows = []string{"Phone numbers", "WABA", "Messaging health", "Message templates",
	"Collectors: phone numbers, WABA, messaging health, templates"}

// Load reads and parses the dashboard JSON file at path.
func Load(path string) (*Dashboard, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	d, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, nil
}

// Parse parses a dashboard JSON model. Unknown fields are ignored, but
// trailing data after the JSON object is an error.
func Parse(data []byte) (*Dashboard, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	var d Dashboard
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("parsing dashboard: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("parsing dashboard: data after the JSON object")
	}
	return &d, nil
}

// AllPanels returns every panel in dashboard order, rows included, with the
// panels of collapsed rows right after their row.
func (d *Dashboard) AllPanels() []Panel {
	var out []Panel
	var walk func([]Panel)
	walk = func(ps []Panel) {
		for _, p := range ps {
			out = append(out, p)
			walk(p.Panels)
		}
	}
	walk(d.Panels)
	return out
}

// Variable returns the template variable called name.
func (d *Dashboard) Variable(name string) (Variable, bool) {
	for _, v := range d.Templating.List {
		if v.Name == name {
			return v, true
		}
	}
	return Variable{}, false
}

// Queries returns the expression of every panel target that has one, in
// dashboard order. Template variable queries (label_values) are not PromQL
// and are not included.
func (d *Dashboard) Queries() []Query {
	var out []Query
	row := ""
	for _, p := range d.AllPanels() {
		if p.Type == "row" {
			row = p.Title
		}
		for _, t := range p.Targets {
			if t.Expr == "" {
				continue
			}
			out = append(out, Query{PanelTitle: p.Title, RefID: t.RefID, Expr: t.Expr, Instant: t.Instant, Row: row})
		}
	}
	return out
}

var substVar = regexp.MustCompile(`\$(?:\{(__rate_interval|__range|job|instance|space)(?::[A-Za-z]+)?\}|(__rate_interval|__range|job|instance|space)\b)`)

// Values are what Grafana puts in place of the dashboard's variables.
type Values struct {
	// RateInterval and Range replace $__rate_interval and $__range, e.g.
	// "1m".
	RateInterval, Range string
	// Space replaces $space in any of its formats: the chosen spaces as
	// ${space:pipe} writes them ("cams-a|cams-b"), or a regular expression
	// a user typed; "" is All, the allValue ".*".
	Space string
}

// Substitute replaces the dashboard's variables in expr as Grafana would
// with v: $__rate_interval (or ${__rate_interval}) by v.RateInterval,
// $__range by v.Range, $space (or ${space:pipe}, ...) by v.Space, and $job
// and $instance by ".*", their allValue (All). Any other variable is left
// as it is.
func (v Values) Substitute(expr string) string {
	return substVar.ReplaceAllStringFunc(expr, func(m string) string {
		sub := substVar.FindStringSubmatch(m)
		switch sub[1] + sub[2] {
		case "__rate_interval":
			return v.RateInterval
		case "__range":
			return v.Range
		case "space":
			if v.Space != "" {
				return v.Space
			}
		}
		return ".*"
	})
}

// Substitute replaces the dashboard's variables in expr the way Grafana
// would with every variable set to All: $__rate_interval and $__range (or
// ${__rate_interval}, ...) by rateInterval, and $job, $instance and $space
// (or ${job}, ${space:pipe}, ...) by ".*", the variables' allValue. Any
// other variable is left as it is.
func Substitute(expr string, rateInterval string) string {
	return Values{RateInterval: rateInterval, Range: rateInterval}.Substitute(expr)
}
