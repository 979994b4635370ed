package client

import (
	"context"
	"testing"
)

const getFlowOK = `{"RequestId":"R","Code":"OK","Message":"SUCCESS","Data":{"FlowId":"7","FlowName":"f","Categories":["SURVEY"],"Status":"PUBLISHED"}}`

// GetFlow waits on a limiter of its own: throttling slows it and leaves
// ListFlow's alone, and each starts from its own configured rate.
func TestGetFlowHasItsOwnAdaptiveLimiter(t *testing.T) {
	s := &scripted{responses: []scriptedResponse{{400, limitBody}, {400, limitBody}, {200, getFlowOK}}}
	c, attempts := newTestClient(t, s, Config{RateLimit: 400, GetFlowRateLimit: 200})
	if c.GetFlowLimiter() == c.Limiter() || c.GetFlowLimiter().MaxRate() != 200 || c.Limiter().MaxRate() != 400 {
		t.Fatalf("limiters: GetFlow %v, ListFlow %v; want two, at 200 and 400", c.GetFlowLimiter().MaxRate(), c.Limiter().MaxRate())
	}
	resp, err := c.GetFlow(context.Background(), GetFlowRequest{FlowID: "7", CustSpaceID: "cams-x"})
	if err != nil || resp.Data.Status != FlowStatusPublished {
		t.Fatalf("GetFlow: %+v, %v", resp, err)
	}
	// Two throttles halve 200 twice; the success then adds a twentieth of 200.
	if got, want := c.GetFlowLimiter().Rate(), 200.0/4+200.0/20; got != want {
		t.Errorf("GetFlow limiter rate %v, want %v", got, want)
	}
	if got := c.Limiter().Rate(); got != 400 {
		t.Errorf("ListFlow's limiter moved to %v on GetFlow's throttling", got)
	}
	for _, a := range *attempts {
		if a.Operation != OperationGetFlow {
			t.Errorf("attempt %+v, want operation GetFlow", a)
		}
	}
	if got := codes(*attempts); !equal(got, []string{"System.LimitControl", "System.LimitControl", "OK"}) {
		t.Errorf("observed %v", got)
	}
	// The default is the same 4 calls/s as ListFlow's.
	d, _ := newTestClient(t, s, Config{})
	if got := d.GetFlowLimiter().MaxRate(); got != DefaultRateLimit {
		t.Errorf("default GetFlow rate %v, want %v", got, DefaultRateLimit)
	}
	if _, err := New(Config{Endpoint: "http://127.0.0.1:1", GetFlowRateLimit: -1}); err == nil {
		t.Error("a negative GetFlow rate was accepted")
	}
}
