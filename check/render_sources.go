package check

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/templates"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

// sourceColumn is the table's column of a source that was on.
type sourceColumn struct {
	header string
	cell   func(SpaceResult) string
}

// sourceColumns are the columns of the sources that were on, in their
// order; a source check knows nothing of has none.
func (r Result) sourceColumns() []sourceColumn {
	var cols []sourceColumn
	for _, src := range r.sources {
		switch src.name {
		case phonenumbers.Name:
			cols = append(cols, sourceColumn{"NUMBERS: WORST", numbersCell})
		case waba.Name:
			cols = append(cols, sourceColumn{"WABA", wabaCell})
		case messaginghealth.Name:
			cols = append(cols, sourceColumn{"MESSAGING", healthCell})
		case templates.Name:
			cols = append(cols, sourceColumn{"TEMPLATES", templatesCell})
		}
	}
	return cols
}

// callCell is the cell of a call that did not succeed, "" for one that
// did, "-" for none.
func callCell(c *Call) string {
	switch {
	case c == nil:
		return "-"
	case c.OK:
		return ""
	case c.Error.Code == CodeNotFinished:
		return "UNFINISHED"
	}
	return "FAILED " + c.Error.Code
}

func numbersCell(s SpaceResult) string {
	n := s.PhoneNumbers
	if n == nil {
		return "-"
	}
	if cell := callCell(&n.Call); cell != "" {
		return cell
	}
	var worst []string
	for _, v := range []string{n.WorstStatus, n.WorstQualityRating, n.LowestMessagingLimitTier} {
		if v != "" {
			worst = append(worst, v)
		}
	}
	if len(worst) == 0 {
		return itoa(n.Count)
	}
	return itoa(n.Count) + ": " + strings.Join(worst, " ")
}

func wabaCell(s SpaceResult) string {
	w := s.WABA
	if w == nil {
		return "-"
	}
	if cell := callCell(&w.Call); cell != "" {
		return cell
	}
	if !w.Bound {
		return "not bound"
	}
	return reviewText(w.AccountReviewStatus)
}

func healthCell(s SpaceResult) string {
	h := s.MessagingHealth
	if h == nil {
		return "-"
	}
	worst := h.worst()
	if cell := callCell(&h.Call); cell != "" {
		if worst != "" && h.Error.Code != CodeNotFinished {
			return worst + ", " + cell
		}
		return cell
	}
	if worst == "" {
		return "-"
	}
	return worst
}

// templatesCell is how many templates the space has, the listing's Total
// when its pages disagreed with it, and the templates that cannot be sent
// by status: "50 (Total 52): 1 disabled, 2 paused".
func templatesCell(s SpaceResult) string {
	t := s.Templates
	if t == nil {
		return "-"
	}
	if cell := callCell(&t.Call); cell != "" {
		return cell
	}
	cell := itoa(t.Count)
	if t.Disagreement != "" {
		cell += " (Total " + totalText(t.Total) + ")"
	}
	var problems []string
	for _, p := range problemStatuses {
		if n := t.ByStatus[p.status]; n > 0 {
			problems = append(problems, itoa(n)+" "+p.status)
		}
	}
	if t.NoneUsable {
		problems = append(problems, "none usable")
	}
	if len(problems) == 0 {
		return cell
	}
	return cell + ": " + strings.Join(problems, ", ")
}

// totalText is a listing's Total, "none" when its answers gave none.
func totalText(total *int) string {
	if total == nil {
		return "none"
	}
	return itoa(*total)
}

// writeProblems writes, after the table, what each source found wrong in
// each space: the numbers, WABAs, entities and templates at fault, the
// template listings at odds with their Total and the calls that failed,
// with their remedies.
func (r Result) writeProblems(w io.Writer) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	started := false
	line := func(space, collector, problem string) {
		if !started {
			fmt.Fprintln(tw, "\nSPACE\tCOLLECTOR\tPROBLEM")
			started = true
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", space, collector, problem)
	}
	for _, s := range r.Spaces {
		for _, src := range r.sources {
			for _, p := range s.problems(src) {
				line(s.Space, src.name, p)
			}
		}
	}
	return tw.Flush()
}

// problems are what the source src found wrong in the space.
func (s SpaceResult) problems(src sourceInfo) []string {
	var out []string
	switch src.name {
	case phonenumbers.Name:
		if n := s.PhoneNumbers; n != nil {
			out = appendCall(out, src, &n.Call, 1)
			for _, p := range n.Problems {
				out = append(out, fmt.Sprintf("number %s %s (%s)", p.PhoneNumber, strings.Join(nonEmpty(p.Status, p.QualityRating, p.MessagingLimitTier), " "), p.Severity))
			}
		}
	case waba.Name:
		if wb := s.WABA; wb != nil {
			out = appendCall(out, src, &wb.Call, 1)
			if wb.Bound && wb.AccountReviewStatus != approved {
				out = append(out, "WABA "+wb.WabaID+" review "+reviewText(wb.AccountReviewStatus)+" ("+Warning.String()+")")
			}
		}
	case messaginghealth.Name:
		if h := s.MessagingHealth; h != nil {
			out = appendCall(out, src, &h.Call, h.failures)
			for _, e := range h.Entities {
				text := e.Type + " " + e.ID + " " + e.CanSendMessage
				if len(e.ErrorCodes) > 0 {
					text += ": " + strings.Join(e.ErrorCodes, ", ")
				}
				severity := Warning
				if e.CanSendMessage == blocked {
					severity = Critical
				}
				out = append(out, text+" ("+severity.String()+")")
			}
		}
	case templates.Name:
		if t := s.Templates; t != nil {
			out = appendCall(out, src, &t.Call, 1)
			if t.NoneUsable {
				out = append(out, "no usable template: each failed review, is paused or disabled, or awaits review ("+Critical.String()+")")
			}
			for _, p := range t.Problems {
				out = append(out, "template "+strings.Join(nonEmpty(p.TemplateCode, p.Language, p.Category, p.AuditStatus), " ")+" ("+p.Severity+")")
			}
			if t.Disagreement != "" {
				out = append(out, "listing disagreeing with Total "+totalText(t.Total)+": "+t.Disagreement+" ("+Warning.String()+")")
			}
		}
	default:
		return nil
	}
	return out
}

// appendCall appends the problem of a call that did not succeed: the
// operation, code, cause, RequestId and remedy, and how many calls failed
// when there were more than one.
func appendCall(out []string, src sourceInfo, c *Call, failures int) []string {
	if c.OK || c.Error == nil {
		return out
	}
	e := c.Error
	text := src.operation + " " + e.Code
	if e.Code == CodeNotFinished {
		text += ": " + e.Message
	}
	if c.Cause != "" {
		text += " (" + c.Cause + ")"
	}
	if e.RequestID != "" {
		text += " (RequestId " + e.RequestID + ")"
	}
	if failures > 1 {
		text += " (" + plural(failures, "call") + " failed)"
	}
	if c.Remedy != "" {
		text += ": " + c.Remedy
	}
	return append(out, text)
}

func nonEmpty(values ...string) []string {
	out := values[:0:0]
	for _, v := range values {
		if v != "" {
			out = append(out, v)
		}
	}
	return out
}
