package simulator

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestControlEndpoint(t *testing.T) {
	small := loadSmall(t)
	h := newHarness(t, Config{Data: small})
	type step struct {
		method, path, body string
		status             int
		want               string // a substring of the answer
	}
	run := func(t *testing.T, steps []step) {
		t.Helper()
		for _, s := range steps {
			status, body := h.control(s.method, s.path, s.body)
			if status != s.status || !strings.Contains(body, s.want) {
				t.Fatalf("%s %s %s: HTTP %d %q, want %d containing %q", s.method, s.path, s.body, status, body, s.status, s.want)
			}
			if status == http.StatusBadRequest && strings.Count(body, "\n") != 1 {
				t.Errorf("%s %s: error %q is not one line", s.method, s.path, body)
			}
		}
	}

	t.Run("health", func(t *testing.T) {
		run(t, []step{{"GET", "/-/healthy", "", 200, "OK"}})
	})

	t.Run("faults", func(t *testing.T) {
		run(t, []step{
			{"POST", "/-/faults", `{"space":"cams-1a2b3c4d","kind":"error","code":"Ram.PermissionDeny","count":1}`, 200, `{"id":1}`},
			{"POST", "/-/faults", `{"kind":"latency","latency":"10ms"}`, 200, `{"id":2}`},
			{"GET", "/-/faults", "", 200, `"space":"cams-1a2b3c4d"`},
			{"GET", "/-/faults", "", 200, `"latency":"10ms"`},
			{"POST", "/-/faults", `{"kind":"boom"}`, 400, "bad fault: unknown fault kind"},
			{"POST", "/-/faults", `{"kind":"error"}`, 400, "needs a code"},
			{"POST", "/-/faults", `{"kind":"http","status":700}`, 400, "status 700"},
			{"POST", "/-/faults", `{"kind":"hang","colour":"red"}`, 400, "unknown field"},
			{"POST", "/-/faults", `{"kind":"latency","latency":5}`, 400, "bad fault"},
			{"POST", "/-/faults", ``, 400, "empty body"},
			{"POST", "/-/faults", `{"kind":"hang"} {}`, 400, "unexpected data"},
			{"DELETE", "/-/faults/2", "", 204, ""},
			{"DELETE", "/-/faults/2", "", 404, "no fault 2"},
			{"DELETE", "/-/faults/x", "", 400, "bad fault id"},
		})
		wantError(t, h.list(pageParams("cams-1a2b3c4d", "", 1, 20)), 400, CodeRAMPermissionDeny)
		run(t, []step{
			{"GET", "/-/faults", "", 200, "[]"},
			{"POST", "/-/faults", `{"kind":"http","status":503}`, 200, `{"id":3}`},
			{"DELETE", "/-/faults", "", 204, ""},
			{"GET", "/-/faults", "", 200, "[]"},
		})
	})

	t.Run("flows", func(t *testing.T) {
		own := spaceOf(t, small, "").Flows
		added := Flow{FlowId: "9001", FlowName: "added 1", Categories: []string{"SURVEY", "SHOPPING"}}
		run(t, []step{
			{"POST", "/-/spaces/_/flows", `{"FlowId":"9001","FlowName":"added 1","Categories":["SURVEY","SHOPPING"]}`, 200, `"FlowId":"9001"`},
			{"POST", "/-/spaces/_/flows", `{"FlowId":"9001","FlowName":"again"}`, 409, "duplicate FlowId"},
			{"POST", "/-/spaces/cams-nosuch00/flows", `{"FlowId":"1"}`, 404, "unknown space"},
			{"POST", "/-/spaces/_/flows", `{"FlowName":"no id"}`, 400, "empty FlowId"},
			{"POST", "/-/spaces/_/flows", `{"FlowId":"9002","State":"DRAFT"}`, 400, "unknown field"},
			{"POST", "/-/spaces/_/flows", `{"FlowId":"9002","Status":"draft"}`, 400, "Status must be upper-case"},
		})
		wantFlows(t, h.list(pageParams("", "", 1, 100)), append(append([]Flow(nil), own...), added))
		run(t, []step{
			{"DELETE", "/-/spaces/_/flows/9001", "", 204, ""},
			{"DELETE", "/-/spaces/_/flows/9001", "", 404, "unknown flow"},
			{"DELETE", "/-/spaces/_/flows/" + own[0].FlowId, "", 204, ""},
		})
		wantFlows(t, h.list(pageParams("", "", 1, 100)), own[1:])
	})

	t.Run("spaces", func(t *testing.T) {
		run(t, []step{
			{"POST", "/-/spaces/cams-new00000", "", 204, ""},
			{"POST", "/-/spaces/cams-new00000/flows", `{"FlowId":"1","FlowName":"first"}`, 200, ""},
		})
		wantFlows(t, h.list(pageParams("cams-new00000", "", 1, 20)), []Flow{{FlowId: "1", FlowName: "first", Categories: []string{}}})
		run(t, []step{
			{"PUT", "/-/spaces/cams-new00000/error", `{"code":"Product.Unsubscript"}`, 204, ""},
			{"PUT", "/-/spaces/cams-new00000/error", `{"code":"No.Such"}`, 400, "not one the simulator knows"},
		})
		wantError(t, h.list(pageParams("cams-new00000", "", 1, 20)), 400, CodeProductUnsubscript)
		run(t, []step{{"PUT", "/-/spaces/cams-new00000/error", `{"code":""}`, 204, ""}})
		wantFlows(t, h.list(pageParams("cams-new00000", "", 1, 20)), []Flow{{FlowId: "1", FlowName: "first"}})
		run(t, []step{
			{"DELETE", "/-/spaces/cams-new00000", "", 204, ""},
			{"GET", "/-/dataset", "", 200, `"spaces"`},
		})
		wantError(t, h.list(pageParams("cams-new00000", "", 1, 20)), 400, CodeUnknownResourceOwnerID)
		_, body := h.control("GET", "/-/dataset", "")
		var d Dataset
		if err := json.Unmarshal([]byte(body), &d); err != nil || strings.Contains(body, "cams-new00000") || len(d.Spaces) != len(small.Spaces) {
			t.Errorf("GET /-/dataset = %s, %v", body, err)
		}
	})

	t.Run("stats", func(t *testing.T) {
		before := h.srv.Stats()
		h.list(url.Values{})
		h.list(pageParams("cams-denied00", "", 1, 20))
		_, body := h.control("GET", "/-/stats", "")
		var st Stats
		if err := json.Unmarshal([]byte(body), &st); err != nil {
			t.Fatalf("GET /-/stats = %s: %v", body, err)
		}
		if st.Calls != before.Calls+2 || st.ListFlow[""] != before.ListFlow[""]+1 || st.ListFlow["cams-denied00"] != before.ListFlow["cams-denied00"]+1 ||
			st.Codes[CodeRAMPermissionDeny] != before.Codes[CodeRAMPermissionDeny]+1 {
			t.Errorf("stats %+v after %+v", st, before)
		}
	})

	t.Run("unknown paths", func(t *testing.T) {
		run(t, []step{
			{"GET", "/-/nothing", "", 404, ""},
			{"PATCH", "/-/faults", "", 405, ""},
		})
	})
}
