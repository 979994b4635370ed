package simulator

import (
	"bytes"
	"net/http"
	"net/url"
	"reflect"
	"testing"
)

// wantEntities is the test's own model of a health answer's entities: the
// number's PHONE_NUMBER (when n is not nil), the space's WABA and BUSINESS,
// the account's APP, then the space's extra entities.
func wantEntities(d *Dataset, sp Space, n *PhoneNumber) []HealthEntity {
	of := func(h *Health) (string, []HealthError) {
		if h == nil {
			return "AVAILABLE", nil
		}
		if h.CanSendMessage == "" {
			return "AVAILABLE", h.Errors
		}
		return h.CanSendMessage, h.Errors
	}
	var out []HealthEntity
	if n != nil {
		v, errs := of(n.Health)
		out = append(out, HealthEntity{EntityType: "PHONE_NUMBER", PhoneNumber: n.PhoneNumber, CanSendMessage: v, Errors: errs})
	}
	v, errs := of(sp.WABAHealth)
	out = append(out, HealthEntity{EntityType: "WABA", WabaId: sp.WABA.Id, CanSendMessage: v, Errors: errs})
	v, errs = of(sp.BusinessHealth)
	out = append(out, HealthEntity{EntityType: "BUSINESS", BusinessId: sp.WABA.BusinessId, CanSendMessage: v, Errors: errs})
	v, errs = of(d.AppHealth)
	out = append(out, HealthEntity{EntityType: "APP", CanSendMessage: v, Errors: errs})
	return append(out, sp.ExtraEntities...)
}

// wantOverall is the worst CanSendMessage: BLOCKED, LIMITED, anything
// else, AVAILABLE.
func wantOverall(entities []HealthEntity) string {
	seen := map[string]bool{}
	other := ""
	for _, e := range entities {
		seen[e.CanSendMessage] = true
		if e.CanSendMessage != "AVAILABLE" && e.CanSendMessage != "LIMITED" && e.CanSendMessage != "BLOCKED" && e.CanSendMessage != "" && other == "" {
			other = e.CanSendMessage
		}
	}
	switch {
	case seen["BLOCKED"]:
		return "BLOCKED"
	case seen["LIMITED"]:
		return "LIMITED"
	case other != "":
		return other
	}
	return "AVAILABLE"
}

// Every WABA and number of every space, GetWhatsappHealthStatus answers as
// the data set says.
func TestHealthStatusAnswersTheDataSet(t *testing.T) {
	for name, data := range map[string]*Dataset{"account.json": loadAccount(t), "generated": Generate(9, 60, 1)} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, Config{Data: data})
			overall := map[string]int{}
			check := func(what string, params url.Values, want []HealthEntity) {
				t.Helper()
				r, b := h.health(params)
				if r.status != http.StatusOK || b.Code != "OK" || b.Success == nil || !*b.Success || b.Data == nil {
					t.Fatalf("%s: HTTP %d %s", what, r.status, r.raw)
				}
				if !reflect.DeepEqual(b.Data.Entities, want) {
					t.Errorf("%s: entities\n%+v\nwant\n%+v", what, b.Data.Entities, want)
				}
				if w := wantOverall(want); b.Data.CanSendMessage != w {
					t.Errorf("%s: CanSendMessage %q, want %q", what, b.Data.CanSendMessage, w)
				}
				overall[b.Data.CanSendMessage]++
			}
			for _, sp := range data.Spaces {
				if sp.Error != "" || sp.WABA == nil || sp.ID == "" {
					continue
				}
				check(sp.ID+" waba", wabaNode(sp.ID, sp.WABA.Id), wantEntities(data, sp, nil))
				for _, n := range sp.PhoneNumbers {
					check(sp.ID+" "+n.PhoneNumber, phoneNode(sp.ID, n.PhoneNumber), wantEntities(data, sp, &n))
				}
			}
			for _, v := range []string{"AVAILABLE", "LIMITED", "BLOCKED"} {
				if overall[v] == 0 && name == "generated" {
					t.Errorf("no answer was %s: %v", v, overall)
				}
			}
		})
	}
}

// The account file's cases, spelt out.
func TestHealthStatusCases(t *testing.T) {
	h := newHarness(t, Config{Data: loadAccount(t)})
	types := func(b healthAnswer) []string {
		var out []string
		for _, e := range b.Data.Entities {
			out = append(out, e.EntityType+"/"+e.CanSendMessage)
		}
		return out
	}
	r, b := h.health(wabaNode("cams-numbers0", "100000000000002"))
	if keys := rawKeys(t, r.raw); string(keys["Success"]) != "true" || string(keys["Code"]) != `"OK"` {
		t.Errorf("Success and Code: %s", r.raw)
	}
	if want := []string{"WABA/LIMITED", "BUSINESS/BLOCKED", "APP/AVAILABLE", "MESSAGE_TEMPLATE/AVAILABLE", "SOMETHING_ELSE/AVAILABLE"}; !reflect.DeepEqual(types(b), want) || b.Data.CanSendMessage != "BLOCKED" {
		t.Errorf("waba node: %v %s, want %v BLOCKED", types(b), b.Data.CanSendMessage, want)
	}
	if errs := b.Data.Entities[1].Errors; len(errs) != 2 || errs[0].ErrorCode != "141010" || errs[1].PossibleSolution != "A second remedy." {
		t.Errorf("BUSINESS errors %+v", errs)
	}
	if e := b.Data.Entities[2]; e.WabaId != "" || e.BusinessId != "" || e.PhoneNumber != "" {
		t.Errorf("the APP entity carries an id the SDK has no field for: %+v", e)
	}
	r, b = h.health(phoneNode("cams-numbers0", "6591000003"))
	if want := []string{"PHONE_NUMBER/DEGRADED", "WABA/LIMITED", "BUSINESS/BLOCKED", "APP/AVAILABLE", "MESSAGE_TEMPLATE/AVAILABLE", "SOMETHING_ELSE/AVAILABLE"}; !reflect.DeepEqual(types(b), want) {
		t.Errorf("phone node: %v, want %v", types(b), want)
	}
	if bytes.Contains(r.raw, []byte(`"Errors":null`)) || bytes.Contains(r.raw, []byte(`"WabaId":""`)) {
		t.Errorf("empty fields answered: %s", r.raw)
	}
	_, b = h.health(phoneNode("cams-healthy0", "6281000000001"))
	if want := []string{"PHONE_NUMBER/AVAILABLE", "WABA/AVAILABLE", "BUSINESS/AVAILABLE", "APP/AVAILABLE"}; !reflect.DeepEqual(types(b), want) || b.Data.CanSendMessage != "AVAILABLE" {
		t.Errorf("healthy phone node: %v %s", types(b), b.Data.CanSendMessage)
	}
	// An undocumented value beats AVAILABLE only.
	if err := h.srv.SetEntityHealth("cams-healthy0", "waba", Health{CanSendMessage: "DEGRADED"}); err != nil {
		t.Fatal(err)
	}
	if _, b = h.health(wabaNode("cams-healthy0", "100000000000003")); b.Data.CanSendMessage != "DEGRADED" {
		t.Errorf("overall %q, want DEGRADED", b.Data.CanSendMessage)
	}
}

func TestWorstOf(t *testing.T) {
	for _, tt := range []struct {
		values []string
		want   string
	}{
		{nil, "AVAILABLE"},
		{[]string{"AVAILABLE", "AVAILABLE"}, "AVAILABLE"},
		{[]string{"AVAILABLE", "DEGRADED"}, "DEGRADED"},
		{[]string{"DEGRADED", "ODD"}, "DEGRADED"},
		{[]string{"DEGRADED", "LIMITED"}, "LIMITED"},
		{[]string{"LIMITED", "BLOCKED", "DEGRADED"}, "BLOCKED"},
		{[]string{"", "AVAILABLE"}, "AVAILABLE"},
	} {
		var entities []HealthEntity
		for _, v := range tt.values {
			entities = append(entities, HealthEntity{EntityType: "WABA", CanSendMessage: v})
		}
		if got := worstOf(entities); got != tt.want {
			t.Errorf("worstOf(%v) = %q, want %q", tt.values, got, tt.want)
		}
	}
}

func TestHealthStatusErrors(t *testing.T) {
	h := newHarness(t, Config{Data: loadAccount(t)})
	v := func(kv ...string) url.Values {
		out := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			out.Set(kv[i], kv[i+1])
		}
		return out
	}
	for _, tt := range []struct {
		name      string
		params    url.Values
		code      string
		inMessage string
	}{
		{"no CustSpaceId", v("NodeType", "waba", "WabaId", "100000000000001"), "MissingCustSpaceId", "CustSpaceId is mandatory"},
		{"no NodeType", v("CustSpaceId", "cams-numbers0"), "MissingNodeType", "NodeType is mandatory"},
		{"a NodeType CAMS does not know", v("CustSpaceId", "cams-numbers0", "NodeType", "WABA"), CodeInvalidParameter, "NodeType"},
		{"waba without WabaId", v("CustSpaceId", "cams-numbers0", "NodeType", "waba"), CodeInvalidParameter, "WabaId"},
		{"phone without PhoneNumber", v("CustSpaceId", "cams-numbers0", "NodeType", "phone"), CodeInvalidParameter, "PhoneNumber"},
		{"template without TemplateCode", v("CustSpaceId", "cams-numbers0", "NodeType", "template", "Language", "en"), CodeInvalidParameter, "TemplateCode"},
		{"template without Language", v("CustSpaceId", "cams-numbers0", "NodeType", "template", "TemplateCode", "x"), CodeInvalidParameter, "Language"},
		{"a template", v("CustSpaceId", "cams-numbers0", "NodeType", "template", "TemplateCode", "x", "Language", "en"), CodeTemplateNotExist, ""},
		{"another space's WABA", wabaNode("cams-numbers0", "100000000000003"), CodeMetaRequestFailed, ""},
		{"a number the space does not hold", phoneNode("cams-numbers0", "6281000000001"), CodePhoneNotBound, ""},
		{"no WABA, waba node", wabaNode("cams-nowaba00", "100000000000002"), CodeNoWABA, ""},
		{"no WABA, phone node", phoneNode("cams-orphan00", "6600000001"), CodeNoWABA, ""},
		{"no WABA, template node", v("CustSpaceId", "cams-nowaba00", "NodeType", "template", "TemplateCode", "x", "Language", "en"), CodeNoWABA, ""},
		{"unknown space", wabaNode("cams-nosuch00", "1"), CodeUnknownResourceOwnerID, ""},
		{"space denied", wabaNode("cams-denied00", "100000000000004"), CodeRAMPermissionDeny, ""},
		{"space not subscribed", phoneNode("cams-unsub000", "1"), CodeProductUnsubscript, ""},
		{"Meta failing", wabaNode("cams-meta0000", "100000000000005"), CodeMetaRequestFailed, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := h.health(tt.params)
			wantError(t, r, http.StatusBadRequest, tt.code)
			wantEnvelope(t, r, h.host)
			if !bytes.Contains([]byte(r.body.Message), []byte(tt.inMessage)) {
				t.Errorf("message %q, want it to contain %q", r.body.Message, tt.inMessage)
			}
		})
	}
	r, _ := h.health(wabaNode("cams-denied00", "100000000000004"))
	if !bytes.Contains(r.body.AccessDeniedDetail, []byte("AuthAction: cams:GetWhatsappHealthStatus")) {
		t.Errorf("AccessDeniedDetail %s", r.body.AccessDeniedDetail)
	}
}
