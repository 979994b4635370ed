// Package remedy says what caused a failure and what to do about it, for
// everything that shows failures to people: check's report, /status (JSON
// and HTML) and the refresher's log. It knows CAMS's error codes and the
// client's own (client.CodeNetworkError, ...), not where they are shown.
package remedy

import (
	"strings"

	"github.com/cams-exporter/cams_exporter/client"
)

// For says what to do about a failure with this error code: one line for
// people, naming the flag or setting to look at; "" for a code it knows
// nothing about.
func For(code string) string {
	switch {
	case code == "Ram.PermissionDeny":
		return "grant cams:ListFlow to the RAM identity the exporter runs as"
	case code == "Product.Unsubscript":
		return "subscribe the account to Chat App Message Service (CAMS)"
	case code == "System.LimitControl" || strings.HasPrefix(code, "Throttling"):
		return "lower --cams.rate-limit or stop other callers of ListFlow on this account (5 calls/s in all)"
	case code == "Unknown.ResourceOwnerId":
		return "the space id does not belong to this account: check --cams.space / --cams.spaces-file"
	case code == client.CodeCredentials:
		return "set credentials; the chain reads " + client.ChainVariables
	case code == "SignatureDoesNotMatch" || strings.HasPrefix(code, "InvalidAccessKeyId"):
		return "check the AccessKeyId and AccessKeySecret"
	case strings.HasPrefix(code, "InvalidSecurityToken"):
		return "the STS token is missing, wrong or expired: check the credentials source"
	case code == "InvalidTimeStamp.Expired":
		return "the clock of this host is off: synchronise it (NTP)"
	case code == client.CodeTimeout:
		return "no answer within --cams.timeout: check network access to the endpoint, or raise --cams.timeout"
	case code == client.CodeNetworkError:
		return "check network access to the endpoint: --cams.endpoint or --cams.region, DNS, firewall and proxy settings"
	case code == client.CodeInvalidResponse:
		return "the endpoint answered something other than CAMS's JSON: check that --cams.endpoint points at CAMS and that no proxy rewrites its answers"
	case strings.HasPrefix(code, "HTTP_5") || code == "InternalError" || code == "ServiceUnavailable":
		return "CAMS had a server-side problem: retry later"
	case code == client.CodeNoWABA:
		return noWABARemedy
	case code == client.CodePhoneNotBound:
		return phoneNotBoundRemedy
	case code == client.CodeMetaCallFailed:
		return metaCallFailedRemedy
	case code == client.CodeTooManyPages:
		return "the listing never reached a short page: if the space really holds that many flows, raise --cams.max-pages or --cams.page-size; if its pages never end, report it to Alibaba Cloud"
	}
	return ""
}
