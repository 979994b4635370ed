package simulator

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cams-exporter/cams_exporter/client/acs3"
)

func TestAuthentication(t *testing.T) {
	h := newHarness(t, Config{})
	now := h.clock.Now()
	h.srv.AddCredential(Credential{AccessKeyID: "STS.active", AccessKeySecret: "activeSecret", SecurityToken: "token-active"})
	h.srv.AddCredential(Credential{AccessKeyID: "STS.old", AccessKeySecret: "oldSecret", SecurityToken: "token-old"})
	h.srv.ExpireCredential("STS.old")
	h.srv.AddCredential(Credential{AccessKeyID: "STS.timed", AccessKeySecret: "timedSecret", SecurityToken: "token-timed", Expires: now.Add(-time.Second)})
	h.srv.AddCredential(Credential{AccessKeyID: "STS.later", AccessKeySecret: "laterSecret", SecurityToken: "token-later", Expires: now.Add(time.Hour)})
	h.srv.AddCredential(Credential{AccessKeyID: "disabledKey", AccessKeySecret: "disabledSecret"})
	h.srv.ExpireCredential("disabledKey")

	static := h.cred
	active := acs3.Credentials{AccessKeyID: "STS.active", AccessKeySecret: "activeSecret", SecurityToken: "token-active"}
	params := pageParams("", "", 1, 5)
	// signedWith signs a fresh call with c at the clock plus skew.
	signedWith := func(c acs3.Credentials, skew time.Duration) *http.Request {
		req := h.request(params)
		acs3.Signer{Now: func() time.Time { return now.Add(skew) }}.Sign(req, c)
		return req
	}
	// resigned signs req over the given signed headers only.
	resigned := func(req *http.Request, c acs3.Credentials, signed []string) *http.Request {
		r := acs3.Request{Method: req.Method, Path: "/", Query: req.URL.Query(), Header: req.Header, Host: h.host,
			SignedHeaders: signed, PayloadHash: acs3.EmptyPayloadHash}
		req.Header.Set("Authorization", acs3.Authorization(c.AccessKeyID, signed, acs3.Sign(r, c.AccessKeySecret)))
		return req
	}
	without := func(list []string, drop string) []string {
		var out []string
		for _, s := range list {
			if s != drop {
				out = append(out, s)
			}
		}
		return out
	}

	tests := []struct {
		name   string
		req    func() *http.Request
		status int
		code   string // "" for success
	}{
		{"static key", func() *http.Request { return signedWith(static, 0) }, 200, ""},
		{"STS key with its token", func() *http.Request { return signedWith(active, 0) }, 200, ""},
		{"STS key not yet expired", func() *http.Request {
			return signedWith(acs3.Credentials{AccessKeyID: "STS.later", AccessKeySecret: "laterSecret", SecurityToken: "token-later"}, 0)
		}, 200, ""},
		{"date 14 minutes behind", func() *http.Request { return signedWith(static, -14*time.Minute) }, 200, ""},
		{"date 14 minutes ahead", func() *http.Request { return signedWith(static, 14*time.Minute) }, 200, ""},

		{"method PUT", func() *http.Request {
			req := signedWith(static, 0)
			req.Method = http.MethodPut
			return req
		}, 404, CodeInvalidAPINotFound},
		{"unknown action", func() *http.Request {
			req := h.request(params)
			req.Header.Set("x-acs-action", "ListFlows")
			h.sign(req, static)
			return req
		}, 404, CodeInvalidAPINotFound},
		{"no action", func() *http.Request {
			req := h.request(params)
			req.Header.Del("x-acs-action")
			h.sign(req, static)
			return req
		}, 404, CodeInvalidAPINotFound},
		{"wrong version", func() *http.Request {
			req := h.request(params)
			req.Header.Set("x-acs-version", "2021-01-01")
			h.sign(req, static)
			return req
		}, 404, CodeInvalidAPINotFound},

		{"no Authorization", func() *http.Request { return h.request(params) }, 400, CodeIncompleteSignature},
		{"malformed Authorization", func() *http.Request {
			req := signedWith(static, 0)
			req.Header.Set("Authorization", "ACS3-HMAC-SHA256 Credential="+testKeyID)
			return req
		}, 400, CodeIncompleteSignature},
		{"HMAC-SHA1 Authorization", func() *http.Request {
			req := signedWith(static, 0)
			req.Header.Set("Authorization", "acs "+testKeyID+":c2lnbmF0dXJl")
			return req
		}, 400, CodeIncompleteSignature},
		{"nonce header missing", func() *http.Request {
			req := signedWith(static, 0)
			req.Header.Del("x-acs-signature-nonce")
			return req
		}, 400, CodeIncompleteSignature},
		{"content hash header missing", func() *http.Request {
			req := signedWith(static, 0)
			req.Header.Del("x-acs-content-sha256")
			return req
		}, 400, CodeIncompleteSignature},
		{"x-acs-version not signed", func() *http.Request {
			req := signedWith(static, 0)
			return resigned(req, static, without(acs3.SignableHeaders(req.Header), "x-acs-version"))
		}, 400, CodeIncompleteSignature},
		{"host not signed", func() *http.Request {
			req := signedWith(static, 0)
			return resigned(req, static, without(acs3.SignableHeaders(req.Header), "host"))
		}, 400, CodeIncompleteSignature},
		{"security token not signed", func() *http.Request {
			req := signedWith(acs3.Credentials{AccessKeyID: "STS.active", AccessKeySecret: "activeSecret"}, 0)
			req.Header.Set("x-acs-security-token", "token-active")
			return req
		}, 400, CodeIncompleteSignature},
		{"x-acs-accesskey-id not the Credential", func() *http.Request {
			req := signedWith(active, 0)
			req.Header.Set("x-acs-accesskey-id", "STS.other")
			return resigned(req, active, acs3.SignableHeaders(req.Header))
		}, 400, CodeIncompleteSignature},

		{"unknown AccessKeyId", func() *http.Request {
			return signedWith(acs3.Credentials{AccessKeyID: "noSuchKey", AccessKeySecret: testSecret}, 0)
		}, 404, CodeInvalidAccessKeyIDNotFound},

		{"date 16 minutes behind", func() *http.Request { return signedWith(static, -16*time.Minute) }, 400, CodeInvalidTimeStampExpired},
		{"date 16 minutes ahead", func() *http.Request { return signedWith(static, 16*time.Minute) }, 400, CodeInvalidTimeStampExpired},
		{"date unparsable", func() *http.Request {
			req := h.request(params)
			req.Header.Set("x-acs-date", "Thu, 26 Nov 2026 16:26:32 GMT")
			return resigned(req, static, requiredPlus(req))
		}, 400, CodeInvalidTimeStampExpired},

		{"expired STS token", func() *http.Request {
			return signedWith(acs3.Credentials{AccessKeyID: "STS.old", AccessKeySecret: "oldSecret", SecurityToken: "token-old"}, 0)
		}, 400, CodeInvalidSecurityTokenExpired},
		{"STS token past its expiry time", func() *http.Request {
			return signedWith(acs3.Credentials{AccessKeyID: "STS.timed", AccessKeySecret: "timedSecret", SecurityToken: "token-timed"}, 0)
		}, 400, CodeInvalidSecurityTokenExpired},
		{"an expired token with a live key", func() *http.Request {
			return signedWith(acs3.Credentials{AccessKeyID: "STS.active", AccessKeySecret: "activeSecret", SecurityToken: "token-old"}, 0)
		}, 400, CodeInvalidSecurityTokenExpired},
		{"STS key without its token", func() *http.Request {
			return signedWith(acs3.Credentials{AccessKeyID: "STS.active", AccessKeySecret: "activeSecret"}, 0)
		}, 400, CodeInvalidSecurityTokenMalformed},
		{"STS key with a wrong token", func() *http.Request {
			return signedWith(acs3.Credentials{AccessKeyID: "STS.active", AccessKeySecret: "activeSecret", SecurityToken: "token-bogus"}, 0)
		}, 400, CodeInvalidSecurityTokenMismatch},
		{"static key with a token", func() *http.Request {
			return signedWith(acs3.Credentials{AccessKeyID: testKeyID, AccessKeySecret: testSecret, SecurityToken: "token-active"}, 0)
		}, 400, CodeInvalidSecurityTokenMismatch},
		{"disabled static key", func() *http.Request {
			return signedWith(acs3.Credentials{AccessKeyID: "disabledKey", AccessKeySecret: "disabledSecret"}, 0)
		}, 400, CodeInvalidAccessKeyIDInactive},

		{"wrong secret", func() *http.Request {
			return signedWith(acs3.Credentials{AccessKeyID: testKeyID, AccessKeySecret: "wrongSecret"}, 0)
		}, 400, CodeSignatureDoesNotMatch},
		{"query changed after signing", func() *http.Request {
			req := signedWith(static, 0)
			req.URL.RawQuery = pageParams("cams-1a2b3c4d", "", 1, 5).Encode()
			return req
		}, 400, CodeSignatureDoesNotMatch},
		{"signed for another host", func() *http.Request {
			req := signedWith(static, 0)
			req.Host = "cams.ap-southeast-1.aliyuncs.com"
			return req
		}, 400, CodeSignatureDoesNotMatch},
		{"content hash not the body's", func() *http.Request {
			req := signedWith(static, 0)
			req.Body, req.ContentLength = nopCloser("x"), 1
			return req
		}, 400, CodeSignatureDoesNotMatch},
	}
	wantCodes := map[string]int{}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := tt.req()
			host := req.Host
			if host == "" {
				host = req.URL.Host
			}
			r := h.do(req)
			if tt.code == "" {
				if r.status != 200 || r.body.Code != "OK" {
					t.Fatalf("got HTTP %d %s, want success; body %s", r.status, r.body.Code, r.raw)
				}
				return
			}
			wantError(t, r, tt.status, tt.code)
			wantEnvelope(t, r, host)
		})
		if tt.code != "" {
			wantCodes[tt.code]++
		}
	}
	st := h.srv.Stats()
	if st.Calls != len(tests) || st.Accepted != len(tests)-sumCounts(wantCodes) {
		t.Errorf("Stats Calls %d Accepted %d; want %d and %d", st.Calls, st.Accepted, len(tests), len(tests)-sumCounts(wantCodes))
	}
	for code, n := range wantCodes {
		if st.Codes[code] != n {
			t.Errorf("Stats.Codes[%s] = %d, want %d", code, st.Codes[code], n)
		}
	}
}

// requiredPlus is the list of every signable header of req.
func requiredPlus(req *http.Request) []string {
	req.Header.Set("x-acs-signature-nonce", acs3.RandomNonce())
	req.Header.Set("x-acs-content-sha256", acs3.EmptyPayloadHash)
	return acs3.SignableHeaders(req.Header)
}

func sumCounts(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// wantEnvelope checks the gateway's error envelope.
func wantEnvelope(t *testing.T, r response, host string) {
	t.Helper()
	b := r.body
	if len(b.RequestId) != 36 || strings.ToUpper(b.RequestId) != b.RequestId {
		t.Errorf("RequestId %q is not an upper-case UUID", b.RequestId)
	}
	if b.HostId != host {
		t.Errorf("HostId = %q, want %q", b.HostId, host)
	}
	if b.Message == "" {
		t.Error("no Message")
	}
	want := "https://api.aliyun.com/troubleshoot?q=" + b.Code + "&product=cams&requestId=" + b.RequestId
	if b.Recommend != want {
		t.Errorf("Recommend = %q, want %q", b.Recommend, want)
	}
	if got := r.header.Get("x-acs-request-id"); got != b.RequestId {
		t.Errorf("x-acs-request-id = %q, want %q", got, b.RequestId)
	}
}

func TestSignatureNonce(t *testing.T) {
	h := newHarness(t, Config{})
	h.srv.AddCredential(Credential{AccessKeyID: "otherKey", AccessKeySecret: "otherSecret"})
	const nonce = "0123456789abcdef0123456789abcdef"
	sign := func(c acs3.Credentials) *http.Request {
		req := h.request(url.Values{})
		acs3.Signer{Now: h.clock.Now, Nonce: func() string { return nonce }}.Sign(req, c)
		return req
	}
	// A call that fails its signature does not use the nonce up.
	wantError(t, h.do(sign(acs3.Credentials{AccessKeyID: testKeyID, AccessKeySecret: "wrong"})), 400, CodeSignatureDoesNotMatch)
	first := sign(h.cred)
	wantFlows(t, h.do(first), expectedPage(spaceOf(t, loadSmall(t), "").Flows, "", 1, 20))
	replay := first.Clone(first.Context())
	wantError(t, h.do(replay), 400, CodeSignatureNonceUsed)
	// Nonces are per AccessKeyId.
	if r := h.do(sign(acs3.Credentials{AccessKeyID: "otherKey", AccessKeySecret: "otherSecret"})); r.status != 200 {
		t.Errorf("the same nonce under another key: HTTP %d %s", r.status, r.raw)
	}
	// After 15 minutes the nonce is forgotten (a signature that old is
	// refused for its date anyway, so sign anew).
	h.clock.Advance(MaxClockSkew)
	if r := h.do(sign(h.cred)); r.status != 200 {
		t.Errorf("the nonce 15 minutes later: HTTP %d %s", r.status, r.raw)
	}
}

func TestNonceMemoryIsBounded(t *testing.T) {
	var n nonces
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 1000 {
		if !n.use("k\n"+string(rune('a'+i%26))+time.Duration(i).String(), t0) {
			t.Fatal("a new nonce was refused")
		}
	}
	if n.use("k\na0s", t0.Add(time.Minute)) {
		t.Fatal("a used nonce was accepted")
	}
	n.use("fresh", t0.Add(MaxClockSkew))
	if got := n.size(); got != 1 {
		t.Errorf("after 15 minutes %d nonces are remembered, want 1", got)
	}
	for i := range maxNonces + 10 {
		n.use(time.Duration(i).String(), t0.Add(MaxClockSkew))
	}
	if got := n.size(); got > maxNonces {
		t.Errorf("%d nonces remembered, more than the cap %d", got, maxNonces)
	}
}

func TestSTSRotation(t *testing.T) {
	h := newHarness(t, Config{AccessKeyID: "STS.one", AccessKeySecret: "secretOne", SecurityToken: "tokenOne"})
	one := h.cred
	two := acs3.Credentials{AccessKeyID: "STS.two", AccessKeySecret: "secretTwo", SecurityToken: "tokenTwo"}
	h.srv.AddCredential(Credential{AccessKeyID: two.AccessKeyID, AccessKeySecret: two.AccessKeySecret, SecurityToken: two.SecurityToken,
		Expires: h.clock.Now().Add(time.Hour)})
	call := func(c acs3.Credentials) response {
		req := h.request(url.Values{})
		h.sign(req, c)
		return h.do(req)
	}
	for _, c := range []acs3.Credentials{one, two} {
		if r := call(c); r.status != 200 {
			t.Fatalf("%s during the overlap: HTTP %d %s", c.AccessKeyID, r.status, r.raw)
		}
	}
	h.srv.ExpireCredential(one.AccessKeyID)
	wantError(t, call(one), 400, CodeInvalidSecurityTokenExpired)
	if r := call(two); r.status != 200 {
		t.Fatalf("the new credential after the rotation: HTTP %d %s", r.status, r.raw)
	}
	h.clock.Advance(time.Hour)
	wantError(t, call(two), 400, CodeInvalidSecurityTokenExpired)
}
