package acs3

import (
	"bufio"
	"bytes"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// isUnreserved reports whether c is an RFC 3986 unreserved character, the
// only characters Encode may leave as they are.
func isUnreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

func isUpperHex(c byte) bool { return '0' <= c && c <= '9' || 'A' <= c && c <= 'F' }

// checkEncoded fails unless enc is made of unreserved characters and %XX
// escapes with upper-case hex.
func checkEncoded(t *testing.T, s, enc string) {
	t.Helper()
	for i := 0; i < len(enc); i++ {
		switch c := enc[i]; {
		case isUnreserved(c):
		case c == '%' && i+2 < len(enc) && isUpperHex(enc[i+1]) && isUpperHex(enc[i+2]):
			i += 2
		default:
			t.Fatalf("Encode(%q) = %q: byte %d (%q) is neither unreserved nor a %%XX escape", s, enc, i, c)
		}
	}
}

// validHeaderValue reports whether v can travel in an HTTP/1.1 header as it
// is: no control characters but tab (RFC 9110 field-value).
func validHeaderValue(v string) bool {
	for i := 0; i < len(v); i++ {
		if c := v[i]; c < 0x20 && c != '\t' || c == 0x7f {
			return false
		}
	}
	return true
}

// sortedValues returns a copy of q with each name's values sorted.
func sortedValues(q url.Values) url.Values {
	out := url.Values{}
	for name, values := range q {
		out[name] = slices.Sorted(slices.Values(values))
	}
	return out
}

// FuzzCanonicalQuery checks the percent-encoding and canonical query:
//   - Encode leaves only unreserved characters, escapes the rest as %XX with
//     upper-case hex, and url.PathUnescape undoes it for any bytes (QueryUnescape too, as
//     Encode never writes '+');
//   - a single parameter canonicalises to Encode(name)=Encode(value);
//   - the canonical query does not depend on the order parameters and values
//     were added in, leaves its argument as it was, lists pairs sorted by name
//     and then value, and url.ParseQuery reads it back to the same parameters.
func FuzzCanonicalQuery(f *testing.F) {
	f.Add("CustSpaceId", "cams-abc123")
	f.Add("Page", `{"Index":1,"Size":50}`)
	f.Add("FlowName", "my flow* ~+/?&=#%20")
	f.Add("", "")
	f.Add("中文", "\u00e9\U0001F600")
	f.Add("a;b", "\xff\xfe")
	f.Add("x", "x")
	f.Add("-", "!")
	f.Fuzz(func(t *testing.T, name, value string) {
		for _, s := range []string{name, value} {
			enc := Encode(s)
			checkEncoded(t, s, enc)
			// Any bytes, not only valid UTF-8: Encode escapes byte by byte.
			if dec, err := url.PathUnescape(enc); err != nil || dec != s {
				t.Fatalf("PathUnescape(Encode(%q)) = %q, %v", s, dec, err)
			}
			if dec, err := url.QueryUnescape(enc); err != nil || dec != s {
				t.Fatalf("QueryUnescape(Encode(%q)) = %q, %v", s, dec, err)
			}
		}

		if got, want := CanonicalQuery(url.Values{name: {value}}), Encode(name)+"="+Encode(value); got != want {
			t.Fatalf("CanonicalQuery({%q: %q}) = %q, want %q", name, value, got, want)
		}

		pairs := [][2]string{{name, value}, {name, name}, {value, ""}, {value, name}, {name + value, value}, {name, value}}
		forward, backward := url.Values{}, url.Values{}
		for i := range pairs {
			forward.Add(pairs[i][0], pairs[i][1])
			p := pairs[len(pairs)-1-i]
			backward.Add(p[0], p[1])
		}
		before := url.Values{}
		for k, v := range forward {
			before[k] = slices.Clone(v)
		}
		cq := CanonicalQuery(forward)
		if !reflect.DeepEqual(forward, before) {
			t.Fatalf("CanonicalQuery changed its argument: %v, was %v", forward, before)
		}
		if other := CanonicalQuery(backward); other != cq {
			t.Fatalf("canonical query depends on the order of Add:\n%q\n%q", cq, other)
		}
		parts := strings.Split(cq, "&")
		if len(parts) != len(pairs) {
			t.Fatalf("canonical query %q has %d pairs, want %d", cq, len(parts), len(pairs))
		}
		var prev [2]string
		for i, part := range parts {
			en, ev, ok := strings.Cut(part, "=")
			if !ok {
				t.Fatalf("pair %q of %q has no '='", part, cq)
			}
			n, _ := url.QueryUnescape(en)
			v, _ := url.QueryUnescape(ev)
			cur := [2]string{n, v}
			if i > 0 && (cur[0] < prev[0] || cur[0] == prev[0] && cur[1] < prev[1]) {
				t.Fatalf("canonical query %q is not sorted by name, then value", cq)
			}
			prev = cur
		}
		parsed, err := url.ParseQuery(cq)
		if err != nil {
			t.Fatalf("ParseQuery(%q): %v", cq, err)
		}
		if !reflect.DeepEqual(sortedValues(parsed), sortedValues(forward)) {
			t.Fatalf("ParseQuery(CanonicalQuery(q)) = %v, want %v", parsed, forward)
		}
	})
}

var (
	fuzzDate  = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	fuzzNonce = "0123456789abcdef0123456789abcdef"
)

// serverRequest is what a server verifies of r, built as the simulator does.
func serverRequest(r *http.Request) Request {
	return Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header, Host: r.Host, PayloadHash: EmptyPayloadHash}
}

// FuzzSignVerify checks that a request signed by Signer.Sign (with a fixed
// clock and nonce) verifies with ParseAuthorization and Verify, built the way
// the simulator builds it, both as it is and after crossing the wire
// (Request.Write, then http.ReadRequest) when its header can travel as it is
// and the method is not CONNECT (whose request line carries no path); and that it
// does not verify under another secret, with another query value or with
// another value of a signed header.
func FuzzSignVerify(f *testing.F) {
	f.Add("POST", "CustSpaceId", "cams-abc123", "v", "testAccessKeySecret")
	f.Add("GET", "Page", `{"Index":1,"Size":50}`, "  padded\t", "")
	f.Add("POST", "FlowName", "my flow* ~+", "\u00a0x\u00a0", "\xff")
	f.Add("PUT", "", "", "", "s")
	f.Add("DELETE", "a&b=c", "%zz;", "a,b", strings.Repeat("k", 64))
	f.Add("POST", "k", "v", "line\nbreak", strings.Repeat("k", 65))
	f.Fuzz(func(t *testing.T, method, key, value, header, secret string) {
		u := "http://cams.ap-southeast-1.aliyuncs.com/?" + url.Values{key: {value}}.Encode()
		req, err := http.NewRequest(method, u, nil)
		if err != nil {
			return // not a method net/http sends
		}
		req.Header.Set("x-acs-action", "ListFlow")
		req.Header.Set("x-acs-version", "2020-06-06")
		req.Header.Set("x-acs-fuzz", header)
		signer := Signer{Now: func() time.Time { return fuzzDate }, Nonce: func() string { return fuzzNonce }}
		signer.Sign(req, Credentials{AccessKeyID: "testId", AccessKeySecret: secret})

		auth := req.Header.Get("Authorization")
		p, err := ParseAuthorization(auth)
		if err != nil {
			t.Fatalf("ParseAuthorization(%q): %v", auth, err)
		}
		if p.AccessKeyID != "testId" || !p.Signs("host") || !p.Signs("x-acs-fuzz") || !p.Signs("x-acs-date") || !p.Signs("x-acs-signature-nonce") {
			t.Fatalf("Authorization %q lacks the credential or a signed header", auth)
		}
		r := serverRequest(req)
		if !Verify(r, p, secret) {
			t.Fatalf("Verify rejected a request signed with the same secret\n%s", CanonicalRequest(r))
		}
		if Verify(r, p, secret+"x") {
			t.Fatal("Verify accepted another secret")
		}
		tampered := r
		tampered.Query = url.Values{key: {value + "x"}}
		if Verify(tampered, p, secret) {
			t.Fatal("Verify accepted another query value")
		}
		tampered = r
		tampered.Header = r.Header.Clone()
		tampered.Header.Set("x-acs-fuzz", header+"x")
		if Verify(tampered, p, secret) {
			t.Fatal("Verify accepted another value of a signed header")
		}

		// Over the wire, when the header can travel as it is.
		if !validHeaderValue(header) || method == http.MethodConnect {
			return
		}
		var wire bytes.Buffer
		if err := req.Write(&wire); err != nil {
			return
		}
		got, err := http.ReadRequest(bufio.NewReader(&wire))
		if err != nil {
			t.Fatalf("ReadRequest of a written request: %v\n%q", err, wire.String())
		}
		p, err = ParseAuthorization(got.Header.Get("Authorization"))
		if err != nil {
			t.Fatalf("ParseAuthorization after the wire: %v", err)
		}
		if !Verify(serverRequest(got), p, secret) {
			t.Fatalf("Verify rejected the request after the wire\nsigned   %q\nreceived %q",
				CanonicalRequest(r), CanonicalRequest(serverRequest(got)))
		}
	})
}

// FuzzParseAuthorization checks that ParseAuthorization never panics, that
// what it accepts has the documented form (a credential, a signature, and
// signed headers that are non-empty, lower case and sorted, with no ','
// anywhere), and that Authorization renders it as a header that parses to
// the same value and renders again the same.
func FuzzParseAuthorization(f *testing.F) {
	f.Add("ACS3-HMAC-SHA256 Credential=testId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=73f211c3c0cb1dfbf1897b507c052716ef2d59dddff8564ca66de8ef8aff4022")
	f.Add("ACS3-HMAC-SHA256  Signature=a=b , Credential= id,SignedHeaders=a;b ")
	f.Add("ACS3-HMAC-SHA256 Credential=id,SignedHeaders=host;;x,Signature=abc")
	f.Add("ACS3-HMAC-SHA256 Credential=id,SignedHeaders=Host,Signature=abc")
	f.Add("ACS3-HMAC-SHA256 Credential=id,SignedHeaders=host,Signature=abc,Extra=1")
	f.Add("HMAC-SHA1 Credential=id,SignedHeaders=host,Signature=abc")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseAuthorization(s)
		if err != nil {
			if err != ErrMalformedAuthorization {
				t.Fatalf("ParseAuthorization(%q) = %v, want ErrMalformedAuthorization", s, err)
			}
			return
		}
		if !strings.HasPrefix(s, Algorithm+" ") {
			t.Fatalf("accepted %q, which does not start with %q", s, Algorithm+" ")
		}
		if p.AccessKeyID == "" || p.Signature == "" || len(p.SignedHeaders) == 0 {
			t.Fatalf("accepted %q as %+v", s, p)
		}
		if strings.Contains(p.AccessKeyID, ",") || strings.Contains(p.Signature, ",") {
			t.Fatalf("accepted %q as %+v: a field holds ','", s, p)
		}
		if !slices.IsSorted(p.SignedHeaders) {
			t.Fatalf("accepted unsorted signed headers %q", p.SignedHeaders)
		}
		for _, h := range p.SignedHeaders {
			if h == "" || h != strings.ToLower(h) || strings.ContainsAny(h, ",;") {
				t.Fatalf("accepted signed header %q in %q", h, s)
			}
			if !p.Signs(h) {
				t.Fatalf("Signs(%q) is false for a header of %q", h, p.SignedHeaders)
			}
		}
		rendered := Authorization(p.AccessKeyID, p.SignedHeaders, p.Signature)
		q, err := ParseAuthorization(rendered)
		if err != nil {
			t.Fatalf("%q parsed as %+v, rendered as %q, which does not parse: %v", s, p, rendered, err)
		}
		if !reflect.DeepEqual(p, q) {
			t.Fatalf("%q parsed as %+v, rendered as %q, parsed again as %+v", s, p, rendered, q)
		}
		if again := Authorization(q.AccessKeyID, q.SignedHeaders, q.Signature); again != rendered {
			t.Fatalf("rendering is not stable: %q then %q", rendered, again)
		}
	})
}
