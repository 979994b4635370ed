package simulator

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/client/acs3"
)

// The control endpoint pauses a template, disables it and fails its
// review, as the demo and end-to-end tests do; each step is what the next
// ListChatappTemplate answers, dated by the server's clock, and the
// template's other languages do not move.
func TestControlSetsTemplateStatus(t *testing.T) {
	data := loadTemplates(t)
	h := newHarness(t, Config{Data: data})
	file := spaceOf(t, data, "cams-tpl45").Templates
	code := file[3].TemplateCode // welcome_offer, in en_US, id and zh_CN
	path := "/-/spaces/cams-tpl45/templates/" + code + "/id"
	steps := []struct {
		method, body   string
		status, reason string
	}{
		{"PUT", `{"AuditStatus":"paused"}`, "paused", file[4].Reason},
		{"POST", `{"AuditStatus":"disabled","Reason":"Paused three times for low quality."}`, "disabled", "Paused three times for low quality."},
		{"PUT", `{"Reason":""}`, "disabled", ""},
		{"PUT", `{"AuditStatus":"fail","Reason":"INVALID_FORMAT"}`, "fail", "INVALID_FORMAT"},
	}
	for i, s := range steps {
		h.clock.Advance(time.Minute)
		if status, body := h.control(s.method, path, s.body); status != http.StatusNoContent {
			t.Fatalf("%s %s: HTTP %d %s", s.method, s.body, status, body)
		}
		_, b := h.listTemplates(url.Values{"CustSpaceId": {"cams-tpl45"}, "Code": {code}})
		if len(b.ListTemplate) != 3 {
			t.Fatalf("after %s: %+v", s.body, b.ListTemplate)
		}
		got := b.ListTemplate[1]
		wantTime := newClock().Now().Add(time.Duration(i+1) * time.Minute).UnixMilli()
		if got.Language != "id" || got.AuditStatus != s.status || got.Reason != s.reason || got.LastUpdateTime != wantTime {
			t.Errorf("after %s: %+v, want %s %q at %d", s.body, got, s.status, s.reason, wantTime)
		}
		if got.TemplateName != file[4].TemplateName || got.Category != file[4].Category || got.TemplateType != file[4].TemplateType {
			t.Errorf("after %s, fields not named changed: %+v", s.body, got)
		}
		if b.ListTemplate[0] != file[3] || b.ListTemplate[2] != file[5] {
			t.Errorf("after %s, the other languages moved: %+v", s.body, b.ListTemplate)
		}
	}
	// Filters see the new status.
	if _, b := h.listTemplates(url.Values{"CustSpaceId": {"cams-tpl45"}, "AuditStatus": {"fail"}}); b.Total == nil || *b.Total != 4 {
		t.Errorf("Total of failed templates %v, want the file's 3 and this one", b.Total)
	}
	// "_" is the own space, and an empty Language.
	d := &Dataset{Spaces: []Space{{ID: "", Templates: []Template{{TemplateCode: "nolang", AuditStatus: "pass"}}}}}
	h = newHarness(t, Config{Data: d})
	if status, body := h.control("PUT", "/-/spaces/_/templates/nolang/_", `{"AuditStatus":"paused"}`); status != http.StatusNoContent {
		t.Fatalf("HTTP %d %s", status, body)
	}
	if _, b := h.listTemplates(url.Values{}); len(b.ListTemplate) != 1 || b.ListTemplate[0].AuditStatus != "paused" {
		t.Errorf("own space, no language: %+v", b.ListTemplate)
	}
}

func TestControlTemplateErrors(t *testing.T) {
	h := newHarness(t, Config{Data: loadTemplates(t)})
	code := spaceOf(t, h.srv.Dataset(), "cams-tpl45").Templates[0].TemplateCode
	path := "/-/spaces/cams-tpl45/templates/" + code + "/en_US"
	before := h.srv.Dataset()
	for _, s := range []struct {
		method, path, body string
		status             int
		want               string
	}{
		{"PUT", path, `{}`, 400, "nothing to set"},
		{"PUT", path, `{"Category":"UTILITY"}`, 400, "unknown field"},
		{"PUT", path, `{"AuditStatus":1}`, 400, "bad template change"},
		{"PUT", path, ``, 400, "empty body"},
		{"PUT", path, `{"AuditStatus":"paused"} {}`, 400, "unexpected data"},
		{"PUT", "/-/spaces/cams-tpl45/templates/" + code + "/fr", `{"AuditStatus":"paused"}`, 404, "unknown template"},
		{"PUT", "/-/spaces/cams-tpl45/templates/nosuch/en_US", `{"AuditStatus":"paused"}`, 404, "unknown template"},
		{"PUT", "/-/spaces/cams-nosuch/templates/" + code + "/en_US", `{"AuditStatus":"paused"}`, 404, "unknown space"},
		{"DELETE", path, ``, 405, ""},
	} {
		status, body := h.control(s.method, s.path, s.body)
		if status != s.status || !strings.Contains(body, s.want) || strings.Count(body, "\n") != 1 {
			t.Errorf("%s %s %s: HTTP %d %q, want %d with %q on one line", s.method, s.path, s.body, status, body, s.status, s.want)
		}
	}
	if after := h.srv.Dataset(); !jsonEqual(after, before) {
		t.Error("a refused change changed the data set")
	}
	if err := h.srv.SetTemplate("cams-tpl45", code, "en_US", TemplateChange{}); err != ErrNothingToSet {
		t.Errorf("SetTemplate with nothing: %v", err)
	}
}

// Templates change while ListChatappTemplate answers and the data set is
// read (run with -race); every answer is whole.
func TestConcurrentTemplateMutation(t *testing.T) {
	clock := newClock()
	s, err := New(Config{Now: clock.Now, AccessKeyID: testKeyID, AccessKeySecret: testSecret, RateLimit: -1, Data: loadTemplates(t)})
	if err != nil {
		t.Fatal(err)
	}
	templates := spaceOf(t, loadTemplates(t), "cams-tpl45").Templates
	statuses := []string{"pass", "paused", "disabled"}
	var wg sync.WaitGroup
	for g := range 2 {
		wg.Go(func() {
			for i := range 60 {
				tp := templates[(g*7+i)%len(templates)]
				if err := s.SetTemplate("cams-tpl45", tp.TemplateCode, tp.Language, TemplateChange{AuditStatus: &statuses[i%3]}); err != nil {
					t.Error(err)
					return
				}
				_ = s.Dataset()
			}
		})
		wg.Go(func() {
			for i := range 30 {
				req := httptest.NewRequest(http.MethodPost, "http://cams.test/?"+templatePage("cams-tpl45", `{"Index":`+string(rune('1'+i%3))+`,"Size":20}`).Encode(), nil)
				req.Header.Set("x-acs-action", OperationListTemplates)
				req.Header.Set("x-acs-version", APIVersion)
				acs3.Signer{Now: clock.Now}.Sign(req, acs3.Credentials{AccessKeyID: testKeyID, AccessKeySecret: testSecret})
				w := httptest.NewRecorder()
				s.ServeHTTP(w, req)
				if w.Code != http.StatusOK || !strings.Contains(w.Body.String(), `"Total":45`) {
					t.Errorf("HTTP %d %s", w.Code, w.Body)
					return
				}
			}
		})
	}
	wg.Wait()
}
