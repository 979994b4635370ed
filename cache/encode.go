package cache

import (
	"slices"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/cams-exporter/cams_exporter/snapshot"
)

// The cache file is written by hand, a space at a time, in the very bytes
// encoding/json would write (the tests compare them): a snapshot of 200,000
// spaces is written once a minute, and encoding/json's reflection took
// about half a second and 300 MB of garbage to do it.

// appendSpace appends the JSON of the space id in state st, as
// encoding/json marshals a space.
func appendSpace(b []byte, id string, st *snapshot.SpaceState) ([]byte, error) {
	b = append(b, `{"id":`...)
	b = appendString(b, id)
	b = append(b, `,"has_data":`...)
	b = strconv.AppendBool(b, st.HasData)
	b = append(b, `,"up":`...)
	b = strconv.AppendBool(b, st.Up)
	b = append(b, `,"count":`...)
	b = strconv.AppendInt(b, int64(st.Count), 10)
	if len(st.ByCategory) > 0 {
		b = append(b, `,"by_category":`...)
		b = appendCounts(b, st.ByCategory)
	}
	if len(st.FlowIDs) > 0 {
		b = append(b, `,"flow_ids":`...)
		b = appendStrings(b, st.FlowIDs)
	}
	if st.Flows.Len() > 0 {
		b = append(b, `,"flows":`...)
		b = appendFlows(b, st.Flows)
	}
	var err error
	b = append(b, `,"last_success":`...)
	if b, err = appendTime(b, st.LastSuccess); err != nil {
		return b, err
	}
	b = append(b, `,"last_attempt":`...)
	if b, err = appendTime(b, st.LastAttempt); err != nil {
		return b, err
	}
	if e := st.LastError; e != nil {
		b = append(b, `,"last_error":`...)
		b = appendErrorInfo(b, e)
	}
	if fs := st.Statuses; fs != nil {
		b = append(b, `,"flow_status":`...)
		b = appendFlowStatuses(b, fs)
	}
	return append(b, '}'), nil
}

// appendFlowStatuses appends a space's flow statuses as encoding/json
// marshals a flowStatus.
func appendFlowStatuses(b []byte, fs *snapshot.FlowStatuses) []byte {
	b = append(b, `{"statuses":[`...)
	for i := range fs.Len() {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, fs.Status(i))
	}
	b = append(b, `],"checked":[`...)
	for i := range fs.Len() {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, fs.Checked(i), 10)
	}
	b = append(b, ']')
	if e := fs.LastError; e != nil {
		b = append(b, `,"last_error":`...)
		b = appendErrorInfo(b, e)
	}
	return append(b, '}')
}

// appendCounts appends a map as encoding/json does: keys sorted.
func appendCounts(b []byte, counts map[string]int) []byte {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	b = append(b, '{')
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, k)
		b = append(b, ':')
		b = strconv.AppendInt(b, int64(counts[k]), 10)
	}
	return append(b, '}')
}

// appendStrings appends a slice of strings; nil is null.
func appendStrings(b []byte, list []string) []byte {
	if list == nil {
		return append(b, "null"...)
	}
	b = append(b, '[')
	for i, s := range list {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, s)
	}
	return append(b, ']')
}

func appendFlows(b []byte, flows *snapshot.FlowList) []byte {
	b = append(b, '[')
	for i, f := range flows.All() {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"FlowId":`...)
		b = appendString(b, f.FlowID)
		b = append(b, `,"FlowName":`...)
		b = appendString(b, f.FlowName)
		b = append(b, `,"Categories":`...)
		b = appendStrings(b, f.Categories)
		b = append(b, '}')
	}
	return append(b, ']')
}

func appendErrorInfo(b []byte, e *snapshot.ErrorInfo) []byte {
	b = append(b, `{"code":`...)
	b = appendString(b, e.Code)
	b = append(b, `,"message":`...)
	b = appendString(b, e.Message)
	if e.RequestID != "" {
		b = append(b, `,"request_id":`...)
		b = appendString(b, e.RequestID)
	}
	if e.Recommend != "" {
		b = append(b, `,"recommend":`...)
		b = appendString(b, e.Recommend)
	}
	b = append(b, `,"class":`...)
	b = appendString(b, e.Class)
	return append(b, '}')
}

// appendTime appends t as time.Time's MarshalJSON does, failing as it does
// (a year outside 0-9999).
func appendTime(b []byte, t time.Time) ([]byte, error) {
	b = append(b, '"')
	b, err := t.AppendText(b)
	return append(b, '"'), err
}

const hexDigits = "0123456789abcdef"

// appendString appends s quoted as encoding/json does by default: HTML's
// <, > and & escaped, invalid UTF-8 replaced by U+FFFD, U+2028 and U+2029
// escaped.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		if c := s[i]; c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' && c != '<' && c != '>' && c != '&' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\b':
				b = append(b, '\\', 'b')
			case '\f':
				b = append(b, '\\', 'f')
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
