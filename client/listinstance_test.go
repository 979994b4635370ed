package client_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/simulator"
)

// spacesData makes a data set with the own space and n sub-customer spaces
// cams-s001..cams-sNNN, whose channel types cycle through types ("" for the
// simulator's default).
func spacesData(n int, types ...string) *simulator.Dataset {
	d := &simulator.Dataset{Spaces: []simulator.Space{{ID: "", Flows: flowsOf("own", 2)}}}
	for i := range n {
		sp := simulator.Space{ID: fmt.Sprintf("cams-s%03d", i+1)}
		if len(types) > 0 {
			sp.ChannelType = types[i%len(types)]
		}
		d.Spaces = append(d.Spaces, sp)
	}
	return d
}

// wantSpaces computes ListAllSpaces' answer from the simulator's data set:
// its sub-customer spaces of channelType (whatever the case of either), in
// order.
func wantSpaces(sim *simulator.Server, channelType string) []string {
	var ids []string
	for _, sp := range sim.Dataset().Spaces {
		ct := sp.ChannelType
		if ct == "" {
			ct = "whatsapp"
		}
		if sp.ID != "" && (channelType == "" || strings.ToLower(ct) == strings.ToLower(channelType)) {
			ids = append(ids, sp.ID)
		}
	}
	return ids
}

func TestListAllSpacesPages(t *testing.T) {
	tests := []struct {
		spaces, pageSize int
	}{
		{0, 5},
		{1, 5},
		{7, 3},  // last page short
		{9, 3},  // exact multiple: TotalCount ends it, no empty page
		{40, 0}, // default size 20, exact multiple
		{45, 0},
		{12, 1},
		{12, 100},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%d spaces, size %d", tt.spaces, tt.pageSize), func(t *testing.T) {
			data := spacesData(tt.spaces)
			data.Spaces = append(data.Spaces, simulator.Space{ID: "cams-broken", Error: "Ram.PermissionDeny"})
			sim, url := startSim(t, simulator.Config{Data: data, RateLimit: -1})
			c := newClient(t, url, client.Config{RateLimit: 500})
			got, err := c.ListAllSpaces(context.Background(), "", tt.pageSize)
			if err != nil {
				t.Fatal(err)
			}
			want := wantSpaces(sim, "")
			if len(want) != tt.spaces+1 || !slices.Equal(got, want) {
				t.Errorf("got %d spaces %v\nwant %d %v", len(got), got, len(want), want)
			}
			size := tt.pageSize
			if size == 0 {
				size = client.DefaultPageSize
			}
			if calls, want := sim.Stats().ListInstance, max(1, (len(want)+size-1)/size); calls != want {
				t.Errorf("%d ListInstance calls, want %d", calls, want)
			}
		})
	}
}

func TestListAllSpacesChannelType(t *testing.T) {
	sim, url := startSim(t, simulator.Config{Data: spacesData(23, "", "messenger", "whatsapp", "viber", "VIBER"), RateLimit: -1})
	c := newClient(t, url, client.Config{RateLimit: 500})
	for _, ct := range []string{"", "whatsapp", "messenger", "viber", "Viber", "WHATSAPP", "line"} {
		t.Run(ct, func(t *testing.T) {
			got, err := c.ListAllSpaces(context.Background(), ct, 4)
			if err != nil {
				t.Fatal(err)
			}
			if want := wantSpaces(sim, ct); !slices.Equal(got, want) || (ct != "line" && len(want) == 0) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
	resp, err := c.ListInstance(context.Background(), client.ListInstanceRequest{ChannelType: "messenger", PageIndex: 2, PageSize: 2})
	if err != nil {
		t.Fatal(err)
	}
	// Spaces 2, 7, 12, 17 and 22 are messenger (the types cycle in fives):
	// page 2 of size 2 holds 12 and 17.
	want := client.Instance{CustSpaceID: "cams-s017", InstanceID: "cams-inst-s017", InstanceName: "cams-s017 instance", ChannelType: "messenger",
		State: "published", ResourceRegionID: "ap-southeast-1", SubmitTime: "2024-01-01 00:00:00"}
	if resp.Code != "OK" || !resp.Success || resp.RequestID == "" || resp.TotalCount != 5 || len(resp.Data) != 2 || resp.Data[1] != want {
		t.Errorf("ListInstance page 2 of messenger: %+v\nwant Success, TotalCount 5 and second %+v", resp, want)
	}
}

func TestListInstanceDefaultsAndBadRequest(t *testing.T) {
	_, url := startSim(t, simulator.Config{Data: spacesData(15), RateLimit: -1})
	c := newClient(t, url, client.Config{RateLimit: 500})
	resp, err := c.ListInstance(context.Background(), client.ListInstanceRequest{})
	if err != nil || resp.TotalCount != 15 || len(resp.Data) != 10 {
		t.Errorf("zero request: %+v, %v; want the simulator's default page of 10 of 15", resp, err)
	}
	if _, err := c.ListInstance(context.Background(), client.ListInstanceRequest{PageIndex: -1}); err == nil {
		t.Error("a negative PageIndex was sent")
	}
	_, err = c.ListAllSpaces(context.Background(), "", simulator.DefaultMaxPageSize+1)
	if client.CodeOf(err) != "InvalidParameter" || !strings.Contains(err.Error(), "PageSize") {
		t.Errorf("page size above the simulator's maximum: %v, want InvalidParameter naming PageSize", err)
	}
}

func TestListInstanceErrorReachesTheCaller(t *testing.T) {
	sim, url := startSim(t, simulator.Config{Data: spacesData(5), RateLimit: -1})
	if _, err := sim.Inject(simulator.Fault{Kind: "error", Code: "Ram.PermissionDeny", Detail: "cams:ListInstance denied"}); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var ops []string
	c := newClient(t, url, client.Config{RateLimit: 500, Observer: client.ObserverFunc(func(a client.Attempt) {
		mu.Lock()
		ops = append(ops, a.Operation+" "+a.Code)
		mu.Unlock()
	})})
	spaces, err := c.ListAllSpaces(context.Background(), "", 2)
	var e *client.Error
	if !errors.As(err, &e) || e.Code != "Ram.PermissionDeny" || e.Operation != client.OperationListInstance ||
		e.HTTPStatus != 400 || e.Class != client.ClassPermanent || e.RequestID == "" || e.AccessDeniedDetail.Text != "cams:ListInstance denied" {
		t.Errorf("got %+v, want Ram.PermissionDeny from ListInstance with its fields", err)
	}
	if spaces != nil {
		t.Errorf("a failed listing returned %v", spaces)
	}
	if !slices.Equal(ops, []string{"ListInstance Ram.PermissionDeny"}) {
		t.Errorf("observed %v, want one permanent failure, not retried", ops)
	}

	// A transient error is retried through the same machinery as ListFlow.
	sim.ClearFaults()
	if _, err := sim.Inject(simulator.Fault{Kind: "http", Status: 503, Count: 2}); err != nil {
		t.Fatal(err)
	}
	ops = nil
	spaces, err = c.ListAllSpaces(context.Background(), "", 2)
	if err != nil || !slices.Equal(spaces, wantSpaces(sim, "")) {
		t.Fatalf("after two 503s: %v, %v", spaces, err)
	}
	want := []string{"ListInstance ServiceUnavailable", "ListInstance ServiceUnavailable", "ListInstance OK", "ListInstance OK", "ListInstance OK"}
	if !slices.Equal(ops, want) {
		t.Errorf("observed %v, want %v", ops, want)
	}
}

// A page that fails after others succeeded fails the whole listing.
func TestListAllSpacesFailsOnAFailingPage(t *testing.T) {
	sim, err := simulator.New(simulator.Config{AccessKeyID: simID, AccessKeySecret: simSecret, Data: spacesData(10), RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	// In front of the simulator, page 3 is denied.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("PageIndex") == "3" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"RequestId":"R3","Code":"Product.Unsubscript","Message":"not subscribed"}`)
			return
		}
		sim.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	spaces, err := newClient(t, srv.URL, client.Config{RateLimit: 500}).ListAllSpaces(context.Background(), "", 3)
	if spaces != nil || client.CodeOf(err) != "Product.Unsubscript" {
		t.Errorf("got %v, %v; want no spaces and Product.Unsubscript", spaces, err)
	}
	if n := sim.Stats().ListInstance; n != 2 {
		t.Errorf("simulator served %d pages, want 2", n)
	}
}

// scriptedPages answers ListInstance pages from a list, the last repeated;
// it checks no signature.
func scriptedPages(t *testing.T, pages ...string) (url string, calls func() int) {
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		body := pages[min(n, len(pages)-1)]
		n++
		mu.Unlock()
		if r.Header.Get("x-acs-action") != client.OperationListInstance {
			t.Errorf("action %q", r.Header.Get("x-acs-action"))
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, body)
	}))
	t.Cleanup(srv.Close)
	return srv.URL, func() int { mu.Lock(); defer mu.Unlock(); return n }
}

func TestListAllSpacesOddServers(t *testing.T) {
	inst := func(space, id string) string {
		return fmt.Sprintf(`{"CustSpaceId":%q,"InstanceId":%q,"ChannelType":"whatsapp","State":"Approved"}`, space, id)
	}
	page := func(total int, instances ...string) string {
		return fmt.Sprintf(`{"RequestId":"R","Code":"OK","TotalCount":%d,"Data":[%s]}`, total, strings.Join(instances, ","))
	}
	tests := []struct {
		name  string
		pages []string
		want  []string
		calls int
		code  string
	}{
		{"a space with two instances, an empty CustSpaceId", []string{
			page(5, inst("a", "1"), inst("b", "2")),
			page(5, inst("a", "3"), inst("", "4")),
			page(5, inst("c", "5")),
		}, []string{"a", "b", "c"}, 3, ""},
		{"no TotalCount: pages until a short one", []string{
			page(0, inst("a", "1"), inst("b", "2")),
			page(0, inst("c", "3"), inst("d", "4")),
			page(0),
		}, []string{"a", "b", "c", "d"}, 3, ""},
		{"an instance shifted to the next page", []string{
			page(4, inst("a", "1"), inst("b", "2")),
			page(4, inst("b", "2"), inst("c", "3")),
			page(4, inst("d", "4")),
		}, []string{"a", "b", "c", "d"}, 3, ""},
		{"PageIndex ignored", []string{page(10, inst("a", "1"), inst("b", "2"))}, nil, 2, client.CodeInvalidResponse},
		{"an error body on page 2", []string{
			page(4, inst("a", "1"), inst("b", "2")),
			`{"RequestId":"R","Code":"Ram.PermissionDeny","Message":"denied"}`,
		}, nil, 2, "Ram.PermissionDeny"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			url, calls := scriptedPages(t, tt.pages...)
			c := newClient(t, url, client.Config{RateLimit: 500, MaxRetries: -1})
			got, err := c.ListAllSpaces(context.Background(), "", 2)
			if client.CodeOf(err) != tt.code && !(tt.code == "" && err == nil) {
				t.Errorf("error %v, want code %q", err, tt.code)
			}
			if !slices.Equal(got, tt.want) || calls() != tt.calls {
				t.Errorf("got %v in %d calls, want %v in %d", got, calls(), tt.want, tt.calls)
			}
		})
	}
}

// The channel type goes out in lower case, the documented form, and the
// answer is filtered without regard to case: a server that ignores the
// filter, or writes the type as the SDK's example does ("VIBER"), gives the
// same spaces. The SDK's fields decode, and TotalCount ends the listing
// without asking for an empty page.
func TestListAllSpacesChannelTypeOnTheWire(t *testing.T) {
	var mu sync.Mutex
	var sent []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		sent = append(sent, r.URL.Query().Get("ChannelType")+"/"+r.URL.Query().Get("PageIndex"))
		page := r.URL.Query().Get("PageIndex")
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		// The filter is ignored: every channel comes back, 4 instances in all.
		switch page {
		case "1":
			fmt.Fprint(w, `{"RequestId":"R1","Code":"OK","Message":"SUCCESS","AccessDeniedDetail":"","Success":true,"TotalCount":4,"Data":[
				{"CustSpaceId":"a","InstanceId":"1","ChannelType":"VIBER","State":"published","ResourceRegionId":"ap-southeast-1","ResourceGroupId":"rg-1","SubmitTime":"2023-12-12 00:00:00"},
				{"CustSpaceId":"b","InstanceId":"2","ChannelType":"whatsapp","State":"published"}]}`)
		default:
			fmt.Fprint(w, `{"RequestId":"R2","Code":"OK","Success":true,"TotalCount":4,"Data":[
				{"CustSpaceId":"c","InstanceId":"3","ChannelType":"viber","State":"published"},
				{"CustSpaceId":"d","InstanceId":"4","State":"published"}]}`)
		}
	}))
	t.Cleanup(srv.Close)
	c := newClient(t, srv.URL, client.Config{RateLimit: 500, MaxRetries: -1})
	for _, tt := range []struct {
		filter string
		want   []string
	}{
		{"Viber", []string{"a", "c", "d"}}, // d has no ChannelType: kept, the server chose it
		{"VIBER", []string{"a", "c", "d"}},
		{" whatsapp ", []string{"b", "d"}},
		{"", []string{"a", "b", "c", "d"}},
	} {
		mu.Lock()
		sent = nil
		mu.Unlock()
		got, err := c.ListAllSpaces(context.Background(), tt.filter, 2)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("filter %q: %v, %v; want %v", tt.filter, got, err, tt.want)
		}
		lower := strings.ToLower(strings.TrimSpace(tt.filter))
		mu.Lock()
		if want := []string{lower + "/1", lower + "/2"}; !slices.Equal(sent, want) {
			t.Errorf("filter %q: sent ChannelType/PageIndex %v, want %v (lower case; no third page after TotalCount)", tt.filter, sent, want)
		}
		mu.Unlock()
	}
	resp, err := c.ListInstance(context.Background(), client.ListInstanceRequest{PageIndex: 1, PageSize: 2})
	want := client.Instance{CustSpaceID: "a", InstanceID: "1", ChannelType: "VIBER", State: "published", ResourceRegionID: "ap-southeast-1", ResourceGroupID: "rg-1", SubmitTime: "2023-12-12 00:00:00"}
	if err != nil || !resp.Success || resp.TotalCount != 4 || !resp.AccessDeniedDetail.IsZero() || resp.Data[0] != want {
		t.Errorf("ListInstance: %+v, %v; want Success, TotalCount 4 and first %+v", resp, err, want)
	}
}
