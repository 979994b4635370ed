package main

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/simulator"
)

// accountData is three spaces for the sources: one with a WABA, two
// numbers (one RED and FLAGGED, whose messaging is BLOCKED) and three
// templates (one paused, one whose review failed), one without a WABA or
// templates, and one that denies every call.
func accountData() *simulator.Dataset {
	return &simulator.Dataset{Spaces: []simulator.Space{
		{ID: "cs-shop", Flows: []simulator.Flow{{FlowId: "1", FlowName: "a", Categories: []string{"SIGN_UP"}}},
			WABA: &simulator.WABA{Id: "100000000000001", BusinessId: "200000000000001", AccountReviewStatus: "APPROVED", Name: "Shop"},
			PhoneNumbers: []simulator.PhoneNumber{
				{PhoneNumber: "6591000001", VerifiedName: "Shop", Status: "CONNECTED", QualityRating: "GREEN", MessagingLimitTier: "TIER_1K", CodeVerificationStatus: "VERIFIED", NameStatus: "APPROVED"},
				{PhoneNumber: "6591000002", Status: "FLAGGED", QualityRating: "RED", MessagingLimitTier: "TIER_250",
					Health: &simulator.Health{CanSendMessage: "BLOCKED", Errors: []simulator.HealthError{{ErrorCode: "141000", ErrorDescription: "flagged"}}}},
			},
			Templates: []simulator.Template{
				{TemplateCode: "welcome", Language: "en", Category: "MARKETING", AuditStatus: "pass"},
				{TemplateCode: "otp", Language: "en", Category: "AUTHENTICATION", AuditStatus: "paused", Reason: "low quality"},
				{TemplateCode: "receipt", Language: "zh_CN", Category: "UTILITY", AuditStatus: "fail"},
			}},
		{ID: "cs-unbound", Flows: []simulator.Flow{{FlowId: "2", FlowName: "b", Categories: []string{"SURVEY"}}}},
		{ID: "cs-denied", Error: "Ram.PermissionDeny"},
	}}
}

// allSources turns every source on; templates are listed two a page, so
// that the shop's three take two pages.
var allSources = []string{"--collector.phone-numbers", "--collector.waba", "--collector.messaging-health", "--collector.templates", "--templates.page-size=2"}

func sourceRateFlags() []string {
	var out []string
	for _, spec := range sourceSpecs {
		out = append(out, "--"+rateFlag(spec.name)+"=500")
	}
	return out
}

// TestSourcesMatchTheDataSet runs every source once against the simulator
// and reads their series on /metrics: values as the data file says, the
// space without a WABA a state, the denied space down in each collector,
// and the flows as without the sources.
func TestSourcesMatchTheDataSet(t *testing.T) {
	args := append([]string{"--cams.space=cs-shop", "--cams.space=cs-unbound", "--cams.space=cs-denied"}, allSources...)
	h := newHarness(t, accountData(), append(args, sourceRateFlags()...)...)
	h.refresh()
	h.exp.engine.RunOnce(context.Background())
	got := h.scrape()
	const shop, n1, n2 = `space="cs-shop"`, `phone_number="6591000001"`, `phone_number="6591000002"`
	checkSeries(t, got, map[string]float64{
		`cams_space_up{space="cs-shop"}`:      1,
		`cams_flows{space="cs-unbound"}`:      1,
		`cams_space_up{space="cs-denied"}`:    0,
		`cams_phone_numbers{space="cs-shop"}`: 2,
		`cams_phone_number_state{code_verification_status="VERIFIED",messaging_limit_tier="TIER_1K",name_status="APPROVED",` + n1 + `,quality_rating="GREEN",` + shop + `,status="CONNECTED"}`: 1,
		`cams_phone_number_state{code_verification_status="",messaging_limit_tier="TIER_250",name_status="",` + n2 + `,quality_rating="RED",` + shop + `,status="FLAGGED"}`:                    1,
		`cams_phone_number_messaging_limit{` + n1 + `,` + shop + `}`: 1000,
		`cams_phone_number_messaging_limit{` + n2 + `,` + shop + `}`: 250,
		`cams_phone_numbers{space="cs-unbound"}`:                     0,
		`cams_waba_bound{space="cs-shop"}`:                           1,
		`cams_waba_bound{space="cs-unbound"}`:                        0,
		`cams_waba_info{account_review_status="APPROVED",business_id="200000000000001",` + shop + `,waba_id="100000000000001"}`:      1,
		`cams_messaging_health{can_send_message="AVAILABLE",node="waba",phone_number="",` + shop + `}`:                               1,
		`cams_messaging_health{can_send_message="AVAILABLE",node="phone",` + n1 + `,` + shop + `}`:                                   1,
		`cams_messaging_health{can_send_message="BLOCKED",node="phone",` + n2 + `,` + shop + `}`:                                     1,
		`cams_messaging_health_entity{can_send_message="BLOCKED",entity_id="6591000002",entity_type="PHONE_NUMBER",` + shop + `}`:    1,
		`cams_messaging_health_entity{can_send_message="AVAILABLE",entity_id="200000000000001",entity_type="BUSINESS",` + shop + `}`: 1,
		`cams_messaging_health_error_info{entity_type="PHONE_NUMBER",error_code="141000",` + shop + `}`:                              1,
		`cams_collector_spaces{collector="waba",state="up"}`:                                                                         2,
		`cams_collector_spaces{collector="waba",state="down"}`:                                                                       1,
		`cams_collector_spaces{collector="phone-numbers",state="down"}`:                                                              1,
		`cams_collector_space_up{collector="waba",space="cs-unbound"}`:                                                               1,
		`cams_collector_space_up{collector="phone-numbers",space="cs-denied"}`:                                                       0,
		`cams_collector_space_error_info{code="Ram.PermissionDeny",collector="phone-numbers",space="cs-denied"}`:                     1,
		`cams_collector_rate_limit_requests_per_second{collector="messaging-health"}`:                                                500,
		`cams_collector_interval_seconds{collector="waba"}`:                                                                          6 * 3600,
		`cams_templates{audit_status="pass",space="cs-shop"}`:                                                                        1,
		`cams_templates{audit_status="paused",space="cs-shop"}`:                                                                      1,
		`cams_templates{audit_status="fail",space="cs-shop"}`:                                                                        1,
		`cams_templates{audit_status="disabled",space="cs-shop"}`:                                                                    0,
		`cams_templates{audit_status="pass",space="cs-unbound"}`:                                                                     0,
		`cams_templates_by_category{category="UTILITY",space="cs-shop"}`:                                                             1,
		`cams_templates_by_category{category="MARKETING",space="cs-unbound"}`:                                                        0,
		`cams_template_problem_info{audit_status="paused",category="AUTHENTICATION",language="en",` + shop + `,template_code="otp"}`: 1,
		`cams_template_problem_info{audit_status="fail",category="UTILITY",language="zh_CN",` + shop + `,template_code="receipt"}`:   1,
		`cams_template_status_changes_total{audit_status="paused",space="cs-shop"}`:                                                  0,
		`cams_collector_space_up{collector="templates",space="cs-shop"}`:                                                             1,
		`cams_collector_space_up{collector="templates",space="cs-denied"}`:                                                           0,
		`cams_collector_interval_seconds{collector="templates"}`:                                                                     3600,
	})
	// Two pages for the shop, one for the space without templates, one
	// refused for the denied space.
	if v := got[`cams_api_requests_total{operation="ListChatappTemplate"}`]; v != 4 {
		t.Errorf("ListChatappTemplate requests = %v, want 4", v)
	}
	for k := range got {
		if strings.HasPrefix(k, "cams_template_problem_info") && strings.Contains(k, "welcome") {
			t.Errorf("a template that passed has %s", k)
		}
	}
	if v, ok := got[`cams_api_requests_total{operation="GetWhatsappHealthStatus"}`]; !ok || v != 3 {
		t.Errorf("GetWhatsappHealthStatus requests = %v, want 3: the shop's WABA and two numbers, nothing for the unbound or denied spaces", v)
	}
	if v := got[`cams_api_errors_total{code="ERR-OPERATION-MAAP-0060",operation="QueryChatappBindWaba"}`]; v != 0 {
		t.Errorf("the space without a WABA counted %v API errors, want none: it is an answer", v)
	}
	for k := range got {
		if strings.Contains(k, "cs-unbound") && (strings.HasPrefix(k, "cams_waba_info") || strings.HasPrefix(k, "cams_messaging_health{")) {
			t.Errorf("the space without a WABA has %s", k)
		}
		if strings.HasPrefix(k, "cams_phone_number_messaging_limit") && math.IsNaN(got[k]) {
			t.Errorf("%s is NaN", k)
		}
	}
}

// TestSourcesOffLeaveNoTrace: without --collector.<name>, no series, no
// call and no API metrics of the source's operation.
func TestSourcesOffLeaveNoTrace(t *testing.T) {
	h := newHarness(t, accountData(), "--cams.space=cs-shop")
	h.refresh()
	h.exp.engine.RunOnce(context.Background())
	for k := range h.scrape() {
		for _, prefix := range []string{"cams_phone_number", "cams_waba", "cams_messaging_health", "cams_template", "cams_collector_"} {
			if strings.HasPrefix(k, prefix) {
				t.Errorf("with the sources off, /metrics has %s", k)
			}
		}
		for _, op := range []string{"QueryChatappPhoneNumbers", "QueryChatappBindWaba", "GetWhatsappHealthStatus", "ListChatappTemplate"} {
			if strings.Contains(k, fmt.Sprintf("operation=%q", op)) {
				t.Errorf("with the sources off, /metrics has %s", k)
			}
		}
	}
	if n := len(h.exp.engine.Runners()); n != 0 {
		t.Errorf("%d runners with the sources off", n)
	}
}

func TestDurationText(t *testing.T) {
	for d, want := range map[time.Duration]string{
		15 * time.Minute: "15m", 6 * time.Hour: "6h", time.Hour: "1h", 12 * time.Hour: "12h",
		90 * time.Minute: "1h30m", 90 * time.Second: "1m30s", 30 * time.Second: "30s", 720 * time.Hour: "720h",
	} {
		if got := durationText(d); got != want {
			t.Errorf("durationText(%v) = %q, want %q", d, got, want)
		}
	}
}
