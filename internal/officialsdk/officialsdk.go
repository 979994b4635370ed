// Package officialsdk drives Alibaba Cloud's official generic OpenAPI client
// (darabonba-openapi, the layer under every product SDK) for tests: an
// independent client to check our wire format and the simulator against.
// Only tests import it.
package officialsdk

import (
	"net/url"
	"strconv"

	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"
)

// New returns the official client for an http:// endpoint with an AccessKey,
// and a security token when token is not empty.
func New(endpoint, id, secret, token string) (*openapi.Client, error) {
	u, err := url.Parse(endpoint)
	if err != nil {
		return nil, err
	}
	cfg := &openapiutil.Config{
		AccessKeyId: dara.String(id), AccessKeySecret: dara.String(secret),
		Endpoint: dara.String(u.Host), Protocol: dara.String("http"),
	}
	if token != "" {
		cfg.SecurityToken = dara.String(token)
	}
	return openapi.NewClient(cfg)
}

// ListFlowParams are ListFlow's API parameters, as the CAMS SDK declares them.
var ListFlowParams = rpcParams("ListFlow")

// GetFlowParams are GetFlow's API parameters, as the CAMS SDK declares them.
var GetFlowParams = rpcParams("GetFlow")

// rpcParams are the parameters the CAMS SDK declares for its operations.
func rpcParams(action string) *openapiutil.Params {
	return &openapiutil.Params{
		Action: dara.String(action), Version: dara.String("2020-06-06"), Protocol: dara.String("HTTP"),
		Pathname: dara.String("/"), Method: dara.String("POST"), AuthType: dara.String("AK"), Style: dara.String("RPC"),
		ReqBodyType: dara.String("formData"), BodyType: dara.String("json"),
	}
}

// ListFlow calls ListFlow as the CAMS SDK does, with CallApi: CustSpaceId
// (omitted when empty) and Page as JSON in the query. headers may pin
// x-acs-date and x-acs-signature-nonce. It returns the response body.
func ListFlow(c *openapi.Client, space string, index, size int, headers map[string]string) (map[string]any, error) {
	query := map[string]*string{"Page": dara.String(`{"Index":` + strconv.Itoa(index) + `,"Size":` + strconv.Itoa(size) + `}`)}
	return call(c, ListFlowParams, space, query, headers)
}

// GetFlow calls GetFlow as the CAMS SDK does, with CallApi: FlowId and
// CustSpaceId (omitted when empty) in the query. headers may pin x-acs-date
// and x-acs-signature-nonce. It returns the response body.
func GetFlow(c *openapi.Client, space, flowID string, headers map[string]string) (map[string]any, error) {
	return call(c, GetFlowParams, space, map[string]*string{"FlowId": dara.String(flowID)}, headers)
}

// call adds CustSpaceId (unless space is empty) to query and makes the call.
func call(c *openapi.Client, params *openapiutil.Params, space string, query map[string]*string, headers map[string]string) (map[string]any, error) {
	if space != "" {
		query["CustSpaceId"] = dara.String(space)
	}
	h := map[string]*string{}
	for k, v := range headers {
		h[k] = dara.String(v)
	}
	resp, err := c.CallApi(params, &openapiutil.OpenApiRequest{Query: query, Headers: h}, &dara.RuntimeOptions{})
	if err != nil {
		return nil, err
	}
	body, _ := resp["body"].(map[string]any)
	return body, nil
}
