//go:build ignore

// This program wrote main-5010183.cache and main-5010183.series with the
// code of main at 5010183, before each space kept each entity once (every
// node with the entities of its answer). Copy it into that tree's
// sources/messaginghealth as a _test.go file without the build line and run
//
//	CAMS_FIXTURE_DIR=/path/to/testdata go test -run TestWriteFixture ./sources/messaginghealth/
//
// The spaces:
//   - cams-a: the WABA answered at t0 with its business BLOCKED; number 1 an
//     hour later and number 2 two hours later with it AVAILABLE, number 2
//     LIMITED itself; number 3's only call failed.
//   - cams-b: the WABA answered at t0, then its call failed at t0+1h.
//   - cams-c: the WABA and number 1 answered at the same time, the business
//     AVAILABLE in the WABA's answer and LIMITED in the number's.
package messaginghealth_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/cache"
	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/engine"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

var fixtureT0 = time.Date(2026, 12, 1, 8, 0, 0, 0, time.UTC)

// fixtureAPI answers each node's key ("space/waba" or "space/number") as
// set; a key not set fails with ERR-FB-001.
type fixtureAPI map[string]*client.HealthStatus

func (f fixtureAPI) GetHealthStatus(_ context.Context, space string, node client.HealthNode) (*client.HealthStatus, error) {
	key := space + "/waba"
	if node.Type == client.NodeTypePhone {
		key = space + "/" + node.PhoneNumber
	}
	if st, ok := f[key]; ok {
		return st, nil
	}
	return nil, &client.Error{Code: "ERR-FB-001", Message: "Meta did not answer", RequestID: "REQ-" + key}
}

func shared(space, business string, errs ...client.HealthError) []client.HealthEntity {
	return []client.HealthEntity{
		{EntityType: "WABA", ID: "waba-" + space, WabaID: "waba-" + space, CanSendMessage: "AVAILABLE"},
		{EntityType: "BUSINESS", ID: "biz-" + space, BusinessID: "biz-" + space, CanSendMessage: business, Errors: errs},
		{EntityType: "APP", CanSendMessage: "AVAILABLE"},
	}
}

func number(n, canSend string, errs ...client.HealthError) client.HealthEntity {
	return client.HealthEntity{EntityType: "PHONE_NUMBER", ID: n, PhoneNumber: n, CanSendMessage: canSend, Errors: errs}
}

var (
	verify = client.HealthError{ErrorCode: "141010", ErrorDescription: "The business has not passed business verification.", PossibleSolution: "Start or resolve the business verification in Business Settings."}
	limit  = client.HealthError{ErrorCode: "131049", ErrorDescription: "Meta chose not to deliver this message.", PossibleSolution: "Wait a day."}
)

func TestWriteFixture(t *testing.T) {
	dir := os.Getenv("CAMS_FIXTURE_DIR")
	if dir == "" {
		t.Skip("CAMS_FIXTURE_DIR not set")
	}
	numbers := map[string][]string{"cams-a": {"8613800000001", "8613800000002", "8613800000003"}, "cams-b": nil, "cams-c": {"8613900000001"}}
	wabas, phones := map[string]*snapshot.SpacePart{}, map[string]*snapshot.SpacePart{}
	for space, ns := range numbers {
		wabas[space] = &snapshot.SpacePart{Up: true, HasData: true, LastSuccess: fixtureT0, LastAttempt: fixtureT0, Data: waba.WABA{Bound: true, ID: "waba-" + space, BusinessID: "biz-" + space}}
		var data phonenumbers.Numbers
		for _, n := range ns {
			data = append(data, phonenumbers.Number{PhoneNumber: n, Status: "CONNECTED", QualityRating: "GREEN"})
		}
		phones[space] = &snapshot.SpacePart{Up: true, HasData: true, LastSuccess: fixtureT0, LastAttempt: fixtureT0, Data: data}
	}
	others := (&snapshot.Snapshot{}).WithSpaces(nil).WithSources([]*snapshot.SourceState{
		snapshot.NewSourceState(waba.Name, client.OperationQueryBindWaba).WithParts(wabas),
		snapshot.NewSourceState(phonenumbers.Name, client.OperationQueryPhoneNumbers).WithParts(phones),
	})
	api := fixtureAPI{
		"cams-a/waba":          {CanSendMessage: "BLOCKED", Entities: shared("cams-a", "BLOCKED", verify)},
		"cams-a/8613800000001": {CanSendMessage: "AVAILABLE", Entities: append([]client.HealthEntity{number("8613800000001", "AVAILABLE")}, shared("cams-a", "AVAILABLE")...)},
		"cams-a/8613800000002": {CanSendMessage: "LIMITED", Entities: append([]client.HealthEntity{number("8613800000002", "LIMITED", limit)}, shared("cams-a", "AVAILABLE")...)},
		"cams-b/waba":          {CanSendMessage: "AVAILABLE", Entities: shared("cams-b", "AVAILABLE")},
		"cams-c/waba":          {CanSendMessage: "AVAILABLE", Entities: shared("cams-c", "AVAILABLE")},
		"cams-c/8613900000001": {CanSendMessage: "LIMITED", Entities: append([]client.HealthEntity{number("8613900000001", "AVAILABLE")}, shared("cams-c", "LIMITED", verify)...)},
	}
	src := messaginghealth.New(api, time.Hour, time.Hour)
	call := func(space, key string, at time.Time, prev *snapshot.SpacePart) *snapshot.SpacePart {
		task := engine.Task{Space: space, Key: key}
		v, err := src.Call(context.Background(), task)
		return src.Apply(space, prev, []engine.Done{{Task: task, At: at, Value: v, Err: err}}, others)
	}
	parts := map[string]*snapshot.SpacePart{}
	a := call("cams-a", "waba/waba-cams-a", fixtureT0, nil)
	a = call("cams-a", "phone/8613800000001", fixtureT0.Add(time.Hour), a)
	a = call("cams-a", "phone/8613800000003", fixtureT0.Add(90*time.Minute), a)
	parts["cams-a"] = call("cams-a", "phone/8613800000002", fixtureT0.Add(2*time.Hour), a)
	b := call("cams-b", "waba/waba-cams-b", fixtureT0, nil)
	delete(api, "cams-b/waba")
	parts["cams-b"] = call("cams-b", "waba/waba-cams-b", fixtureT0.Add(time.Hour), b)
	var done []engine.Done
	for _, key := range []string{"phone/8613900000001", "waba/waba-cams-c"} {
		task := engine.Task{Space: "cams-c", Key: key}
		v, err := src.Call(context.Background(), task)
		done = append(done, engine.Done{Task: task, At: fixtureT0, Value: v, Err: err})
	}
	parts["cams-c"] = src.Apply("cams-c", nil, done, others)

	spaces := map[string]*snapshot.SpaceState{}
	for space := range numbers {
		spaces[space] = &snapshot.SpaceState{ID: space, HasData: true, Up: true, Count: 1, ByCategory: map[string]int{"SURVEY": 1}, LastSuccess: fixtureT0, LastAttempt: fixtureT0}
	}
	snap := snapshot.Snapshot{Completed: true, Refreshes: 1}.WithSpaces(spaces).WithSources([]*snapshot.SourceState{
		snapshot.NewSourceState(messaginghealth.Name, client.OperationGetHealthStatus).WithParts(parts)})
	if err := cache.Save(filepath.Join(dir, "main-5010183.cache"), cache.Meta{Endpoint: "https://cams.ap-southeast-1.aliyuncs.com/"}, snap, fixtureT0.Add(3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	schema := collector.NewSchema(collector.Options{Sources: []collector.SourceSeries{&messaginghealth.Series{}}})
	var lines []string
	for space, p := range parts {
		for _, s := range schema.PartSeries(nil, messaginghealth.Name, space, p) {
			if strings.HasPrefix(s.Family.Name, "cams_messaging_health") {
				lines = append(lines, fmt.Sprintf("%s %q %g", s.Family.Name, s.LabelValues(), s.Value))
			}
		}
	}
	sort.Strings(lines)
	if err := os.WriteFile(filepath.Join(dir, "main-5010183.series"), []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}
