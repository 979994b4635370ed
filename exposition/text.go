package exposition

import (
	"math"
	"strconv"
	"strings"

	dto "github.com/prometheus/client_model/go"

	"github.com/cams-exporter/cams_exporter/collector"
)

// A sample line is the same bytes in the Prometheus text format 0.0.4 and in
// OpenMetrics 1.0.0 for a gauge, and for a counter whose name ends in _total
// and that has no created timestamp, which is all the schema has: label
// values are escaped alike (\\, \" and \n), and Go's shortest float
// rendering ('g', as expfmt writes the text format) is a valid OpenMetrics
// number, integers without a decimal point included. Only the family headers
// differ: OpenMetrics escapes " in HELP and names a counter's family without
// _total. So one rendering of the series serves both formats.

// appendSample appends the text line of s.
func appendSample(b []byte, s *collector.Series) []byte {
	f := s.Family
	b = append(b, f.Name...)
	if len(f.Labels) > 0 {
		for i, name := range f.Labels {
			if i == 0 {
				b = append(b, '{')
			} else {
				b = append(b, ',')
			}
			b = append(b, name...)
			b = append(b, '=', '"')
			b = appendEscaped(b, s.Values[i], true)
			b = append(b, '"')
		}
		b = append(b, '}')
	}
	b = append(b, ' ')
	b = appendFloat(b, s.Value)
	return append(b, '\n')
}

// appendEscaped appends v with backslashes and newlines escaped, and double
// quotes too if quotes.
func appendEscaped(b []byte, v string, quotes bool) []byte {
	start := 0
	for i := 0; i < len(v); i++ {
		var esc byte
		switch v[i] {
		case '\\':
			esc = '\\'
		case '\n':
			esc = 'n'
		case '"':
			if !quotes {
				continue
			}
			esc = '"'
		default:
			continue
		}
		b = append(b, v[start:i]...)
		b = append(b, '\\', esc)
		start = i + 1
	}
	return append(b, v[start:]...)
}

// appendFloat appends v as expfmt writes the text format: Go's shortest
// 'g' rendering, which writes integers below 1e6 as integers.
func appendFloat(b []byte, v float64) []byte {
	switch {
	case v == 1:
		return append(b, '1')
	case v == 0:
		return append(b, '0')
	case v == -1:
		return append(b, '-', '1')
	case math.IsNaN(v):
		return append(b, "NaN"...)
	case math.IsInf(v, +1):
		return append(b, "+Inf"...)
	case math.IsInf(v, -1):
		return append(b, "-Inf"...)
	case v > -1e6 && v < 1e6 && v == math.Trunc(v):
		return strconv.AppendInt(b, int64(v), 10)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// appendTextHeader appends the HELP and TYPE lines of f in the text format,
// or in OpenMetrics if om.
func appendTextHeader(b []byte, f *collector.Family, om bool) []byte {
	name := f.Name
	typ := "gauge"
	if f.Type == dto.MetricType_COUNTER {
		typ = "counter"
		if om {
			// The schema's counters all end in _total (TestSchemaCounters).
			name = strings.TrimSuffix(name, "_total")
		}
	}
	b = append(b, "# HELP "...)
	b = append(b, name...)
	b = append(b, ' ')
	b = appendEscaped(b, f.Help, om)
	b = append(b, "\n# TYPE "...)
	b = append(b, name...)
	b = append(b, ' ')
	b = append(b, typ...)
	return append(b, '\n')
}
