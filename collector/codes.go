package collector

import (
	"regexp"
	"sync"

	"github.com/cams-exporter/cams_exporter/client"
)

// Bounds of the code labels (cams_api_errors_total, cams_space_error_info).
const (
	// MaxExtraErrorCodes is how many distinct codes outside KnownErrorCodes
	// are exported under their own name.
	MaxExtraErrorCodes = 30
	// OtherErrorCode stands for every code past MaxExtraErrorCodes and every
	// code of an unexpected shape.
	OtherErrorCode = "Other"
)

// DocumentedErrorCodes are ListFlow's documented error codes; their series
// exist from the start.
var DocumentedErrorCodes = []string{
	"System.LimitControl",
	"Ram.PermissionDeny",
	"Product.Unsubscript",
	"Unknown.ResourceOwnerId",
}

// KnownErrorCodes always pass through to the code label: the documented
// CAMS codes, the gateway's codes and the client's own outcome codes.
var KnownErrorCodes = []string{
	// CAMS
	"System.LimitControl",
	"Ram.PermissionDeny",
	"Product.Unsubscript",
	"Unknown.ResourceOwnerId",
	client.CodeNoWABA,
	client.CodePhoneNotBound,
	client.CodeMetaCallFailed,
	"CHAT.APIError",
	"ERR-COMMON-001",
	// gateway
	"SignatureDoesNotMatch",
	"IncompleteSignature",
	"InvalidAccessKeyId.NotFound",
	"InvalidAccessKeyId.Inactive",
	"InvalidSecurityToken.Expired",
	"InvalidTimeStamp.Expired",
	"SignatureNonceUsed",
	"InvalidApi.NotFound",
	"Throttling.User",
	"InternalError",
	"ServiceUnavailable",
	// client
	client.CodeTimeout,
	client.CodeNetworkError,
	client.CodeInvalidResponse,
	client.CodeCredentials,
	client.CodeTooManyPages,
}

var (
	knownCodes = func() map[string]struct{} {
		m := make(map[string]struct{}, len(KnownErrorCodes))
		for _, c := range KnownErrorCodes {
			m[c] = struct{}{}
		}
		return m
	}()
	wellFormedCode = regexp.MustCompile(`^(?:[A-Za-z][A-Za-z0-9._-]{0,63}|HTTP_[0-9]{3})$`)
)

// ErrorCodes bounds the values of a code label: known codes pass,
// well-formed others pass until MaxExtraErrorCodes distinct ones have been
// seen, the rest are OtherErrorCode. A code let through stays let through,
// and once the set is full nothing else is, so a code's label never
// changes once given. One set serves every family with a code label, so
// that they agree. Safe for concurrent use.
type ErrorCodes struct {
	mu     sync.RWMutex
	extras map[string]struct{} // codes outside knownCodes let through so far
}

// NewErrorCodes returns an empty set.
func NewErrorCodes() *ErrorCodes { return &ErrorCodes{extras: map[string]struct{}{}} }

// Label returns the label value of code.
func (c *ErrorCodes) Label(code string) string {
	if _, ok := knownCodes[code]; ok {
		return code
	}
	if !wellFormedCode.MatchString(code) {
		return OtherErrorCode
	}
	c.mu.RLock()
	_, seen := c.extras[code]
	full := len(c.extras) >= MaxExtraErrorCodes
	c.mu.RUnlock()
	if seen {
		return code
	}
	if full {
		return OtherErrorCode
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, seen := c.extras[code]; !seen {
		if len(c.extras) >= MaxExtraErrorCodes {
			return OtherErrorCode
		}
		c.extras[code] = struct{}{}
	}
	return code
}
