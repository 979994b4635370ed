package simulator

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cams-exporter/cams_exporter/client/acs3"
)

// instancesBody is a ListInstance answer as a test sees it.
type instancesBody struct {
	RequestId  string
	Code       string
	Message    string
	Success    bool
	TotalCount int
	Data       []instance
}

// instanceRequest builds an unsigned ListInstance call.
func (h *harness) instanceRequest(params url.Values) *http.Request {
	req := h.request(params)
	req.Header.Set("x-acs-action", "ListInstance")
	return req
}

// listInstances sends a signed ListInstance call and decodes a success body.
func (h *harness) listInstances(params url.Values) (response, instancesBody) {
	h.t.Helper()
	req := h.instanceRequest(params)
	h.sign(req, h.cred)
	r := h.do(req)
	var b instancesBody
	_ = json.Unmarshal(r.raw, &b) // the caller checks what it expects
	return r, b
}

// instanceParams builds ListInstance parameters; 0 leaves a number out.
func instanceParams(channelType string, index, size int) url.Values {
	v := url.Values{}
	if channelType != "" {
		v.Set("ChannelType", channelType)
	}
	if index != 0 {
		v.Set("PageIndex", strconv.Itoa(index))
	}
	if size != 0 {
		v.Set("PageSize", strconv.Itoa(size))
	}
	return v
}

// expectedInstances is the test's own model of ListInstance over d: every
// space but the own one, in order, filtered by channel type without regard
// to case.
func expectedInstances(d *Dataset, channelType string) []instance {
	var list []instance
	for _, sp := range d.Spaces {
		if sp.ID == "" {
			continue
		}
		ct := sp.ChannelType
		if ct == "" {
			ct = "whatsapp"
		}
		if channelType != "" && strings.ToLower(channelType) != strings.ToLower(ct) {
			continue
		}
		list = append(list, instance{
			CustSpaceId:      sp.ID,
			InstanceId:       "cams-inst-" + strings.TrimPrefix(sp.ID, "cams-"),
			InstanceName:     sp.ID + " instance",
			ChannelType:      ct,
			State:            "published",
			ResourceRegionId: "ap-southeast-1",
			SubmitTime:       "2024-01-01 00:00:00",
		})
	}
	return list
}

func cut(list []instance, index, size int) []instance {
	lo := (index - 1) * size
	if lo >= len(list) {
		return nil
	}
	return list[lo:min(lo+size, len(list))]
}

// wantInstances checks that r is a success answer with the given page: the
// SDK's fields, and no PageIndex or PageSize, which the SDK does not know.
func wantInstances(t *testing.T, r response, b instancesBody, total int, want []instance) {
	t.Helper()
	if r.status != http.StatusOK || b.Code != "OK" || b.Message != "SUCCESS" || !b.Success {
		t.Fatalf("got HTTP %d %s, want 200 OK with Success true; body %s", r.status, b.Code, r.raw)
	}
	if !bytes.Contains(r.raw, []byte(`"Data":[`)) {
		t.Fatalf("Data is not a JSON array: %s", r.raw)
	}
	if bytes.Contains(r.raw, []byte(`"PageIndex"`)) || bytes.Contains(r.raw, []byte(`"PageSize"`)) {
		t.Errorf("the answer carries PageIndex or PageSize, which the SDK's ListInstanceResponseBody has not: %s", r.raw)
	}
	if b.TotalCount != total {
		t.Errorf("TotalCount = %d, want %d", b.TotalCount, total)
	}
	if !slices.Equal(b.Data, want) && (len(b.Data) != 0 || len(want) != 0) {
		t.Errorf("Data = %+v\nwant   %+v", b.Data, want)
	}
}

func TestListInstancePaging(t *testing.T) {
	small := loadSmall(t) // 4 sub-customer spaces, two of them with an error
	gen := Generate(5, 12, 2)
	tests := []struct {
		name string
		data *Dataset
		size int // 0: leave PageSize out, the default 10 applies
	}{
		{"small, size 1", small, 1},
		{"small, last page short", small, 3},
		{"small, multiple of the size, last page empty", small, 2},
		{"small, one page exactly", small, 4},
		{"small, default size", small, 0},
		{"generated, multiple of the size", gen, 4},
		{"generated, last page short", gen, 5},
		{"generated, default size", gen, 0},
		{"no sub-customer spaces", &Dataset{Spaces: []Space{{ID: ""}}}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, Config{Data: tt.data})
			want := expectedInstances(tt.data, "")
			size := tt.size
			if size == 0 {
				size = 10
			}
			var all []instance
			calls := 0
			for index := 1; ; index++ {
				r, b := h.listInstances(instanceParams("", index, tt.size))
				calls++
				wantInstances(t, r, b, len(want), cut(want, index, size))
				all = append(all, b.Data...)
				if len(b.Data) < size {
					break
				}
				if calls > len(want)+1 {
					t.Fatal("paging does not end")
				}
			}
			if !slices.Equal(all, want) && len(want) != 0 {
				t.Errorf("pages put together = %v, want %v", all, want)
			}
			if w := len(want)/size + 1; calls != w {
				t.Errorf("paging took %d calls, want %d", calls, w)
			}
			if st := h.srv.Stats(); st.ListInstance != calls || st.Accepted != calls || len(st.ListFlow) != 0 {
				t.Errorf("Stats ListInstance %d Accepted %d ListFlow %v; want %d, %d and none", st.ListInstance, st.Accepted, st.ListFlow, calls, calls)
			}
		})
	}
}

func TestListInstanceDefaults(t *testing.T) {
	gen := Generate(9, 25, 1)
	h := newHarness(t, Config{Data: gen})
	all := expectedInstances(gen, "")
	if len(all) != 25 {
		t.Fatalf("%d instances, want 25", len(all))
	}
	tests := []struct {
		name        string
		params      url.Values
		index, size int
	}{
		{"no parameters: page 1 of 10", url.Values{}, 1, 10},
		{"PageIndex without PageSize", url.Values{"PageIndex": {"3"}}, 3, 10},
		{"PageSize without PageIndex", url.Values{"PageSize": {"7"}}, 1, 7},
		{"empty values are the defaults", url.Values{"PageIndex": {""}, "PageSize": {""}, "ChannelType": {""}}, 1, 10},
		{"CustSpaceId is ignored", url.Values{"CustSpaceId": {"cams-nosuch00"}, "PageSize": {"2"}}, 1, 2},
		{"index far beyond the end", url.Values{"PageIndex": {"1000000000000000000"}, "PageSize": {"100"}}, 1000000000000000000, 100},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, b := h.listInstances(tt.params)
			want := []instance(nil)
			if tt.index < 1000 {
				want = cut(all, tt.index, tt.size)
			}
			wantInstances(t, r, b, len(all), want)
		})
	}
}

func TestListInstanceBody(t *testing.T) {
	h := newHarness(t, Config{})
	r, b := h.listInstances(instanceParams("", 1, 1))
	if !regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$`).MatchString(b.RequestId) {
		t.Errorf("RequestId %q is not an upper-case UUID", b.RequestId)
	}
	if got := r.header.Get("x-acs-request-id"); got != b.RequestId {
		t.Errorf("x-acs-request-id %q differs from RequestId %q", got, b.RequestId)
	}
	if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type = %q", ct)
	}
	want := `"Data":[{"CustSpaceId":"cams-1a2b3c4d","InstanceId":"cams-inst-1a2b3c4d","InstanceName":"cams-1a2b3c4d instance","ChannelType":"whatsapp","State":"published","ResourceRegionId":"ap-southeast-1","SubmitTime":"2024-01-01 00:00:00"}]`
	if !bytes.Contains(r.raw, []byte(want)) || !bytes.Contains(r.raw, []byte(`"Success":true,"TotalCount":4,"Data"`)) {
		t.Errorf("body %s\nwant Success true, TotalCount 4 and %s", r.raw, want)
	}
}

func TestListInstanceInvalidParameter(t *testing.T) {
	h := newHarness(t, Config{MaxPageSize: 50})
	tests := []struct{ name, value string }{
		{"PageIndex", "0"},
		{"PageIndex", "-1"},
		{"PageIndex", "one"},
		{"PageIndex", "1.5"},
		{"PageIndex", "99999999999999999999"},
		{"PageIndex", `{"Index":1}`},
		{"PageSize", "0"},
		{"PageSize", "-5"},
		{"PageSize", "51"},
		{"PageSize", "ten"},
	}
	for _, tt := range tests {
		t.Run(tt.name+"="+tt.value, func(t *testing.T) {
			r, _ := h.listInstances(url.Values{tt.name: {tt.value}})
			wantError(t, r, http.StatusBadRequest, CodeInvalidParameter)
			if !strings.Contains(r.body.Message, "parameter "+tt.name+" ") {
				t.Errorf("message %q does not name %s", r.body.Message, tt.name)
			}
		})
	}
	r, b := h.listInstances(instanceParams("", 1, 50))
	wantInstances(t, r, b, 4, expectedInstances(loadSmall(t), ""))
}

func TestListInstanceChannelType(t *testing.T) {
	data := &Dataset{Spaces: []Space{
		{ID: "", ChannelType: "messenger"}, // never listed, whatever its type
		{ID: "cams-a", ChannelType: ""},
		{ID: "cams-b", ChannelType: "messenger"},
		{ID: "cams-c", ChannelType: "whatsapp", Error: CodeRAMPermissionDeny},
		{ID: "cams-d", ChannelType: "viber"},
		{ID: "cams-e", ChannelType: "messenger"},
		{ID: "cams-f", ChannelType: "VIBER"}, // as the SDK's example writes it
	}}
	h := newHarness(t, Config{Data: data})
	tests := []struct {
		channelType string
		ids         []string
	}{
		{"", []string{"cams-a", "cams-b", "cams-c", "cams-d", "cams-e", "cams-f"}},
		{"whatsapp", []string{"cams-a", "cams-c"}},
		{"messenger", []string{"cams-b", "cams-e"}},
		{"viber", []string{"cams-d", "cams-f"}},
		{"VIBER", []string{"cams-d", "cams-f"}},
		{"WhatsApp", []string{"cams-a", "cams-c"}},
		{"line", nil},
	}
	for _, tt := range tests {
		t.Run(tt.channelType, func(t *testing.T) {
			want := expectedInstances(data, tt.channelType)
			var ids []string
			for _, in := range want {
				ids = append(ids, in.CustSpaceId)
			}
			if !slices.Equal(ids, tt.ids) {
				t.Fatalf("the model gives %v, the test expects %v", ids, tt.ids)
			}
			// Pages of one, so that the filter applies before paging.
			for index := 1; index <= len(want)+1; index++ {
				r, b := h.listInstances(instanceParams(tt.channelType, index, 1))
				wantInstances(t, r, b, len(want), cut(want, index, 1))
			}
		})
	}
	// The data set keeps the channel types as given.
	if got := h.srv.Dataset(); !slices.EqualFunc(got.Spaces, data.Spaces, func(a, b Space) bool { return a.ID == b.ID && a.ChannelType == b.ChannelType }) {
		t.Errorf("Dataset() = %+v, want the channel types of %+v", got.Spaces, data.Spaces)
	}
}

func TestLoadDatasetChannelType(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.json")
	if err := os.WriteFile(path, []byte(`{"spaces":[{"id":"cams-x","channelType":"messenger"},{"id":"cams-y"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := LoadDataset(path)
	if err != nil {
		t.Fatal(err)
	}
	if d.Spaces[0].ChannelType != "messenger" || d.Spaces[1].ChannelType != "" || d.Clone().Spaces[0].ChannelType != "messenger" {
		t.Errorf("loaded %+v", d.Spaces)
	}
	b, _ := json.Marshal(d)
	if !bytes.Contains(b, []byte(`"channelType":"messenger"`)) || bytes.Count(b, []byte("channelType")) != 1 {
		t.Errorf("marshalled %s; want channelType only where set", b)
	}
}

func TestListInstanceFollowsSpaceChanges(t *testing.T) {
	h := newHarness(t, Config{})
	ids := func() []string {
		t.Helper()
		r, b := h.listInstances(instanceParams("", 1, 100))
		if r.status != http.StatusOK || b.TotalCount != len(b.Data) {
			t.Fatalf("HTTP %d, TotalCount %d for %d instances: %s", r.status, b.TotalCount, len(b.Data), r.raw)
		}
		var ids []string
		for _, in := range b.Data {
			ids = append(ids, in.CustSpaceId)
		}
		return ids
	}
	check := func(when string, want ...string) {
		t.Helper()
		if got := ids(); !slices.Equal(got, want) {
			t.Errorf("%s: spaces %v, want %v", when, got, want)
		}
	}
	check("loaded", "cams-1a2b3c4d", "cams-empty000", "cams-denied00", "cams-unsub000")
	h.srv.DeleteSpace("cams-empty000")
	check("after DeleteSpace", "cams-1a2b3c4d", "cams-denied00", "cams-unsub000")
	h.srv.AddSpace("cams-new00000")
	check("after AddSpace", "cams-1a2b3c4d", "cams-denied00", "cams-unsub000", "cams-new00000")
	h.srv.SetSpaceError("cams-1a2b3c4d", CodeProductUnsubscript)
	h.srv.DeleteSpace("")
	check("after an error and deleting the own space", "cams-1a2b3c4d", "cams-denied00", "cams-unsub000", "cams-new00000")
	// Through the control endpoint too.
	if status, body := h.control(http.MethodPost, "/-/spaces/cams-ctl00000", ""); status != http.StatusNoContent {
		t.Fatalf("adding a space: %d %s", status, body)
	}
	if status, body := h.control(http.MethodDelete, "/-/spaces/cams-denied00", ""); status != http.StatusNoContent {
		t.Fatalf("deleting a space: %d %s", status, body)
	}
	check("after the control endpoint", "cams-1a2b3c4d", "cams-unsub000", "cams-new00000", "cams-ctl00000")
	_, b := h.listInstances(instanceParams("whatsapp", 1, 100))
	if n := len(b.Data); n != 4 || b.Data[3].InstanceId != "cams-inst-ctl00000" {
		t.Errorf("added spaces are whatsapp instances: %+v", b.Data)
	}
}

func TestListInstanceFaults(t *testing.T) {
	h := newHarness(t, Config{})
	sub := "cams-1a2b3c4d"
	ok := func(when string) {
		t.Helper()
		if r, b := h.listInstances(url.Values{}); r.status != http.StatusOK || len(b.Data) != 4 {
			t.Fatalf("%s: HTTP %d %s", when, r.status, r.raw)
		}
	}
	// Faults aimed at a space or at a ListFlow page leave ListInstance alone
	// and stay for ListFlow.
	spaceFault, _ := h.srv.Inject(Fault{Kind: FaultError, Code: CodeInternalError, Space: ptr(sub)})
	pageFault, _ := h.srv.Inject(Fault{Kind: FaultHTTP, Status: 503, Page: 2})
	ownFault, _ := h.srv.Inject(Fault{Kind: FaultError, Code: CodeRAMPermissionDeny, Space: ptr("")})
	ok("with space and page faults")
	ok("with space and page faults, again")
	wantError(t, h.list(pageParams(sub, "", 1, 20)), http.StatusInternalServerError, CodeInternalError)
	wantError(t, h.list(pageParams("cams-empty000", "", 2, 20)), http.StatusServiceUnavailable, CodeServiceUnavailable)
	wantError(t, h.list(pageParams("", "", 1, 20)), http.StatusBadRequest, CodeRAMPermissionDeny)
	for _, id := range []int{spaceFault, pageFault, ownFault} {
		if !h.srv.RemoveFault(id) {
			t.Errorf("fault %d was used up or lost", id)
		}
	}
	// A fault without space or page applies to ListInstance, Count and all.
	if _, err := h.srv.Inject(Fault{Kind: FaultError, Code: CodeThrottlingUser, Count: 2}); err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		r, _ := h.listInstances(url.Values{})
		wantError(t, r, http.StatusBadRequest, CodeThrottlingUser)
		if r.header.Get("x-ratelimit-user-api") == "" {
			t.Errorf("call %d: no x-ratelimit-user-api header", i+1)
		}
	}
	ok("after the counted fault")
	// The other kinds act on ListInstance as they do on ListFlow.
	kinds := []struct {
		fault Fault
		check func(r response) bool
	}{
		{Fault{Kind: FaultMalformed}, func(r response) bool { return r.status == 200 && string(r.raw) == malformedBody }},
		{Fault{Kind: FaultOKError, Code: CodeProductUnsubscript}, func(r response) bool {
			return r.status == 200 && r.body.Code == CodeProductUnsubscript
		}},
		{Fault{Kind: FaultTruncated}, func(r response) bool {
			return r.status == 200 && bytes.HasPrefix(r.raw, []byte(`{"RequestId":`)) && !json.Valid(r.raw)
		}},
		{Fault{Kind: FaultHTTP, Status: 502}, func(r response) bool { return r.status == 502 && r.body.Code == CodeInternalError }},
	}
	for _, k := range kinds {
		t.Run(k.fault.Kind, func(t *testing.T) {
			if _, err := h.srv.Inject(Fault{Kind: k.fault.Kind, Code: k.fault.Code, Status: k.fault.Status, Count: 1}); err != nil {
				t.Fatal(err)
			}
			if r, _ := h.listInstances(url.Values{}); !k.check(r) {
				t.Errorf("HTTP %d %s", r.status, r.raw)
			}
		})
	}
	st := h.srv.Stats()
	if st.ListInstance != 9 || st.Faulted != 9 || st.Accepted != st.ListInstance+3 {
		t.Errorf("Stats ListInstance %d Faulted %d Accepted %d; want 9, 9 and 12", st.ListInstance, st.Faulted, st.Accepted)
	}
}

// The gateway's checks and the rate limit apply to ListInstance as to
// ListFlow, and the two share the account's quota.
func TestListInstanceGateway(t *testing.T) {
	h := newHarness(t, Config{RateLimit: 5})
	for i := range 3 {
		if r, _ := h.listInstances(url.Values{}); r.status != http.StatusOK {
			t.Fatalf("call %d: HTTP %d %s", i+1, r.status, r.raw)
		}
	}
	for i := range 2 {
		if r := h.list(url.Values{}); r.status != http.StatusOK {
			t.Fatalf("ListFlow call %d: HTTP %d %s", i+1, r.status, r.raw)
		}
	}
	r, _ := h.listInstances(url.Values{})
	wantError(t, r, http.StatusBadRequest, CodeSystemLimitControl)

	h = newHarness(t, Config{})
	wrong := h.instanceRequest(url.Values{})
	h.sign(wrong, acs3.Credentials{AccessKeyID: testKeyID, AccessKeySecret: "wrong"})
	wantError(t, h.do(wrong), http.StatusBadRequest, CodeSignatureDoesNotMatch)

	unknown := h.instanceRequest(url.Values{})
	h.sign(unknown, acs3.Credentials{AccessKeyID: "nosuchkey", AccessKeySecret: testSecret})
	wantError(t, h.do(unknown), http.StatusNotFound, CodeInvalidAccessKeyIDNotFound)

	// The signature covers the action: a ListFlow signature does not pass
	// for ListInstance.
	swapped := h.signed(url.Values{})
	swapped.Header.Set("x-acs-action", "ListInstance")
	wantError(t, h.do(swapped), http.StatusBadRequest, CodeSignatureDoesNotMatch)

	unsigned := h.instanceRequest(url.Values{})
	wantError(t, h.do(unsigned), http.StatusBadRequest, CodeIncompleteSignature)

	badVersion := h.instanceRequest(url.Values{})
	badVersion.Header.Set("x-acs-version", "2017-01-01")
	h.sign(badVersion, h.cred)
	wantError(t, h.do(badVersion), http.StatusNotFound, CodeInvalidAPINotFound)

	get := h.instanceRequest(instanceParams("", 2, 3))
	get.Method = http.MethodGet
	h.sign(get, h.cred)
	r = h.do(get)
	var b instancesBody
	_ = json.Unmarshal(r.raw, &b)
	wantInstances(t, r, b, 4, cut(expectedInstances(loadSmall(t), ""), 2, 3))
	if st := h.srv.Stats(); st.ListInstance != 1 {
		t.Errorf("Stats ListInstance %d; want 1 (refused calls are not counted)", st.ListInstance)
	}
}
