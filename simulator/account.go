package simulator

import (
	"errors"
	"fmt"
	"slices"
)

// PhoneNumber is a number of a space, with the fields of the official SDK's
// QueryChatappPhoneNumbersResponseBodyPhoneNumbers that a monitor reads.
// Any string is served as it is, undocumented values included; an empty
// field is left out of the answer. Health is the number's PHONE_NUMBER
// entity in GetWhatsappHealthStatus answers (nil: AVAILABLE, no errors).
type PhoneNumber struct {
	PhoneNumber            string
	VerifiedName           string  `json:",omitempty"`
	Status                 string  `json:",omitempty"`
	QualityRating          string  `json:",omitempty"`
	MessagingLimitTier     string  `json:",omitempty"`
	CodeVerificationStatus string  `json:",omitempty"`
	NameStatus             string  `json:",omitempty"`
	NewNameStatus          string  `json:",omitempty"`
	IsOfficial             string  `json:",omitempty"`
	Health                 *Health `json:"health,omitempty"`
}

// WABA is the WhatsApp Business Account bound to a space, with the fields
// of the official SDK's QueryChatappBindWabaResponseBodyData that a monitor
// reads. Id is required; the others are served as they are (left out when
// empty).
type WABA struct {
	Id                       string
	Name                     string `json:",omitempty"`
	BusinessId               string `json:",omitempty"`
	AccountReviewStatus      string `json:",omitempty"`
	Currency                 string `json:",omitempty"`
	MessageTemplateNamespace string `json:",omitempty"`
}

// Health is the messaging health of one entity (Meta's health_status):
// CanSendMessage (documented AVAILABLE, LIMITED, BLOCKED; "" means
// AVAILABLE; any other value is served as it is) and the errors that
// explain it.
type Health struct {
	CanSendMessage string        `json:",omitempty"`
	Errors         []HealthError `json:",omitempty"`
}

// HealthError is one entry of an entity's Errors, as the SDK names it.
type HealthError struct {
	ErrorCode        string `json:",omitempty"`
	ErrorDescription string `json:",omitempty"`
	PossibleSolution string `json:",omitempty"`
}

// HealthEntity is one entity of a GetWhatsappHealthStatus answer, with the
// official SDK's fields. The simulator builds the WABA, BUSINESS, APP and
// PHONE_NUMBER entities from the data set; a space's ExtraEntities are
// served as written (any EntityType, e.g. MESSAGE_TEMPLATE or one CAMS does
// not document).
type HealthEntity struct {
	EntityType     string
	CanSendMessage string        `json:",omitempty"`
	WabaId         string        `json:",omitempty"`
	BusinessId     string        `json:",omitempty"`
	PhoneNumber    string        `json:",omitempty"`
	TemplateCode   string        `json:",omitempty"`
	Language       string        `json:",omitempty"`
	Errors         []HealthError `json:",omitempty"`
}

// CanSendMessage values, Meta's, which CAMS relays.
const (
	HealthAvailable = "AVAILABLE"
	HealthLimited   = "LIMITED"
	HealthBlocked   = "BLOCKED"
)

// Entity types of GetWhatsappHealthStatus answers.
const (
	EntityWABA        = "WABA"
	EntityBusiness    = "BUSINESS"
	EntityApp         = "APP"
	EntityPhoneNumber = "PHONE_NUMBER"
)

// Errors of the account mutation methods, for errors.Is.
var (
	ErrUnknownNumber    = errors.New("unknown phone number")
	ErrDuplicateNumber  = errors.New("duplicate PhoneNumber")
	ErrEmptyPhoneNumber = errors.New("empty PhoneNumber")
	ErrEmptyWABAID      = errors.New("empty WABA Id")
	ErrEmptyEntityType  = errors.New("empty EntityType")
	ErrUnknownEntity    = errors.New("unknown entity (want waba, business or app)")
	ErrNothingToSet     = errors.New("nothing to set")
)

// sendRank orders CanSendMessage values from best to worst: AVAILABLE,
// then a value CAMS does not document, then LIMITED, then BLOCKED.
func sendRank(v string) int {
	switch v {
	case "", HealthAvailable:
		return 0
	case HealthLimited:
		return 2
	case HealthBlocked:
		return 3
	default:
		return 1
	}
}

// canSend is what an entity of health h answers: its CanSendMessage, or
// AVAILABLE.
func (h *Health) canSend() string {
	if h == nil || h.CanSendMessage == "" {
		return HealthAvailable
	}
	return h.CanSendMessage
}

func (h *Health) errors() []HealthError {
	if h == nil {
		return nil
	}
	return slices.Clone(h.Errors)
}

func (h *Health) clone() *Health {
	if h == nil {
		return nil
	}
	return &Health{CanSendMessage: h.CanSendMessage, Errors: slices.Clone(h.Errors)}
}

func (w *WABA) clone() *WABA {
	if w == nil {
		return nil
	}
	c := *w
	return &c
}

func (n PhoneNumber) clone() PhoneNumber {
	n.Health = n.Health.clone()
	return n
}

func (e HealthEntity) clone() HealthEntity {
	e.Errors = slices.Clone(e.Errors)
	return e
}

func cloneNumbers(numbers []PhoneNumber) []PhoneNumber {
	if numbers == nil {
		return nil
	}
	c := make([]PhoneNumber, len(numbers))
	for i, n := range numbers {
		c[i] = n.clone()
	}
	return c
}

func cloneEntities(entities []HealthEntity) []HealthEntity {
	if entities == nil {
		return nil
	}
	c := make([]HealthEntity, len(entities))
	for i, e := range entities {
		c[i] = e.clone()
	}
	return c
}

// validateAccount reports the first problem of a space's numbers, WABA and
// health entities: an empty or duplicate PhoneNumber, a WABA without Id, an
// extra entity without EntityType.
func (sp *Space) validateAccount() error {
	seen := map[string]bool{}
	for j, n := range sp.PhoneNumbers {
		switch {
		case n.PhoneNumber == "":
			return fmt.Errorf("space %q: phoneNumbers[%d]: %w", sp.ID, j, ErrEmptyPhoneNumber)
		case seen[n.PhoneNumber]:
			return fmt.Errorf("space %q: phoneNumbers[%d]: %w %q", sp.ID, j, ErrDuplicateNumber, n.PhoneNumber)
		}
		seen[n.PhoneNumber] = true
	}
	if sp.WABA != nil && sp.WABA.Id == "" {
		return fmt.Errorf("space %q: waba: %w", sp.ID, ErrEmptyWABAID)
	}
	for j, e := range sp.ExtraEntities {
		if e.EntityType == "" {
			return fmt.Errorf("space %q: extraEntities[%d]: %w", sp.ID, j, ErrEmptyEntityType)
		}
	}
	return nil
}
