package exposition

import (
	"net/http"
	"strconv"
	"strings"
)

// acceptsGzip reports whether gzip is the best of identity and gzip for the
// Accept-Encoding header, as promhttp negotiates it: the first encoding
// (identity, then gzip) with the highest q wins, "*" matching either; gzip
// only if it is strictly preferred. Encodings are compared case-insensitively
// (RFC 9110, 8.4.1).
func acceptsGzip(h http.Header) bool {
	identity, gzip := -1.0, -1.0
	for _, line := range h.Values("Accept-Encoding") {
		for _, spec := range strings.Split(line, ",") {
			coding, q, ok := parseCoding(spec)
			if !ok {
				continue
			}
			switch {
			case coding == "*":
				identity, gzip = max(identity, q), max(gzip, q)
			case strings.EqualFold(coding, "identity"):
				identity = max(identity, q)
			case strings.EqualFold(coding, "gzip"):
				gzip = max(gzip, q)
			}
		}
	}
	return gzip > 0 && gzip > identity
}

// parseCoding parses one element of Accept-Encoding: a coding and an
// optional q weight between 0 and 1.
func parseCoding(spec string) (coding string, q float64, ok bool) {
	coding, params, _ := strings.Cut(spec, ";")
	coding = strings.TrimSpace(coding)
	if coding == "" {
		return "", 0, false
	}
	q = 1
	for _, p := range strings.Split(params, ";") {
		name, value, found := strings.Cut(strings.TrimSpace(p), "=")
		if !found || !strings.EqualFold(strings.TrimSpace(name), "q") {
			continue
		}
		v, err := strconv.ParseFloat(strings.TrimSpace(value), 64)
		if err != nil || v < 0 || v > 1 {
			return "", 0, false
		}
		q = v
	}
	return coding, q, true
}
