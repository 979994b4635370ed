package client

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// Full answers for a WABA and a number: each entity's ID is its own id by
// its type (none for the app), Errors kept with their texts, an entity
// listed twice alike once.
func TestGetHealthStatusDecodesFullAnswers(t *testing.T) {
	const waba, business = "203939883939930", "192939880001"
	tests := []struct {
		fixture string
		node    HealthNode
		want    HealthStatus
	}{
		{"health-waba.json", HealthNode{Type: NodeTypeWABA, WabaID: waba}, HealthStatus{CanSendMessage: "BLOCKED", Entities: []HealthEntity{
			{EntityType: "WABA", CanSendMessage: "BLOCKED", ID: waba, WabaID: waba, Errors: []HealthError{
				{ErrorCode: "141006", ErrorDescription: "There is an error with the payment method.", PossibleSolution: "There was an error with your payment method. Please add a new payment method to the account."},
				{ErrorCode: "141010", ErrorDescription: "The Business has not passed business verification.", PossibleSolution: "Verify the business."},
			}},
			{EntityType: "BUSINESS", CanSendMessage: "AVAILABLE", ID: business, BusinessID: business},
			{EntityType: "APP", CanSendMessage: "LIMITED", Errors: []HealthError{{ErrorCode: "141013", ErrorDescription: "The app is limited."}}},
		}}},
		{"health-phone.json", HealthNode{Type: NodeTypePhone, PhoneNumber: "8613800002222"}, HealthStatus{CanSendMessage: "LIMITED", Entities: []HealthEntity{
			{EntityType: "PHONE_NUMBER", CanSendMessage: "LIMITED", ID: "8613800002222", PhoneNumber: "8613800002222", WabaID: waba, Errors: []HealthError{
				{ErrorCode: "141001", ErrorDescription: "The phone number has reached its messaging limit.", PossibleSolution: "Improve quality."},
			}},
			{EntityType: "WABA", CanSendMessage: "AVAILABLE", ID: waba, WabaID: waba},
			{EntityType: "BUSINESS", CanSendMessage: "AVAILABLE", ID: business, BusinessID: business},
			{EntityType: "APP", CanSendMessage: "AVAILABLE"},
			{EntityType: "MESSAGE_TEMPLATE", CanSendMessage: "AVAILABLE", ID: "939928001", TemplateCode: "939928001", Language: "en"},
		}}},
	}
	for _, tt := range tests {
		c, _ := newTestClient(t, &scripted{responses: []scriptedResponse{{200, string(readFixture(t, tt.fixture))}}}, Config{})
		got, err := c.GetHealthStatus(context.Background(), "cams-abc123", tt.node)
		if err != nil {
			t.Fatalf("%s: %v", tt.fixture, err)
		}
		if !reflect.DeepEqual(*got, tt.want) {
			t.Errorf("%s:\ngot  %+v\nwant %+v", tt.fixture, *got, tt.want)
		}
	}
}

// healthBody is an OK answer with n entities, each with errs errors.
func healthBody(n, errs int) string {
	entities := make([]map[string]any, n)
	for i := range entities {
		list := make([]map[string]string, errs)
		for j := range list {
			list[j] = map[string]string{"ErrorCode": fmt.Sprint(141000 + j)}
		}
		entities[i] = map[string]any{"EntityType": "PHONE_NUMBER", "CanSendMessage": "BLOCKED", "PhoneNumber": fmt.Sprint(i), "Errors": list}
	}
	b, _ := json.Marshal(map[string]any{"RequestId": "R", "Code": "OK", "Data": map[string]any{"CanSendMessage": "BLOCKED", "Entities": entities}})
	return string(b)
}

// The bounds of an answer: MaxHealthEntities entities of
// MaxHealthErrorsPerEntity errors pass, one more of either is an invalid
// response (retried like any); so is an answer without the node's status,
// an entity without a type, or one listed twice with different values.
func TestGetHealthStatusBounds(t *testing.T) {
	tests := []struct {
		name, body string
		wantError  string // "" when valid
	}{
		{"at the bounds", healthBody(MaxHealthEntities, MaxHealthErrorsPerEntity), ""},
		{"one entity beyond", healthBody(MaxHealthEntities+1, 0), "more than 100 Entities"},
		{"one error beyond", healthBody(1, MaxHealthErrorsPerEntity+1), "more than 20 Errors in one entity"},
		{"far beyond", `{"RequestId":"R","Code":"OK","Data":{"CanSendMessage":"BLOCKED","Entities":[{"EntityType":"WABA","Errors":[` +
			strings.Repeat(`{},`, 300_000) + `{}]}]}}`, "more than 20 Errors in one entity"},
		{"no Data", `{"RequestId":"R","Code":"OK"}`, "no Data"},
		{"no CanSendMessage", `{"RequestId":"R","Code":"OK","Data":{"Entities":[]}}`, "no Data.CanSendMessage"},
		{"no Entities", `{"RequestId":"R","Code":"OK","Data":{"CanSendMessage":"AVAILABLE"}}`, ""},
		{"an entity without a type", `{"RequestId":"R","Code":"OK","Data":{"CanSendMessage":"AVAILABLE","Entities":[{"EntityType":"WABA"},{"CanSendMessage":"BLOCKED"}]}}`,
			"Data.Entities[1] has no EntityType"},
		{"an entity twice, differently", `{"RequestId":"R","Code":"OK","Data":{"CanSendMessage":"BLOCKED","Entities":[` +
			`{"EntityType":"WABA","WabaId":"1","CanSendMessage":"AVAILABLE"},{"EntityType":"WABA","WabaId":"1","CanSendMessage":"BLOCKED"}]}}`,
			"Data.Entities[1]: WABA 1 listed twice with different values"},
		{"ErrorCode a number, not the SDK's string", `{"RequestId":"R","Code":"OK","Data":{"CanSendMessage":"BLOCKED","Entities":[{"EntityType":"WABA","Errors":[{"ErrorCode":141006}]}]}}`,
			"cannot unmarshal number"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := &scripted{responses: []scriptedResponse{{200, tt.body}}}
			c, _ := newTestClient(t, srv, Config{MaxRetries: 1, Rates: fastRates()})
			got, err := c.GetHealthStatus(context.Background(), "cams-abc123", HealthNode{Type: NodeTypeWABA, WabaID: "1"})
			if tt.wantError == "" {
				if err != nil || got == nil {
					t.Fatalf("%+v, %v", got, err)
				}
				return
			}
			if CodeOf(err) != CodeInvalidResponse || !strings.Contains(err.Error(), tt.wantError) || srv.count() != 2 {
				t.Fatalf("%v after %d calls, want an InvalidResponse saying %q, retried once", err, srv.count(), tt.wantError)
			}
		})
	}
}

// Every text of an answer is cut to its bound.
func TestGetHealthStatusCutsTexts(t *testing.T) {
	huge := strings.Repeat("é", 4096)
	body, _ := json.Marshal(map[string]any{"RequestId": "R", "Code": "OK", "Data": map[string]any{"CanSendMessage": huge, "Entities": []map[string]any{
		{"EntityType": "WABA", "CanSendMessage": huge, "WabaId": huge, "BusinessId": huge, "PhoneNumber": huge, "TemplateCode": huge, "Language": huge,
			"Errors": []map[string]string{{"ErrorCode": huge, "ErrorDescription": huge, "PossibleSolution": huge}}},
		{"EntityType": huge},
	}}})
	c, _ := newTestClient(t, &scripted{responses: []scriptedResponse{{200, string(body)}}}, Config{})
	s, err := c.GetHealthStatus(context.Background(), "cams-abc123", HealthNode{Type: NodeTypeWABA, WabaID: "1"})
	if err != nil {
		t.Fatal(err)
	}
	checkCut(t, "CanSendMessage", s.CanSendMessage, huge, 64)
	e := s.Entities[0]
	checkCut(t, "entity CanSendMessage", e.CanSendMessage, huge, 64)
	checkCut(t, "WabaId", e.WabaID, huge, 128)
	checkCut(t, "BusinessId", e.BusinessID, huge, 128)
	checkCut(t, "PhoneNumber", e.PhoneNumber, huge, 32)
	checkCut(t, "TemplateCode", e.TemplateCode, huge, 128)
	checkCut(t, "Language", e.Language, huge, 64)
	checkCut(t, "ErrorCode", e.Errors[0].ErrorCode, huge, 64)
	checkCut(t, "ErrorDescription", e.Errors[0].ErrorDescription, huge, 512)
	checkCut(t, "PossibleSolution", e.Errors[0].PossibleSolution, huge, 512)
	checkCut(t, "EntityType", s.Entities[1].EntityType, huge, 64)
	if e.ID != e.WabaID {
		t.Errorf("the WABA's ID %q is not its cut WabaId", e.ID)
	}
}
