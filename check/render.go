package check

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
)

func itoa(n int) string { return strconv.Itoa(n) }

// WriteText writes the first line a monitoring plugin shows, then a table
// (with a column per source that was on) and what the sources found wrong.
func (r Result) WriteText(w io.Writer) error {
	fmt.Fprintf(w, "CAMS %s - %s\n\n", r.State, r.Summary)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	statuses, cols := r.hasStatuses(), r.sourceColumns()
	fmt.Fprint(tw, "SPACE\tRESULT\tFLOWS\tLATENCY")
	for _, c := range cols {
		fmt.Fprint(tw, "\t"+c.header)
	}
	fmt.Fprint(tw, "\tCATEGORIES / ERROR")
	if statuses {
		fmt.Fprint(tw, "\tSTATUSES")
	}
	fmt.Fprintln(tw)
	for _, s := range r.Spaces {
		name := s.Space
		if name == "" {
			name = "(own space)"
		}
		sourceCells := ""
		for _, c := range cols {
			sourceCells += c.cell(s) + "\t"
		}
		if s.OK {
			result := "ok"
			if s.Slow {
				result = "slow"
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%.3fs\t%s%s", name, result, s.Flows, s.LatencySeconds, sourceCells, categories(s.ByCategory))
			if statuses {
				fmt.Fprintf(tw, "\t%s", s.statusText())
			}
			fmt.Fprintln(tw)
			continue
		}
		detail := s.Error.Code
		if s.Cause != "" {
			detail += " (" + s.Cause + ")"
		}
		if s.Error.RequestID != "" {
			detail += " (RequestId " + s.Error.RequestID + ")"
		}
		if s.Remedy != "" {
			detail += ": " + s.Remedy
		}
		result := "FAILED"
		if s.Error.Code == CodeNotFinished {
			result = "UNFINISHED"
		}
		fmt.Fprintf(tw, "%s\t%s\t-\t%.3fs\t%s%s\n", name, result, s.LatencySeconds, sourceCells, detail)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	return r.writeProblems(w)
}

func categories(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + itoa(m[k])
	}
	return strings.Join(parts, " ")
}

// WriteJSON writes the result as JSON.
func (r Result) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}
