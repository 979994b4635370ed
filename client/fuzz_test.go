package client

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// maxInvalidMessage bounds the message of an error about a body that is not
// the JSON the API promises: it quotes a prefix of the body, never all of it,
// and is cut to MaxTextBytes like every error text.
const maxInvalidMessage = MaxTextBytes + 1

// isJSONObject reports whether body is valid JSON whose top-level value is
// an object, which is what decode requires before it looks at the envelope.
func isJSONObject(body []byte) bool {
	return json.Valid(body) && bytes.HasPrefix(bytes.TrimSpace(body), []byte("{"))
}

func is2xx(status int) bool { return status >= 200 && status <= 299 }

// wireEnvelope is the oracle's reading of a body's envelope, as the official
// SDK reads it: a JSON object's exact keys (case matters), a string field
// as itself, any other JSON value as its text.
type wireEnvelope struct {
	Code, Message, RequestID, HostID, Recommend string
	Detail                                      AccessDeniedDetail
}

func readWire(body []byte) (wireEnvelope, bool) {
	var m map[string]json.RawMessage
	if json.Unmarshal(body, &m) != nil || m == nil {
		return wireEnvelope{}, false
	}
	field := func(k string) string {
		raw, ok := m[k]
		if !ok || string(raw) == "null" {
			return ""
		}
		var v any
		_ = json.Unmarshal(raw, &v)
		if s, isString := v.(string); isString {
			return s
		}
		return string(raw)
	}
	w := wireEnvelope{Code: field("Code"), Message: field("Message"), RequestID: field("RequestId"), HostID: field("HostId"), Recommend: field("Recommend")}
	if raw, ok := m["AccessDeniedDetail"]; ok {
		_ = json.Unmarshal(raw, &w.Detail)
	}
	return w, true
}

// FuzzDecode checks decode's contract on arbitrary statuses and bodies:
//   - it never panics, and every error is an *Error of this operation and
//     status, with a Code and a known Class consistent with classify;
//   - an error about a body that is not a JSON object quotes only a short
//     prefix of it, whatever its size, and carries HTTP_<status> (non-2xx)
//     or InvalidResponse (2xx);
//   - it succeeds only on a 2xx body whose Code is "OK";
//   - a 2xx body with Code "OK" that is a JSON object of the right shape
//     (both the envelope and ListFlowResponse unmarshal) decodes without
//     error into exactly what encoding/json makes of it;
//   - a well-formed error envelope keeps its Code, Message, RequestId,
//     HostId, Recommend and AccessDeniedDetail, each cut to MaxTextBytes.
func FuzzDecode(f *testing.F) {
	fixtures, err := filepath.Glob(filepath.Join("testdata", "responses", "*"))
	if err != nil {
		f.Fatal(err)
	}
	for _, name := range fixtures {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(200, b)
		f.Add(400, b)
	}
	f.Add(502, []byte("<html>502 Bad Gateway</html>"))
	f.Add(200, []byte(`{"Code":"OK","Data":[{"FlowId":"1","FlowName":"a","Categories":null}],"AccessDeniedDetail":[1,2]}`))
	f.Add(200, []byte(`{"Code":"OK","Data":[],"HostId":7}`))
	f.Add(429, []byte(`{"Code":"Throttling.User","Message":"slow down","RequestId":"R"}`))
	f.Add(0, []byte(""))
	f.Add(-1, []byte("null"))
	f.Add(200, []byte(" \n{\"Code\":\"OK\"}\t"))
	f.Add(503, bytes.Repeat([]byte("\xff<"), 4096))

	f.Fuzz(func(t *testing.T, status int, body []byte) {
		var got ListFlowResponse
		err := decode(OperationListFlow, status, body, &got)

		if err == nil {
			if !is2xx(status) {
				t.Fatalf("decode succeeded on HTTP %d", status)
			}
			if env, ok := readWire(body); !ok || env.Code != CodeOK || !isJSONObject(body) {
				t.Fatalf("decode succeeded on a body that is not a JSON object with Code OK (Code %q): %q", env.Code, body)
			}
		} else {
			e, ok := err.(*Error)
			if !ok {
				t.Fatalf("decode returned %T (%v), want *Error", err, err)
			}
			if e.Code == "" {
				t.Fatalf("error without Code: %+v", e)
			}
			if _, known := classNames[e.Class]; !known {
				t.Fatalf("error with unknown Class %d: %+v", e.Class, e)
			}
			if e.Operation != OperationListFlow || e.HTTPStatus != status {
				t.Fatalf("error names operation %q HTTP %d, want %q HTTP %d", e.Operation, e.HTTPStatus, OperationListFlow, status)
			}
			wantClass := ClassInvalidResponse
			if e.Code != CodeInvalidResponse {
				wantClass = classify(e.Code, status)
			}
			if e.Class != wantClass {
				t.Fatalf("code %q with HTTP %d has class %v, want %v", e.Code, status, e.Class, wantClass)
			}
			if e.Class == ClassInvalidResponse && len(e.Message) >= maxInvalidMessage {
				t.Fatalf("invalid-response message is %d bytes, want < %d: %q", len(e.Message), maxInvalidMessage, e.Message)
			}
			_ = e.Error()
		}

		if !isJSONObject(body) {
			e, _ := err.(*Error)
			if e == nil {
				t.Fatalf("decode accepted a body that is not a JSON object: %q", body)
			}
			wantCode := CodeInvalidResponse
			if !is2xx(status) {
				wantCode = HTTPStatusCode(status)
			}
			if e.Code != wantCode {
				t.Fatalf("non-JSON body with HTTP %d gave Code %q, want %q", status, e.Code, wantCode)
			}
			if len(e.Message) >= maxInvalidMessage {
				t.Fatalf("message about a %d-byte non-JSON body is %d bytes, want < %d: %q", len(body), len(e.Message), maxInvalidMessage, e.Message)
			}
			if e.RequestID != "" || e.HostID != "" || !e.AccessDeniedDetail.IsZero() {
				t.Fatalf("non-JSON body gave API fields: %+v", e)
			}
			return
		}

		// A JSON object: compare with the oracle's reading of it.
		env, _ := readWire(body)
		if is2xx(status) && env.Code == CodeOK {
			var want ListFlowResponse
			if json.Unmarshal(body, &want) != nil {
				if err == nil {
					t.Fatalf("decode accepted a body ListFlowResponse cannot hold: %q", body)
				}
				return
			}
			if err != nil {
				t.Fatalf("decode failed on a well-formed OK body: %v\nbody %q", err, body)
			}
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("decode gave %+v, encoding/json %+v", got, want)
			}
			return
		}
		e, _ := err.(*Error)
		if e == nil {
			t.Fatalf("decode succeeded on HTTP %d Code %q", status, env.Code)
		}
		switch {
		case env.Code == "" && is2xx(status):
			if e.Code != CodeInvalidResponse {
				t.Fatalf("2xx body without Code gave Code %q", e.Code)
			}
		case env.Code == "":
			if e.Code != HTTPStatusCode(status) {
				t.Fatalf("HTTP %d body without Code gave Code %q", status, e.Code)
			}
		default:
			if e.Code != Cut(env.Code, MaxTextBytes) || e.Message != Cut(env.Message, MaxTextBytes) || e.RequestID != Cut(env.RequestID, MaxTextBytes) ||
				e.HostID != Cut(env.HostID, MaxTextBytes) || e.Recommend != Cut(env.Recommend, MaxTextBytes) ||
				!reflect.DeepEqual(e.AccessDeniedDetail, env.Detail.bounded()) {
				t.Fatalf("error %+v does not keep the envelope %+v cut to %d bytes", e, env, MaxTextBytes)
			}
		}
	})
}

// FuzzAccessDeniedDetail checks that any valid JSON value is accepted as an
// AccessDeniedDetail, both through encoding/json and by UnmarshalJSON on the
// bare value, and kept in the form the type documents: a string as Text, an
// object as Fields (one per key), null as nothing, anything else as its JSON
// text (an object encoding/json cannot hold as a map, such as one with the
// number 1e400, included). String() never panics, is deterministic, and
// renders every field.
func FuzzAccessDeniedDetail(f *testing.F) {
	for _, s := range []string{
		`"cams:ListFlow denied"`,
		`{"AuthAction":"cams:ListFlow","NoPermissionType":"ImplicitDeny"}`,
		`{"a":1,"b":[1,"x"],"c":{"d":null},"e":true}`,
		`null`,
		`42`,
		`[1,"two",{"3":4}]`,
		`{}`,
		`""`,
		` "\u00e9\ud83d\ude00" `,
		`{"k":"v","k":"w"}`,
		`1e999`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		value := bytes.TrimSpace(data)

		var viaJSON AccessDeniedDetail
		if err := json.Unmarshal(data, &viaJSON); err != nil {
			t.Fatalf("json.Unmarshal(%q): %v", data, err)
		}
		var direct AccessDeniedDetail
		if err := direct.UnmarshalJSON(value); err != nil {
			t.Fatalf("UnmarshalJSON(%q): %v", value, err)
		}

		for _, d := range []AccessDeniedDetail{viaJSON, direct} {
			s := d.String()
			if s2 := d.String(); s2 != s {
				t.Fatalf("String() is not deterministic: %q then %q", s, s2)
			}
			var str string
			var obj map[string]any
			switch {
			case json.Unmarshal(value, &str) == nil && value[0] == '"':
				if d.Text != str || d.Fields != nil || s != str {
					t.Fatalf("string %q kept as %+v (String %q)", value, d, s)
				}
			case value[0] == '{' && json.Unmarshal(value, &obj) == nil:
				if d.Text != "" || len(d.Fields) != len(obj) {
					t.Fatalf("object %q with %d keys kept as %+v", value, len(obj), d)
				}
				for k, v := range d.Fields {
					if !strings.Contains(s, k+"="+v) {
						t.Fatalf("String() %q lacks %q", s, k+"="+v)
					}
				}
			case string(value) == "null":
				if !d.IsZero() || s != "" {
					t.Fatalf("null kept as %+v (String %q)", d, s)
				}
			default:
				if d.Text != string(value) || d.Fields != nil || s != string(value) {
					t.Fatalf("value %q kept as %+v (String %q), want its JSON text", value, d, s)
				}
			}
		}
	})
}
