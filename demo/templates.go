package demo

import (
	"math/rand/v2"
	"slices"

	"github.com/cams-exporter/cams_exporter/simulator"
)

// pausesBeforeDisable is how many pauses a template of the demo takes
// before the next one disables it: Meta disables a template at its third
// pause.
const pausesBeforeDisable = 2

// Reasons the demo gives a template Meta stopped.
const (
	pausedReason   = "LOW_QUALITY: recipients blocked or reported the messages of this template; it is paused for a few hours."
	disabledReason = "LOW_QUALITY: the template was paused three times and is disabled."
)

// failedReason is the Reason of the template whose review failed in
// showTemplateProblems.
const failedReason = "INVALID_FORMAT: the template has variables without sample values."

// showTemplateProblems makes the first three templates of the first
// sub-customer space that has three paused, failed and disabled, so that
// the demo shows them from its start: the simulator's generator gives its
// own such templates to the account's own space, which the demo leaves out.
func showTemplateProblems(d *simulator.Dataset) {
	for i := range d.Spaces {
		sp := &d.Spaces[i]
		if sp.ID == "" || len(sp.Templates) < 3 {
			continue
		}
		for j, p := range []struct{ status, reason string }{
			{simulator.TemplatePaused, pausedReason}, {simulator.TemplateFail, failedReason}, {simulator.TemplateDisabled, disabledReason},
		} {
			sp.Templates[j].AuditStatus, sp.Templates[j].Reason = p.status, p.reason
		}
		return
	}
}

// moveTemplate moves a template of space a step along its journey
// (nextTemplateStep): three times in four the first of its templates that
// is not pass, so that a paused template is soon un-paused and most stay
// usable, else any of them.
func (d *Demo) moveTemplate(r *rand.Rand, space string) error {
	for _, sp := range d.Sim.Dataset().Spaces {
		if sp.ID != space || len(sp.Templates) == 0 {
			continue
		}
		t := pickTemplate(r, sp.Templates)
		key := space + "/" + t.TemplateCode + "/" + t.Language
		change, pauses := nextTemplateStep(t, d.pauses[key])
		if err := d.Sim.SetTemplate(space, t.TemplateCode, t.Language, change); err != nil {
			return err
		}
		d.pauses[key] = pauses
		return nil
	}
	return nil
}

// pickTemplate returns the template to move: three times in four the first
// one not pass, if any, else any.
func pickTemplate(r *rand.Rand, templates []simulator.Template) simulator.Template {
	if r.IntN(4) > 0 {
		if i := slices.IndexFunc(templates, func(t simulator.Template) bool { return t.AuditStatus != simulator.TemplatePass }); i >= 0 {
			return templates[i]
		}
	}
	return templates[r.IntN(len(templates))]
}

// nextTemplateStep is the change that moves t a step along the journey
// Meta takes a template on when its recipients block or report it, given
// how many times it was paused: a pass template is paused, and un-paused
// (pass) at the next step; the pause after pausesBeforeDisable pauses
// disables it. The demo's business then submits a disabled template again
// (auditing, its pauses forgotten), and a failed or unaudited one too; a
// review passes. It returns the change and the pauses after it.
func nextTemplateStep(t simulator.Template, pauses int) (simulator.TemplateChange, int) {
	set := func(status, reason string) simulator.TemplateChange {
		return simulator.TemplateChange{AuditStatus: &status, Reason: &reason}
	}
	switch t.AuditStatus {
	case simulator.TemplatePass:
		if pauses >= pausesBeforeDisable {
			return set(simulator.TemplateDisabled, disabledReason), pauses
		}
		return set(simulator.TemplatePaused, pausedReason), pauses + 1
	case simulator.TemplateDisabled:
		return set(simulator.TemplateAuditing, ""), 0
	case simulator.TemplateFail, simulator.TemplateUnaudit:
		return set(simulator.TemplateAuditing, ""), pauses
	}
	return set(simulator.TemplatePass, ""), pauses // paused, auditing, anything else
}
