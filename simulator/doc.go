// Package simulator is a local stand-in for Alibaba Cloud's Chat App Message
// Service (CAMS) API, faithful enough to test a client against: it checks
// ACS3-HMAC-SHA256 signatures the way the API gateway does, answers ListFlow,
// GetFlow, ListInstance, QueryChatappPhoneNumbers, QueryChatappBindWaba,
// GetWhatsappHealthStatus and ListChatappTemplate from a data set, enforces each operation's flow
// control and can inject the faults a real deployment meets (error codes,
// 5xx, latency, hangs, broken bodies, connection resets).
//
// # API requests
//
// Every request outside /-/ is an API call. The checks run in the gateway's
// order and the first failure answers the gateway's JSON error envelope
// ({"RequestId","HostId","Code","Message","Recommend"}):
//
//   - method GET or POST, x-acs-action one of the operations above and
//     x-acs-version 2020-06-06, else InvalidApi.NotFound (404);
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
//   - the rate limit per AccessKeyId, else System.LimitControl (400): each
//     operation has a bucket of its own at its documented rate (ListFlow and
//     GetFlow 5 calls/s, or Config.RateLimit; QueryChatappPhoneNumbers and
//     QueryChatappBindWaba 10, GetWhatsappHealthStatus 5, ListChatappTemplate
//     5; see
//     [DocumentedRates] and Config.Rates), ListInstance shares ListFlow's;
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
// QueryChatappPhoneNumbers, QueryChatappBindWaba and GetWhatsappHealthStatus
// read their parameters from the query (as the SDK sends them) and answer
// in the official SDK's shapes, {"RequestId","Code":"OK","Message":
// "SUCCESS","Success":true,...}, from the data set's numbers, WABA and
// health (see [Space]), without paging:
//
//   - QueryChatappPhoneNumbers: "PhoneNumbers" at the top level, every
//     number of CustSpaceId (the own space when absent), each {PhoneNumber,
//     VerifiedName, Status, QualityRating, MessagingLimitTier,
//     CodeVerificationStatus, NameStatus, NewNameStatus, IsOfficial,
//     UpQueue, StatusQueue} (empty fields left out); Status filters.
//   - QueryChatappBindWaba: "Data" {Id, Name, BusinessId,
//     AccountReviewStatus, Currency, MessageTemplateNamespace}, or
//     ERR-OPERATION-MAAP-0060 (400) for a space without a WABA.
//   - GetWhatsappHealthStatus: "Data" {CanSendMessage, Entities}; see the
//     getHealthStatus method for its parameters, entities and errors
//     (MissingCustSpaceId, MissingNodeType, InvalidParameter,
//     ERR-OPERATION-MAAP-0060, ERR-OPERATION-MAAP-0065, ERR-FB-001,
//     DetailError.TemplateNotExist).
//
// ListChatappTemplate reads CustSpaceId (the own space when absent), Page
// (the JSON object the SDK sends, {"Index":1,"Size":20} when absent; see
// the listTemplates method for its bounds and errors) and the SDK's string
// filters from the query, and answers {"RequestId","Code":"OK","Message":
// "SUCCESS","Success":true,"Total","ListTemplate":[{TemplateCode,
// TemplateName, Language, Category, AuditStatus, Reason, TemplateType,
// LastUpdateTime}]}: that page of the space's [Template]s that match, in
// the data set's order, and how many match; ListTemplate never null.
//
// As for ListFlow, an unknown space answers Unknown.ResourceOwnerId and a
// space with an error code that code (any of the reference's, such as
// Ram.PermissionDeny naming the operation's RAM action, or ERR-FB-001).
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
//	PUT    /-/spaces/{id}/error              body {"code":"Ram.PermissionDeny"}; "" clears (every call on the space but ListInstance)
//	PUT    /-/spaces/{id}/endless            body {"endless":true}: every page full of new flows
//	GET    /-/requests                       the request log, a [RequestLog] as JSON
//	POST   /-/spaces/{id}/flows              add a [Flow] (JSON body)
//	PUT    /-/spaces/{id}/flows/{flowId}/status  body {"status":"PUBLISHED"}; "" gives the default
//	DELETE /-/spaces/{id}/flows/{flowId}     remove a flow
//	POST   /-/spaces/{id}/phone-numbers      add a [PhoneNumber] (JSON body)
//	PUT    /-/spaces/{id}/phone-numbers/{number}         change fields of a number, a [NumberChange]: {"QualityRating":"RED","Status":"FLAGGED"}
//	DELETE /-/spaces/{id}/phone-numbers/{number}         remove a number
//	PUT    /-/spaces/{id}/phone-numbers/{number}/health  the number's PHONE_NUMBER [Health]: {"CanSendMessage":"BLOCKED","Errors":[...]}
//	PUT    /-/spaces/{id}/waba               bind a [WABA] (JSON body, Id required), in place of the space's
//	DELETE /-/spaces/{id}/waba               unbind it (ERR-OPERATION-MAAP-0060 from then on)
//	PUT    /-/spaces/{id}/health/{entity}    the space's waba or business entity's [Health]
//	PUT    /-/app/health                     the account's APP entity's [Health], in every space's answers
//	PUT    /-/spaces/{id}/templates/{code}/{language}    a template's review, a [TemplateChange]: {"AuditStatus":"paused","Reason":""}; "_" is an empty language
//
// The PUT paths of numbers, WABAs, health and templates take POST as well.
//
// Answers with a body are 200, those without 204. Bad input answers 400 with
// a one-line text error; an unknown space, flow, number, entity, template
// or fault 404; a duplicate FlowId or PhoneNumber 409.
//
// The simulator logs nothing itself, and never a secret.
package simulator
