package simulator

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// An endless space answers every page full, each of flows no earlier page
// held; clearing the mode serves its flows again, and an error code still
// comes first.
func TestEndlessSpace(t *testing.T) {
	h := newHarness(t, Config{})
	const space = "cams-1a2b3c4d"
	before := h.list(pageParams(space, "", 1, 20)).body.Data
	if status, body := h.control("PUT", "/-/spaces/"+space+"/endless", `{"endless":true}`); status != 204 {
		t.Fatalf("PUT endless: %d %s", status, body)
	}
	seen := map[string]bool{}
	for _, size := range []int{1, 7, 100} {
		for index := 1; index <= 30; index++ {
			got := h.list(pageParams(space, "", index, size)).body.Data
			if len(got) != size {
				t.Fatalf("page %d of %d: %d flows, want a full page", index, size, len(got))
			}
			for i, f := range got {
				if want := fmt.Sprintf("endless-%d", (index-1)*size+i+1); f.FlowId != want {
					t.Fatalf("page %d of %d, flow %d: id %s, want %s", index, size, i, f.FlowId, want)
				}
				if size == 7 && seen[f.FlowId] {
					t.Fatalf("page %d repeats flow %s", index, f.FlowId)
				}
				if size == 7 {
					seen[f.FlowId] = true
				}
			}
		}
	}
	if !spaceOf(t, h.srv.Dataset(), space).Endless {
		t.Error("the data set does not say the space is endless")
	}
	h.srv.SetSpaceError(space, CodeRAMPermissionDeny)
	wantError(t, h.list(pageParams(space, "", 1, 20)), 400, CodeRAMPermissionDeny)
	h.srv.SetSpaceError(space, "")
	if status, _ := h.control("PUT", "/-/spaces/"+space+"/endless", `{"endless":false}`); status != 204 {
		t.Fatal("PUT endless false failed")
	}
	wantFlows(t, h.list(pageParams(space, "", 1, 20)), before)
}

func TestEndlessSpaceBadInput(t *testing.T) {
	h := newHarness(t, Config{})
	for _, body := range []string{``, `{}`, `{"endless":"yes"}`, `{"endless":true,"x":1}`} {
		status, answer := h.control("PUT", "/-/spaces/cams-x/endless", body)
		if status != 400 || !strings.HasPrefix(answer, "bad endless setting: ") || strings.Count(answer, "\n") != 1 {
			t.Errorf("body %q: %d %q, want 400 and a one-line error", body, status, answer)
		}
	}
}

// A data file can declare an endless space, and it survives a clone.
func TestEndlessSpaceInADataFile(t *testing.T) {
	var d Dataset
	if err := json.Unmarshal([]byte(`{"spaces":[{"id":"cams-e","endless":true}]}`), &d); err != nil {
		t.Fatal(err)
	}
	if !d.Clone().Spaces[0].Endless {
		t.Error("Clone dropped Endless")
	}
	h := newHarness(t, Config{Data: &d})
	if got := h.list(pageParams("cams-e", "", 3, 5)).body.Data; len(got) != 5 || got[0].FlowId != "endless-11" {
		t.Errorf("page 3 of 5: %v", got)
	}
}

// The request log keeps every accepted call in order, with its time by the
// server's clock, its space and page; refused calls are not in it.
func TestRequestLog(t *testing.T) {
	h := newHarness(t, Config{})
	h.list(pageParams("cams-1a2b3c4d", "", 1, 20))
	h.clock.Advance(time.Second)
	h.list(pageParams("", "", 2, 5))
	bad := h.request(pageParams("cams-1a2b3c4d", "", 1, 20)) // unsigned: refused
	h.do(bad)
	status, body := h.control("GET", "/-/requests", "")
	var log RequestLog
	if status != 200 || json.Unmarshal([]byte(body), &log) != nil {
		t.Fatalf("GET /-/requests: %d %s", status, body)
	}
	start := newClock().Now()
	want := []Request{
		{Time: start, Action: "ListFlow", Space: "cams-1a2b3c4d", Page: 1},
		{Time: start.Add(time.Second), Action: "ListFlow", Space: "", Page: 2},
	}
	if len(log.Requests) != len(want) || log.Dropped != 0 {
		t.Fatalf("log %+v, want %+v", log, want)
	}
	for i := range want {
		if got := log.Requests[i]; !got.Time.Equal(want[i].Time) || got.Action != want[i].Action || got.Space != want[i].Space || got.Page != want[i].Page {
			t.Errorf("request %d: %+v, want %+v", i, got, want[i])
		}
	}
}

// The log is bounded: past RequestLogSize it keeps the latest calls, oldest
// first, and counts those it dropped.
func TestRequestLogIsBounded(t *testing.T) {
	s := &Server{}
	for i := range RequestLogSize + 3 {
		s.requests.add(Request{Page: i})
	}
	got := s.Requests()
	if len(got.Requests) != RequestLogSize || got.Dropped != 3 || got.Requests[0].Page != 3 || got.Requests[RequestLogSize-1].Page != RequestLogSize+2 {
		t.Errorf("%d kept, %d dropped, first page %d, last %d; want %d, 3, 3, %d",
			len(got.Requests), got.Dropped, got.Requests[0].Page, got.Requests[len(got.Requests)-1].Page, RequestLogSize, RequestLogSize+2)
	}
}
