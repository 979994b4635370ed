package client

import (
	"bytes"
	"io"
	"net/http"
	"strconv"
	"unicode/utf8"
)

// readBody reads at most MaxBodyBytes+1 bytes of a response's body, in a
// buffer sized from its Content-Length when it has one, so that a large body
// is not copied over and over as it grows.
func readBody(resp *http.Response) ([]byte, error) {
	size := int64(bytes.MinRead)
	if n := resp.ContentLength; n > 0 && n <= MaxBodyBytes {
		size = n + bytes.MinRead // ReadFrom wants MinRead free bytes to read into
	}
	buf := bytes.NewBuffer(make([]byte, 0, size))
	_, err := buf.ReadFrom(io.LimitReader(resp.Body, MaxBodyBytes+1))
	return buf.Bytes(), err
}

// maxEnvelopeField bounds what the envelope keeps of one top-level value of
// a body: every text of an error is cut to MaxTextBytes in the end, and a
// page's Data, often the longest value, is no text of the envelope at all.
const maxEnvelopeField = 1 << 20

// envField is one top-level value of a body as the envelope keeps it: a copy
// of its JSON text, or of the first maxEnvelopeField bytes of a longer one.
// A long string is closed after its last whole character or escape, so that
// it still decodes to its beginning; any other long value is kept as the
// beginning of its text, which is what the envelope keeps of a value of an
// unexpected type.
type envField []byte

// UnmarshalJSON implements json.Unmarshaler.
func (f *envField) UnmarshalJSON(value []byte) error {
	switch {
	case len(value) <= maxEnvelopeField:
		*f = bytes.Clone(value)
	case value[0] == '"':
		*f = stringPrefix(value, maxEnvelopeField)
	default:
		*f = bytes.Clone(value[:maxEnvelopeField])
	}
	return nil
}

// stringPrefix returns a valid JSON string of at most n+1 bytes holding the
// beginning of the valid JSON string s: it ends before the first escape or
// character that would take it past n bytes.
func stringPrefix(s []byte, n int) []byte {
	i := 1
	for i < len(s)-1 {
		_, step := utf8.DecodeRune(s[i:])
		if s[i] == '\\' {
			step = escapeLen(s[i:])
		}
		if i+step > n {
			break
		}
		i += step
	}
	out := make([]byte, 0, i+1)
	return append(append(out, s[:i]...), '"')
}

// escapeLen is the length of the escape that starts e: a surrogate pair
// (\uD83D\uDE00) counts as one, so that it is never split.
func escapeLen(e []byte) int {
	if e[1] != 'u' {
		return 2
	}
	if hi, err := strconv.ParseUint(string(e[2:6]), 16, 16); err == nil && hi >= 0xD800 && hi <= 0xDBFF &&
		len(e) >= 12 && e[6] == '\\' && e[7] == 'u' {
		return 12
	}
	return 6
}
