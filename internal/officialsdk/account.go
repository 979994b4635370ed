package officialsdk

import (
	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	openapiutil "github.com/alibabacloud-go/darabonba-openapi/v2/utils"
	"github.com/alibabacloud-go/tea/dara"
)

// QueryPhoneNumbersParams are QueryChatappPhoneNumbers's API parameters, as
// the CAMS SDK declares them.
var QueryPhoneNumbersParams = rpcParams("QueryChatappPhoneNumbers")

// QueryBindWabaParams are QueryChatappBindWaba's API parameters, as the CAMS
// SDK declares them.
var QueryBindWabaParams = rpcParams("QueryChatappBindWaba")

// GetHealthStatusParams are GetWhatsappHealthStatus's API parameters, as the
// CAMS SDK declares them.
var GetHealthStatusParams = rpcParams("GetWhatsappHealthStatus")

// ListTemplatesParams are ListChatappTemplate's API parameters, as the CAMS
// SDK declares them.
var ListTemplatesParams = rpcParams("ListChatappTemplate")

// ListTemplates calls ListChatappTemplate as the CAMS SDK does, with
// CallApi: CustSpaceId (omitted when empty), page (omitted when nil)
// rendered as the SDK renders its PageShrink (JSON, by the generic client's
// ArrayToStringWithSpecifiedStyle) and filters (AuditStatus, Category, Code,
// Language, Name, TemplateType...; those set) in the query. It returns the
// response body.
func ListTemplates(c *openapi.Client, space string, page *ListChatappTemplateRequestPage, filters, headers map[string]string) (map[string]any, error) {
	query := map[string]*string{}
	for k, v := range filters {
		query[k] = dara.String(v)
	}
	if page != nil {
		query["Page"] = openapiutil.ArrayToStringWithSpecifiedStyle(page, dara.String("Page"), dara.String("json"))
	}
	return call(c, ListTemplatesParams, space, query, headers)
}

// QueryPhoneNumbers calls QueryChatappPhoneNumbers as the CAMS SDK does,
// with CallApi: CustSpaceId (omitted when empty) in the query. headers may
// pin x-acs-date and x-acs-signature-nonce. It returns the response body.
func QueryPhoneNumbers(c *openapi.Client, space string, headers map[string]string) (map[string]any, error) {
	return call(c, QueryPhoneNumbersParams, space, map[string]*string{}, headers)
}

// QueryBindWaba calls QueryChatappBindWaba as the CAMS SDK does, with
// CallApi: CustSpaceId (omitted when empty) in the query. It returns the
// response body.
func QueryBindWaba(c *openapi.Client, space string, headers map[string]string) (map[string]any, error) {
	return call(c, QueryBindWabaParams, space, map[string]*string{}, headers)
}

// GetHealthStatus calls GetWhatsappHealthStatus as the CAMS SDK does, with
// CallApi: CustSpaceId (omitted when empty) and node's parameters (NodeType,
// WabaId, PhoneNumber, TemplateCode, Language; those set) in the query. It
// returns the response body.
func GetHealthStatus(c *openapi.Client, space string, node map[string]string, headers map[string]string) (map[string]any, error) {
	query := map[string]*string{}
	for k, v := range node {
		query[k] = dara.String(v)
	}
	return call(c, GetHealthStatusParams, space, query, headers)
}

// Decode converts a response body into one of the SDK's models (see
// models.go) the way the CAMS SDK does (dara.Convert: JSON, numbers kept).
func Decode(body map[string]any, model any) error {
	return dara.Convert(body, model)
}
