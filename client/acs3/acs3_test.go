package acs3

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// The two vectors of ../../shared/reference/cams-api.md.
func TestSignatureVectors(t *testing.T) {
	tests := []struct {
		name          string
		host          string
		query         url.Values
		headers       map[string]string
		secret        string
		wantQuery     string
		wantCanonHash string
		wantSignature string
	}{
		{
			name: "published RunInstances example",
			host: "ecs.cn-shanghai.aliyuncs.com",
			query: url.Values{
				"ImageId":  {"win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd"},
				"RegionId": {"cn-shanghai"},
			},
			headers: map[string]string{
				"x-acs-action":          "RunInstances",
				"x-acs-version":         "2014-05-26",
				"x-acs-date":            "2023-10-26T10:22:32Z",
				"x-acs-signature-nonce": "3156853299f313e23d1673dc12e1703d",
				"x-acs-content-sha256":  EmptyPayloadHash,
			},
			secret:        "YourAccessKeySecret",
			wantQuery:     "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai",
			wantCanonHash: "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259",
			wantSignature: "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0",
		},
		{
			name:  "ListFlow",
			host:  "cams.ap-southeast-1.aliyuncs.com",
			query: url.Values{"CustSpaceId": {"cams-abc123"}, "Page": {`{"Index":1,"Size":50}`}},
			headers: map[string]string{
				"x-acs-action":          "ListFlow",
				"x-acs-version":         "2020-06-06",
				"x-acs-date":            "2025-01-01T00:00:00Z",
				"x-acs-signature-nonce": "0123456789abcdef0123456789abcdef",
				"x-acs-content-sha256":  EmptyPayloadHash,
			},
			secret:        "testAccessKeySecret",
			wantQuery:     "CustSpaceId=cams-abc123&Page=%7B%22Index%22%3A1%2C%22Size%22%3A50%7D",
			wantCanonHash: "5d88da633c045d2cfd67ed080ecdd7f64604401a3f35ac3b48ed12aee9d913a4",
			wantSignature: "73f211c3c0cb1dfbf1897b507c052716ef2d59dddff8564ca66de8ef8aff4022",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tt.headers {
				h.Set(k, v)
			}
			r := Request{Method: "POST", Path: "/", Query: tt.query, Header: h, Host: tt.host,
				SignedHeaders: SignableHeaders(h), PayloadHash: EmptyPayloadHash}
			if got := CanonicalQuery(tt.query); got != tt.wantQuery {
				t.Errorf("canonical query = %q, want %q", got, tt.wantQuery)
			}
			if got := HexSHA256([]byte(CanonicalRequest(r))); got != tt.wantCanonHash {
				t.Errorf("HexSHA256(canonical request) = %s, want %s\n%s", got, tt.wantCanonHash, CanonicalRequest(r))
			}
			if got := Sign(r, tt.secret); got != tt.wantSignature {
				t.Errorf("signature = %s, want %s", got, tt.wantSignature)
			}
		})
	}
}

func TestSignerReproducesVectorAndVerifies(t *testing.T) {
	u := "http://cams.ap-southeast-1.aliyuncs.com/?CustSpaceId=cams-abc123&Page=" + url.QueryEscape(`{"Index":1,"Size":50}`)
	req, _ := http.NewRequest(http.MethodPost, u, nil)
	req.Header.Set("x-acs-action", "ListFlow")
	req.Header.Set("x-acs-version", "2020-06-06")
	s := Signer{
		Now:   func() time.Time { return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC) },
		Nonce: func() string { return "0123456789abcdef0123456789abcdef" },
	}
	s.Sign(req, Credentials{AccessKeyID: "testId", AccessKeySecret: "testAccessKeySecret"})
	want := "ACS3-HMAC-SHA256 Credential=testId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=73f211c3c0cb1dfbf1897b507c052716ef2d59dddff8564ca66de8ef8aff4022"
	if got := req.Header.Get("Authorization"); got != want {
		t.Fatalf("Authorization = %q\nwant            %q", got, want)
	}
	p, err := ParseAuthorization(want)
	if err != nil {
		t.Fatal(err)
	}
	r := Request{Method: "POST", Path: "/", Query: req.URL.Query(), Header: req.Header, Host: req.URL.Host, PayloadHash: EmptyPayloadHash}
	if !Verify(r, p, "testAccessKeySecret") {
		t.Error("Verify rejected a correctly signed request")
	}
	if Verify(r, p, "wrongSecret") {
		t.Error("Verify accepted a wrong secret")
	}
	r.Query.Set("CustSpaceId", "cams-other")
	if Verify(r, p, "testAccessKeySecret") {
		t.Error("Verify accepted a tampered query")
	}
}

func TestSignerSTSHeaders(t *testing.T) {
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:8080/", nil)
	req.Header.Set("x-acs-action", "ListFlow")
	req.Header.Set("x-acs-version", "2020-06-06")
	Signer{}.Sign(req, Credentials{AccessKeyID: "STS.id", AccessKeySecret: "s", SecurityToken: "tok", ProviderName: "static_sts"})
	auth := req.Header.Get("Authorization")
	for _, h := range []string{"host", "x-acs-accesskey-id", "x-acs-security-token", "x-acs-credentials-provider"} {
		if !strings.Contains(auth, h) {
			t.Errorf("SignedHeaders lacks %s: %s", h, auth)
		}
	}
	if req.Header.Get("x-acs-security-token") != "tok" || req.Header.Get("x-acs-accesskey-id") != "STS.id" {
		t.Errorf("STS headers not set: %v", req.Header)
	}
	if n := req.Header.Get("x-acs-signature-nonce"); len(n) != 32 {
		t.Errorf("nonce %q is not 32 hex characters", n)
	}
}

func TestEncode(t *testing.T) {
	tests := map[string]string{
		"my flow*":  "my%20flow%2A",
		"a~b":       "a~b",
		"a+b":       "a%2Bb",
		"中":         "%E4%B8%AD",
		"":          "",
		`{"A":1}`:   "%7B%22A%22%3A1%7D",
		"x/y?z&w=v": "x%2Fy%3Fz%26w%3Dv",
	}
	for in, want := range tests {
		if got := Encode(in); got != want {
			t.Errorf("Encode(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestParseAuthorization(t *testing.T) {
	good := "ACS3-HMAC-SHA256 Credential=id,SignedHeaders=host;x-acs-date,Signature=abc"
	p, err := ParseAuthorization(good)
	if err != nil || p.AccessKeyID != "id" || p.Signature != "abc" || !p.Signs("x-acs-date") || p.Signs("x-acs-action") {
		t.Fatalf("ParseAuthorization(%q) = %+v, %v", good, p, err)
	}
	for _, bad := range []string{
		"",
		"HMAC-SHA1 Credential=id,SignedHeaders=host,Signature=abc",
		"ACS3-HMAC-SHA256 Credential=id,Signature=abc",
		"ACS3-HMAC-SHA256 Credential=,SignedHeaders=host,Signature=abc",
		"ACS3-HMAC-SHA256 Credential=id,SignedHeaders=x-acs-date;host,Signature=abc",
		"ACS3-HMAC-SHA256 Credential=id,SignedHeaders=Host,Signature=abc",
		"ACS3-HMAC-SHA256 Credential=id,Credential=id,SignedHeaders=host,Signature=abc",
		"ACS3-HMAC-SHA256 Credential=id,SignedHeaders=host;;x,Signature=abc",
		"ACS3-HMAC-SHA256 Credential=id,SignedHeaders=host,Signature=abc,Extra=1",
		"ACS3-HMAC-SHA256 Credential=id,SignedHeaders=host;x-acs-date;x-acs-date,Signature=abc",
	} {
		if _, err := ParseAuthorization(bad); err == nil {
			t.Errorf("ParseAuthorization(%q) accepted a malformed header", bad)
		}
	}
}
