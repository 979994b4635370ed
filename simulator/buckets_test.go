package simulator

import (
	"math"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// bucketCall is a valid call of each operation on the account file.
var bucketCalls = map[string]url.Values{
	"ListFlow":                 pageParams("", "", 1, 20),
	"ListInstance":             {},
	"GetFlow":                  {"FlowId": {"1"}},
	OperationQueryPhoneNumbers: {"CustSpaceId": {"cams-numbers0"}},
	OperationQueryBindWaba:     {"CustSpaceId": {"cams-numbers0"}},
	OperationGetHealthStatus:   wabaNode("cams-numbers0", "100000000000002"),
	OperationListTemplates:     {"CustSpaceId": {"cams-numbers0"}, "Page": {`{"Index":1,"Size":20}`}},
}

// accountWithFlow is the account file with a flow in the own space, so that
// GetFlow has something to answer.
func accountWithFlow(t *testing.T) *Dataset {
	d := loadAccount(t)
	d.Spaces[0].Flows = []Flow{{FlowId: "1", FlowName: "sign up", Categories: []string{"SIGN_UP"}}}
	return d
}

// Each operation has a bucket of its own at its documented rate (10, 10,
// 5 and 5 calls a second for the new ones), and saturating one never
// throttles another: every other bucket still takes its whole quota.
func TestOperationBuckets(t *testing.T) {
	want := map[string]int{
		"ListFlow": 5, "GetFlow": 5,
		OperationQueryPhoneNumbers: 10, OperationQueryBindWaba: 10, OperationGetHealthStatus: 5, OperationListTemplates: 5,
	}
	for saturated := range want {
		t.Run(saturated, func(t *testing.T) {
			h := newHarness(t, Config{Data: accountWithFlow(t), RateLimit: DefaultRateLimit})
			accepted := func(op string) int {
				n := 0
				for range want[op] + 3 {
					r := h.call(op, bucketCalls[op])
					switch {
					case r.status == http.StatusOK:
						n++
					case r.body.Code != CodeSystemLimitControl:
						t.Fatalf("%s: HTTP %d %s", op, r.status, r.raw)
					}
				}
				return n
			}
			if n := accepted(saturated); n != want[saturated] {
				t.Errorf("%s took %d calls in a second, want %d", saturated, n, want[saturated])
			}
			for op := range want {
				if op == saturated {
					continue
				}
				if n := accepted(op); n != want[op] {
					t.Errorf("with %s saturated, %s took %d calls, want its own %d", saturated, op, n, want[op])
				}
			}
			st := h.srv.Stats()
			for op := range want {
				if st.ThrottledByOperation[op] != 3 || st.Operations[op] != want[op] {
					t.Errorf("Stats of %s: %d throttled, %d accepted; want 3 and %d", op, st.ThrottledByOperation[op], st.Operations[op], want[op])
				}
			}
			// A second on, each bucket takes its quota again.
			h.clock.Advance(time.Second)
			for op := range want {
				if n := accepted(op); n != want[op] {
					t.Errorf("a second on, %s took %d calls, want %d", op, n, want[op])
				}
			}
		})
	}
}

// ListInstance shares ListFlow's bucket, as before the new operations.
func TestListInstanceSharesListFlowBucket(t *testing.T) {
	h := newHarness(t, Config{Data: accountWithFlow(t), RateLimit: DefaultRateLimit})
	for range 5 {
		if r := h.call("ListFlow", bucketCalls["ListFlow"]); r.status != http.StatusOK {
			t.Fatalf("HTTP %d %s", r.status, r.raw)
		}
	}
	wantError(t, h.call("ListInstance", nil), http.StatusBadRequest, CodeSystemLimitControl)
	if r := h.call(OperationQueryPhoneNumbers, bucketCalls[OperationQueryPhoneNumbers]); r.status != http.StatusOK {
		t.Errorf("QueryChatappPhoneNumbers throttled by ListFlow's bucket: %s", r.raw)
	}
}

func TestOperationRates(t *testing.T) {
	t.Run("set", func(t *testing.T) {
		h := newHarness(t, Config{Data: accountWithFlow(t), RateLimit: DefaultRateLimit, Rates: map[string]float64{
			OperationQueryPhoneNumbers: 2, OperationGetHealthStatus: -1, "GetFlow": 1, OperationListTemplates: 2,
		}})
		for op, n := range map[string]int{OperationQueryPhoneNumbers: 2, "GetFlow": 1, OperationQueryBindWaba: 10, OperationListTemplates: 2} {
			for i := range n {
				if r := h.call(op, bucketCalls[op]); r.status != http.StatusOK {
					t.Fatalf("%s call %d: %s", op, i+1, r.raw)
				}
			}
			wantError(t, h.call(op, bucketCalls[op]), http.StatusBadRequest, CodeSystemLimitControl)
		}
		for range 50 {
			if r := h.call(OperationGetHealthStatus, bucketCalls[OperationGetHealthStatus]); r.status != http.StatusOK {
				t.Fatalf("a negative rate limited GetWhatsappHealthStatus: %s", r.raw)
			}
		}
	})
	t.Run("no limit", func(t *testing.T) {
		h := newHarness(t, Config{Data: accountWithFlow(t)}) // the harness' RateLimit is -1
		for op := range bucketCalls {
			for range 30 {
				if r := h.call(op, bucketCalls[op]); r.status != http.StatusOK {
					t.Fatalf("%s limited with RateLimit -1: %s", op, r.raw)
				}
			}
		}
	})
	t.Run("bad", func(t *testing.T) {
		for _, rates := range []map[string]float64{{"ListInstance": 3}, {"QueryChatappTemplates": 1}} {
			_, err := New(Config{Rates: rates})
			if err == nil || !strings.Contains(err.Error(), "no rate can be set") || !strings.Contains(err.Error(), OperationGetHealthStatus) {
				t.Errorf("Rates %v: %v", rates, err)
			}
		}
		for _, rate := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
			if _, err := New(Config{Rates: map[string]float64{"GetFlow": rate}}); err == nil || !strings.Contains(err.Error(), "finite number") {
				t.Errorf("rate %g: %v", rate, err)
			}
		}
	})
}

// A Throttling.User fault names the limit of the call's bucket.
func TestThrottlingUserNamesTheBucket(t *testing.T) {
	h := newHarness(t, Config{Data: accountWithFlow(t), RateLimit: DefaultRateLimit})
	if _, err := h.srv.Inject(Fault{Kind: FaultError, Code: CodeThrottlingUser}); err != nil {
		t.Fatal(err)
	}
	r := h.call(OperationQueryBindWaba, bucketCalls[OperationQueryBindWaba])
	if v := r.header.Get("x-ratelimit-user-api"); !strings.HasPrefix(v, "Limit:10,") {
		t.Errorf("x-ratelimit-user-api %q, want Limit:10", v)
	}
	r = h.call("ListFlow", bucketCalls["ListFlow"])
	if v := r.header.Get("x-ratelimit-user-api"); !strings.HasPrefix(v, "Limit:5,") {
		t.Errorf("x-ratelimit-user-api %q, want Limit:5", v)
	}
}
