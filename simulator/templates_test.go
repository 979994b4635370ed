package simulator

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func loadTemplates(t *testing.T) *Dataset {
	t.Helper()
	d, err := LoadDataset("testdata/templates.json")
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// templatesAnswer is a ListChatappTemplate answer as a test sees it.
type templatesAnswer struct {
	RequestId, Code, Message string
	Success                  *bool
	Total                    *int
	ListTemplate             []Template
}

// listTemplates calls ListChatappTemplate with params.
func (h *harness) listTemplates(params url.Values) (response, templatesAnswer) {
	h.t.Helper()
	r := h.call(OperationListTemplates, params)
	var b templatesAnswer
	_ = json.Unmarshal(r.raw, &b) // the caller checks what it expects
	return r, b
}

// templatePage are the parameters of a call for a page of space's
// templates, Page as the SDK sends it; page "" leaves Page out.
func templatePage(space, page string) url.Values {
	v := spaceParams(space)
	if page != "" {
		v.Set("Page", page)
	}
	return v
}

func wantTemplates(t *testing.T, r response, b templatesAnswer, total int, want []Template) {
	t.Helper()
	if r.status != http.StatusOK || b.Code != "OK" || b.Message != "SUCCESS" || b.Success == nil || !*b.Success || len(b.RequestId) != 36 {
		t.Fatalf("HTTP %d %s", r.status, r.raw)
	}
	if b.Total == nil || *b.Total != total {
		t.Errorf("Total %v, want %d: %s", b.Total, total, r.raw)
	}
	if keys := rawKeys(t, r.raw); string(keys["ListTemplate"]) == "null" || keys["ListTemplate"] == nil {
		t.Errorf("ListTemplate must be a list, never null: %s", r.raw)
	}
	if len(b.ListTemplate) != len(want) || len(want) > 0 && !reflect.DeepEqual(b.ListTemplate, want) {
		t.Errorf("%d templates %+v, want %d %+v", len(b.ListTemplate), b.ListTemplate, len(want), want)
	}
}

// A space of 45 templates pages by 20 as 20, 20 and 5, each page with
// Total 45, in the data file's order; a page past the end is empty.
func TestListTemplatesPaging(t *testing.T) {
	data := loadTemplates(t)
	all := spaceOf(t, data, "cams-tpl45").Templates
	if len(all) != 45 {
		t.Fatalf("the file's cams-tpl45 holds %d templates, want 45", len(all))
	}
	h := newHarness(t, Config{Data: data})
	tests := []struct {
		page   string
		lo, hi int // the page is all[lo:hi]
	}{
		{`{"Index":1,"Size":20}`, 0, 20},
		{`{"Index":2,"Size":20}`, 20, 40},
		{`{"Index":3,"Size":20}`, 40, 45},
		{`{"Index":4,"Size":20}`, 45, 45},
		{`{"Index":9223372036854775807,"Size":20}`, 45, 45},
		{"", 0, 20},             // no Page: Index 1, Size 20
		{`{"Index":2}`, 20, 40}, // Size 20
		{`{"Size":7}`, 0, 7},    // Index 1
		{`{"Index":7,"Size":7}`, 42, 45},
		{`{"Index":1,"Size":45}`, 0, 45},
		{`{"Index":1,"Size":500}`, 0, 45},
		{`{"Index":45,"Size":1}`, 44, 45},
		{`null`, 0, 20},
	}
	for _, tt := range tests {
		t.Run(tt.page, func(t *testing.T) {
			r, b := h.listTemplates(templatePage("cams-tpl45", tt.page))
			wantTemplates(t, r, b, 45, all[tt.lo:tt.hi])
		})
	}
}

func TestListTemplatesFilters(t *testing.T) {
	data := loadTemplates(t)
	all := spaceOf(t, data, "cams-tpl45").Templates
	h := newHarness(t, Config{Data: data})
	keep := func(pred func(Template) bool) []Template {
		var kept []Template
		for _, tp := range all {
			if pred(tp) {
				kept = append(kept, tp)
			}
		}
		return kept
	}
	code0 := all[0].TemplateCode
	tests := []struct {
		name   string
		params url.Values
		total  int
		want   []Template
	}{
		{"AuditStatus", url.Values{"AuditStatus": {"paused"}}, 3, keep(func(t Template) bool { return t.AuditStatus == "paused" })},
		{"Category", url.Values{"Category": {"AUTHENTICATION"}}, 15, keep(func(t Template) bool { return t.Category == "AUTHENTICATION" })},
		{"Code", url.Values{"Code": {code0}}, 3, all[0:3]},
		{"Language", url.Values{"Language": {"id"}}, 15, keep(func(t Template) bool { return t.Language == "id" })},
		{"Name", url.Values{"Name": {"login_code"}}, 3, all[6:9]},
		{"Name is matched exactly", url.Values{"Name": {"login"}}, 0, nil},
		{"AuditStatus is matched exactly", url.Values{"AuditStatus": {"PAUSED"}}, 0, nil},
		{"TemplateType", url.Values{"TemplateType": {"WHATSAPP"}}, 45, all[:20]},
		{"another TemplateType", url.Values{"TemplateType": {"VIBER"}}, 0, nil},
		{"two filters", url.Values{"Language": {"en_US"}, "Category": {"MARKETING"}}, 5,
			keep(func(t Template) bool { return t.Language == "en_US" && t.Category == "MARKETING" })},
		{"filtered and paged", url.Values{"Language": {"zh_CN"}, "Page": {`{"Index":2,"Size":10}`}}, 15,
			keep(func(t Template) bool { return t.Language == "zh_CN" })[10:]},
		{"empty filters match all", url.Values{"AuditStatus": {""}, "Name": {""}}, 45, all[:20]},
		{"ignored parameters", url.Values{"IsvCode": {"isv"}, "CustWabaId": {"1"}, "OwnerId": {"1"}, "ResourceOwnerAccount": {"x"}}, 45, all[:20]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.params.Set("CustSpaceId", "cams-tpl45")
			r, b := h.listTemplates(tt.params)
			wantTemplates(t, r, b, tt.total, tt.want)
		})
	}
}

// A Page that is not the JSON object, or outside the bounds, answers
// InvalidParameter naming it, as ListFlow's does.
func TestListTemplatesBadPage(t *testing.T) {
	h := newHarness(t, Config{Data: loadTemplates(t)})
	tests := []struct{ page, names string }{
		{`Index=1`, "Page "},
		{`{"Index":"1","Size":20}`, "Page "},
		{`{"Index":1.5}`, "Page "},
		{`[1,20]`, "Page "},
		{`{"Index":0,"Size":20}`, "Page.Index"},
		{`{"Index":-1}`, "Page.Index"},
		{`{"Index":1,"Size":0}`, "Page.Size"},
		{`{"Size":-20}`, "Page.Size"},
		{fmt.Sprintf(`{"Index":1,"Size":%d}`, MaxTemplatesPageSize+1), "between 1 and 500"},
	}
	for _, tt := range tests {
		t.Run(tt.page, func(t *testing.T) {
			r, _ := h.listTemplates(templatePage("cams-tpl45", tt.page))
			wantError(t, r, http.StatusBadRequest, CodeInvalidParameter)
			if !strings.Contains(r.body.Message, tt.names) {
				t.Errorf("message %q does not name %q", r.body.Message, tt.names)
			}
		})
	}
}

func TestListTemplatesSpaces(t *testing.T) {
	data := loadTemplates(t)
	h := newHarness(t, Config{Data: data})
	own := spaceOf(t, data, "").Templates
	// No CustSpaceId, or an empty one, is the own space.
	r, b := h.listTemplates(url.Values{})
	wantTemplates(t, r, b, 3, own)
	r, b = h.listTemplates(url.Values{"CustSpaceId": {""}})
	wantTemplates(t, r, b, 3, own)
	// A space without templates answers an empty list and Total 0.
	r, b = h.listTemplates(templatePage("cams-notpl", ""))
	wantTemplates(t, r, b, 0, nil)
	wantError(t, h.call(OperationListTemplates, templatePage("cams-nosuch", "")), http.StatusBadRequest, CodeUnknownResourceOwnerID)
	r = h.call(OperationListTemplates, templatePage("cams-tplerr", `{"Index":1,"Size":20}`))
	wantError(t, r, http.StatusBadRequest, CodeRAMPermissionDeny)
	if !strings.Contains(string(r.raw), "cams:ListChatappTemplate") {
		t.Errorf("the denial does not name the RAM action: %s", r.raw)
	}
	// A bad Page is refused before the space is looked at, as ListFlow's.
	wantError(t, h.call(OperationListTemplates, templatePage("cams-nosuch", `{"Index":0}`)), http.StatusBadRequest, CodeInvalidParameter)

	st := h.srv.Stats()
	if got, want := st.Spaces[OperationListTemplates], map[string]int{"": 2, "cams-notpl": 1, "cams-nosuch": 2, "cams-tplerr": 1}; !mapsEqual(got, want) {
		t.Errorf("Stats.Spaces: %v, want %v", got, want)
	}
	if st.Operations[OperationListTemplates] != 6 {
		t.Errorf("Stats.Operations: %v", st.Operations)
	}
}

// The answer names the SDK's fields with its JSON types, leaves empty ones
// out, and escapes nothing.
func TestListTemplatesFields(t *testing.T) {
	h := newHarness(t, Config{Data: loadTemplates(t)})
	r, _ := h.listTemplates(templatePage("", ""))
	var body struct {
		Success      bool
		Total        json.Number
		ListTemplate []map[string]any
	}
	if err := json.Unmarshal(r.raw, &body); err != nil || len(body.ListTemplate) != 3 || !body.Success || body.Total != "3" {
		t.Fatalf("%v: %s", err, r.raw)
	}
	for _, field := range []string{"TemplateCode", "TemplateName", "Language", "Category", "AuditStatus", "TemplateType"} {
		if _, ok := body.ListTemplate[0][field].(string); !ok {
			t.Errorf("%s is %T, want a string: %v", field, body.ListTemplate[0][field], body.ListTemplate[0])
		}
	}
	if v, ok := body.ListTemplate[0]["LastUpdateTime"].(float64); !ok || v != 1761955200000 {
		t.Errorf("LastUpdateTime %v, want the number 1761955200000", body.ListTemplate[0]["LastUpdateTime"])
	}
	// The third has no Reason and no LastUpdateTime: both left out.
	for _, field := range []string{"Reason", "LastUpdateTime"} {
		if _, ok := body.ListTemplate[2][field]; ok {
			t.Errorf("an empty %s is answered: %v", field, body.ListTemplate[2])
		}
	}
	r, _ = h.listTemplates(url.Values{"CustSpaceId": {"cams-tpl45"}, "AuditStatus": {"fail"}})
	if !strings.Contains(string(r.raw), `"Reason":"The template's content does not comply`) {
		t.Errorf("Reason not answered as written: %s", r.raw)
	}
}

func TestValidateTemplates(t *testing.T) {
	long := strings.Repeat("x", maxTemplateFieldBytes+1)
	tests := []struct {
		name      string
		templates []Template
		want      string
	}{
		{"empty code", []Template{{Language: "en_US"}}, "templates[0]: empty TemplateCode"},
		{"duplicate", []Template{{TemplateCode: "a", Language: "en_US"}, {TemplateCode: "a", Language: "id"}, {TemplateCode: "a", Language: "en_US"}},
			`templates[2]: duplicate template (TemplateCode and Language): "a" in "en_US"`},
		{"duplicate without language", []Template{{TemplateCode: "a"}, {TemplateCode: "a"}}, `templates[1]: duplicate template`},
		{"long reason", []Template{{TemplateCode: "a", Reason: long}}, "templates[0]: Reason is 4097 bytes, more than 4096"},
		{"long code", []Template{{TemplateCode: long}}, "templates[0]: TemplateCode is 4097 bytes"},
		{"long name", []Template{{TemplateCode: "a", TemplateName: long}}, "TemplateName is 4097 bytes"},
		{"long status", []Template{{TemplateCode: "a", AuditStatus: long}}, "AuditStatus is 4097 bytes"},
		{"fine", []Template{{TemplateCode: "a", Language: "en_US"}, {TemplateCode: "a", Language: "id"}, {TemplateCode: "b", Language: "en_US", Reason: long[1:]}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &Dataset{Spaces: []Space{{ID: "cams-x", Templates: tt.templates}}}
			err := d.Validate()
			switch {
			case tt.want == "" && err != nil:
				t.Errorf("refused: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), `space "cams-x": `+tt.want) && !strings.Contains(err.Error(), tt.want)):
				t.Errorf("error %v, want %q", err, tt.want)
			}
			if _, err := New(Config{Data: d}); (err == nil) != (tt.want == "") {
				t.Errorf("New: %v", err)
			}
		})
	}
}

// The server keeps its own copy: changing the data set given to New, or
// the one Dataset returns, changes nothing served.
func TestTemplatesAreCopied(t *testing.T) {
	data := loadTemplates(t)
	h := newHarness(t, Config{Data: data})
	spaceOf(t, data, "").Templates[0].AuditStatus = "disabled"
	h.srv.Dataset().Spaces[0].Templates[0].AuditStatus = "disabled"
	if _, b := h.listTemplates(url.Values{}); len(b.ListTemplate) != 3 || b.ListTemplate[0].AuditStatus != "pass" {
		t.Errorf("the served templates changed: %+v", b.ListTemplate)
	}
	if got := h.srv.Dataset(); !reflect.DeepEqual(got.Spaces[1].Templates, loadTemplates(t).Spaces[1].Templates) {
		t.Error("Dataset does not give back the file's templates")
	}
}

// Faults apply to ListChatappTemplate as to the other operations; a page
// fault applies to it when it names the operation, and only then.
func TestListTemplatesFaults(t *testing.T) {
	h := newHarness(t, Config{Data: loadTemplates(t)})
	page := func(i int) url.Values { return templatePage("cams-tpl45", fmt.Sprintf(`{"Index":%d,"Size":20}`, i)) }
	inject := func(f Fault) {
		t.Helper()
		if _, err := h.srv.Inject(f); err != nil {
			t.Fatal(err)
		}
	}
	inject(Fault{Kind: FaultError, Code: CodeRAMPermissionDeny, Page: 2})                                  // ListFlow's only
	inject(Fault{Kind: FaultError, Code: CodeServiceUnavailable, Action: OperationListTemplates, Page: 3}) // template page 3
	if r, _ := h.listTemplates(page(2)); r.status != http.StatusOK {
		t.Errorf("a page fault without action applied to a template page: %s", r.raw)
	}
	wantError(t, h.call(OperationListTemplates, page(3)), http.StatusServiceUnavailable, CodeServiceUnavailable)
	if r, _ := h.listTemplates(page(1)); r.status != http.StatusOK {
		t.Errorf("page 1: %s", r.raw)
	}
	h.srv.ClearFaults()
	inject(Fault{Kind: FaultError, Code: CodeThrottlingUser, Action: OperationListTemplates, Space: ptr("cams-tpl45"), Count: 1})
	r := h.call(OperationListTemplates, page(1))
	if v := r.header.Get("x-ratelimit-user-api"); r.body.Code != CodeThrottlingUser || !strings.HasPrefix(v, "Limit:5,") {
		t.Errorf("Throttling.User: %s, x-ratelimit-user-api %q, want Limit:5", r.raw, v)
	}
	inject(Fault{Kind: FaultOversizedPage, Action: OperationListTemplates})
	_, b := h.listTemplates(templatePage("cams-tpl45", `{"Index":2,"Size":7}`))
	if len(b.ListTemplate) != 70 || b.Total == nil || *b.Total != 70 || b.ListTemplate[0].TemplateCode != "oversized-2-1" {
		t.Errorf("oversized page: %d templates, Total %v", len(b.ListTemplate), b.Total)
	}
	if err := (Fault{Kind: FaultError, Code: CodeRAMPermissionDeny, Action: OperationGetHealthStatus, Page: 1}).Validate(); err == nil || !strings.Contains(err.Error(), "ListFlow and ListChatappTemplate only") {
		t.Errorf("a page fault on GetWhatsappHealthStatus: %v", err)
	}
	var pages []int
	for _, req := range h.srv.Requests().Requests {
		if req.Action == OperationListTemplates {
			pages = append(pages, req.Page)
		}
	}
	if want := []int{2, 3, 1, 1, 2}; !reflect.DeepEqual(pages, want) {
		t.Errorf("the request log's pages %v, want %v", pages, want)
	}
}
