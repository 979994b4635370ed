package simulator

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Error codes the simulator answers, with the HTTP status of the reference's
// table (see [StatusOf]).
const (
	CodeSignatureDoesNotMatch         = "SignatureDoesNotMatch"
	CodeIncompleteSignature           = "IncompleteSignature"
	CodeInvalidAccessKeyIDNotFound    = "InvalidAccessKeyId.NotFound"
	CodeInvalidAccessKeyIDInactive    = "InvalidAccessKeyId.Inactive"
	CodeInvalidSecurityTokenExpired   = "InvalidSecurityToken.Expired"
	CodeInvalidSecurityTokenMalformed = "InvalidSecurityToken.Malformed"
	CodeInvalidSecurityTokenMismatch  = "InvalidSecurityToken.MismatchWithAccessKey"
	CodeInvalidTimeStampExpired       = "InvalidTimeStamp.Expired"
	CodeSignatureNonceUsed            = "SignatureNonceUsed"
	CodeInvalidAPINotFound            = "InvalidApi.NotFound"
	CodeInvalidParameter              = "InvalidParameter"
	CodeThrottlingUser                = "Throttling.User"
	CodeSystemLimitControl            = "System.LimitControl"
	CodeProductUnsubscript            = "Product.Unsubscript"
	CodeRAMPermissionDeny             = "Ram.PermissionDeny"
	CodeUnknownResourceOwnerID        = "Unknown.ResourceOwnerId"
	CodeInternalError                 = "InternalError"
	CodeServiceUnavailable            = "ServiceUnavailable"
	// Codes of CAMS's public error code list.
	CodeNoWABA            = "ERR-OPERATION-MAAP-0060"
	CodePhoneNotBound     = "ERR-OPERATION-MAAP-0065"
	CodeMetaRequestFailed = "ERR-FB-001"
	CodeChatAPIError      = "CHAT.APIError"
	CodeCommonError       = "ERR-COMMON-001"
	CodeTemplateNotExist  = "DetailError.TemplateNotExist"
)

type codeInfo struct {
	status  int
	message string
}

var knownCodes = map[string]codeInfo{
	CodeSignatureDoesNotMatch:         {400, "Specified signature does not match our calculation."},
	CodeIncompleteSignature:           {400, "The request signature does not conform to Aliyun standards."},
	CodeInvalidAccessKeyIDNotFound:    {404, "Specified access key is not found."},
	CodeInvalidAccessKeyIDInactive:    {400, "Specified access key is disabled."},
	CodeInvalidSecurityTokenExpired:   {400, "Specified SecurityToken is expired."},
	CodeInvalidSecurityTokenMalformed: {400, "Specified SecurityToken is missing or malformed."},
	CodeInvalidSecurityTokenMismatch:  {400, "Specified SecurityToken mismatch with the AccessKey."},
	CodeInvalidTimeStampExpired:       {400, "Specified time stamp or date value is expired."},
	CodeSignatureNonceUsed:            {400, "Specified signature nonce was used already."},
	CodeInvalidAPINotFound:            {404, "Specified api is not found, please check your url and method."},
	CodeInvalidParameter:              {400, "The specified parameter is not valid."},
	CodeThrottlingUser:                {400, "Request was denied due to user flow control."},
	CodeSystemLimitControl:            {400, "The system is under flow control."},
	CodeProductUnsubscript:            {400, "You have not subscribed to the specified product."},
	CodeRAMPermissionDeny:             {400, "You are not authorized to perform the operation."},
	CodeUnknownResourceOwnerID:        {400, "The resource does not belong to the current user."},
	CodeInternalError:                 {500, "The request processing has failed due to some unknown error, exception or failure."},
	CodeServiceUnavailable:            {503, "The request has failed due to a temporary failure of the server."},
	CodeNoWABA:                        {400, "The subscriber has not bind WABA."},
	CodePhoneNotBound:                 {400, "The phoneCode is not bind to the subscriber."},
	CodeMetaRequestFailed:             {400, "Unsupported get request. Does not exist, cannot be loaded due to missing permissions, Or does not support this operation. Please read the Graph API documentation at https://developers.facebook.com/docs/graph-api."},
	CodeChatAPIError:                  {500, "You are not authorized to do this operation."},
	CodeCommonError:                   {500, "System exception, please contact administrator."},
	CodeTemplateNotExist:              {400, "The template is not exist."},
}

// KnownCode reports whether the simulator knows code (it is one of the Code*
// constants).
func KnownCode(code string) bool {
	_, ok := knownCodes[code]
	return ok
}

// StatusOf returns the HTTP status the simulator answers code with: the
// reference's table for known codes, 400 for the others.
func StatusOf(code string) int {
	if c, ok := knownCodes[code]; ok {
		return c.status
	}
	return http.StatusBadRequest
}

// apiError is an error answer of the API.
type apiError struct {
	status  int
	code    string
	message string
	detail  any         // AccessDeniedDetail; see accessDeniedDetail
	header  http.Header // extra response headers
}

// objectDetail asks for the gateway's object form of AccessDeniedDetail.
type objectDetail struct{}

// accessDeniedDetail renders the detail of an answer to action: a string
// for a CAMS body, the gateway's object for objectDetail, and for a
// Ram.PermissionDeny without one a CAMS string naming the RAM action
// ("cams:" and the operation), as the denial of that action would. nil
// leaves the field out.
func (e *apiError) accessDeniedDetail(action string) any {
	switch d := e.detail.(type) {
	case nil:
		if e.code == CodeRAMPermissionDeny {
			return "NoPermissionType: ImplicitDeny; AuthAction: " + ramAction(action)
		}
		return nil
	case objectDetail:
		o := objectDenyDetail
		o.AuthAction = ramAction(action)
		return o
	default:
		return d
	}
}

// ramAction is the RAM action an operation needs, such as cams:ListFlow.
func ramAction(action string) string { return Product + ":" + action }

// newError returns the error code with its table status and message, the
// message followed by detail when detail is not empty.
func newError(code, detail string) *apiError {
	info, ok := knownCodes[code]
	if !ok {
		info = codeInfo{http.StatusBadRequest, "The request has failed: " + code + "."}
	}
	msg := info.message
	if detail != "" {
		msg += " " + detail
	}
	return &apiError{status: info.status, code: code, message: msg}
}

// errorBody is the gateway's error envelope.
type errorBody struct {
	RequestId          string
	HostId             string
	Code               string
	Message            string
	Recommend          string
	AccessDeniedDetail any `json:",omitempty"`
}

func (e *apiError) body(requestID, host, action string) errorBody {
	return errorBody{
		RequestId:          requestID,
		HostId:             host,
		Code:               e.code,
		Message:            e.message,
		Recommend:          "https://api.aliyun.com/troubleshoot?q=" + url.QueryEscape(e.code) + "&product=" + Product + "&requestId=" + requestID,
		AccessDeniedDetail: e.accessDeniedDetail(action),
	}
}

// newRequestID returns a random version 4 UUID in upper case, the form of
// Alibaba Cloud's request IDs.
func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return strings.ToUpper(fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:]))
}

// marshal encodes v as JSON without HTML escaping (the gateway's bodies keep
// '&' as it is).
func marshal(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic("simulator: encoding a response: " + err.Error()) // only our own types are encoded
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// writeBody writes an answer with its Content-Length.
func writeBody(w http.ResponseWriter, status int, contentType string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Length", fmt.Sprint(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body) // the client may have gone; nothing to do about it
}

const jsonContentType = "application/json;charset=utf-8"
