package simulator

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"sync"
	"testing"

	"github.com/cams-exporter/cams_exporter/client/acs3"
)

func TestDataMutation(t *testing.T) {
	small := loadSmall(t)
	h := newHarness(t, Config{Data: small})
	if got := h.srv.Dataset(); !reflect.DeepEqual(got, small) {
		t.Fatalf("Dataset() = %+v\nwant %+v", got, small)
	}
	sub := spaceOf(t, small, "cams-1a2b3c4d").Flows
	list := func(space string) response { return h.list(pageParams(space, "", 1, 100)) }

	f := Flow{FlowId: "2999", FlowName: "late", Categories: []string{"OTHER"}}
	if err := h.srv.AddFlow("cams-1a2b3c4d", f); err != nil {
		t.Fatal(err)
	}
	wantFlows(t, list("cams-1a2b3c4d"), append(append([]Flow(nil), sub...), f))
	if err := h.srv.AddFlow("cams-1a2b3c4d", f); !errors.Is(err, ErrDuplicateFlow) {
		t.Errorf("adding a flow twice: %v", err)
	}
	if err := h.srv.AddFlow("cams-nosuch00", f); !errors.Is(err, ErrUnknownSpace) {
		t.Errorf("adding to an unknown space: %v", err)
	}
	if err := h.srv.AddFlow("", Flow{}); !errors.Is(err, ErrEmptyFlowID) {
		t.Errorf("adding a flow without an id: %v", err)
	}
	if err := h.srv.RemoveFlow("cams-1a2b3c4d", sub[2].FlowId); err != nil {
		t.Fatal(err)
	}
	want := append(append(append([]Flow(nil), sub[:2]...), sub[3:]...), f)
	wantFlows(t, list("cams-1a2b3c4d"), want)
	if err := h.srv.RemoveFlow("cams-1a2b3c4d", sub[2].FlowId); !errors.Is(err, ErrUnknownFlow) {
		t.Errorf("removing a flow twice: %v", err)
	}
	if err := h.srv.RemoveFlow("cams-nosuch00", "1"); !errors.Is(err, ErrUnknownSpace) {
		t.Errorf("removing from an unknown space: %v", err)
	}

	h.srv.SetSpaceError("cams-1a2b3c4d", CodeProductUnsubscript)
	wantError(t, list("cams-1a2b3c4d"), 400, CodeProductUnsubscript)
	h.srv.SetSpaceError("cams-1a2b3c4d", "")
	wantFlows(t, list("cams-1a2b3c4d"), want)
	h.srv.SetSpaceError("cams-denied00", "")
	wantFlows(t, list("cams-denied00"), nil)
	h.srv.SetSpaceError("cams-created0", CodeSystemLimitControl)
	wantError(t, list("cams-created0"), 400, CodeSystemLimitControl)

	h.srv.AddSpace("cams-added000")
	h.srv.AddSpace("cams-added000")
	wantFlows(t, list("cams-added000"), nil)
	h.srv.DeleteSpace("cams-1a2b3c4d")
	wantError(t, list("cams-1a2b3c4d"), 400, CodeUnknownResourceOwnerID)
	h.srv.DeleteSpace("")
	wantError(t, list(""), 400, CodeUnknownResourceOwnerID)
	h.srv.DeleteSpace("cams-nosuch00")

	var ids []string
	for _, sp := range h.srv.Dataset().Spaces {
		ids = append(ids, sp.ID)
	}
	if want := []string{"cams-empty000", "cams-denied00", "cams-unsub000", "cams-created0", "cams-added000"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("spaces %q, want %q", ids, want)
	}
}

// Dataset returns a copy; changing it, or the data set given to New,
// changes nothing in the server.
func TestDatasetIsACopy(t *testing.T) {
	small := loadSmall(t)
	s, err := New(Config{Data: small})
	if err != nil {
		t.Fatal(err)
	}
	small.Spaces[0].Flows[0].FlowName = "changed"
	small.Spaces[0].Flows[1].Categories[0] = "CHANGED"
	d := s.Dataset()
	d.Spaces[0].Flows[2].Categories[0] = "CHANGED"
	d.Spaces[0].Flows = nil
	if !reflect.DeepEqual(s.Dataset(), loadSmall(t)) {
		t.Error("the server's data changed through a copy")
	}
}

// Mutations and calls run concurrently (for the race detector).
func TestConcurrentMutation(t *testing.T) {
	clock := newClock()
	s, err := New(Config{Now: clock.Now, AccessKeyID: testKeyID, AccessKeySecret: testSecret, RateLimit: -1, Data: loadSmall(t)})
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 50 {
				id := fmt.Sprintf("%d-%d", g, i)
				_ = s.AddFlow("", Flow{FlowId: id, FlowName: "concurrent " + id})
				if i%2 == 0 {
					_ = s.RemoveFlow("", id)
				}
				s.SetSpaceError("cams-empty000", []string{"", CodeProductUnsubscript}[i%2])
				_, _ = s.Inject(Fault{Kind: FaultLatency, Latency: Duration(1), Count: 1})
				_ = s.Stats()
			}
		})
		wg.Go(func() {
			for range 50 {
				req := httptest.NewRequest(http.MethodPost, "http://cams.test/?Page=%7B%22Size%22%3A100%7D", nil)
				req.Header.Set("x-acs-action", "ListFlow")
				req.Header.Set("x-acs-version", APIVersion)
				acs3.Signer{Now: clock.Now}.Sign(req, acs3.Credentials{AccessKeyID: testKeyID, AccessKeySecret: testSecret})
				w := httptest.NewRecorder()
				s.ServeHTTP(w, req)
				if w.Code != http.StatusOK {
					t.Errorf("HTTP %d %s", w.Code, w.Body)
					return
				}
				_ = s.Dataset()
			}
		})
	}
	wg.Wait()
	own := spaceOf(t, s.Dataset(), "").Flows
	if want := len(loadSmall(t).Spaces[0].Flows) + 4*25; len(own) != want {
		t.Errorf("own space has %d flows, want %d", len(own), want)
	}
	if st := s.Stats(); st.Calls != 200 || st.Accepted != 200 {
		t.Errorf("Stats Calls %d Accepted %d, want 200", st.Calls, st.Accepted)
	}
}
