package check

import (
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/refresh"
)

func space(id string, up bool, code string, took time.Duration) *refresh.SpaceState {
	st := &refresh.SpaceState{ID: id, Up: up, HasData: up, Count: 2, ByCategory: map[string]int{"SURVEY": 2}, LastDuration: took}
	if !up {
		st.LastError = &refresh.ErrorInfo{Code: code, Message: "m", RequestID: "R-" + id}
	}
	return st
}

func TestEvaluate(t *testing.T) {
	tests := []struct {
		name        string
		spaces      []*refresh.SpaceState
		throttled   int
		want        Status
		wantSummary string
	}{
		{"no space", nil, 0, Unknown, "no space to check"},
		{"all good", []*refresh.SpaceState{space("a", true, "", time.Second)}, 0, OK, "1 space, 2 flows"},
		{"slow", []*refresh.SpaceState{space("a", true, "", 6*time.Second)}, 0, Warning, "1 space slower than 5s"},
		{"throttled", []*refresh.SpaceState{space("a", true, "", time.Second)}, 2, Warning, "throttled 2 calls"},
		{"one failed", []*refresh.SpaceState{space("a", true, "", 0), space("b", false, "Product.Unsubscript", 0)}, 5, Critical, "1 space of 2 failed"},
		{"credentials everywhere", []*refresh.SpaceState{space("a", false, "Credentials", 0), space("b", false, "Credentials", 0)}, 0, Unknown, "no usable credentials"},
		{"credentials and another error", []*refresh.SpaceState{space("a", false, "Credentials", 0), space("b", false, "Ram.PermissionDeny", 0)}, 0, Critical, "2 spaces of 2 failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			states := map[string]*refresh.SpaceState{}
			for _, sp := range tt.spaces {
				states[sp.ID] = sp
			}
			snap := refresh.Snapshot{Completed: true}.WithSpaces(states)
			r := Evaluate(Input{Snapshot: snap, Throttled: tt.throttled, SlowAfter: 5 * time.Second})
			if r.Status != tt.want || !strings.Contains(r.Summary, tt.wantSummary) || r.State != tt.want.String() {
				t.Errorf("got %v %q, want %v %q", r.Status, r.Summary, tt.want, tt.wantSummary)
			}
		})
	}
}

func TestRemedy(t *testing.T) {
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
		"Something.New":                "",
	}
	for code, want := range tests {
		got := Remedy(code)
		if (want == "" && got != "") || !strings.Contains(got, want) {
			t.Errorf("Remedy(%s) = %q, want it to contain %q", code, got, want)
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
		cause, remedy := Explain(&refresh.ErrorInfo{Code: tt.code, Message: tt.message})
		if cause != tt.cause || !strings.Contains(remedy, tt.remedy) {
			t.Errorf("Explain(%s, %q) = %q, %q; want %q and a remedy containing %q", tt.code, tt.message, cause, remedy, tt.cause, tt.remedy)
		}
	}
	if c, r := Explain(nil); c != "" || r != "" {
		t.Errorf("Explain(nil) = %q, %q", c, r)
	}
}
