package client

import (
	"context"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// A full answer, with every field of the SDK's model: the templates of the
// page, values raw, and the answer's Total.
func TestListTemplatePageDecodesAFullAnswer(t *testing.T) {
	c, _ := newTestClient(t, &scripted{responses: []scriptedResponse{{200, string(readFixture(t, "templates.json"))}}}, Config{})
	got, err := c.ListTemplatePage(context.Background(), "cams-abc123", 1, 20)
	if err != nil {
		t.Fatal(err)
	}
	want := TemplatePage{Total: 23, Templates: []Template{
		{TemplateCode: "744c4b5c79c9432497a075bdfca3****", TemplateName: "order_update", Language: "en_US", Category: "UTILITY",
			AuditStatus: "pass", TemplateType: "WHATSAPP", LastUpdateTime: 1704067200000},
		{TemplateCode: "744c4b5c79c9432497a075bdfca3****", TemplateName: "order_update", Language: "zh_CN", Category: "UTILITY",
			AuditStatus: "paused", TemplateType: "WHATSAPP", LastUpdateTime: 1704153600000},
		{TemplateCode: "1c4b5c79c9432497a075bdfca3b2****", TemplateName: "spring_sale", Language: "en_US", Category: "MARKETING",
			AuditStatus: "fail", Reason: "The template's content violates the WhatsApp Commerce Policy.", TemplateType: "WHATSAPP", LastUpdateTime: 1704240000000},
	}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

// templatesBody is an OK answer listing n templates, with total as its
// Total (none if nil).
func templatesBody(n int, total any, template func(i int) map[string]any) string {
	list := make([]map[string]any, n)
	for i := range list {
		list[i] = template(i)
	}
	body := map[string]any{"RequestId": "R", "Code": "OK", "ListTemplate": list}
	if total != nil {
		body["Total"] = total
	}
	b, _ := json.Marshal(body)
	return string(b)
}

func plainTemplate(i int) map[string]any {
	return map[string]any{"TemplateCode": "code" + strings.Repeat("x", i%7), "Language": "en_US", "AuditStatus": "pass"}
}

// The bounds of a page of 20: 20 templates pass, one more is an invalid
// response (retried like any), and so are a template without a usable
// TemplateCode, a negative Total and one beyond int32; an answer without
// Total has -1; long texts are cut.
func TestListTemplatePageBounds(t *testing.T) {
	huge := strings.Repeat("é", 4096)
	tests := []struct {
		name      string
		body      string
		wantCount int
		wantTotal int
		wantError string // in the InvalidResponse message; "" when valid
	}{
		{"a full page", templatesBody(20, 45, plainTemplate), 20, 45, ""},
		{"one more than the page", templatesBody(21, 45, plainTemplate), 0, 0, "page 1 holds 21 templates, more than the Page.Size of 20"},
		{"far beyond", templatesBody(100_000, 45, func(int) map[string]any { return map[string]any{} }), 0, 0, "more than 250 ListTemplate"},
		{"no Total", templatesBody(2, nil, plainTemplate), 2, -1, ""},
		{"no ListTemplate", `{"RequestId":"R","Code":"OK","Total":0}`, 0, 0, ""},
		{"a negative Total", templatesBody(2, -1, plainTemplate), 0, 0, "Total is -1"},
		{"a Total beyond int32", templatesBody(2, 1<<40, plainTemplate), 0, 0, "cannot unmarshal number"},
		{"a template without TemplateCode", templatesBody(3, 3, func(i int) map[string]any {
			if i == 1 {
				return map[string]any{"Language": "en_US"}
			}
			return plainTemplate(i)
		}), 0, 0, "template 2 of 3: TemplateCode is empty"},
		{"long texts", templatesBody(1, 1, func(int) map[string]any {
			return map[string]any{"TemplateCode": "c", "TemplateName": huge, "Reason": huge, "Language": huge, "Category": huge,
				"AuditStatus": huge, "TemplateType": huge}
		}), 1, 1, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := &scripted{responses: []scriptedResponse{{200, tt.body}}}
			c, _ := newTestClient(t, srv, Config{MaxRetries: 1, Rates: fastRates()})
			got, err := c.ListTemplatePage(context.Background(), "cams-abc123", 1, 20)
			if tt.wantError != "" {
				if CodeOf(err) != CodeInvalidResponse || !strings.Contains(err.Error(), tt.wantError) || srv.count() != 2 {
					t.Fatalf("%v after %d calls, want an InvalidResponse saying %q, retried once", err, srv.count(), tt.wantError)
				}
				return
			}
			if err != nil || len(got.Templates) != tt.wantCount || got.Total != tt.wantTotal {
				t.Fatalf("%d templates, Total %d, %v; want %d, %d", len(got.Templates), got.Total, err, tt.wantCount, tt.wantTotal)
			}
			if tt.name != "long texts" {
				return
			}
			tp := got.Templates[0]
			checkCut(t, "TemplateName", tp.TemplateName, huge, MaxNameBytes)
			checkCut(t, "Reason", tp.Reason, huge, MaxNameBytes)
			for name, v := range map[string]string{"Language": tp.Language, "Category": tp.Category, "AuditStatus": tp.AuditStatus, "TemplateType": tp.TemplateType} {
				checkCut(t, name, v, huge, MaxValueBytes)
			}
		})
	}
}

// A page index or size out of range is the caller's mistake: refused
// before any call.
func TestListTemplatePageRefusesABadPage(t *testing.T) {
	srv := &scripted{}
	c, _ := newTestClient(t, srv, Config{})
	for _, page := range [][2]int{{0, 20}, {1, 0}, {1, MaxTemplatesPageSize + 1}} {
		if _, err := c.ListTemplatePage(context.Background(), "cams-abc123", page[0], page[1]); err == nil {
			t.Errorf("page %v: no error", page)
		}
	}
	if _, err := c.ListTemplatePage(context.Background(), "", 1, 20); err == nil {
		t.Error("no space: no error")
	}
	if srv.count() != 0 {
		t.Errorf("%d calls made", srv.count())
	}
}
