package simulator

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// NumbersPerSpace is how many numbers a generated space with a WABA holds.
const NumbersPerSpace = 3

// Illustrative health errors of generated data, in the form of Meta's
// health_status errors (codes of its 141xxx range; the texts are the
// simulator's). LIMITED entities carry none: Meta explains them in a field
// CAMS does not relay.
var (
	numberBlockedError  = HealthError{ErrorCode: "141000", ErrorDescription: "The phone number is not registered or not connected.", PossibleSolution: "Check the number's status in WhatsApp Manager and register or reconnect it."}
	numberBannedError   = HealthError{ErrorCode: "141001", ErrorDescription: "The phone number has been banned.", PossibleSolution: "Request a review of the ban in WhatsApp Manager."}
	wabaPaymentError    = HealthError{ErrorCode: "141006", ErrorDescription: "There is an error with the payment method.", PossibleSolution: "Add a valid payment method to the WhatsApp Business Account."}
	wabaReviewError     = HealthError{ErrorCode: "141008", ErrorDescription: "The WhatsApp Business Account did not pass review or is disabled.", PossibleSolution: "See the account's review status in WhatsApp Manager and request another review."}
	businessVerifyError = HealthError{ErrorCode: "141010", ErrorDescription: "The business has not passed business verification.", PossibleSolution: "Start or resolve the business verification in Business Settings."}
)

// addAccounts gives the spaces of d their WABAs, numbers and health, from
// a random stream of their own so that the rest of the data is what it was
// before spaces had them. See [Generate] for what they hold.
func addAccounts(seed int64, d *Dataset) {
	g := &accountGen{r: rand.New(rand.NewPCG(uint64(seed), 0x6e756d62657273)), numbers: map[string]bool{}} // "numbers"
	unbound := map[int]bool{}
	if n := len(d.Spaces) - 1; n > 0 {
		unbound[1+g.r.Perm(n)[0]] = true // one sub-customer space, in a seeded order
	}
	for i := range d.Spaces {
		if i > 0 && g.r.IntN(100) < 2 {
			unbound[i] = true
		}
	}
	for i := range d.Spaces {
		if !unbound[i] {
			g.bind(&d.Spaces[i])
		}
	}
}

// accountGen makes WABAs and numbers; w and k count those made so far.
type accountGen struct {
	r       *rand.Rand
	w, k    int
	numbers map[string]bool // PhoneNumbers made, unique in the account
}

// bind gives sp a WABA, its health and NumbersPerSpace numbers.
func (g *accountGen) bind(sp *Space) {
	name := g.companyName()
	waba := &WABA{
		Id: g.digits("1", 15), Name: name, BusinessId: g.digits("2", 15),
		AccountReviewStatus:      g.pick([]weighted{{"APPROVED", 980}, {"PENDING", 10}, {"REJECTED", 6}, {"DISABLED", 4}}),
		Currency:                 g.pick([]weighted{{"USD", 900}, {"EUR", 50}, {"IDR", 25}, {"INR", 25}}),
		MessageTemplateNamespace: g.hex(8) + "_" + g.hex(4) + "_" + g.hex(4) + "_" + g.hex(4) + "_" + g.hex(12),
	}
	wabaHealth := g.pick([]weighted{{HealthAvailable, 975}, {HealthLimited, 15}, {HealthBlocked, 10}})
	businessHealth := g.pick([]weighted{{HealthAvailable, 980}, {HealthLimited, 10}, {HealthBlocked, 10}})
	switch g.w {
	case 1:
		wabaHealth = HealthLimited
	case 3:
		waba.AccountReviewStatus = "PENDING"
	}
	if waba.AccountReviewStatus == "REJECTED" || waba.AccountReviewStatus == "DISABLED" {
		wabaHealth = HealthBlocked
	}
	g.w++
	sp.WABA = waba
	sp.WABAHealth = healthOf(wabaHealth, wabaErrorOf(waba))
	sp.BusinessHealth = healthOf(businessHealth, businessVerifyError)
	suffixes := []string{"", " Support", " Sales"}
	for i := range NumbersPerSpace {
		sp.PhoneNumbers = append(sp.PhoneNumbers, g.number(name+suffixes[i%len(suffixes)]))
	}
}

func wabaErrorOf(w *WABA) HealthError {
	if w.AccountReviewStatus == "REJECTED" || w.AccountReviewStatus == "DISABLED" {
		return wabaReviewError
	}
	return wabaPaymentError
}

// healthOf is the health of an entity that can send as v: nil for
// AVAILABLE, err with BLOCKED, no errors with LIMITED.
func healthOf(v string, err HealthError) *Health {
	switch v {
	case HealthAvailable:
		return nil
	case HealthBlocked:
		return &Health{CanSendMessage: v, Errors: []HealthError{err}}
	}
	return &Health{CanSendMessage: v}
}

// number makes the account's next number.
func (g *accountGen) number(verifiedName string) PhoneNumber {
	n := PhoneNumber{
		PhoneNumber:            g.phoneNumber(),
		VerifiedName:           verifiedName,
		QualityRating:          g.pick([]weighted{{"GREEN", 850}, {"YELLOW", 80}, {"RED", 40}, {"UNKNOWN", 30}}),
		Status:                 g.pick([]weighted{{"CONNECTED", 960}, {"RESTRICTED", 10}, {"RATE_LIMITED", 6}, {"DISCONNECTED", 6}, {"OFFLINE", 5}, {"PENDING", 5}, {"BANNED", 3}, {"UNVERIFIED", 2}, {"DELETED", 3}}),
		MessagingLimitTier:     g.pick([]weighted{{"TIER_50", 10}, {"TIER_250", 100}, {"TIER_1K", 350}, {"TIER_10K", 350}, {"TIER_100K", 120}, {"TIER_UNLIMITED", 70}}),
		CodeVerificationStatus: g.pick([]weighted{{"VERIFIED", 960}, {"NOT_VERIFIED", 30}, {"EXPIRED", 10}}),
		NameStatus:             g.pick([]weighted{{"Approval", 930}, {"Pending_Review", 40}, {"Rejected", 30}}),
		NewNameStatus:          g.pick([]weighted{{"", 960}, {"Pending_Review", 20}, {"Approval", 10}, {"Rejected", 10}}),
		IsOfficial:             g.pick([]weighted{{"N", 950}, {"Y", 50}}),
	}
	if n.QualityRating == "RED" && g.r.IntN(2) == 0 {
		n.Status = "FLAGGED"
	}
	switch g.k {
	case 1:
		n.QualityRating, n.Status = "YELLOW", "CONNECTED"
	case 2:
		n.QualityRating, n.Status, n.MessagingLimitTier = "RED", "FLAGGED", "TIER_1K"
	case 4:
		n.QualityRating, n.Status = "GREEN", "RESTRICTED"
	case 5:
		n.QualityRating, n.Status, n.MessagingLimitTier, n.CodeVerificationStatus = "UNKNOWN", "PENDING", "TIER_250", "NOT_VERIFIED"
	}
	g.k++
	n.Health = numberHealth(n.Status)
	return n
}

// numberHealth is a generated number's PHONE_NUMBER health, which follows
// its status: BLOCKED when it cannot send, LIMITED when it has reached a
// limit, AVAILABLE otherwise (FLAGGED numbers still send).
func numberHealth(status string) *Health {
	switch status {
	case "BANNED", "DELETED":
		return healthOf(HealthBlocked, numberBannedError)
	case "PENDING", "UNVERIFIED", "DISCONNECTED", "OFFLINE":
		return healthOf(HealthBlocked, numberBlockedError)
	case "RESTRICTED", "RATE_LIMITED":
		return healthOf(HealthLimited, HealthError{})
	}
	return nil
}

// countryCodes are the calling codes of generated numbers.
var countryCodes = []string{"86", "65", "62", "60", "66", "63", "84", "91", "55", "52"}

// phoneNumber draws a number the account does not hold yet: a country code
// and ten digits.
func (g *accountGen) phoneNumber() string {
	for {
		n := countryCodes[g.r.IntN(len(countryCodes))] + g.digits("", 10)
		if !g.numbers[n] {
			g.numbers[n] = true
			return n
		}
	}
}

// digits is prefix followed by random digits, n in all.
func (g *accountGen) digits(prefix string, n int) string {
	var b strings.Builder
	b.WriteString(prefix)
	for b.Len() < n {
		b.WriteByte(byte('0' + g.r.IntN(10)))
	}
	return b.String()
}

func (g *accountGen) hex(n int) string {
	var b strings.Builder
	for range n {
		fmt.Fprintf(&b, "%x", g.r.IntN(16))
	}
	return b.String()
}

var (
	nameWords  = []string{"Blue", "Harbor", "Lotus", "Golden", "Summit", "Pearl", "Jade", "Coral", "Maple", "Cedar", "River", "Sun"}
	nameTrades = []string{"Trading", "Retail", "Travel", "Foods", "Logistics", "Telecom", "Clinic", "Bank", "Insurance", "Academy"}
)

// companyName draws a business's name, such as "Lotus Harbor Travel".
func (g *accountGen) companyName() string {
	return nameWords[g.r.IntN(len(nameWords))] + " " + nameWords[g.r.IntN(len(nameWords))] + " " + nameTrades[g.r.IntN(len(nameTrades))]
}

// weighted is a value and its weight in a draw.
type weighted struct {
	value  string
	weight int
}

// pick draws one of values by weight.
func (g *accountGen) pick(values []weighted) string {
	total := 0
	for _, v := range values {
		total += v.weight
	}
	n := g.r.IntN(total)
	for _, v := range values {
		if n < v.weight {
			return v.value
		}
		n -= v.weight
	}
	panic("unreachable")
}
