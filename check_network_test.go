package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/cams-exporter/cams_exporter/check"
	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/internal/loopback"
	"github.com/cams-exporter/cams_exporter/simulator"
)

// check's text report names the cause of a network failure, as the Go
// runtime met it on a real connection, with a remedy that fits it, and
// gives a remedy for a broken answer too.
func TestCheckExplainsNetworkFailures(t *testing.T) {
	data := &simulator.Dataset{Spaces: []simulator.Space{{ID: "cams-ok"}}}
	sim, simURL := startSimulator(t, data, -1)
	closed := "http://" + loopback.FreeAddr(t) // nothing listens there any more
	tlsSrv := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(tlsSrv.Close)
	tests := []struct {
		name, endpoint string
		fault          *simulator.Fault
		want           []string
	}{
		{"connection refused", closed, nil,
			[]string{"NetworkError (connection refused)", "nothing listens at the endpoint"}},
		{"https to a plain HTTP server", strings.Replace(simURL, "http://", "https://", 1), nil,
			[]string{"NetworkError (server gave HTTP response to HTTPS client)", "write it as http://host:port in --cams.endpoint"}},
		{"untrusted certificate", tlsSrv.URL, nil,
			[]string{"NetworkError (TLS certificate not trusted)", "CA certificates"}},
		{"connection reset", simURL, &simulator.Fault{Kind: "reset"},
			[]string{"NetworkError (", "the call was retried"}},
		{"a body that is not JSON", simURL, &simulator.Fault{Kind: "malformed"},
			[]string{`InvalidResponse (body is not valid JSON: "<html>502 Bad Gateway</html>")`, "points at CAMS"}},
	}
	creds := client.StaticCredentials{AccessKeyID: testKeyID, AccessKeySecret: testKeySecret}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sim.ClearFaults()
			if tt.fault != nil {
				if _, err := sim.Inject(*tt.fault); err != nil {
					t.Fatal(err)
				}
			}
			o := parseFlags(t, "--cams.endpoint="+tt.endpoint, "--cams.space=cams-ok", "--cams.max-retries=0", "--cams.rate-limit=500")
			c := &checkCommand{output: "text", slowAfter: 5e9}
			res, err := c.evaluate(context.Background(), o, creds)
			if err != nil {
				t.Fatal(err)
			}
			var text bytes.Buffer
			res.WriteText(&text)
			if res.Status != check.Critical {
				t.Errorf("status %v, want CRITICAL", res.Status)
			}
			for _, s := range tt.want {
				if !strings.Contains(text.String(), s) {
					t.Errorf("report lacks %q:\n%s", s, text.String())
				}
			}
			if strings.Contains(text.String(), "check network access to the endpoint, or raise --cams.timeout") {
				t.Errorf("the old one-size remedy:\n%s", text.String())
			}
		})
	}
}
