package officialsdk

// The response bodies of the CAMS SDK (alibabacloud-go/cams-20200606
// v6.3.0, client/*_response_body_model.go), field for field with their JSON
// names and types, but for the nested objects a monitor does not read
// (a number's CallingConfigure, a WABA's AuthInternationalRateEligibility).
// The module is not on the module proxy, so its models are copied here.

// QueryChatappPhoneNumbersResponseBody is the SDK's model of
// QueryChatappPhoneNumbers's answer.
type QueryChatappPhoneNumbersResponseBody struct {
	AccessDeniedDetail *string                                             `json:"AccessDeniedDetail,omitempty"`
	Code               *string                                             `json:"Code,omitempty"`
	Data               *string                                             `json:"Data,omitempty"`
	Message            *string                                             `json:"Message,omitempty"`
	PhoneNumbers       []*QueryChatappPhoneNumbersResponseBodyPhoneNumbers `json:"PhoneNumbers,omitempty"`
	RequestId          *string                                             `json:"RequestId,omitempty"`
	Success            *bool                                               `json:"Success,omitempty"`
}

// QueryChatappPhoneNumbersResponseBodyPhoneNumbers is one number.
type QueryChatappPhoneNumbersResponseBodyPhoneNumbers struct {
	CodeVerificationStatus *string `json:"CodeVerificationStatus,omitempty"`
	IsOfficial             *string `json:"IsOfficial,omitempty"`
	MessagingLimitTier     *string `json:"MessagingLimitTier,omitempty"`
	NameStatus             *string `json:"NameStatus,omitempty"`
	NewNameStatus          *string `json:"NewNameStatus,omitempty"`
	PhoneNumber            *string `json:"PhoneNumber,omitempty"`
	QualityRating          *string `json:"QualityRating,omitempty"`
	Status                 *string `json:"Status,omitempty"`
	StatusCallbackUrl      *string `json:"StatusCallbackUrl,omitempty"`
	StatusQueue            *string `json:"StatusQueue,omitempty"`
	UpCallbackUrl          *string `json:"UpCallbackUrl,omitempty"`
	UpQueue                *string `json:"UpQueue,omitempty"`
	VerifiedName           *string `json:"VerifiedName,omitempty"`
}

// QueryChatappBindWabaResponseBody is the SDK's model of
// QueryChatappBindWaba's answer.
type QueryChatappBindWabaResponseBody struct {
	AccessDeniedDetail *string                               `json:"AccessDeniedDetail,omitempty"`
	Code               *string                               `json:"Code,omitempty"`
	Data               *QueryChatappBindWabaResponseBodyData `json:"Data,omitempty"`
	Message            *string                               `json:"Message,omitempty"`
	RequestId          *string                               `json:"RequestId,omitempty"`
	Success            *bool                                 `json:"Success,omitempty"`
}

// QueryChatappBindWabaResponseBodyData is the WABA.
type QueryChatappBindWabaResponseBodyData struct {
	AccountReviewStatus        *string `json:"AccountReviewStatus,omitempty"`
	BusinessId                 *string `json:"BusinessId,omitempty"`
	BusinessName               *string `json:"BusinessName,omitempty"`
	Currency                   *string `json:"Currency,omitempty"`
	Id                         *string `json:"Id,omitempty"`
	IsOnBizApp                 *string `json:"IsOnBizApp,omitempty"`
	MarketingMessageLiteStatus *string `json:"MarketingMessageLiteStatus,omitempty"`
	MessageTemplateNamespace   *string `json:"MessageTemplateNamespace,omitempty"`
	Name                       *string `json:"Name,omitempty"`
	PrimaryBusinessLocation    *string `json:"PrimaryBusinessLocation,omitempty"`
}

// GetWhatsappHealthStatusResponseBody is the SDK's model of
// GetWhatsappHealthStatus's answer.
type GetWhatsappHealthStatusResponseBody struct {
	AccessDeniedDetail *string                                  `json:"AccessDeniedDetail,omitempty"`
	Code               *string                                  `json:"Code,omitempty"`
	Data               *GetWhatsappHealthStatusResponseBodyData `json:"Data,omitempty"`
	Message            *string                                  `json:"Message,omitempty"`
	RequestId          *string                                  `json:"RequestId,omitempty"`
	Success            *bool                                    `json:"Success,omitempty"`
}

// GetWhatsappHealthStatusResponseBodyData is the overall health and the
// entities.
type GetWhatsappHealthStatusResponseBodyData struct {
	CanSendMessage *string                                            `json:"CanSendMessage,omitempty"`
	Entities       []*GetWhatsappHealthStatusResponseBodyDataEntities `json:"Entities,omitempty"`
}

// GetWhatsappHealthStatusResponseBodyDataEntities is one entity.
type GetWhatsappHealthStatusResponseBodyDataEntities struct {
	BusinessId     *string                                                  `json:"BusinessId,omitempty"`
	CanSendMessage *string                                                  `json:"CanSendMessage,omitempty"`
	EntityType     *string                                                  `json:"EntityType,omitempty"`
	Errors         []*GetWhatsappHealthStatusResponseBodyDataEntitiesErrors `json:"Errors,omitempty"`
	Language       *string                                                  `json:"Language,omitempty"`
	PhoneNumber    *string                                                  `json:"PhoneNumber,omitempty"`
	TemplateCode   *string                                                  `json:"TemplateCode,omitempty"`
	WabaId         *string                                                  `json:"WabaId,omitempty"`
}

// GetWhatsappHealthStatusResponseBodyDataEntitiesErrors is one error of an
// entity.
type GetWhatsappHealthStatusResponseBodyDataEntitiesErrors struct {
	ErrorCode        *string `json:"ErrorCode,omitempty"`
	ErrorDescription *string `json:"ErrorDescription,omitempty"`
	PossibleSolution *string `json:"PossibleSolution,omitempty"`
}

// ListChatappTemplateRequestPage is the SDK's model of ListChatappTemplate's
// Page, which the SDK sends as JSON in the query (PageShrink).
type ListChatappTemplateRequestPage struct {
	Index *int32 `json:"Index,omitempty"`
	Size  *int32 `json:"Size,omitempty"`
}

// ListChatappTemplateResponseBody is the SDK's model of
// ListChatappTemplate's answer.
type ListChatappTemplateResponseBody struct {
	AccessDeniedDetail *string                                        `json:"AccessDeniedDetail,omitempty"`
	Code               *string                                        `json:"Code,omitempty"`
	ListTemplate       []*ListChatappTemplateResponseBodyListTemplate `json:"ListTemplate,omitempty"`
	Message            *string                                        `json:"Message,omitempty"`
	RequestId          *string                                        `json:"RequestId,omitempty"`
	Success            *bool                                          `json:"Success,omitempty"`
	Total              *int32                                         `json:"Total,omitempty"`
}

// ListChatappTemplateResponseBodyListTemplate is one template.
type ListChatappTemplateResponseBodyListTemplate struct {
	AuditStatus    *string `json:"AuditStatus,omitempty"`
	Category       *string `json:"Category,omitempty"`
	Language       *string `json:"Language,omitempty"`
	LastUpdateTime *int64  `json:"LastUpdateTime,omitempty"`
	Reason         *string `json:"Reason,omitempty"`
	TemplateCode   *string `json:"TemplateCode,omitempty"`
	TemplateName   *string `json:"TemplateName,omitempty"`
	TemplateType   *string `json:"TemplateType,omitempty"`
}
