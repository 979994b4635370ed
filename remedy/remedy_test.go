package remedy

import (
	"strings"
	"testing"
)

func TestFor(t *testing.T) {
	tests := map[string]string{
		"Ram.PermissionDeny":           "grant cams:ListFlow",
		"Product.Unsubscript":          "subscribe",
		"System.LimitControl":          "lower --cams.rate-limit",
		"Throttling.User":              "lower --cams.rate-limit",
		"Unknown.ResourceOwnerId":      "does not belong to this account",
		"Credentials":                  "ALIBABA_CLOUD_ACCESS_KEY_ID",
		"InvalidSecurityToken.Expired": "STS token",
		"InvalidTimeStamp.Expired":     "clock",
		"Timeout":                      "--cams.timeout",
		"NetworkError":                 "--cams.endpoint",
		"InvalidResponse":              "points at CAMS",
		"HTTP_502":                     "server-side",
		"TooManyPages":                 "--cams.max-pages",
		"ERR-OPERATION-MAAP-0060":      "not an error",
		"ERR-OPERATION-MAAP-0065":      "not bound to the space",
		"ERR-FB-001":                   "call to Meta failed",
		"Something.New":                "",
	}
	for code, want := range tests {
		got := For(code)
		if (want == "" && got != "") || !strings.Contains(got, want) {
			t.Errorf("For(%s) = %q, want it to contain %q", code, got, want)
		}
	}
}

func TestExplain(t *testing.T) {
	tests := []struct {
		code, message, cause, remedy string
	}{
		{"NetworkError", `Post "http://127.0.0.1:1/?CustSpaceId=x": dial tcp 127.0.0.1:1: connect: connection refused`, "connection refused", "nothing listens"},
		{"NetworkError", `Post "https://127.0.0.1:9/": http: server gave HTTP response to HTTPS client`, "server gave HTTP response to HTTPS client", "http://host:port in --cams.endpoint"},
		{"NetworkError", `Post "https://cams.nowhere.example/": dial tcp: lookup cams.nowhere.example: no such host`, "no such host", "DNS"},
		{"NetworkError", `Post "https://127.0.0.1:9/": tls: failed to verify certificate: x509: certificate signed by unknown authority`, "TLS certificate not trusted", "CA certificates"},
		{"NetworkError", `Post "https://cams.ap-southeast-1.aliyuncs.com/": proxyconnect tcp: dial tcp 10.0.0.1:3128: connect: connection refused`, "the proxy failed", "NO_PROXY"},
		{"NetworkError", `Post "http://127.0.0.1:9/": read tcp 127.0.0.1:5->127.0.0.1:9: read: connection reset by peer`, "connection reset", "retried"},
		{"NetworkError", `Post "http://127.0.0.1:9/": EOF`, "connection closed without an answer", "wrong port"},
		{"NetworkError", `Post "http://127.0.0.1:9/": something nobody foresaw`, "something nobody foresaw", "check network access"},
		{"InvalidResponse", `body is not valid JSON: "<html>502 Bad Gateway</html>"`, `body is not valid JSON: "<html>502 Bad Gateway</html>"`, "points at CAMS"},
		{"Timeout", `Post "http://127.0.0.1:9/": context deadline exceeded`, "", "raise --cams.timeout"},
		{"Ram.PermissionDeny", "You are not authorized", "", "grant cams:ListFlow"},
	}
	for _, tt := range tests {
		cause, remedy := Explain(tt.code, tt.message)
		if cause != tt.cause || !strings.Contains(remedy, tt.remedy) {
			t.Errorf("Explain(%s, %q) = %q, %q; want %q and a remedy containing %q", tt.code, tt.message, cause, remedy, tt.cause, tt.remedy)
		}
	}
	if c, r := Explain("", ""); c != "" || r != "" {
		t.Errorf(`Explain("", "") = %q, %q`, c, r)
	}
}
