package phonenumbers

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/engine"
	"github.com/cams-exporter/cams_exporter/sources/values"
)

func TestMessagingLimit(t *testing.T) {
	for _, tc := range []struct {
		tier  string
		limit float64
		known bool
	}{
		{"TIER_50", 50, true}, {"TIER_250", 250, true}, {"TIER_1K", 1000, true}, {"TIER_2K", 2000, true},
		{"TIER_10K", 10000, true}, {"TIER_100K", 100000, true},
		{"TIER_UNLIMITED", math.Inf(1), true}, {"UNLIMITED", math.Inf(1), true},
		{"TIER_10", 0, false}, {"TIER_1000", 0, false}, {"", 0, false}, {"tier_1k", 0, false},
	} {
		got, ok := MessagingLimit(tc.tier)
		if ok != tc.known || (ok && got != tc.limit) {
			t.Errorf("MessagingLimit(%q) = %v, %v; want %v, %v", tc.tier, got, ok, tc.limit, tc.known)
		}
	}
}

func TestKeepSortsDedupesAndBounds(t *testing.T) {
	long := strings.Repeat("x", 1000)
	answer := []client.PhoneNumber{
		{PhoneNumber: "8613900000002", Status: "CONNECTED", QualityRating: "GREEN", MessagingLimitTier: "TIER_1K"},
		{PhoneNumber: "8613900000001", Status: "FLAGGED", QualityRating: "RED", VerifiedName: long},
		{PhoneNumber: "8613900000002", Status: "BANNED"}, // the second answer for the number is dropped
		{PhoneNumber: ""},
	}
	got := keep(answer, newCaps())
	if len(got) != 2 || got[0].PhoneNumber != "8613900000001" || got[1].PhoneNumber != "8613900000002" || got[1].Status != "CONNECTED" {
		t.Fatalf("keep = %+v, want the two numbers sorted, the first answer of each", got)
	}
	if len(got[0].VerifiedName) != client.MaxTextBytes {
		t.Errorf("verified name kept at %d bytes, want cut to %d", len(got[0].VerifiedName), client.MaxTextBytes)
	}
}

func TestUndocumentedValuesAreFoldedAfterTheCap(t *testing.T) {
	c := newCaps()
	var answer []client.PhoneNumber
	for i := range values.MaxUndocumented + 5 {
		answer = append(answer, client.PhoneNumber{PhoneNumber: fmt.Sprint(i), Status: fmt.Sprint("NEW_STATUS_", i), QualityRating: "GREEN"})
	}
	got := keep(answer, c)
	statuses := map[string]int{}
	for _, n := range got {
		statuses[n.Status]++
	}
	if statuses[values.Other] != 5 || len(statuses) != values.MaxUndocumented+1 {
		t.Errorf("statuses %v: want %d undocumented under their name and 5 as %s", statuses, values.MaxUndocumented, values.Other)
	}
	if c.folded() != 5 {
		t.Errorf("folded %d, want 5", c.folded())
	}
	// Documented values always pass, however many others came first.
	if n := keep([]client.PhoneNumber{{PhoneNumber: "1", Status: "BANNED"}}, c); n[0].Status != "BANNED" {
		t.Errorf("documented status folded: %q", n[0].Status)
	}
}

type fakeAPI struct {
	numbers map[string][]client.PhoneNumber
}

func (f fakeAPI) QueryPhoneNumbers(_ context.Context, space string) ([]client.PhoneNumber, error) {
	n, ok := f.numbers[space]
	if !ok {
		return nil, &client.Error{Code: "Ram.PermissionDeny", Message: "denied"}
	}
	return n, nil
}

func TestSeriesOfASpace(t *testing.T) {
	src := New(fakeAPI{map[string][]client.PhoneNumber{"cs-1": {
		{PhoneNumber: "8613900000001", Status: "CONNECTED", QualityRating: "GREEN", MessagingLimitTier: "TIER_10K", CodeVerificationStatus: "VERIFIED", NameStatus: "APPROVED"},
		{PhoneNumber: "8613900000002", Status: "FLAGGED", QualityRating: "RED", MessagingLimitTier: "TIER_10", NameStatus: "Pending_Review"},
	}}}, 0)
	value, err := src.Call(context.Background(), engine.Task{Space: "cs-1"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	part := src.Apply("cs-1", nil, []engine.Done{{Task: engine.Task{Space: "cs-1"}, At: now, Value: value}}, nil)
	schema := collector.NewSchema(collector.Options{Sources: []collector.SourceSeries{&Series{}}})
	var got []string
	for _, s := range schema.PartSeries(nil, Name, "cs-1", part) {
		got = append(got, fmt.Sprintf("%s%v %g", s.Family.Name, s.LabelValues(), s.Value))
	}
	want := []string{
		"cams_collector_space_up[phone-numbers cs-1] 1",
		fmt.Sprintf("cams_collector_space_last_success_timestamp_seconds[phone-numbers cs-1] %g", float64(now.Unix())+float64(now.Nanosecond())/1e9),
		"cams_phone_numbers[cs-1] 2",
		"cams_phone_number_state[VERIFIED TIER_10K APPROVED 8613900000001 GREEN cs-1 CONNECTED] 1",
		"cams_phone_number_messaging_limit[8613900000001 cs-1] 10000",
		"cams_phone_number_state[ TIER_10 Pending_Review 8613900000002 RED cs-1 FLAGGED] 1",
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("series:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if _, err := src.Call(context.Background(), engine.Task{Space: "cs-denied"}); err == nil {
		t.Error("a denied space answered")
	}
}
