package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/exporter-toolkit/web"
	"golang.org/x/crypto/bcrypt"
)

const (
	webUser     = "prometheus"
	webPassword = "webConfigPassw0rd-never-logged"
)

// selfSignedCert writes a fresh ECDSA certificate for 127.0.0.1 and
// localhost, and its key, to dir, and returns their paths and a pool that
// trusts the certificate.
func selfSignedCert(t *testing.T, dir string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "cams_exporter test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
		IPAddresses:           []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:              []string{"localhost"},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	certFile, keyFile = filepath.Join(dir, "tls.crt"), filepath.Join(dir, "tls.key")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

// writeWebConfig writes an exporter-toolkit web config with TLS and one
// basic-auth user whose password is webPassword.
func writeWebConfig(t *testing.T, dir, certFile, keyFile string) string {
	t.Helper()
	hash, err := bcrypt.GenerateFromPassword([]byte(webPassword), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "web-config.yml")
	yml := "tls_server_config:\n" +
		"  cert_file: " + certFile + "\n" +
		"  key_file: " + keyFile + "\n" +
		"basic_auth_users:\n" +
		"  " + webUser + ": '" + string(hash) + "'\n"
	if err := os.WriteFile(path, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// TestWebConfigTLSAndBasicAuth runs the exporter binary with
// --web.config.file: it serves HTTPS with the configured certificate,
// answers 401 without credentials or with a wrong password, 200 with the
// right ones, and nothing useful to plain HTTP.
func TestWebConfigTLSAndBasicAuth(t *testing.T) {
	dir := t.TempDir()
	certFile, keyFile, pool := selfSignedCert(t, dir)
	webConfig := writeWebConfig(t, dir, certFile, keyFile)
	bin := buildBinary(t)
	p := startExporter(t, bin, isolatedEnv(t), "--demo", "--web.config.file="+webConfig)
	base := "https://" + p.addr

	trusting := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	get := func(path, user, password string) (int, string, http.Header) {
		req, err := http.NewRequest(http.MethodGet, base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		if user != "" {
			req.SetBasicAuth(user, password)
		}
		resp, err := trusting.Do(req)
		if err != nil {
			return 0, err.Error(), nil
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
		return resp.StatusCode, string(b), resp.Header
	}

	var body string
	waitFor(t, time.Minute, "/metrics over HTTPS with basic auth", func() bool {
		if p.exited() {
			t.Fatalf("the exporter exited:\n%s", p.stderr.String())
		}
		var code int
		code, body, _ = get("/metrics", webUser, webPassword)
		return code == 200 && strings.Contains(body, "\ncams_up 1\n")
	})
	if !strings.Contains(body, "cams_flows{") {
		t.Errorf("/metrics over HTTPS lacks cams_flows:\n%.2000s", body)
	}

	for _, c := range []struct {
		name, user, password string
	}{
		{"no credentials", "", ""},
		{"a wrong password", webUser, "wrong-password"},
		{"an unknown user", "admin", webPassword},
	} {
		for _, path := range []string{"/metrics", "/status", "/"} {
			code, body, header := get(path, c.user, c.password)
			if code != http.StatusUnauthorized || strings.Contains(body, "cams_") {
				t.Errorf("%s with %s: %d, want 401\n%.500s", path, c.name, code, body)
			}
			if c.user == "" && !strings.HasPrefix(header.Get("WWW-Authenticate"), "Basic") {
				t.Errorf("%s with %s: WWW-Authenticate %q, want a Basic challenge", path, c.name, header.Get("WWW-Authenticate"))
			}
		}
	}

	// Plain HTTP to the TLS port gets no metrics (Go answers 400 "Client
	// sent an HTTP request to an HTTPS server").
	code, plain := fetch(testHTTPClient, "http://"+p.addr+"/metrics")
	if code == 200 || strings.Contains(plain, "cams_") {
		t.Errorf("plain HTTP to the TLS port: %d\n%.500s", code, plain)
	}
	// A client that does not trust the certificate does not get through.
	if code, msg := fetch(testHTTPClient, base+"/metrics"); code != 0 || !strings.Contains(msg, "certificate") {
		t.Errorf("a client not trusting the certificate: %d %s, want a certificate error", code, msg)
	}

	if err := p.stop(); err != nil {
		t.Errorf("exporter: %v", err)
	}
	logs := p.stderr.String()
	if !strings.Contains(logs, "TLS is enabled") {
		t.Errorf("the log does not say TLS is enabled:\n%s", logs)
	}
	if strings.Contains(logs, webPassword) {
		t.Errorf("the log holds the basic-auth password:\n%s", logs)
	}
}

// TestWebConfigFileErrors: a web config file that cannot be read, does not
// parse, or names a certificate that is not there stops the exporter (exit 1)
// and check (exit 3) with one line naming --web.config.file, and never
// prints a password it holds.
func TestWebConfigFileErrors(t *testing.T) {
	t.Setenv("ALIBABA_CLOUD_ECS_METADATA_DISABLED", "true")
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	cases := map[string]string{
		"missing file":          filepath.Join(dir, "no-such-web-config.yml"),
		"a directory":           dir,
		"malformed YAML":        write("malformed.yml", "tls_server_config: [not a map\n"),
		"an unknown field":      write("unknown.yml", "tls_server_config:\n  cert_file: x\n  key_file: y\n  certificate: z\nbasic_auth: {}\n"),
		"a plain-text password": write("plain.yml", "basic_auth_users:\n  "+webUser+": "+webPassword+"\n"),
		"a missing certificate": write("nocert.yml", "tls_server_config:\n  cert_file: "+filepath.Join(dir, "missing.crt")+"\n  key_file: "+filepath.Join(dir, "missing.key")+"\n"),
	}
	for name, path := range cases {
		// Guard: a config that validated would start a real exporter here.
		if web.Validate(path) == nil {
			t.Fatalf("%s: %s passes validation", name, path)
		}
		for _, cmd := range [][]string{{}, {"check"}} {
			args := append(append([]string{}, cmd...), "--web.config.file="+path, "--cams.endpoint=http://127.0.0.1:1")
			t.Run(name+" "+strings.Join(cmd, ""), func(t *testing.T) {
				want := 1
				if len(cmd) > 0 {
					want = 3
				}
				var code int
				out := captureStderr(t, func() { code = run(args) })
				lines := strings.Split(strings.TrimSpace(out), "\n")
				if code != want || len(lines) != 1 || !strings.Contains(out, "--web.config.file") {
					t.Errorf("exit %d, stderr %q; want exit %d and one line naming --web.config.file", code, out, want)
				}
				if strings.Contains(out, webPassword) {
					t.Errorf("stderr holds the password: %q", out)
				}
			})
		}
	}
}
