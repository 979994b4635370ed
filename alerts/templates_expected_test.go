package alerts

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
)

// The thresholds of the message templates' alerts, as RUNBOOK.md documents
// them: a wave is at least waveMin spaces with a problem, more than
// waveShare of the spaces watched or of those listed in the last
// waveWindow seconds (a pass's pace times the window, at most every
// space); once its alert fires it lasts while at least waveMin, more than
// waveHoldShare of the spaces watched, have it. A pause seen by the
// counter alone alerts for pauseWindow minutes.
const (
	waveMin       = 10
	waveShare     = 0.1
	waveHoldShare = 0.05
	waveWindow    = 300.0
	waveFor       = 1
	pauseWindow   = 60
)

// noneUsable is the key of the wave of spaces without a usable template,
// among those of the problem statuses.
const noneUsable = ""

// templateWaves computes, once, each wave's state minute by minute over the
// sample (the spaces whose template series are in the input): the
// recording rule cams:template_problem_spaces:storm (storm) and its alert
// (firing), by problem status, noneUsable for the spaces none of whose
// templates can be sent, with the count of spaces.
func (a *healthAlerts) templateWaves() {
	if a.waveStorm != nil {
		return
	}
	a.waveStorm, a.waveFiring, a.waveCount = map[string][]bool{}, map[string][]bool{}, map[string][]int{}
	m := a.h.source(templatesCollector)
	if m == nil {
		return
	}
	n := a.h.flows.samples
	watched := float64(m.spaces)
	// As the rule: the spaces times 300 s over the expected pass, at most 1.
	listedIn5m := watched * math.Min(300/(float64(m.spaces)/m.rate), 1)
	listed := map[string][]int{}
	problems := a.h.templateProblemSpaces()
	for _, i := range a.sample {
		if !problems[i] {
			continue
		}
		for k := range n {
			tv := a.h.templatesView(i, k)
			if tv == nil {
				continue
			}
			keys := slices.Collect(maps.Keys(tv.problems()))
			if tv.noneUsable() {
				keys = append(keys, noneUsable)
			}
			recent := tv.lastSuccess-a.h.flows.phase > float64(k)*a.h.flows.scrape-waveWindow
			for _, key := range keys {
				if a.waveCount[key] == nil {
					a.waveCount[key], listed[key] = make([]int, n), make([]int, n)
				}
				a.waveCount[key][k]++
				if recent {
					listed[key][k]++
				}
			}
		}
	}
	for key, count := range a.waveCount {
		storm, firing := make([]bool, n), make([]bool, n)
		for k := range n {
			c, l := count[k], listed[key][k]
			storm[k] = c >= waveMin && float64(c)/watched > waveShare ||
				l >= waveMin && float64(l)/listedIn5m > waveShare ||
				c >= waveMin && float64(c)/watched > waveHoldShare && k > 0 && firing[k-1]
			firing[k] = held(k, waveFor, func(j int) bool { return storm[j] })
		}
		a.waveStorm[key], a.waveFiring[key] = storm, firing
	}
}

// waves returns the waves' alerts firing at minute k: the problem
// statuses' (CAMSTemplateProblemsInManySpaces) or the spaces without a
// usable template's (CAMSManySpacesWithoutUsableTemplate).
func (a *healthAlerts) waves(k int, none bool) []expAlert {
	a.templateWaves()
	var out []expAlert
	for _, key := range slices.Sorted(maps.Keys(a.waveFiring)) {
		if !a.waveFiring[key][k] || (key == noneUsable) != none {
			continue
		}
		c := a.waveCount[key][k]
		share := humanizePercentage(float64(c) / float64(a.h.templates.spaces))
		if none {
			out = append(out, a.alert(map[string]string{"severity": "critical"},
				"Many CAMS spaces have no message template that can be sent.",
				fmt.Sprintf("%d spaces watched by %s (%s of them) have message templates and none that can be sent: one wave of Meta's decisions. Their CAMSTemplatesAllUnusable alerts are muted; CAMSTemplateProblemsInManySpaces says which status.",
					c, a.h.flows.instance, share),
				"camsmanyspaceswithoutusabletemplate"))
			continue
		}
		what, muted := map[string]string{"paused": "paused", "disabled": "disabled", "fail": "whose review failed"}[key], "CAMSTemplateUnusable"
		if key == "paused" {
			muted = "CAMSTemplatePaused"
		}
		out = append(out, a.alert(map[string]string{"severity": "warning", "audit_status": key},
			"Message templates of many CAMS spaces are paused, disabled or failed review at once.",
			fmt.Sprintf("%d spaces watched by %s (%s of them) have message templates %s (audit status %s): one wave of Meta's decisions. Their %s alerts are muted; the dashboard's Message templates row lists the worst spaces.",
				c, a.h.flows.instance, share, what, key, muted),
			"camstemplateproblemsinmanyspaces"))
	}
	return out
}

func (a *healthAlerts) templates(i, k int) *templatesView {
	if k < 0 {
		return nil
	}
	return cached(a.templatesCache, i, k, a.h.templatesView)
}

// pausedChanges returns how many moves into paused space i's counter says
// at minute k, false while it has no series.
func (a *healthAlerts) pausedChanges(i, k int) (int, bool) {
	if tv := a.templates(i, k); tv != nil {
		return tv.changes["paused"], true
	}
	return 0, false
}

// pausedRecently reports whether the counter of space i's moves into paused
// rose within the hour before minute k (Prometheus 3: the samples in
// (k-60, k]; 2: [k-60, k]), and whether both agree.
func (a *healthAlerts) pausedRecently(i, k int) (rose, certain bool) {
	last, ok := a.pausedChanges(i, k)
	if !ok {
		return false, true
	}
	first := func(from int) (int, bool) {
		for j := max(from, 0); j < k; j++ {
			if v, ok := a.pausedChanges(i, j); ok {
				return v, true
			}
		}
		return 0, false
	}
	v3, ok3 := first(k - pauseWindow + 1)
	v2, ok2 := first(k - pauseWindow)
	rose3, rose2 := ok3 && last > v3, ok2 && last > v2
	return rose3, rose3 == rose2
}

// templatePaused is space i's CAMSTemplatePaused at minute k: its templates
// paused now, as RUNBOOK.md says; a pause seen by the counter alone is
// reported for an hour, with a count the model does not compute (increase()
// extrapolates): a scenario must have none.
func (a *healthAlerts) templatePaused(i, k int) keyed {
	out := keyed{}
	tv := a.templates(i, k)
	if tv == nil {
		return out
	}
	rose, certain := a.pausedRecently(i, k)
	if !certain || (rose && tv.counts["paused"] == 0) {
		a.ambiguous = append(a.ambiguous, fmt.Sprintf("a pause of space %s's templates seen by the counter alone at minute %d", a.h.spaceID(i), k))
	}
	if n := tv.counts["paused"]; n > 0 {
		out["paused"] = a.alert(map[string]string{"severity": "warning", "space": a.h.spaceID(i), "audit_status": "paused"},
			"Meta paused message templates of a CAMS space.",
			fmt.Sprintf("%d message templates of %s are paused, as %s listed them: Meta paused them for their quality, and every message sent with them fails until Meta resumes them. /status names the templates.",
				n, a.where(i), a.h.flows.instance),
			"camstemplatepaused")
	}
	return out
}

// templateUnusable is space i's CAMSTemplateUnusable at minute k: one alert
// for its templates whose review failed, one for those disabled.
func (a *healthAlerts) templateUnusable(i, k int) keyed {
	out := keyed{}
	tv := a.templates(i, k)
	if tv == nil {
		return out
	}
	for status, verb := range map[string]string{"fail": "failed Meta's review", "disabled": "are disabled by Meta"} {
		n := tv.counts[status]
		if n == 0 {
			continue
		}
		reason := ""
		if status == "fail" {
			reason = ", with Meta's reason"
		}
		out[status] = a.alert(map[string]string{"severity": "warning", "space": a.h.spaceID(i), "audit_status": status},
			"Message templates of a CAMS space failed Meta's review or are disabled.",
			fmt.Sprintf("%d message templates of %s %s, as %s listed them: they cannot be sent. /status names them%s.", n, a.where(i), verb, a.h.flows.instance, reason),
			"camstemplateunusable")
	}
	return out
}

// templatesNoneUsable is space i's CAMSTemplatesAllUnusable at minute k,
// its templates counted by status in the description, by status name.
func (a *healthAlerts) templatesNoneUsable(i, k int) keyed {
	out := keyed{}
	tv := a.templates(i, k)
	if tv == nil || !tv.noneUsable() {
		return out
	}
	total := 0
	var parts []string
	for _, status := range slices.Sorted(maps.Keys(tv.counts)) {
		if n := tv.counts[status]; n > 0 {
			total += n
			parts = append(parts, fmt.Sprintf("%d %s", n, status))
		}
	}
	out[""] = a.alert(map[string]string{"severity": "critical", "space": a.h.spaceID(i)},
		"No message template of a CAMS space can be sent.",
		fmt.Sprintf("None of the %d message templates of %s can be sent, as %s listed them (%s): every message it sends outside the 24-hour customer service window fails.",
			total, a.where(i), a.h.flows.instance, strings.Join(parts, ", ")),
		"camstemplatesallunusable")
	return out
}
