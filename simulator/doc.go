// Package simulator is a local stand-in for Alibaba Cloud's Chat App Message
// Service (CAMS) API, faithful enough to test a client against: it checks
// ACS3-HMAC-SHA256 signatures the way the API gateway does, answers ListFlow,
// GetFlow and ListInstance from a data set, enforces the 5 calls/s flow
// control and can inject the faults a real deployment meets (error codes,
// 5xx, latency, hangs, broken bodies, connection resets).
//
// # API requests
//
// Every request outside /-/ is an API call. The checks run in the gateway's
// order and the first failure answers the gateway's JSON error envelope
// ({"RequestId","HostId","Code","Message","Recommend"}):
//
//   - method GET or POST, x-acs-action ListFlow, GetFlow or ListInstance
//     and x-acs-version 2020-06-06, else InvalidApi.NotFound (404);
//   - an ACS3-HMAC-SHA256 Authorization header that signs host, x-acs-action,
//     x-acs-version, x-acs-date, x-acs-signature-nonce, x-acs-content-sha256
//     (and x-acs-security-token and x-acs-accesskey-id when sent), else
//     IncompleteSignature (400);
//   - a known AccessKeyId, else InvalidAccessKeyId.NotFound (404);
//   - x-acs-date within 15 minutes, else InvalidTimeStamp.Expired (400);
//   - the security token and expiry of the credential, else (all 400)
//     InvalidSecurityToken.Malformed (token missing), .MismatchWithAccessKey
//     (a token that is not the key's), .Expired (the token's credential has
//     expired), or InvalidAccessKeyId.Inactive (an expired key without token);
//   - x-acs-content-sha256 and the signature, else SignatureDoesNotMatch (400);
//   - a nonce not seen in the last 15 minutes, else SignatureNonceUsed (400);
//   - the rate limit per AccessKeyId, else System.LimitControl (400): GetFlow
//     has a bucket of its own, ListFlow and ListInstance share one;
//   - injected faults (see [Fault]); then the operation.
//
// ListFlow reads FlowName, Page and CustSpaceId from the query (as the SDK
// sends them) and from a form body. A bad Page answers InvalidParameter
// (400); an unknown CustSpaceId Unknown.ResourceOwnerId (400); a space with
// an error code that code. Success is {"RequestId","Code":"OK",
// "Message":"SUCCESS","Data":[...]}, Data never null.
//
// GetFlow reads FlowId and CustSpaceId from the query (as the SDK sends
// them) and answers {"RequestId","Code":"OK","Message":"SUCCESS","Data":
// {"FlowId","FlowName","Categories","Status","JSONVersion","DataApiVersion",
// "EndpointUri","PreviewUrl","PreviewUrlExpires"}}, Status the flow's
// "Status" in the data set (DRAFT when it has none); ListFlow never answers
// a Status. Its errors are inferred (see the getFlow method): no FlowId
// answers MissingFlowId (400); an unknown space, or a FlowId the space does
// not hold, Unknown.ResourceOwnerId (400); a space with an error code that
// code. A Ram.PermissionDeny names the RAM action of the call (cams:GetFlow,
// cams:ListFlow, ...).
//
// ListInstance lists the sub-customer spaces (every space but the account's
// own; a space with an error code too), one instance each, in the data set's
// order. It reads ChannelType (compared without regard to case, empty for
// all), PageIndex (default 1) and PageSize (default 10, at most MaxPageSize;
// CAMS documents neither default) as plain integers; a bad one answers
// InvalidParameter (400) naming it. Success is, as the official SDK declares
// it, {"RequestId","Code":"OK","Message":"SUCCESS","Success":true,
// "TotalCount","Data":[{"CustSpaceId","InstanceId":"cams-inst-<id without
// cams->","InstanceName":"<id> instance","ChannelType","State":"published",
// "ResourceRegionId":"ap-southeast-1","SubmitTime"}]}, with no PageIndex or
// PageSize, ChannelType the space's as loaded (default "whatsapp"). Faults
// without a space or page apply to it (see [Fault]).
//
// # Control endpoint
//
// Paths under /-/ need no signature; they are a local test tool. The account's
// own space (id "") is written "_" in paths.
//
//	GET    /-/healthy                        200 "OK"
//	GET    /-/stats                          [Stats] as JSON
//	GET    /-/dataset                        the current [Dataset] as JSON
//	GET    /-/faults                         active faults, a JSON list
//	POST   /-/faults                         inject a [Fault] (JSON body); answers {"id":N}
//	DELETE /-/faults                         clear all faults
//	DELETE /-/faults/{id}                    clear one fault
//	POST   /-/spaces/{id}                    add an empty space
//	DELETE /-/spaces/{id}                    delete a space
//	PUT    /-/spaces/{id}/error              body {"code":"Ram.PermissionDeny"}; "" clears
//	PUT    /-/spaces/{id}/endless            body {"endless":true}: every page full of new flows
//	GET    /-/requests                       the request log, a [RequestLog] as JSON
//	POST   /-/spaces/{id}/flows              add a [Flow] (JSON body)
//	PUT    /-/spaces/{id}/flows/{flowId}/status  body {"status":"PUBLISHED"}; "" gives the default
//	DELETE /-/spaces/{id}/flows/{flowId}     remove a flow
//
// Answers with a body are 200, those without 204. Bad input answers 400 with
// a one-line text error; an unknown space, flow or fault 404; a duplicate
// FlowId 409.
//
// The simulator logs nothing itself, and never a secret.
package simulator
