package client

import "strings"

// permanentCodes are errors that the same request will meet again.
var permanentCodes = map[string]bool{
	"Ram.PermissionDeny":          true,
	"Product.Unsubscript":         true,
	"Unknown.ResourceOwnerId":     true,
	"SignatureDoesNotMatch":       true,
	"IncompleteSignature":         true,
	"InvalidTimeStamp.Expired":    true,
	"InvalidApi.NotFound":         true,
	"InvalidParameter":            true,
	"MissingParameter":            true,
	"Forbidden.RAM":               true,
	"Forbidden.AccessKeyDisabled": true,
	CodeNoWABA:                    true,
	CodePhoneNotBound:             true,
}

// transientCodes are errors a retry may not meet, whatever their HTTP
// status.
var transientCodes = map[string]bool{
	"SignatureNonceUsed": true,
	"InternalError":      true,
	"ServiceUnavailable": true,
	CodeMetaCallFailed:   true,
}

// permanentPrefixes cover families of key and token errors.
var permanentPrefixes = []string{"InvalidAccessKeyId.", "InvalidSecurityToken.", "Forbidden."}

// classify returns the class of an API error code answered with an HTTP
// status.
func classify(code string, status int) Class {
	switch {
	case code == "System.LimitControl" || code == "Throttling" || strings.HasPrefix(code, "Throttling.") || status == 429:
		return ClassThrottled
	case permanentCodes[code]:
		return ClassPermanent
	case hasAnyPrefix(code, permanentPrefixes):
		return ClassPermanent
	case status >= 500 || transientCodes[code]:
		return ClassTransient
	case status >= 400:
		return ClassPermanent
	default:
		// HTTP 2xx with an error Code the table does not know: most likely a
		// passing server-side problem, so a retry is cheap and may help.
		return ClassTransient
	}
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
