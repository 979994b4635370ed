package client

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/textproto"
	"strings"
	"sync"
	"testing"
)

// cannedTransport answers every request with one response and records the
// host and headers of each request.
type cannedTransport struct {
	status int
	header http.Header
	body   []byte

	mu    sync.Mutex
	hosts []string
}

func (t *cannedTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.mu.Lock()
	t.hosts = append(t.hosts, r.URL.Host)
	t.mu.Unlock()
	return &http.Response{
		StatusCode: t.status, Status: http.StatusText(t.status), Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: t.header.Clone(), Body: io.NopCloser(bytes.NewReader(t.body)), ContentLength: -1, Request: r,
	}, nil
}

// parseHeader reads "Name: value" lines; lines without a colon are skipped.
func parseHeader(b []byte) http.Header {
	h := http.Header{}
	for _, line := range strings.Split(string(b), "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(name) == "" {
			continue
		}
		h.Add(textproto.CanonicalMIMEHeaderKey(strings.TrimSpace(name)), strings.TrimSpace(value))
	}
	return h
}

const fuzzEndpointHost = "127.0.0.1:1"

// FuzzResponse drives a whole call, ListFlow or ListInstance, through the
// client's http.Client with an arbitrary status, headers and body, and
// checks the contract a hostile server must not break:
//   - one request, to the endpoint, whatever the answer (no redirect is
//     followed; retries are off);
//   - success only on a 2xx, with at most the page size asked for, every
//     flow with a FlowId, and every text within its bound;
//   - every failure an *Error with a Code, HTTP_<status> and never retried
//     for a 3xx, and every text of it within MaxTextBytes.
func FuzzResponse(f *testing.F) {
	f.Add(200, []byte("Content-Type: application/json"), []byte(`{"RequestId":"R","Code":"OK","Data":[{"FlowId":"1","FlowName":"a","Categories":["SIGN_UP"]}]}`), uint8(20), false)
	f.Add(307, []byte("Location: http://127.0.0.2:8080/steal"), []byte(""), uint8(20), false)
	f.Add(200, []byte(""), []byte(`{"Code":"OK","TotalCount":1,"Data":[{"CustSpaceId":"cams-a","InstanceId":"i"}]}`), uint8(10), true)
	f.Fuzz(func(t *testing.T, status int, header, body []byte, size uint8, instances bool) {
		status = 100 + (status%900+900)%900
		pageSize := max(int(size), 1)
		tr := &cannedTransport{status: status, header: parseHeader(header), body: body}
		c, err := New(Config{
			Endpoint: "http://" + fuzzEndpointHost, Credentials: StaticCredentials{AccessKeyID: "STS.fuzzId", AccessKeySecret: "fuzzSecret", SecurityToken: "fuzzToken"},
			RateLimit: 1e6, MaxRetries: -1, HTTPClient: &http.Client{Transport: tr},
		})
		if err != nil {
			t.Fatal(err)
		}
		if instances {
			var resp *ListInstanceResponse
			resp, err = c.ListInstance(context.Background(), ListInstanceRequest{PageIndex: 1, PageSize: pageSize})
			if err == nil {
				if len(resp.Data) > pageSize {
					t.Fatalf("%d instances on a page of %d", len(resp.Data), pageSize)
				}
				for _, in := range resp.Data {
					if len(in.CustSpaceID) > MaxSpaceIDBytes {
						t.Fatalf("a CustSpaceId of %d bytes", len(in.CustSpaceID))
					}
				}
				checkTexts(t, resp.RequestID, resp.Message)
			}
		} else {
			var resp *ListFlowResponse
			resp, err = c.ListFlow(context.Background(), ListFlowRequest{CustSpaceID: "cams-fuzz", Page: &Page{Index: 1, Size: pageSize}})
			if err == nil {
				checkPage(t, resp, pageSize)
			}
		}

		if len(tr.hosts) != 1 || tr.hosts[0] != fuzzEndpointHost {
			t.Fatalf("requests went to %v, want one to %s", tr.hosts, fuzzEndpointHost)
		}
		if err == nil {
			if !is2xx(status) {
				t.Fatalf("success on HTTP %d", status)
			}
			return
		}
		e, ok := err.(*Error)
		if !ok {
			t.Fatalf("got %T (%v), want *Error", err, err)
		}
		if e.Code == "" || e.HTTPStatus != status {
			t.Fatalf("error %+v: want a Code and HTTP %d", e, status)
		}
		if isRedirect(status) && (e.Code != HTTPStatusCode(status) || e.Class != ClassPermanent) {
			t.Fatalf("HTTP %d gave %q (%v), want %s, permanent", status, e.Code, e.Class, HTTPStatusCode(status))
		}
		checkTexts(t, e.Code, e.Message, e.RequestID, e.HostID, e.Recommend, e.AccessDeniedDetail.String())
	})
}

func checkPage(t *testing.T, resp *ListFlowResponse, pageSize int) {
	t.Helper()
	if len(resp.Data) > pageSize {
		t.Fatalf("%d flows on a page of %d", len(resp.Data), pageSize)
	}
	checkTexts(t, resp.RequestID, resp.Message, resp.AccessDeniedDetail.String())
	for _, fl := range resp.Data {
		switch {
		case fl.FlowID == "" || len(fl.FlowID) > MaxFlowIDBytes:
			t.Fatalf("FlowId of %d bytes", len(fl.FlowID))
		case len(fl.FlowName) > MaxFlowNameBytes:
			t.Fatalf("FlowName of %d bytes", len(fl.FlowName))
		case len(fl.Categories) > MaxCategoriesPerFlow:
			t.Fatalf("%d categories", len(fl.Categories))
		}
		for _, cat := range fl.Categories {
			if len(cat) > MaxCategoryBytes {
				t.Fatalf("category of %d bytes", len(cat))
			}
		}
	}
}

func checkTexts(t *testing.T, texts ...string) {
	t.Helper()
	for _, s := range texts {
		if len(s) > MaxTextBytes {
			t.Fatalf("a text of %d bytes, more than %d: %.80q...", len(s), MaxTextBytes, s)
		}
	}
}
