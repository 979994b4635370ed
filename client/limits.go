package client

import (
	"strings"
	"unicode/utf8"
)

// Bounds on what a response may bring in. Everything the client returns is
// cut to these lengths where it enters, so that a hostile or broken server
// cannot fill /status, the logs, the cache or a label value.
const (
	// MaxTextBytes bounds the text of an error: Message, RequestId, HostId,
	// Recommend and AccessDeniedDetail (its one-line form).
	MaxTextBytes = 512
	// MaxSpaceIDBytes bounds a CustSpaceId, configured or discovered; real
	// ones are short. A ListInstance page with a longer one is an invalid
	// response.
	MaxSpaceIDBytes = 128
	// MaxFlowIDBytes bounds a FlowId; real ones are short numbers.
	MaxFlowIDBytes = 128
	// MaxFlowNameBytes bounds a FlowName.
	MaxFlowNameBytes = 256
	// MaxCategoryBytes bounds one category value; documented ones are at
	// most 19 bytes.
	MaxCategoryBytes = 64
	// MaxCategoriesPerFlow is the most categories one flow may carry; a page
	// with a flow carrying more is an invalid response.
	MaxCategoriesPerFlow = 32
	// MaxPhoneNumbersPerAnswer is the most numbers a QueryChatappPhoneNumbers
	// answer may hold (it lists every number of a space at once; a real
	// space has a few); an answer holding more is an invalid response.
	MaxPhoneNumbersPerAnswer = 1000
	// MaxHealthEntities is the most entities a GetWhatsappHealthStatus
	// answer may hold (Meta lists at most five: the number or template, the
	// WABA, the business, the app); more is an invalid response.
	MaxHealthEntities = 100
	// MaxHealthErrorsPerEntity is the most Errors one health entity may
	// carry; more is an invalid response.
	MaxHealthErrorsPerEntity = 20
	// MaxPhoneNumberBytes bounds a phone number, sent or answered: E.164
	// numbers have at most 15 digits. An answer with a longer one is an
	// invalid response, so that every number answered can be asked about.
	MaxPhoneNumberBytes = 32
	// MaxEntityIDBytes bounds a WABA, business or template id. An answer
	// whose WABA id is longer is an invalid response (the id is sent back
	// in health queries); other ids are cut.
	MaxEntityIDBytes = 128
	// MaxNameBytes bounds a name: a number's VerifiedName, a WABA's Name and
	// MessageTemplateNamespace.
	MaxNameBytes = 256
	// MaxValueBytes bounds one value of an open set (a status, rating,
	// tier, currency, language, Meta error code), as MaxCategoryBytes does
	// for categories.
	MaxValueBytes = MaxCategoryBytes
	// MaxResponseHeaderBytes bounds the headers of a response.
	MaxResponseHeaderBytes = 64 << 10
	// MaxBodyBytes bounds the body of a response; a ListFlow page is a few
	// KB. A larger body is an invalid response.
	MaxBodyBytes = 8 << 20
)

// cutMark ends a string that was cut.
const cutMark = "..."

// Cut returns s if it is at most n bytes long, else its longest prefix that
// ends on a UTF-8 character boundary and leaves room for "..." within n
// bytes, followed by "...". The result never shares memory with a longer s,
// so cutting a huge string lets it be freed.
func Cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	if n <= len(cutMark) {
		return cutMark[:max(n, 0)]
	}
	end := n - len(cutMark)
	for end > 0 && !utf8.RuneStart(s[end]) {
		end--
	}
	return strings.Clone(s[:end]) + cutMark
}

// bounded cuts every text of e to MaxTextBytes and returns e.
func (e *Error) bounded() *Error {
	e.Code = Cut(e.Code, MaxTextBytes)
	e.Message = Cut(e.Message, MaxTextBytes)
	e.RequestID = Cut(e.RequestID, MaxTextBytes)
	e.HostID = Cut(e.HostID, MaxTextBytes)
	e.Recommend = Cut(e.Recommend, MaxTextBytes)
	e.AccessDeniedDetail = e.AccessDeniedDetail.bounded()
	return e
}

// bounded returns the detail with its one-line form at most MaxTextBytes
// long: an object whose form is longer becomes that form's cut text.
func (d AccessDeniedDetail) bounded() AccessDeniedDetail {
	if len(d.Fields) == 0 {
		d.Text = Cut(d.Text, MaxTextBytes)
		return d
	}
	if s := d.String(); len(s) > MaxTextBytes {
		return AccessDeniedDetail{Text: Cut(s, MaxTextBytes)}
	}
	return d
}
