package main

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/internal/loopback"
	"github.com/cams-exporter/cams_exporter/simulator"
)

// Recognisable credentials: any 12 characters of the secret or the token in
// an output is a leak.
const (
	leakKeyID  = "LTAIleakTestKeyId0001"
	leakSecret = "SECRETsecretSECRET0123456789abcd"
	leakToken  = "TOKENtokenTOKENsts0123456789ABCDEFghijklmnopQRSTUV"
	// wrongSecret is given to one check run, which must not print it either.
	wrongSecret = "WRONGwrongWRONG9876543210zyxwvuts"
)

// leakFragmentLen is the length of the windows of a secret searched for.
const leakFragmentLen = 12

// chainConfigSecret and chainConfigToken are in testdata/aliyun-config-truncated.json,
// a CLI config cut off in the middle, written the way people write JSON by
// hand (", " between fields), with values that have no digit.
const (
	chainConfigSecret = "chainSecretWithoutDigitsQwErTyUiOp"
	chainConfigToken  = "chainTokenNoDigitsAsdfGhjkLzxcVbnm"
)

// transcript is everything a process or an endpoint said, by where it came
// from.
type transcript struct {
	names []string
	texts map[string]string
}

func (tr *transcript) add(name, text string) {
	if tr.texts == nil {
		tr.texts = map[string]string{}
	}
	if _, ok := tr.texts[name]; !ok {
		tr.names = append(tr.names, name)
	}
	tr.texts[name] += text
}

func (tr *transcript) all() string {
	var b strings.Builder
	for _, n := range tr.names {
		b.WriteString(tr.texts[n])
	}
	return b.String()
}

// secretForms returns what must never appear of each secret: every window
// of leakFragmentLen characters, and the whole secret in base64 and hex.
func secretForms(secrets ...string) []string {
	var forms []string
	for _, s := range secrets {
		for i := 0; i+leakFragmentLen <= len(s); i++ {
			forms = append(forms, s[i:i+leakFragmentLen])
		}
		forms = append(forms, base64.StdEncoding.EncodeToString([]byte(s)), base64.URLEncoding.EncodeToString([]byte(s)), hex.EncodeToString([]byte(s)))
	}
	return forms
}

// assertNoSecret fails for every output of tr that holds a form of a secret.
func assertNoSecret(t *testing.T, tr *transcript, secrets ...string) {
	t.Helper()
	forms := secretForms(secrets...)
	for _, name := range tr.names {
		text := tr.texts[name]
		for _, f := range forms {
			if i := strings.Index(text, f); i >= 0 {
				t.Errorf("%s leaks a secret (%q) at byte %d:\n%s", name, f, i, excerpt(text, i))
				break
			}
		}
	}
}

func excerpt(s string, i int) string {
	return s[max(0, i-200):min(len(s), i+200)]
}

// isolatedEnv is the test's environment without any ALIBABA_CLOUD_*
// variable, with its own HOME (no ~/.aliyun, no ~/.alibabacloud), the ECS
// metadata service disabled, and extra.
func isolatedEnv(t *testing.T, extra ...string) []string {
	t.Helper()
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "ALIBABA_CLOUD_") || strings.HasPrefix(kv, "HOME=") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "HOME="+t.TempDir(), "ALIBABA_CLOUD_ECS_METADATA_DISABLED=true")
	return append(env, extra...)
}

// exporterProcess is the exporter binary running in the background.
type exporterProcess struct {
	cmd    *exec.Cmd
	addr   string
	stderr *lockedBuffer
	done   chan struct{} // closed when the process has ended
	err    error         // its exit error, set before done closes
}

// startExporter starts bin serve with args on a free loopback port.
func startExporter(t *testing.T, bin string, env []string, args ...string) *exporterProcess {
	t.Helper()
	addr := loopback.FreeAddr(t)
	return startCommand(t, addr, env, append([]string{bin, "--web.listen-address=" + addr}, args...)...)
}

// startCommand starts argv (a program and its arguments, such as the
// exporter run under prlimit) serving on addr, and stops it when the test
// ends.
func startCommand(t *testing.T, addr string, env []string, argv ...string) *exporterProcess {
	t.Helper()
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = env
	p := &exporterProcess{cmd: cmd, addr: addr, stderr: &lockedBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.stderr, p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			t.Logf("%v wrote:\n%s", argv, p.stderr.String())
		}
	})
	return p
}

// stop ends the process with SIGTERM, or SIGKILL after 15 s, and returns its
// exit error. It may be called more than once.
func (p *exporterProcess) stop() error {
	if p.exited() {
		return p.err
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
		return p.err
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		<-p.done
		return errors.New("did not stop within 15 s of SIGTERM")
	}
}

// exited reports whether the process has ended, without waiting.
func (p *exporterProcess) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

var testHTTPClient = &http.Client{Timeout: 5 * time.Second}

// fetch GETs url and returns the status and body; status 0 when there was
// no answer.
func fetch(c *http.Client, url string) (int, string) {
	resp, err := c.Get(url)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// waitFor polls cond every 50 ms until it holds or timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// spaceStatus is what the tests read of /status.
type spaceStatus struct {
	Space       string     `json:"space"`
	Up          bool       `json:"up"`
	LastAttempt *time.Time `json:"last_attempt"`
	LastError   *struct {
		Code string `json:"code"`
	} `json:"last_error"`
}

func readStatus(p *exporterProcess) (map[string]spaceStatus, string) {
	code, body := fetch(testHTTPClient, "http://"+p.addr+"/status")
	if code != 200 {
		return nil, body
	}
	var st struct {
		Spaces []spaceStatus `json:"spaces"`
	}
	if json.Unmarshal([]byte(body), &st) != nil {
		return nil, body
	}
	out := map[string]spaceStatus{}
	for _, s := range st.Spaces {
		out[s.Space] = s
	}
	return out, body
}

// runBinary runs bin with args and env to the end (a minute at most) and returns
// its exit code and what it printed on stdout and stderr.
func runBinary(t *testing.T, bin string, env []string, args ...string) (int, string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	out, err := cmd.CombinedOutput()
	var exitErr *exec.ExitError
	switch {
	case err == nil:
		return 0, string(out)
	case errors.As(err, &exitErr) && ctx.Err() == nil:
		return exitErr.ExitCode(), string(out)
	default:
		t.Fatalf("%s %v: %v\n%s", bin, args, err, out)
		return -1, ""
	}
}

// TestSecretsNeverLeak runs the exporter binary at debug level with an STS
// credential in its environment while the simulator answers every kind of
// failure, and the check command beside it, and looks for the secret and
// the token in everything they wrote: logs, /metrics, /status, /readyz,
// /healthz, the landing page, the cache file and the check reports.
func TestSecretsNeverLeak(t *testing.T) {
	data := simulator.Generate(11, 16, 6)
	var ids []string
	for _, sp := range data.Spaces {
		if sp.ID != "" {
			ids = append(ids, sp.ID)
		}
	}
	sim, err := simulator.New(simulator.Config{AccessKeyID: leakKeyID, AccessKeySecret: leakSecret, SecurityToken: leakToken, Data: data, RateLimit: -1})
	if err != nil {
		t.Fatal(err)
	}
	simURL, err := sim.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer sim.Close()
	restoreCredential := func() {
		sim.AddCredential(simulator.Credential{AccessKeyID: leakKeyID, AccessKeySecret: leakSecret, SecurityToken: leakToken})
	}

	bin := buildBinary(t)
	dir := t.TempDir()
	spacesFile := filepath.Join(dir, "spaces.txt")
	writeSpaces := func(n int) {
		if err := os.WriteFile(spacesFile, []byte("# watched\n"+strings.Join(ids[:n], "\n")+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	writeSpaces(1)
	cacheFile := filepath.Join(dir, "cache.json")
	env := isolatedEnv(t, "ALIBABA_CLOUD_ACCESS_KEY_ID="+leakKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET="+leakSecret, "ALIBABA_CLOUD_SECURITY_TOKEN="+leakToken)
	// check logs nothing, and takes no --log.level.
	common := []string{"--cams.endpoint=" + simURL, "--cams.rate-limit=20", "--cams.max-retries=1", "--cams.timeout=1s"}
	p := startExporter(t, bin, env, append(common, "--log.level=debug", "--cams.spaces-file="+spacesFile, "--refresh.interval=1h",
		"--cache.file="+cacheFile, "--collector.flow-info")...)

	tr := &transcript{}
	base := "http://" + p.addr
	collect := func(when string) {
		for _, path := range []string{"/metrics", "/status", "/status?format=html", "/readyz", "/healthz", "/"} {
			_, body := fetch(testHTTPClient, base+path)
			tr.add(path+" "+when, body)
		}
	}
	waitFor(t, time.Minute, "the first refresh (/readyz 200)", func() bool {
		if p.exited() {
			t.Fatalf("the exporter exited:\n%s", p.stderr.String())
		}
		code, _ := fetch(testHTTPClient, base+"/readyz")
		return code == 200
	})
	collect("at start")

	// Each step watches one more space (the spaces file changes, SIGHUP
	// wakes the refresher) and makes its listing fail one way.
	steps := []struct {
		name     string
		fault    *simulator.Fault
		expire   bool
		wantCode string // "" means the listing succeeds
	}{
		{"SignatureDoesNotMatch", &simulator.Fault{Kind: simulator.FaultError, Code: "SignatureDoesNotMatch"}, false, "SignatureDoesNotMatch"},
		{"injected InvalidSecurityToken.Expired", &simulator.Fault{Kind: simulator.FaultError, Code: "InvalidSecurityToken.Expired"}, false, "InvalidSecurityToken.Expired"},
		{"Ram.PermissionDeny with the gateway's object detail", &simulator.Fault{Kind: simulator.FaultError, Code: "Ram.PermissionDeny", Detail: "object"}, false, "Ram.PermissionDeny"},
		{"HTTP 500", &simulator.Fault{Kind: simulator.FaultHTTP, Status: 500}, false, "InternalError"},
		{"malformed body", &simulator.Fault{Kind: simulator.FaultMalformed}, false, client.CodeInvalidResponse},
		{"truncated body", &simulator.Fault{Kind: simulator.FaultTruncated}, false, client.CodeInvalidResponse},
		{"HTTP 200 with an error code", &simulator.Fault{Kind: simulator.FaultOKError, Code: "Ram.PermissionDeny", Detail: "object"}, false, "Ram.PermissionDeny"},
		{"connection reset", &simulator.Fault{Kind: simulator.FaultReset}, false, client.CodeNetworkError},
		{"latency beyond --cams.timeout", &simulator.Fault{Kind: simulator.FaultLatency, Latency: simulator.Duration(1500 * time.Millisecond)}, false, client.CodeTimeout},
		{"the STS credential expired", nil, true, "InvalidSecurityToken.Expired"},
		{"recovered", nil, false, ""},
	}
	if len(ids) < len(steps)+1 {
		t.Fatalf("the data set has %d spaces, the test needs %d", len(ids), len(steps)+1)
	}
	for i, s := range steps {
		space := ids[i+1]
		faultID := 0
		if s.fault != nil {
			f := *s.fault
			f.Space = &space
			if faultID, err = sim.Inject(f); err != nil {
				t.Fatal(err)
			}
		}
		if s.expire {
			sim.ExpireCredential(leakKeyID)
		}
		writeSpaces(i + 2)
		if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
		// Well within --refresh.interval: the result must be published
		// at once, not with the next listing.
		var got spaceStatus
		waitFor(t, time.Minute, "the listing of "+space+" ("+s.name+")", func() bool {
			spaces, _ := readStatus(p)
			got = spaces[space]
			return got.LastAttempt != nil
		})
		switch {
		case s.wantCode == "" && !got.Up:
			t.Errorf("%s: space %s is not up: %+v", s.name, space, got.LastError)
		case s.wantCode != "" && (got.LastError == nil || got.LastError.Code != s.wantCode):
			t.Errorf("%s: space %s last error %+v, want code %s", s.name, space, got.LastError, s.wantCode)
		}
		collect("after " + s.name)
		if s.expire {
			// The check command with the same environment, while every
			// call answers InvalidSecurityToken.Expired.
			for _, extra := range [][]string{{}, {"--output=json"}, {"--cams.discover-spaces"}} {
				code, out := runBinary(t, bin, env, append(append([]string{"check"}, common...), append([]string{"--cams.space=" + ids[0]}, extra...)...)...)
				tr.add(fmt.Sprintf("check %v (credential expired, exit %d)", extra, code), out)
				if code == 0 || !strings.Contains(out, "InvalidSecurityToken.Expired") {
					t.Errorf("check %v with an expired token: exit %d\n%s", extra, code, out)
				}
			}
			restoreCredential()
		}
		if faultID != 0 {
			sim.RemoveFault(faultID)
		}
	}

	// The check command against one healthy and one denied space, in both
	// formats, and with a wrong secret.
	denied := ids[1]
	fid, err := sim.Inject(simulator.Fault{Kind: simulator.FaultError, Code: "Ram.PermissionDeny", Detail: "object", Space: &denied})
	if err != nil {
		t.Fatal(err)
	}
	for _, output := range []string{"text", "json"} {
		code, out := runBinary(t, bin, env, append(append([]string{"check"}, common...), "--output="+output, "--cams.space="+ids[0], "--cams.space="+denied)...)
		tr.add("check --output="+output, out)
		if code != 2 || !strings.Contains(out, "Ram.PermissionDeny") {
			t.Errorf("check --output=%s with a denied space: exit %d, want 2 naming Ram.PermissionDeny\n%s", output, code, out)
		}
	}
	sim.RemoveFault(fid)
	wrongEnv := isolatedEnv(t, "ALIBABA_CLOUD_ACCESS_KEY_ID="+leakKeyID, "ALIBABA_CLOUD_ACCESS_KEY_SECRET="+wrongSecret, "ALIBABA_CLOUD_SECURITY_TOKEN="+leakToken)
	for _, output := range []string{"text", "json"} {
		code, out := runBinary(t, bin, wrongEnv, append(append([]string{"check"}, common...), "--output="+output, "--cams.space="+ids[0])...)
		tr.add("check --output="+output+" with a wrong secret", out)
		if code != 2 || !strings.Contains(out, "SignatureDoesNotMatch") {
			t.Errorf("check --output=%s with a wrong secret: exit %d, want 2 naming SignatureDoesNotMatch\n%s", output, code, out)
		}
	}

	if err := p.stop(); err != nil {
		t.Errorf("exporter: %v", err)
	}
	tr.add("exporter stderr (debug)", p.stderr.String())
	if b, err := os.ReadFile(cacheFile); err != nil {
		t.Errorf("no cache file: %v", err)
	} else {
		tr.add("cache file", string(b))
	}

	// The failures did happen, and were logged and counted.
	logs := p.stderr.String()
	metrics := tr.texts["/metrics after recovered"]
	for _, s := range steps {
		if s.wantCode == "" {
			continue
		}
		if !strings.Contains(logs, "code="+s.wantCode) {
			t.Errorf("the debug log does not show %s (%s)", s.wantCode, s.name)
		}
		if !strings.Contains(metrics, `cams_api_errors_total{code="`+s.wantCode+`",operation="ListFlow"}`) {
			t.Errorf("/metrics does not count %s (%s)", s.wantCode, s.name)
		}
	}
	if !strings.Contains(logs, "level=debug") {
		t.Error("the exporter did not log at debug level")
	}
	assertNoSecret(t, tr, leakSecret, leakToken, wrongSecret)
}

// TestCredentialChainFailureLeaksNoSecret breaks the default chain the
// nastiest way: a truncated CLI config that holds a secret (credentials-go
// quotes the whole file in its error) and an unreachable credentials URI.
// check exits 3 naming the variables to set; neither it nor the serving
// exporter's log and /status print the secret.
func TestCredentialChainFailureLeaksNoSecret(t *testing.T) {
	config, err := filepath.Abs(filepath.Join("testdata", "aliyun-config-truncated.json"))
	if err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(config); err != nil || !strings.Contains(string(b), chainConfigSecret) || !strings.Contains(string(b), chainConfigToken) || json.Valid(b) {
		t.Fatalf("fixture %s: %v; want truncated JSON holding the secret and the token", config, err)
	}
	bin := buildBinary(t)
	closed := loopback.FreeAddr(t) // nothing listens there any more
	env := isolatedEnv(t, "ALIBABA_CLOUD_CONFIG_FILE="+config, "ALIBABA_CLOUD_CREDENTIALS_URI=http://"+closed+"/credentials")
	endpoint := "--cams.endpoint=http://" + loopback.FreeAddr(t)
	tr := &transcript{}
	for _, output := range []string{"text", "json"} {
		code, out := runBinary(t, bin, env, "check", endpoint, "--cams.space=cams-chain", "--output="+output)
		tr.add("check --output="+output, out)
		if code != 3 || !strings.Contains(out, "ALIBABA_CLOUD_ACCESS_KEY_ID") || !strings.Contains(out, "no usable credentials") {
			t.Errorf("check --output=%s: exit %d, want 3 naming ALIBABA_CLOUD_ACCESS_KEY_ID\n%s", output, code, out)
		}
	}

	p := startExporter(t, bin, env, "--log.level=debug", endpoint, "--cams.space=cams-chain", "--refresh.interval=10s")
	var body string
	waitFor(t, time.Minute, "a refresh that fails for want of credentials", func() bool {
		if p.exited() {
			t.Fatalf("the exporter exited:\n%s", p.stderr.String())
		}
		var spaces map[string]spaceStatus
		spaces, body = readStatus(p)
		st := spaces["cams-chain"]
		return st.LastError != nil && st.LastError.Code == client.CodeCredentials
	})
	tr.add("/status", body)
	for _, path := range []string{"/metrics", "/readyz", "/status?format=html"} {
		_, b := fetch(testHTTPClient, "http://"+p.addr+path)
		tr.add(path, b)
	}
	if err := p.stop(); err != nil {
		t.Errorf("exporter: %v", err)
	}
	tr.add("exporter stderr (debug)", p.stderr.String())
	if !strings.Contains(body, "ALIBABA_CLOUD_ACCESS_KEY_ID") {
		t.Errorf("/status does not name the variables to set:\n%s", body)
	}
	assertNoSecret(t, tr, chainConfigSecret, chainConfigToken)
}

// TestInsecureEndpointNeedsTheFlag: plain http:// to a host that is not
// loopback is refused with a one-line error that names
// --cams.insecure-endpoint, and accepted with it. Nothing here connects
// anywhere: validation only.
func TestInsecureEndpointNeedsTheFlag(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	refused := []string{"http://192.0.2.10", "http://192.0.2.10:8080", "http://[2001:db8::1]:80", "http://cams.example.invalid", "http://127.0.0.1.example.invalid"}
	for _, endpoint := range refused {
		for _, cmd := range [][]string{{}, {"check"}} {
			args := append(append([]string{}, cmd...), "--cams.endpoint="+endpoint)
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				want := 1
				if len(cmd) > 0 {
					want = 3
				}
				var code int
				out := captureStderr(t, func() { code = run(args) })
				lines := strings.Split(strings.TrimSpace(out), "\n")
				if code != want || len(lines) != 1 || !strings.Contains(out, "--cams.insecure-endpoint") || !strings.Contains(out, endpoint) {
					t.Errorf("exit %d, stderr %q; want exit %d and one line naming %s and --cams.insecure-endpoint", code, out, want, endpoint)
				}
			})
		}
		o := parseFlags(t, "--cams.endpoint="+endpoint, "--cams.insecure-endpoint")
		if u, err := client.ResolveEndpoint(o.region, o.endpoint, o.insecureEndpoint); err != nil || u.Scheme != "http" {
			t.Errorf("%s with --cams.insecure-endpoint: %v, %v", endpoint, u, err)
		}
	}
	// Loopback and https need no flag.
	for _, endpoint := range []string{"http://127.0.0.1:1", "http://localhost:1", "http://[::1]:1", "https://192.0.2.10", "192.0.2.10"} {
		parseFlags(t, "--cams.endpoint="+endpoint)
	}
}
