package client

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func readFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "responses", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecode(t *testing.T) {
	tests := []struct {
		fixture     string
		status      int
		wantCode    string // "" for success
		wantClass   Class
		wantFlows   int
		wantInError []string
	}{
		{fixture: "ok.json", status: 200, wantFlows: 1},
		{fixture: "unknown-fields.json", status: 200, wantFlows: 1},
		{fixture: "empty-page.json", status: 200, wantFlows: 0},
		{fixture: "null-data.json", status: 200, wantFlows: 0},
		{fixture: "truncated.json", status: 200, wantCode: CodeInvalidResponse, wantClass: ClassInvalidResponse, wantInError: []string{"not valid JSON", `"{\"RequestId\"`}},
		{fixture: "html.txt", status: 200, wantCode: CodeInvalidResponse, wantClass: ClassInvalidResponse, wantInError: []string{"<html>"}},
		{fixture: "html.txt", status: 502, wantCode: "HTTP_502", wantClass: ClassTransient, wantInError: []string{"HTTP 502", "<html>"}},
		{fixture: "html.txt", status: 429, wantCode: "HTTP_429", wantClass: ClassThrottled},
		{fixture: "html.txt", status: 403, wantCode: "HTTP_403", wantClass: ClassPermanent},
		{fixture: "array.json", status: 200, wantCode: CodeInvalidResponse, wantClass: ClassInvalidResponse},
		{fixture: "empty-object.json", status: 200, wantCode: CodeInvalidResponse, wantClass: ClassInvalidResponse, wantInError: []string{"no Code"}},
		{fixture: "wrong-type.json", status: 200, wantCode: CodeInvalidResponse, wantClass: ClassInvalidResponse, wantInError: []string{"Data"}},
		{fixture: "limit-200.json", status: 200, wantCode: "System.LimitControl", wantClass: ClassThrottled, wantInError: []string{"RequestId A6"}},
		{fixture: "denied-string.json", status: 400, wantCode: "Ram.PermissionDeny", wantClass: ClassPermanent},
		{fixture: "denied-object.json", status: 400, wantCode: "Ram.PermissionDeny", wantClass: ClassPermanent},
		{fixture: "detail-number.json", status: 400, wantCode: "Unknown.ResourceOwnerId", wantClass: ClassPermanent},
		{fixture: "empty-object.json", status: 503, wantCode: "HTTP_503", wantClass: ClassTransient},
		{fixture: "odd-message.json", status: 400, wantCode: "Throttling.User", wantClass: ClassThrottled, wantInError: []string{": 5", "RequestId C1"}},
	}
	for _, tt := range tests {
		t.Run(tt.fixture+"/"+HTTPStatusCode(tt.status), func(t *testing.T) {
			var resp ListFlowResponse
			err := decode(OperationListFlow, tt.status, readFixture(t, tt.fixture), &resp)
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("decode: %v", err)
				}
				if len(resp.Data) != tt.wantFlows {
					t.Errorf("got %d flows, want %d", len(resp.Data), tt.wantFlows)
				}
				return
			}
			if err == nil {
				t.Fatal("decode succeeded, want an error")
			}
			if CodeOf(err) != tt.wantCode || ClassOf(err) != tt.wantClass {
				t.Errorf("code %q class %v, want %q %v (%v)", CodeOf(err), ClassOf(err), tt.wantCode, tt.wantClass, err)
			}
			for _, s := range tt.wantInError {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
		})
	}
}

func TestDecodeKeepsEveryErrorField(t *testing.T) {
	err := decode(OperationListFlow, 400, readFixture(t, "denied-object.json"), &ListFlowResponse{})
	e, ok := err.(*Error)
	if !ok {
		t.Fatalf("got %T, want *Error", err)
	}
	want := Error{Operation: "ListFlow", HTTPStatus: 400, Code: "Ram.PermissionDeny", Message: "You are not authorized to do this action.",
		RequestID: "A4", HostID: "cams.ap-southeast-1.aliyuncs.com", Recommend: "https://api.aliyun.com/troubleshoot?q=Ram.PermissionDeny"}
	if e.Operation != want.Operation || e.HTTPStatus != want.HTTPStatus || e.Code != want.Code || e.Message != want.Message ||
		e.RequestID != want.RequestID || e.HostID != want.HostID || e.Recommend != want.Recommend {
		t.Errorf("got %+v\nwant %+v", *e, want)
	}
	if e.AccessDeniedDetail.Fields["AuthAction"] != "cams:ListFlow" || e.AccessDeniedDetail.Fields["NoPermissionType"] != "ImplicitDeny" {
		t.Errorf("AccessDeniedDetail object not kept: %+v", e.AccessDeniedDetail)
	}
	if !strings.Contains(e.AccessDeniedDetail.String(), "AuthAction=cams:ListFlow") {
		t.Errorf("AccessDeniedDetail.String() = %q", e.AccessDeniedDetail.String())
	}

	err = decode(OperationListFlow, 400, readFixture(t, "denied-string.json"), &ListFlowResponse{})
	if d := err.(*Error).AccessDeniedDetail; d.Text != "cams:ListFlow denied" || d.String() != "cams:ListFlow denied" {
		t.Errorf("string AccessDeniedDetail = %+v", d)
	}
	err = decode(OperationListFlow, 400, readFixture(t, "detail-number.json"), &ListFlowResponse{})
	if d := err.(*Error).AccessDeniedDetail; d.Text != "42" {
		t.Errorf("numeric AccessDeniedDetail = %+v, want its JSON text", d)
	}
}

func TestDecodeKeepsUndocumentedCategories(t *testing.T) {
	var resp ListFlowResponse
	if err := decode(OperationListFlow, 200, readFixture(t, "ok.json"), &resp); err != nil {
		t.Fatal(err)
	}
	want := Flow{FlowID: "1", FlowName: "sign up", Categories: []string{"SIGN_UP", "SHOPPING"}}
	got := resp.Data[0]
	if got.FlowID != want.FlowID || got.FlowName != want.FlowName || strings.Join(got.Categories, ",") != "SIGN_UP,SHOPPING" {
		t.Errorf("got %+v, want %+v", got, want)
	}
	if resp.RequestID != "A1" || resp.Code != "OK" || resp.Message != "SUCCESS" {
		t.Errorf("envelope fields lost: %+v", resp)
	}
}
