package client_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/simulator"
)

const simID, simSecret = "LTAItestKeyId", "testKeySecret"

var fast = client.Backoff{Base: time.Millisecond, ThrottledBase: 5 * time.Millisecond, Max: 20 * time.Millisecond}

func startSim(t *testing.T, cfg simulator.Config) (*simulator.Server, string) {
	t.Helper()
	if cfg.AccessKeyID == "" {
		cfg.AccessKeyID, cfg.AccessKeySecret = simID, simSecret
	}
	sim, err := simulator.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	url, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sim.Close() })
	return sim, url
}

func newClient(t *testing.T, url string, cfg client.Config) *client.Client {
	t.Helper()
	cfg.Endpoint = url
	if cfg.Credentials == nil {
		cfg.Credentials = client.StaticCredentials{AccessKeyID: simID, AccessKeySecret: simSecret}
	}
	if cfg.RateLimit == 0 {
		cfg.RateLimit = 4
	}
	if cfg.Backoff == (client.Backoff{}) {
		cfg.Backoff = fast
	}
	c, err := client.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// flowsOf makes n flows with ids space-1..space-n.
func flowsOf(space string, n int) []simulator.Flow {
	flows := make([]simulator.Flow, n)
	for i := range flows {
		flows[i] = simulator.Flow{FlowId: fmt.Sprintf("%s-%03d", space, i+1), FlowName: fmt.Sprintf("flow %d", i+1), Categories: []string{"SURVEY"}}
	}
	return flows
}

func TestListAllFlowsPages(t *testing.T) {
	sizes := map[string]int{"": 3, "cams-empty": 0, "cams-short": 7, "cams-exact": 40, "cams-long": 45}
	data := &simulator.Dataset{}
	for id, n := range sizes {
		data.Spaces = append(data.Spaces, simulator.Space{ID: id, Flows: flowsOf(id, n)})
	}
	sim, url := startSim(t, simulator.Config{Data: data, RateLimit: -1})
	c := newClient(t, url, client.Config{RateLimit: 500})
	for _, pageSize := range []int{1, 20} {
		for space, n := range sizes {
			t.Run(fmt.Sprintf("%q/size%d", space, pageSize), func(t *testing.T) {
				before := sim.Stats().ListFlow[space]
				flows, err := c.ListAllFlows(context.Background(), space, "", pageSize)
				if err != nil {
					t.Fatal(err)
				}
				var got []string
				for _, f := range flows {
					got = append(got, f.FlowID)
				}
				var want []string
				for _, f := range flowsOf(space, n) {
					want = append(want, f.FlowId)
				}
				sort.Strings(got)
				if strings.Join(got, ",") != strings.Join(want, ",") {
					t.Errorf("got %d flows %v, want %d", len(got), got, n)
				}
				// Full pages, then one short or empty page.
				if calls, want := sim.Stats().ListFlow[space]-before, n/pageSize+1; calls != want {
					t.Errorf("%d ListFlow calls, want %d", calls, want)
				}
			})
		}
	}
}

func TestListAllFlowsFlowNameFilter(t *testing.T) {
	data := &simulator.Dataset{Spaces: []simulator.Space{{ID: "cams-1", Flows: []simulator.Flow{
		{FlowId: "1", FlowName: "sign up", Categories: []string{"SIGN_UP"}},
		{FlowId: "2", FlowName: "sign in", Categories: []string{"SIGN_IN"}},
		{FlowId: "3", FlowName: "survey", Categories: []string{"SURVEY"}},
	}}}}
	_, url := startSim(t, simulator.Config{Data: data, RateLimit: -1})
	flows, err := newClient(t, url, client.Config{RateLimit: 500}).ListAllFlows(context.Background(), "cams-1", "sign ", 20)
	if err != nil || len(flows) != 2 || flows[0].FlowID != "1" || flows[1].FlowID != "2" {
		t.Errorf("FlowName filter: %v, %v; want flows 1 and 2", flows, err)
	}
}

// The reference's error table: every code reaches the caller with its fields.
func TestErrorCodesReachTheCaller(t *testing.T) {
	tests := []struct {
		code   string
		status int
		class  client.Class
	}{
		{"Ram.PermissionDeny", 400, client.ClassPermanent},
		{"Product.Unsubscript", 400, client.ClassPermanent},
		{"Unknown.ResourceOwnerId", 400, client.ClassPermanent},
		{"System.LimitControl", 400, client.ClassThrottled},
		{"Throttling.User", 400, client.ClassThrottled},
		{"InvalidAccessKeyId.Inactive", 400, client.ClassPermanent},
		{"InvalidSecurityToken.Expired", 400, client.ClassPermanent},
		{"SignatureDoesNotMatch", 400, client.ClassPermanent},
		{"IncompleteSignature", 400, client.ClassPermanent},
		{"InvalidTimeStamp.Expired", 400, client.ClassPermanent},
		{"InvalidAccessKeyId.NotFound", 404, client.ClassPermanent},
		{"InvalidApi.NotFound", 404, client.ClassPermanent},
		{"SignatureNonceUsed", 400, client.ClassTransient},
		{"InternalError", 500, client.ClassTransient},
		{"ServiceUnavailable", 503, client.ClassTransient},
	}
	sim, url := startSim(t, simulator.Config{RateLimit: -1})
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			sim.ClearFaults()
			if _, err := sim.Inject(simulator.Fault{Kind: "error", Code: tt.code}); err != nil {
				t.Fatal(err)
			}
			var attempts int
			c := newClient(t, url, client.Config{RateLimit: 500, MaxRetries: 2,
				Observer: client.ObserverFunc(func(a client.Attempt) { attempts++ })})
			_, err := c.ListFlow(context.Background(), client.ListFlowRequest{})
			var e *client.Error
			if !errors.As(err, &e) {
				t.Fatalf("got %v, want a *client.Error", err)
			}
			if e.Code != tt.code || e.HTTPStatus != tt.status || e.Class != tt.class {
				t.Errorf("got code %s status %d class %v, want %s %d %v", e.Code, e.HTTPStatus, e.Class, tt.code, tt.status, tt.class)
			}
			if e.RequestID == "" || e.HostID == "" || e.Message == "" || !strings.Contains(e.Recommend, tt.code) || !strings.Contains(e.Recommend, e.RequestID) {
				t.Errorf("fields missing: %+v", e)
			}
			wantAttempts := 1
			if tt.class.Retryable() {
				wantAttempts = 3
			}
			if attempts != wantAttempts {
				t.Errorf("%d attempts, want %d", attempts, wantAttempts)
			}
		})
	}
}

func TestSpaceErrorsFromTheDataSet(t *testing.T) {
	data := &simulator.Dataset{Spaces: []simulator.Space{{ID: "cams-denied", Error: "Ram.PermissionDeny"}}}
	_, url := startSim(t, simulator.Config{Data: data, RateLimit: -1})
	c := newClient(t, url, client.Config{RateLimit: 500})
	_, err := c.ListAllFlows(context.Background(), "cams-denied", "", 20)
	var e *client.Error
	if !errors.As(err, &e) || e.Code != "Ram.PermissionDeny" || e.AccessDeniedDetail.IsZero() {
		t.Errorf("denied space: %+v, want Ram.PermissionDeny with an AccessDeniedDetail", err)
	}
	_, err = c.ListAllFlows(context.Background(), "cams-nobody", "", 20)
	if client.CodeOf(err) != "Unknown.ResourceOwnerId" {
		t.Errorf("unknown space: %v, want Unknown.ResourceOwnerId", err)
	}
}

func TestGatewayDenialWithObjectDetail(t *testing.T) {
	sim, url := startSim(t, simulator.Config{RateLimit: -1})
	if _, err := sim.Inject(simulator.Fault{Kind: "error", Code: "Ram.PermissionDeny", Detail: "object"}); err != nil {
		t.Fatal(err)
	}
	_, err := newClient(t, url, client.Config{}).ListFlow(context.Background(), client.ListFlowRequest{})
	var e *client.Error
	if !errors.As(err, &e) || e.AccessDeniedDetail.Fields["AuthAction"] != "cams:ListFlow" {
		t.Errorf("got %+v, want the object detail with AuthAction cams:ListFlow", err)
	}
}

// A client set faster than the simulator's 5 calls/s meets
// System.LimitControl, slows its limiter and still lists everything.
func TestThrottlingSlowsTheLimiterAndItRecovers(t *testing.T) {
	data := &simulator.Dataset{Spaces: []simulator.Space{{ID: "cams-big", Flows: flowsOf("cams-big", 24)}}}
	sim, url := startSim(t, simulator.Config{Data: data, RateLimit: 5})
	var mu sync.Mutex
	codes := map[string]int{}
	c := newClient(t, url, client.Config{RateLimit: 40, MaxRetries: 10,
		Backoff:  client.Backoff{Base: 10 * time.Millisecond, ThrottledBase: 100 * time.Millisecond, Max: time.Second},
		Observer: client.ObserverFunc(func(a client.Attempt) { mu.Lock(); codes[a.Code]++; mu.Unlock() })})
	flows, err := c.ListAllFlows(context.Background(), "cams-big", "", 2)
	if err != nil || len(flows) != 24 {
		t.Fatalf("ListAllFlows: %d flows, %v", len(flows), err)
	}
	if codes["System.LimitControl"] == 0 || sim.Stats().Throttled != codes["System.LimitControl"] {
		t.Errorf("observed %v, simulator throttled %d: want some System.LimitControl, the same count on both sides", codes, sim.Stats().Throttled)
	}
	if c.Limiter().Rate() >= 40 {
		t.Errorf("limiter rate %v, want below the configured 40 after throttling", c.Limiter().Rate())
	}
	for range 40 {
		c.Limiter().Succeeded()
	}
	if c.Limiter().Rate() != 40 {
		t.Errorf("limiter rate %v after successes, want back at 40", c.Limiter().Rate())
	}
}

// stsServer is a credentials URI that hands out the current temporary
// credentials, as ALIBABA_CLOUD_CREDENTIALS_URI expects.
type stsServer struct {
	mu      sync.Mutex
	current simulator.Credential
	served  int
}

func (s *stsServer) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.served++
	_ = json.NewEncoder(w).Encode(map[string]string{
		"Code": "Success", "AccessKeyId": s.current.AccessKeyID, "AccessKeySecret": s.current.AccessKeySecret,
		"SecurityToken": s.current.SecurityToken,
		// Less than credentials-go's 180 s refresh margin: it asks every time.
		"Expiration": time.Now().Add(100 * time.Second).UTC().Format("2006-01-02T15:04:05Z"),
	})
}

func (s *stsServer) rotate(c simulator.Credential) {
	s.mu.Lock()
	s.current = c
	s.mu.Unlock()
}

func TestCredentialRotationThroughCredentialsURI(t *testing.T) {
	t.Setenv("HOME", t.TempDir())
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	for _, v := range []string{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", "ALIBABA_CLOUD_ROLE_ARN", "ALIBABA_CLOUD_CONFIG_FILE", "ALIBABA_CLOUD_CREDENTIALS_FILE"} {
		t.Setenv(v, "")
		os.Unsetenv(v)
	}
	first := simulator.Credential{AccessKeyID: "STS.first", AccessKeySecret: "firstSecret", SecurityToken: "firstToken"}
	second := simulator.Credential{AccessKeyID: "STS.second", AccessKeySecret: "secondSecret", SecurityToken: "secondToken"}
	sim, url := startSim(t, simulator.Config{RateLimit: -1})
	sim.AddCredential(first)
	sts := &stsServer{current: first}
	stsSrv := httptest.NewServer(sts)
	defer stsSrv.Close()
	t.Setenv("ALIBABA_CLOUD_CREDENTIALS_URI", stsSrv.URL)

	c := newClient(t, url, client.Config{Credentials: client.DefaultCredentials(), RateLimit: 500, MaxRetries: -1})
	call := func() error { _, err := c.ListFlow(context.Background(), client.ListFlowRequest{}); return err }
	if err := call(); err != nil {
		t.Fatalf("with the first STS credentials: %v", err)
	}
	// The old token expires; until the credentials source rotates, calls fail
	// with the gateway's code, and never reveal a secret.
	sim.ExpireCredential(first.AccessKeyID)
	err := call()
	if client.CodeOf(err) != "InvalidSecurityToken.Expired" {
		t.Fatalf("with an expired token: %v, want InvalidSecurityToken.Expired", err)
	}
	if strings.Contains(err.Error(), first.AccessKeySecret) || strings.Contains(err.Error(), first.SecurityToken) {
		t.Errorf("error leaks a secret: %v", err)
	}
	sim.AddCredential(second)
	sts.rotate(second)
	if err := call(); err != nil {
		t.Fatalf("after rotation: %v", err)
	}
	if sts.served < 3 {
		t.Errorf("the credentials URI was asked %d times, want once per call", sts.served)
	}
}
