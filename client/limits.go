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
