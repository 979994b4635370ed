package client

import (
	"context"
	"math"
	"strings"
	"testing"
)

// Config.Rates, RateLimit and GetFlowRateLimit resolve to one rate per
// operation: each operation's default is 80% of its documented limit
// (5, 5, 10, 10 and 5 calls a second).
func TestRatesResolve(t *testing.T) {
	tests := []struct {
		name    string
		cfg     Config
		want    map[string]float64 // rates of the limiters; nil when refused
		wantErr string
	}{
		{"defaults", Config{}, map[string]float64{"ListFlow": 4, "GetFlow": 4, "QueryChatappPhoneNumbers": 8, "QueryChatappBindWaba": 8, "GetWhatsappHealthStatus": 4}, ""},
		{"the old fields", Config{RateLimit: 2, GetFlowRateLimit: 3},
			map[string]float64{"ListFlow": 2, "GetFlow": 3, "QueryChatappPhoneNumbers": 8, "QueryChatappBindWaba": 8, "GetWhatsappHealthStatus": 4}, ""},
		{"Rates", Config{Rates: map[string]float64{"ListFlow": 1, "GetFlow": 1.5, "QueryChatappPhoneNumbers": 9, "QueryChatappBindWaba": 0.5, "GetWhatsappHealthStatus": 2}},
			map[string]float64{"ListFlow": 1, "GetFlow": 1.5, "QueryChatappPhoneNumbers": 9, "QueryChatappBindWaba": 0.5, "GetWhatsappHealthStatus": 2}, ""},
		{"Rates agreeing with the old fields", Config{RateLimit: 2, GetFlowRateLimit: 3, Rates: map[string]float64{"ListFlow": 2, "GetFlow": 3}},
			map[string]float64{"ListFlow": 2, "GetFlow": 3, "QueryChatappPhoneNumbers": 8, "QueryChatappBindWaba": 8, "GetWhatsappHealthStatus": 4}, ""},
		{"zero is the default", Config{Rates: map[string]float64{"GetWhatsappHealthStatus": 0}},
			map[string]float64{"ListFlow": 4, "GetFlow": 4, "QueryChatappPhoneNumbers": 8, "QueryChatappBindWaba": 8, "GetWhatsappHealthStatus": 4}, ""},
		{"disagreeing", Config{RateLimit: 2, Rates: map[string]float64{"ListFlow": 3}}, nil, "two rate limits for ListFlow: 2 in RateLimit and 3 in Rates; give one"},
		{"disagreeing GetFlow", Config{GetFlowRateLimit: 2, Rates: map[string]float64{"GetFlow": 3}}, nil, "two rate limits for GetFlow: 2 in GetFlowRateLimit and 3 in Rates; give one"},
		{"unknown operation", Config{Rates: map[string]float64{"SendChatappMessage": 1}}, nil,
			`rate limit of unknown operation "SendChatappMessage": known are GetFlow, GetWhatsappHealthStatus, ListChatappTemplate, ListFlow, QueryChatappBindWaba, QueryChatappPhoneNumbers`},
		{"ListInstance shares ListFlow's", Config{Rates: map[string]float64{"ListInstance": 1}}, nil, `rate limit of unknown operation "ListInstance"`},
		{"negative", Config{Rates: map[string]float64{"QueryChatappBindWaba": -1}}, nil, "rate limit of QueryChatappBindWaba must be positive, got -1"},
		{"negative old field", Config{GetFlowRateLimit: -1}, nil, "rate limit of GetFlow must be positive, got -1"},
		{"not a number", Config{Rates: map[string]float64{"GetFlow": math.NaN()}}, nil, "rate limit of GetFlow must be positive, got NaN"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Endpoint = "http://127.0.0.1:1"
			tt.cfg.Credentials = StaticCredentials{AccessKeyID: "id", AccessKeySecret: "secret"}
			c, err := New(tt.cfg)
			if tt.want == nil {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("%v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			for op, want := range tt.want {
				if l := c.LimiterOf(op); l == nil || l.MaxRate() != want || l.Rate() != want {
					t.Errorf("%s: limiter %v, want one at %v", op, l, want)
				}
				if got := DefaultRate(op); tt.name == "defaults" && got != want {
					t.Errorf("DefaultRate(%s) = %v, want %v", op, got, want)
				}
			}
		})
	}
}

// Every operation has a limiter of its own but ListInstance, which shares
// ListFlow's; Limiter and GetFlowLimiter are ListFlow's and GetFlow's.
func TestLimiterOf(t *testing.T) {
	c, _ := newTestClient(t, &scripted{responses: []scriptedResponse{{200, okBody}}}, Config{})
	seen := map[*Limiter]string{}
	for _, op := range []string{OperationListFlow, OperationGetFlow, OperationQueryPhoneNumbers, OperationQueryBindWaba, OperationGetHealthStatus} {
		l := c.LimiterOf(op)
		if l == nil {
			t.Fatalf("no limiter for %s", op)
		}
		if other, dup := seen[l]; dup {
			t.Errorf("%s and %s share a limiter", op, other)
		}
		seen[l] = op
	}
	if c.LimiterOf(OperationListInstance) != c.Limiter() || c.Limiter() != c.LimiterOf(OperationListFlow) || c.GetFlowLimiter() != c.LimiterOf(OperationGetFlow) {
		t.Error("ListInstance, Limiter or GetFlowLimiter is not the limiter it was")
	}
	if c.LimiterOf("SendChatappMessage") != nil {
		t.Error("an operation the client does not call has a limiter")
	}
}

// System.LimitControl on one operation halves that operation's limiter
// only: the others stay at their configured rates. Each operation in turn.
func TestThrottlingSlowsOnlyTheOperationsOwnLimiter(t *testing.T) {
	const numbersOK = `{"RequestId":"R","Code":"OK","PhoneNumbers":[]}`
	const wabaOK = `{"RequestId":"R","Code":"OK","Data":{"Id":"1"}}`
	const healthOK = `{"RequestId":"R","Code":"OK","Data":{"CanSendMessage":"AVAILABLE"}}`
	calls := []struct {
		operation, ok string
		call          func(*Client) error
	}{
		{OperationListFlow, okBody, func(c *Client) error { _, err := c.ListFlow(context.Background(), ListFlowRequest{}); return err }},
		{OperationGetFlow, getFlowOK, func(c *Client) error {
			_, err := c.GetFlow(context.Background(), GetFlowRequest{FlowID: "7"})
			return err
		}},
		{OperationQueryPhoneNumbers, numbersOK, func(c *Client) error { _, err := c.QueryPhoneNumbers(context.Background(), "cams-x"); return err }},
		{OperationQueryBindWaba, wabaOK, func(c *Client) error { _, err := c.QueryBindWaba(context.Background(), "cams-x"); return err }},
		{OperationGetHealthStatus, healthOK, func(c *Client) error {
			_, err := c.GetHealthStatus(context.Background(), "cams-x", HealthNode{Type: NodeTypeWABA, WabaID: "1"})
			return err
		}},
	}
	rates := map[string]float64{OperationListFlow: 400, OperationGetFlow: 300, OperationQueryPhoneNumbers: 800, OperationQueryBindWaba: 600, OperationGetHealthStatus: 200}
	for _, throttled := range calls {
		t.Run(throttled.operation, func(t *testing.T) {
			srv := &scripted{responses: []scriptedResponse{{400, limitBody}, {200, throttled.ok}}}
			c, attempts := newTestClient(t, srv, Config{RateLimit: rates[OperationListFlow], Rates: rates})
			if err := throttled.call(c); err != nil {
				t.Fatal(err)
			}
			for op, max := range rates {
				want := max // untouched
				if op == throttled.operation {
					want = max/2 + max/20 // halved by the throttle, a twentieth back for the success
				}
				if got := c.LimiterOf(op).Rate(); got != want {
					t.Errorf("%s's limiter at %v, want %v", op, got, want)
				}
			}
			for _, a := range *attempts {
				if a.Operation != throttled.operation {
					t.Errorf("attempt %+v, want operation %s", a, throttled.operation)
				}
			}
			if got := codes(*attempts); !equal(got, []string{"System.LimitControl", "OK"}) || !(*attempts)[0].Throttled {
				t.Errorf("observed %+v", *attempts)
			}
		})
	}
}
