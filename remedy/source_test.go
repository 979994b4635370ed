package remedy

import (
	"strings"
	"testing"
)

func TestForSource(t *testing.T) {
	tests := []struct {
		collector, operation, code string
		want                       []string
		not                        string
	}{
		{"phone-numbers", "QueryChatappPhoneNumbers", "Ram.PermissionDeny",
			[]string{"grant cams:QueryChatappPhoneNumbers", "without --collector.phone-numbers"}, "ListFlow"},
		{"waba", "QueryChatappBindWaba", "Ram.PermissionDeny", []string{"grant cams:QueryChatappBindWaba", "--collector.waba"}, "ListFlow"},
		{"messaging-health", "GetWhatsappHealthStatus", "Ram.PermissionDeny", []string{"grant cams:GetWhatsappHealthStatus"}, "ListFlow"},
		// Each operation's documented limit, not ListFlow's.
		{"phone-numbers", "QueryChatappPhoneNumbers", "System.LimitControl",
			[]string{"lower --cams.phone-numbers-rate-limit", "callers of QueryChatappPhoneNumbers", "(10 calls/s in all)"}, "--cams.rate-limit"},
		{"messaging-health", "GetWhatsappHealthStatus", "Throttling.User",
			[]string{"lower --cams.messaging-health-rate-limit", "(5 calls/s in all)"}, "--cams.rate-limit"},
		{"waba", "QueryChatappBindWaba", "ERR-OPERATION-MAAP-0060", []string{"not an error", "no WhatsApp Business Account bound"}, ""},
		{"messaging-health", "GetWhatsappHealthStatus", "ERR-OPERATION-MAAP-0065", []string{"not bound to the space"}, ""},
		{"messaging-health", "GetWhatsappHealthStatus", "ERR-FB-001", []string{"call to Meta failed", "WhatsApp Manager"}, ""},
		// The common codes keep their remedies.
		{"waba", "QueryChatappBindWaba", "Product.Unsubscript", []string{"subscribe"}, ""},
		{"waba", "QueryChatappBindWaba", "Credentials", []string{"ALIBABA_CLOUD_ACCESS_KEY_ID"}, ""},
		{"waba", "QueryChatappBindWaba", "Timeout", []string{"--cams.timeout"}, ""},
		// A paged source's listing cut short: its own page size, not ListFlow's.
		{"templates", "ListChatappTemplate", "TooManyPages", []string{"raise --cams.max-pages or --templates.page-size", "neither its Total nor a short page"}, "flows"},
	}
	for _, tt := range tests {
		got := ForSource(tt.collector, tt.operation, tt.code)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("ForSource(%s, %s) = %q, want it to say %q", tt.collector, tt.code, got, w)
			}
		}
		if tt.not != "" && strings.Contains(got, tt.not) {
			t.Errorf("ForSource(%s, %s) = %q names %q", tt.collector, tt.code, got, tt.not)
		}
	}
	if got := ForSource("waba", "QueryChatappBindWaba", "Something.New"); got != "" {
		t.Errorf("an unknown code has remedy %q", got)
	}
}

func TestExplainSource(t *testing.T) {
	cause, fix := ExplainSource("waba", "QueryChatappBindWaba", "NetworkError", `Post "http://127.0.0.1:1/": dial tcp 127.0.0.1:1: connect: connection refused`)
	if cause != "connection refused" || !strings.Contains(fix, "nothing listens") {
		t.Errorf("network failure: %q, %q", cause, fix)
	}
	cause, fix = ExplainSource("waba", "QueryChatappBindWaba", "Ram.PermissionDeny", "You are not authorized")
	if cause != "" || !strings.Contains(fix, "grant cams:QueryChatappBindWaba") {
		t.Errorf("denied: %q, %q", cause, fix)
	}
}
