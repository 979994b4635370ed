package exposition

import (
	"errors"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"
)

// exposition is a parsed exposition: families by name, with their TYPE and
// HELP, and every sample's value by its name and sorted labels.
type parsedExposition struct {
	families map[string]familyMeta
	samples  map[string]float64
}

type familyMeta struct {
	typ, help string
	hasHelp   bool
}

// parseOpenMetrics parses an OpenMetrics 1.0 text exposition strictly, by
// the ABNF of the specification: families neither repeated nor interleaved,
// descriptors before samples and each at most once, sample names as the
// family's type allows, labels and numbers as the grammar has them, valid
// UTF-8, and # EOF last. It implements the types the exporter's output
// holds: gauge, counter, histogram, summary, info and unknown.
func parseOpenMetrics(body string) (*parsedExposition, error) {
	if !utf8.ValidString(body) {
		return nil, errors.New("not valid UTF-8")
	}
	rest, ok := strings.CutSuffix(body, "# EOF\n")
	if !ok {
		if rest, ok = strings.CutSuffix(body, "# EOF"); !ok {
			return nil, errors.New("does not end with # EOF")
		}
	}
	out := &parsedExposition{families: map[string]familyMeta{}, samples: map[string]float64{}}
	var (
		cur        string // the current family
		curType    string
		sawSample  bool
		seenDescr  map[string]bool
		closedFams = map[string]bool{}
	)
	startFamily := func(name string) error {
		if closedFams[name] {
			return fmt.Errorf("family %s appears twice", name)
		}
		if cur != "" {
			closedFams[cur] = true
		}
		cur, curType, sawSample, seenDescr = name, "unknown", false, map[string]bool{}
		out.families[name] = familyMeta{typ: "unknown"}
		return nil
	}
	lines := strings.Split(rest, "\n")
	if lines[len(lines)-1] != "" {
		return nil, errors.New("the line before # EOF does not end with a line feed")
	}
	for n, line := range lines[:len(lines)-1] {
		fail := func(format string, args ...any) error {
			return fmt.Errorf("line %d %q: %s", n+1, line, fmt.Sprintf(format, args...))
		}
		if strings.HasPrefix(line, "#") {
			kind, after, ok := strings.Cut(strings.TrimPrefix(line, "# "), " ")
			name, value, ok2 := strings.Cut(after, " ")
			if !strings.HasPrefix(line, "# ") || !ok || !ok2 || !metricNameRE.MatchString(name) {
				return nil, fail("not a descriptor")
			}
			if name != cur || sawSample {
				if err := startFamily(name); err != nil {
					return nil, fail("%v", err)
				}
			}
			if seenDescr[kind] {
				return nil, fail("second %s", kind)
			}
			seenDescr[kind] = true
			meta := out.families[name]
			switch kind {
			case "TYPE":
				if !slices.Contains([]string{"counter", "gauge", "histogram", "gaugehistogram", "stateset", "info", "summary", "unknown"}, value) {
					return nil, fail("unknown type")
				}
				meta.typ, curType = value, value
			case "HELP":
				help, err := unescape(value)
				if err != nil {
					return nil, fail("%v", err)
				}
				meta.help, meta.hasHelp = help, true
			case "UNIT":
				if !strings.HasSuffix(name, "_"+value) {
					return nil, fail("unit is not a suffix of the name")
				}
			default:
				return nil, fail("unknown descriptor")
			}
			out.families[name] = meta
			continue
		}
		name, labels, value, err := parseSample(line)
		if err != nil {
			return nil, fail("%v", err)
		}
		if cur == "" || !sampleOf(name, cur, curType) {
			return nil, fail("sample outside its family (current family %q of type %s)", cur, curType)
		}
		sawSample = true
		key := name + "{" + strings.Join(labels, ",") + "}"
		if _, dup := out.samples[key]; dup {
			return nil, fail("sample repeated")
		}
		out.samples[key] = value
	}
	return out, nil
}

var (
	metricNameRE = regexp.MustCompile(`^[a-zA-Z_:][a-zA-Z0-9_:]*$`)
	labelNameRE  = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)
	realNumberRE = regexp.MustCompile(`^[-+]?([0-9]+(\.[0-9]*)?|[0-9]*\.[0-9]+)([eE][-+]?[0-9]+)?$`)
)

// sampleOf reports whether a sample named name belongs to the family fam of
// type typ, by the suffixes OpenMetrics gives each type.
func sampleOf(name, fam, typ string) bool {
	suffixes := map[string][]string{
		"counter":        {"_total", "_created"},
		"gauge":          {""},
		"unknown":        {""},
		"stateset":       {""},
		"info":           {"_info"},
		"summary":        {"", "_count", "_sum", "_created"},
		"histogram":      {"_bucket", "_count", "_sum", "_created"},
		"gaugehistogram": {"_bucket", "_gcount", "_gsum"},
	}[typ]
	for _, s := range suffixes {
		if name == fam+s {
			return true
		}
	}
	return false
}

// parseSample parses `name{labels} value [timestamp]`, and returns the
// labels as sorted name="value" pairs, values unescaped and quoted with
// strconv.Quote.
func parseSample(line string) (string, []string, float64, error) {
	i := strings.IndexAny(line, "{ ")
	if i < 0 {
		return "", nil, 0, errors.New("no value")
	}
	name, rest := line[:i], line[i:]
	if !metricNameRE.MatchString(name) {
		return "", nil, 0, errors.New("bad metric name")
	}
	var labels []string
	if strings.HasPrefix(rest, "{") {
		rest = rest[1:]
		seen := map[string]bool{}
		for !strings.HasPrefix(rest, "}") {
			if len(labels) > 0 {
				if !strings.HasPrefix(rest, ",") {
					return "", nil, 0, errors.New("labels not separated by a comma")
				}
				rest = rest[1:]
			}
			ln, after, ok := strings.Cut(rest, `="`)
			if !ok || !labelNameRE.MatchString(ln) || seen[ln] {
				return "", nil, 0, errors.New("bad or repeated label name")
			}
			seen[ln] = true
			end := closingQuote(after)
			if end < 0 {
				return "", nil, 0, errors.New("unterminated label value")
			}
			v, err := unescape(after[:end])
			if err != nil {
				return "", nil, 0, err
			}
			labels = append(labels, ln+"="+strconv.Quote(v))
			rest = after[end+1:]
		}
		rest = rest[1:]
	}
	fields := strings.Split(rest, " ")
	if len(fields) < 2 || len(fields) > 3 || fields[0] != "" {
		return "", nil, 0, errors.New("not one space, a value and at most a timestamp")
	}
	v, err := parseNumber(fields[1])
	if err != nil {
		return "", nil, 0, err
	}
	if len(fields) == 3 && !realNumberRE.MatchString(fields[2]) {
		return "", nil, 0, errors.New("bad timestamp")
	}
	slices.Sort(labels)
	return name, labels, v, nil
}

// closingQuote returns the index of the first unescaped double quote of s.
func closingQuote(s string) int {
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

// unescape undoes escaped-string: \\, \" and \n; a backslash before any
// other character stands for that character; a raw line feed or double
// quote is not allowed.
func unescape(s string) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"', '\n':
			return "", errors.New("unescaped double quote or line feed")
		case '\\':
			if i++; i == len(s) {
				return "", errors.New("trailing backslash")
			}
			if s[i] == 'n' {
				b.WriteByte('\n')
			} else {
				b.WriteByte(s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return b.String(), nil
}

func parseNumber(s string) (float64, error) {
	switch strings.ToLower(strings.TrimLeft(s, "+-")) {
	case "inf", "infinity":
		if strings.HasPrefix(s, "-") {
			return math.Inf(-1), nil
		}
		return math.Inf(1), nil
	case "nan":
		if s[0] == '+' || s[0] == '-' {
			return 0, errors.New("signed NaN")
		}
		return math.NaN(), nil
	}
	if !realNumberRE.MatchString(s) {
		return 0, fmt.Errorf("%q is not an OpenMetrics number", s)
	}
	return strconv.ParseFloat(s, 64)
}
