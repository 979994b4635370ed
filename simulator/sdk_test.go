package simulator

import (
	"encoding/json"
	"strings"
	"testing"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"
)

// The official SDK's generic client, an implementation independent of
// acs3, talks to the simulator: query parameters, a form body, STS
// credentials and an error code.
func TestOfficialSDK(t *testing.T) {
	small := loadSmall(t)
	// The SDK signs with the wall clock, so the server runs on it too.
	s, err := New(Config{AccessKeyID: testKeyID, AccessKeySecret: testSecret, RateLimit: -1, Data: small})
	if err != nil {
		t.Fatal(err)
	}
	s.AddCredential(Credential{AccessKeyID: "STS.sdk", AccessKeySecret: "sdkSecret", SecurityToken: "sdkToken"})
	base, err := s.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	endpoint := strings.TrimPrefix(base, "http://")

	newClient := func(id, secret, token string) *openapi.Client {
		cfg := &openapiutil.Config{
			AccessKeyId:     dara.String(id),
			AccessKeySecret: dara.String(secret),
			Endpoint:        dara.String(endpoint),
			Protocol:        dara.String("HTTP"),
		}
		if token != "" {
			cfg.SecurityToken = dara.String(token)
		}
		c, err := openapi.NewClient(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	params := &openapiutil.Params{
		Action: dara.String("ListFlow"), Version: dara.String(APIVersion), Protocol: dara.String("HTTP"),
		Pathname: dara.String("/"), Method: dara.String("POST"), AuthType: dara.String("AK"),
		Style: dara.String("RPC"), ReqBodyType: dara.String("formData"), BodyType: dara.String("json"),
	}
	noRetry := &dara.RuntimeOptions{} // no RetryOptions: no retries
	data := func(t *testing.T, res map[string]any) []Flow {
		t.Helper()
		b, _ := json.Marshal(res["body"])
		var body struct{ Data []Flow }
		if err := json.Unmarshal(b, &body); err != nil {
			t.Fatal(err)
		}
		return body.Data
	}
	sub := spaceOf(t, small, "cams-1a2b3c4d").Flows

	t.Run("query", func(t *testing.T) {
		req := &openapiutil.OpenApiRequest{Query: openapiutil.Query(map[string]any{
			"CustSpaceId": "cams-1a2b3c4d", "FlowName": "sign up", "Page": `{"Index":1,"Size":50}`,
		})}
		res, err := newClient(testKeyID, testSecret, "").CallApi(params, req, noRetry)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := data(t, res), expectedPage(sub, "sign up", 1, 50); !flowsEqual(got, want) {
			t.Errorf("Data = %v, want %v", got, want)
		}
	})
	t.Run("form body, STS", func(t *testing.T) {
		req := &openapiutil.OpenApiRequest{
			Query: openapiutil.Query(map[string]any{"Page": `{"Index":2,"Size":2}`}),
			Body:  map[string]any{"CustSpaceId": "cams-1a2b3c4d"},
		}
		res, err := newClient("STS.sdk", "sdkSecret", "sdkToken").CallApi(params, req, noRetry)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := data(t, res), expectedPage(sub, "", 2, 2); !flowsEqual(got, want) {
			t.Errorf("Data = %v, want %v", got, want)
		}
	})
	t.Run("error", func(t *testing.T) {
		req := &openapiutil.OpenApiRequest{Query: openapiutil.Query(map[string]any{"CustSpaceId": "cams-nosuch00"})}
		_, err := newClient(testKeyID, testSecret, "").CallApi(params, req, noRetry)
		if err == nil || !strings.Contains(err.Error(), CodeUnknownResourceOwnerID) {
			t.Errorf("error %v, want %s", err, CodeUnknownResourceOwnerID)
		}
		_, err = newClient(testKeyID, "wrong", "").CallApi(params, req, noRetry)
		if err == nil || !strings.Contains(err.Error(), CodeSignatureDoesNotMatch) {
			t.Errorf("error %v, want %s", err, CodeSignatureDoesNotMatch)
		}
	})
}
