package health

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"

	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/templates"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

// maxRowCodeBytes cuts a code in a space's row (its section has it
// whole): codes are short, but the client keeps up to 512 bytes.
const maxRowCodeBytes = 64

// spaceCollectorDetails shows a space's part of each source in its row:
// pending, failing (with the code), or what its data says in a few
// words.
func spaceCollectorDetails(snap *snapshot.Snapshot, space string) []Detail {
	var out []Detail
	for _, src := range snap.Sources() {
		label := cmp.Or(collectorTitles[src.Name], src.Name)
		p := src.Part(space)
		var value string
		switch {
		case p == nil:
			value = "pending"
		case !p.Up && p.LastError != nil:
			value = "failing: " + client.Cut(p.LastError.Code, maxRowCodeBytes)
		}
		if p != nil && p.HasData {
			value = strings.TrimPrefix(value+"; "+dataSummary(src.Name, p.Data), "; ")
		}
		out = append(out, Detail{Label: label, Value: value})
	}
	return out
}

// dataSummary says what a part's data says in a few words, each value
// bounded: a row stays short whatever the space holds.
func dataSummary(source string, data any) string {
	switch source {
	case phonenumbers.Name:
		ns := phonenumbers.Of(data)
		worst := -1
		for i, n := range ns {
			if worst < 0 || numberSeverity(n) > numberSeverity(ns[worst]) {
				worst = i
			}
		}
		if worst < 0 || numberSeverity(ns[worst]) == fine {
			return countOf(len(ns), "number") + ", none needing attention"
		}
		w := ns[worst]
		return fmt.Sprintf("%s, worst %s: %s, %s", countOf(len(ns), "number"), w.PhoneNumber, w.Status, w.QualityRating)
	case waba.Name:
		if w, bound := waba.Of(data); bound {
			return fmt.Sprintf("WABA %s, %s", w.ID, w.AccountReviewStatus)
		}
		return "no WABA bound"
	case messaginghealth.Name:
		return healthSummary(messaginghealth.Of(data))
	case templates.Name:
		return templatesSummary(templates.Of(data))
	}
	return ""
}

// templatesSummary names the space's worst template, how many cannot be
// sent, and how the listing disagreed with its Total.
func templatesSummary(t templates.Templates) string {
	noneUsable := t.NoneUsable()
	worst, problems := -1, t.Problems()
	for i, k := range t.List {
		if worst < 0 || templateSeverity(k.AuditStatus, noneUsable) > templateSeverity(t.List[worst].AuditStatus, noneUsable) {
			worst = i
		}
	}
	out := countOf(t.Count(), "template")
	switch {
	case worst < 0 || templateSeverity(t.List[worst].AuditStatus, noneUsable) == fine:
		out += ", none needing attention"
	default:
		if noneUsable {
			out += ", none usable"
		} else if problems > 0 {
			out += fmt.Sprintf(", %d cannot be sent", problems)
		}
		w := t.List[worst]
		out += fmt.Sprintf(", worst %s: %s", templateName(w), w.AuditStatus)
	}
	if t.Disagreement != "" {
		out += "; the listing disagreed with its Total: " + t.Disagreement
	}
	return out
}

// templateName names a template by its code and language.
func templateName(k templates.Kept) string {
	if k.Language == "" {
		return k.Code
	}
	return k.Code + " (" + k.Language + ")"
}

// healthSummary names the space's worst node and what it can send.
func healthSummary(h messaginghealth.Health) string {
	var worst *messaginghealth.Node
	nodes := 0
	consider := func(n *messaginghealth.Node) {
		nodes++
		if worst == nil || nodeSeverity(h, n) > nodeSeverity(h, worst) {
			worst = n
		}
	}
	if h.WABA != nil {
		consider(h.WABA)
	}
	for i := range h.Phones {
		consider(&h.Phones[i])
	}
	switch {
	case worst == nil:
		return "no node asked yet"
	case nodeSeverity(h, worst) == fine:
		return countOf(nodes, "node") + ", none LIMITED or BLOCKED"
	}
	name := "WABA " + worst.WabaID
	if worst.PhoneNumber != "" {
		name = "number " + worst.PhoneNumber
	}
	what := cmp.Or(worst.CanSendMessage, "not answered")
	if worst.LastError != nil {
		what += ", last call failed: " + worst.LastError.Code
	}
	return fmt.Sprintf("%s, worst %s: %s", countOf(nodes, "node"), name, what)
}

// countOf says n things: "1 number", "3 numbers".
func countOf(n int, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return strconv.Itoa(n) + " " + thing + "s"
}
