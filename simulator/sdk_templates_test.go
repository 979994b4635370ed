package simulator

import (
	"strings"
	"testing"

	"github.com/alibabacloud-go/tea/dara"

	"github.com/cams-exporter/cams_exporter/internal/officialsdk"
)

// The official generic client calls ListChatappTemplate as the CAMS SDK
// does (Page rendered by the SDK's own PageShrink rendering), page after
// page of a 45-template space, and each answer decodes into the SDK's
// model with the data file's values and Total.
func TestOfficialSDKListChatappTemplate(t *testing.T) {
	data := loadTemplates(t)
	s, base := startOnWallClock(t, data)
	c, err := officialsdk.New(base, testKeyID, testSecret, "")
	if err != nil {
		t.Fatal(err)
	}
	list := func(space string, page *officialsdk.ListChatappTemplateRequestPage, filters map[string]string) officialsdk.ListChatappTemplateResponseBody {
		t.Helper()
		body, err := officialsdk.ListTemplates(c, space, page, filters, nil)
		if err != nil {
			t.Fatalf("%q %v: %v", space, filters, err)
		}
		var m officialsdk.ListChatappTemplateResponseBody
		if err := officialsdk.Decode(body, &m); err != nil {
			t.Fatalf("decoding into the SDK's model: %v", err)
		}
		if deref(m.Code) != "OK" || m.Success == nil || !*m.Success || deref(m.RequestId) == "" || m.Total == nil {
			t.Fatalf("%q: %v", space, body)
		}
		return m
	}
	sameTemplate := func(got *officialsdk.ListChatappTemplateResponseBodyListTemplate, want Template) bool {
		return deref(got.TemplateCode) == want.TemplateCode && deref(got.TemplateName) == want.TemplateName && deref(got.Language) == want.Language &&
			deref(got.Category) == want.Category && deref(got.AuditStatus) == want.AuditStatus && deref(got.Reason) == want.Reason &&
			deref(got.TemplateType) == want.TemplateType && dara.Int64Value(got.LastUpdateTime) == want.LastUpdateTime
	}

	all := spaceOf(t, data, "cams-tpl45").Templates
	var listed []*officialsdk.ListChatappTemplateResponseBodyListTemplate
	for i, want := range []int{20, 20, 5, 0} {
		index := int32(i + 1)
		m := list("cams-tpl45", &officialsdk.ListChatappTemplateRequestPage{Index: &index, Size: dara.Int32(20)}, nil)
		if *m.Total != 45 || len(m.ListTemplate) != want {
			t.Fatalf("page %d: Total %d and %d templates, want 45 and %d", index, *m.Total, len(m.ListTemplate), want)
		}
		listed = append(listed, m.ListTemplate...)
	}
	for i, want := range all {
		if !sameTemplate(listed[i], want) {
			t.Errorf("template %d decoded as %+v, want %+v", i, *listed[i], want)
		}
	}

	// No Page, no CustSpaceId: the own space's first page.
	m := list("", nil, nil)
	own := spaceOf(t, data, "").Templates
	if *m.Total != int32(len(own)) || len(m.ListTemplate) != len(own) {
		t.Fatalf("own space: Total %d, %d templates", *m.Total, len(m.ListTemplate))
	}
	for i, want := range own {
		if !sameTemplate(m.ListTemplate[i], want) {
			t.Errorf("own template %d decoded as %+v, want %+v", i, *m.ListTemplate[i], want)
		}
	}
	// The SDK's string filters.
	m = list("cams-tpl45", nil, map[string]string{"AuditStatus": "paused", "IsvCode": "isv", "CustWabaId": "1"})
	if *m.Total != 3 || len(m.ListTemplate) != 3 || deref(m.ListTemplate[0].AuditStatus) != "paused" {
		t.Errorf("AuditStatus=paused: Total %d, %d templates", *m.Total, len(m.ListTemplate))
	}
	// Errors reach the SDK as the SDK's errors.
	if _, err := officialsdk.ListTemplates(c, "cams-tplerr", nil, nil, nil); err == nil || !strings.Contains(err.Error(), CodeRAMPermissionDeny) {
		t.Errorf("a denied space: %v", err)
	}
	if _, err := officialsdk.ListTemplates(c, "cams-tpl45", &officialsdk.ListChatappTemplateRequestPage{Index: dara.Int32(0)}, nil, nil); err == nil || !strings.Contains(err.Error(), CodeInvalidParameter) {
		t.Errorf("Page.Index 0: %v", err)
	}
	if st := s.Stats(); st.Operations[OperationListTemplates] != 8 {
		t.Errorf("Stats.Operations %v", st.Operations)
	}
}
