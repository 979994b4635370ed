package main

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
	"time"
)

// row is one figure of the result table.
type row struct {
	figure, value, goal, status string
}

// table collects the figures in the order they are measured.
type table struct{ rows []row }

// add records a figure; status is PASS or MISS when the figure has a goal.
func (t *table) add(figure, value, goal string, pass *bool) {
	status := ""
	if pass != nil {
		status = "MISS"
		if *pass {
			status = "PASS"
		}
	}
	t.rows = append(t.rows, row{figure, value, goal, status})
}

func (t *table) print(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "figure\tvalue\tgoal\t")
	fmt.Fprintln(tw, "------\t-----\t----\t")
	for _, r := range t.rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.figure, r.value, r.goal, r.status)
	}
	tw.Flush()
}

func ptr(b bool) *bool { return &b }

// percentile returns the p-th percentile (0-100) of sorted ds, nearest rank.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*p/100+0.5) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func sortedCopy(ds []time.Duration) []time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

func mib(b float64) string {
	return fmt.Sprintf("%.1f MiB", b/(1<<20))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
