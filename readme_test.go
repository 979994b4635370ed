package main

import (
	"io"
	"net/http"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/simulator"
	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Every simulator path the README names answers with the method it names
// (GET when it names none): no path of the README is a 404 of the router.
func TestREADMESimulatorPathsExist(t *testing.T) {
	readme := readFile(t, "README.md")
	type request struct{ method, path string }
	var reqs []request
	seen := map[string]bool{}
	add := func(method, path string) {
		path = strings.TrimRight(path, ".,;:)")
		if path == "/-/" || seen[method+" "+path] {
			return
		}
		seen[method+" "+path] = true
		reqs = append(reqs, request{method, path})
	}
	for _, m := range regexp.MustCompile("`(GET|POST|PUT|DELETE) (/-/[^`\\s]*)`").FindAllStringSubmatch(readme, -1) {
		add(m[1], m[2])
	}
	for _, m := range regexp.MustCompile(`curl (?:-X (\w+) )?localhost:\d+(/-/\S+)`).FindAllStringSubmatch(readme, -1) {
		method := m[1]
		if method == "" {
			method = http.MethodGet
		}
		add(method, m[2])
	}
	for _, m := range regexp.MustCompile("(?:^|[^A-Z] )`(/-/[^`\\s]*)`").FindAllStringSubmatch(readme, -1) {
		add(http.MethodGet, m[1])
	}
	if len(reqs) < 13 {
		t.Fatalf("found %d simulator requests in the README: %v", len(reqs), reqs)
	}
	_, base := startSimulator(t, &simulator.Dataset{Spaces: []simulator.Space{{ID: "", Flows: []simulator.Flow{{FlowId: "1"}}}}}, -1)
	for _, r := range reqs {
		path := strings.NewReplacer("{id}", "_", "{flowId}", "1").Replace(r.path)
		req, err := http.NewRequest(r.method, base+path, strings.NewReader("{}"))
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusMethodNotAllowed || string(body) == "404 page not found\n" {
			t.Errorf("the README names %s %s; the simulator answers %d %q", r.method, r.path, resp.StatusCode, body)
		}
	}
}

// Every flag, of the exporter and of each command, is in the README, and
// the defaults its flag table states are the flags' defaults.
func TestREADMEDocumentsEveryFlag(t *testing.T) {
	readme := readFile(t, "README.md")
	flags := allFlags(newTestApp())
	for name, f := range flags {
		if f.Hidden || name == "help" || name == "version" {
			continue // kingpin's own
		}
		if !strings.Contains(readme, "--"+name) {
			t.Errorf("the README does not name --%s", name)
		}
	}
	row := regexp.MustCompile("(?m)^\\| `--([a-z0-9.-]+)` \\| `([^`]*)` \\|")
	rows := row.FindAllStringSubmatch(readme, -1)
	if len(rows) < 8 {
		t.Fatalf("found %d rows with a default in the flag table", len(rows))
	}
	for _, r := range rows {
		f := flags[r[1]]
		if f == nil {
			t.Errorf("the README's flag table has --%s, which does not exist", r[1])
			continue
		}
		if got := strings.Join(f.Default, ","); got != r[2] {
			t.Errorf("--%s: the README says the default is %q, the flag has %q", r[1], r[2], got)
		}
	}
	// Help and README say the same of --refresh.interval: a target age.
	if help := flags["refresh.interval"].Help; !strings.Contains(help, "Target age") || !strings.Contains(readme, "| `--refresh.interval` | `5m` | target age") {
		t.Errorf("--refresh.interval's help %q and the README disagree", help)
	}
	// check's own flags are documented where check is.
	i := strings.Index(readme, "- `cams_exporter check")
	if i < 0 {
		t.Fatal("the README does not document check")
	}
	section := readme[i:min(len(readme), i+1200)]
	for _, want := range []string{"--check.slow", "--demo", "--output"} {
		if !strings.Contains(section, want) {
			t.Errorf("check's documentation lacks %s", want)
		}
	}
}

// Every family the exporter serves from its snapshots, with every option
// and every collector on, has a row in the README's metrics tables that
// gives its type and names each of its labels.
func TestREADMEDocumentsEveryMetric(t *testing.T) {
	readme := readFile(t, "README.md")
	rate := func() float64 { return 1 }
	schema := collector.NewSchema(collector.Options{
		FlowInfo: true, FlowStatus: true, FlowStatusInterval: time.Hour, RefreshInterval: 5 * time.Minute,
		StartTime: time.Unix(1, 0), LimiterRate: rate, GetFlowLimiterRate: rate,
		Sources:     []collector.SourceSeries{&phonenumbers.Series{}, &waba.Series{}, &messaginghealth.Series{}},
		SourceRates: map[string]func() float64{phonenumbers.Name: rate, waba.Name: rate, messaginghealth.Name: rate},
	})
	rows := map[string][]string{} // a family's name: the cells of its row
	name := regexp.MustCompile("`(cams_[a-z_]+)`")
	for _, line := range strings.Split(readme, "\n") {
		if !strings.HasPrefix(line, "| `cams_") {
			continue
		}
		cells := strings.SplitN(strings.TrimPrefix(line, "|"), "|", 4) // name, type, labels, meaning
		for _, m := range name.FindAllStringSubmatch(cells[0], -1) {
			rows[m[1]] = cells
		}
	}
	families := schema.Families()
	if len(families) < 35 {
		t.Fatalf("the schema with every option on has %d families", len(families))
	}
	word := regexp.MustCompile(`[a-z_]+`)
	for _, f := range families {
		cells, ok := rows[f.Name]
		switch {
		case !ok:
			t.Errorf("the README's metrics tables have no row for %s", f.Name)
			continue
		case len(cells) < 4:
			t.Errorf("the README's row for %s has %d cells: %q", f.Name, len(cells), cells)
			continue
		}
		if typ := strings.ToLower(f.Type.String()); !strings.Contains(cells[1], typ) {
			t.Errorf("the README gives %s the type %q; it is a %s", f.Name, cells[1], typ)
		}
		documented := word.FindAllString(cells[2], -1)
		for _, l := range f.Labels {
			if !slices.Contains(documented, l) {
				t.Errorf("the README's labels of %s (%q) lack %s", f.Name, cells[2], l)
			}
		}
	}
}

// The Docker build passes the revision, since .git stays out of its
// context, and make demo passes it to go run, which stamps none.
func TestBuildsPassTheRevision(t *testing.T) {
	readme, dockerfile, makefile := readFile(t, "README.md"), readFile(t, "Dockerfile"), readFile(t, "Makefile")
	if !strings.Contains(readme, "docker build --build-arg VERSION=$(cat VERSION) --build-arg REVISION=$(git rev-parse HEAD)") {
		t.Error("the README's docker build passes no REVISION")
	}
	if !strings.Contains(dockerfile, "ARG REVISION") || !strings.Contains(dockerfile, "version.Revision=${REVISION}") {
		t.Error("the Dockerfile does not put REVISION into the binary")
	}
	if !regexp.MustCompile(`(?m)^demo:\n\t\$\(GO\) run -ldflags "\$\(LDFLAGS\)" \. --demo$`).MatchString(makefile) {
		t.Error("make demo does not pass the revision to go run")
	}
	if !strings.Contains(readFile(t, ".dockerignore"), ".git") {
		t.Error(".git is in the Docker build context; the note in the README is wrong")
	}
}
