package simulator

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// MaxGeneratedTemplates bounds AddTemplates's templates per space.
const MaxGeneratedTemplates = 1000

// Reasons of generated failed reviews, in the form of Meta's rejection
// reasons (the texts are the simulator's).
var templateFailReasons = []string{
	"INVALID_FORMAT: the template has variables without sample values.",
	"TAG_CONTENT_MISMATCH: the content does not match the category.",
	"PROMOTIONAL: a UTILITY template holds promotional content.",
	"ABUSIVE_CONTENT: the content does not comply with the WhatsApp Business Policy.",
}

// Languages of generated templates, the first more common; CAMS's codes.
var templateLanguages = []weighted{
	{"en_US", 500}, {"id", 120}, {"zh_CN", 80}, {"ms", 60}, {"th", 50}, {"vi", 40}, {"pt_BR", 40}, {"es", 40}, {"en_GB", 30}, {"ar", 20}, {"hi", 20},
}

// templatePurposes name generated templates, by category.
var templatePurposes = map[string][]string{
	"MARKETING":      {"welcome_offer", "flash_sale", "new_arrivals", "loyalty_points", "event_invite", "cart_reminder", "seasonal_promo"},
	"UTILITY":        {"order_update", "shipping_notice", "payment_reminder", "appointment_reminder", "refund_status", "account_alert", "feedback_survey"},
	"AUTHENTICATION": {"login_code", "otp_verify", "password_reset"},
}

// templateEpoch is the earliest LastUpdateTime of generated templates.
var templateEpoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// AddTemplates gives each space of d that has a WABA perSpace message
// templates (at most MaxGeneratedTemplates; 0 adds none), from a random
// stream of seed's own, so that the same arguments always give the same
// templates and the rest of d is untouched: [Generate] adds none, and its
// data sets stay what they were. A space with templates replaces them.
//
// Each template code (32 hex digits, unique in the account) comes in one
// to three languages (half one, a quarter two, a quarter three; mostly
// en_US, then id, zh_CN and
// others), each language a template of its own with the code's name (such
// as "order_update_17") and Category: about 45% MARKETING, 40% UTILITY, 15%
// AUTHENTICATION. AuditStatus is about 90% pass, 3% fail (with a Reason),
// 2.5% auditing, 2% paused, 1.5% disabled, 1% unaudit; TemplateType is
// WHATSAPP and LastUpdateTime within 2025. So that small data sets show
// them, the account's second template is paused, its third fail, its
// fourth disabled and its fifth auditing.
func AddTemplates(seed int64, d *Dataset, perSpace int) {
	perSpace = min(max(perSpace, 0), MaxGeneratedTemplates)
	if perSpace == 0 {
		return
	}
	g := &templateGen{accountGen: accountGen{r: rand.New(rand.NewPCG(uint64(seed), 0x74656d706c617465))}} // "template"
	for i := range d.Spaces {
		if d.Spaces[i].WABA != nil {
			d.Spaces[i].Templates = g.space(perSpace)
		}
	}
}

// templateGen makes templates; codes counts the codes made so far, k the
// templates.
type templateGen struct {
	accountGen
	codes, k int
}

// space makes n templates of a space.
func (g *templateGen) space(n int) []Template {
	templates := make([]Template, 0, n)
	for len(templates) < n {
		languages := 1 + g.r.IntN(2)*(1+g.r.IntN(2)) // 1 half the time, else 2 or 3
		templates = append(templates, g.code(min(languages, n-len(templates)))...)
	}
	return templates
}

// code makes a template code in n distinct languages.
func (g *templateGen) code(n int) []Template {
	category := g.pick([]weighted{{"MARKETING", 45}, {"UTILITY", 40}, {"AUTHENTICATION", 15}})
	purposes := templatePurposes[category]
	g.codes++
	code := fmt.Sprintf("%s%08x", g.hex(24), g.codes)
	name := fmt.Sprintf("%s_%d", purposes[g.r.IntN(len(purposes))], g.codes)
	seen := map[string]bool{}
	templates := make([]Template, 0, n)
	for len(templates) < n {
		language := g.pick(templateLanguages)
		if seen[language] {
			continue
		}
		seen[language] = true
		templates = append(templates, g.template(code, name, language, category))
	}
	return templates
}

// template makes one language of a code, with its review.
func (g *templateGen) template(code, name, language, category string) Template {
	t := Template{
		TemplateCode: code, TemplateName: name, Language: language, Category: category, TemplateType: "WHATSAPP",
		AuditStatus: g.pick([]weighted{
			{TemplatePass, 900}, {TemplateFail, 30}, {TemplateAuditing, 25}, {TemplatePaused, 20}, {TemplateDisabled, 15}, {TemplateUnaudit, 10},
		}),
		LastUpdateTime: templateEpoch.UnixMilli() + g.r.Int64N(365*24*time.Hour.Milliseconds()),
	}
	switch g.k {
	case 1:
		t.AuditStatus = TemplatePaused
	case 2:
		t.AuditStatus = TemplateFail
	case 3:
		t.AuditStatus = TemplateDisabled
	case 4:
		t.AuditStatus = TemplateAuditing
	}
	g.k++
	if t.AuditStatus == TemplateFail {
		t.Reason = templateFailReasons[g.r.IntN(len(templateFailReasons))]
	}
	return t
}
