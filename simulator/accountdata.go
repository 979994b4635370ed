package simulator

import (
	"fmt"
	"slices"
)

// NumberChange changes some fields of a number (see [Server.SetPhoneNumber]):
// those that are not nil, to any string ("" leaves the field out of
// answers). A number's PhoneNumber does not change: remove it and add
// another.
type NumberChange struct {
	VerifiedName           *string
	Status                 *string
	QualityRating          *string
	MessagingLimitTier     *string
	CodeVerificationStatus *string
	NameStatus             *string
	NewNameStatus          *string
	IsOfficial             *string
}

// apply sets the fields of n that c names, and reports whether it names
// any.
func (c NumberChange) apply(n *PhoneNumber) bool {
	changed := false
	for _, f := range []struct {
		to  *string
		dst *string
	}{
		{c.VerifiedName, &n.VerifiedName}, {c.Status, &n.Status}, {c.QualityRating, &n.QualityRating},
		{c.MessagingLimitTier, &n.MessagingLimitTier}, {c.CodeVerificationStatus, &n.CodeVerificationStatus},
		{c.NameStatus, &n.NameStatus}, {c.NewNameStatus, &n.NewNameStatus}, {c.IsOfficial, &n.IsOfficial},
	} {
		if f.to != nil {
			*f.dst = *f.to
			changed = true
		}
	}
	return changed
}

// SetPhoneNumber changes fields of a number of a space: what
// QueryChatappPhoneNumbers answers from then on, such as a quality rating
// turned RED or a status FLAGGED. It returns ErrNothingToSet when c names
// no field.
func (s *Server) SetPhoneNumber(spaceID, number string, c NumberChange) error {
	s.dataMu.Lock()
	defer s.dataMu.Unlock()
	n, err := s.numberLocked(spaceID, number)
	if err != nil {
		return err
	}
	if !c.apply(n) {
		return ErrNothingToSet
	}
	return nil
}

// SetNumberHealth sets the health of a number's PHONE_NUMBER entity in
// GetWhatsappHealthStatus answers.
func (s *Server) SetNumberHealth(spaceID, number string, h Health) error {
	s.dataMu.Lock()
	defer s.dataMu.Unlock()
	n, err := s.numberLocked(spaceID, number)
	if err != nil {
		return err
	}
	n.Health = h.clone()
	return nil
}

// AddPhoneNumber appends n to the numbers of a space. The space must exist
// and the PhoneNumber be new to it.
func (s *Server) AddPhoneNumber(spaceID string, n PhoneNumber) error {
	if n.PhoneNumber == "" {
		return ErrEmptyPhoneNumber
	}
	s.dataMu.Lock()
	defer s.dataMu.Unlock()
	sp, err := s.spaceLocked(spaceID)
	if err != nil {
		return err
	}
	if slices.ContainsFunc(sp.numbers, func(m PhoneNumber) bool { return m.PhoneNumber == n.PhoneNumber }) {
		return fmt.Errorf("%w %q in space %q", ErrDuplicateNumber, n.PhoneNumber, spaceID)
	}
	sp.numbers = append(sp.numbers, n.clone())
	return nil
}

// RemovePhoneNumber removes a number from a space.
func (s *Server) RemovePhoneNumber(spaceID, number string) error {
	s.dataMu.Lock()
	defer s.dataMu.Unlock()
	sp, err := s.spaceLocked(spaceID)
	if err != nil {
		return err
	}
	i := slices.IndexFunc(sp.numbers, func(m PhoneNumber) bool { return m.PhoneNumber == number })
	if i < 0 {
		return fmt.Errorf("%w %q in space %q", ErrUnknownNumber, number, spaceID)
	}
	sp.numbers = slices.Delete(slices.Clip(sp.numbers), i, i+1)
	return nil
}

// numberLocked returns a number of a space to change; the caller holds
// dataMu.
func (s *Server) numberLocked(spaceID, number string) (*PhoneNumber, error) {
	sp, err := s.spaceLocked(spaceID)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(sp.numbers, func(m PhoneNumber) bool { return m.PhoneNumber == number })
	if i < 0 {
		return nil, fmt.Errorf("%w %q in space %q", ErrUnknownNumber, number, spaceID)
	}
	return &sp.numbers[i], nil
}

// SetWABA binds w to a space, in place of its WABA if it has one; nil
// unbinds it (QueryChatappBindWaba then answers ERR-OPERATION-MAAP-0060).
// The health of the space's WABA and BUSINESS entities stays as it was.
func (s *Server) SetWABA(spaceID string, w *WABA) error {
	if w != nil && w.Id == "" {
		return ErrEmptyWABAID
	}
	s.dataMu.Lock()
	defer s.dataMu.Unlock()
	sp, err := s.spaceLocked(spaceID)
	if err != nil {
		return err
	}
	sp.waba = w.clone()
	return nil
}

// Entities whose health SetEntityHealth sets.
const (
	EntityPathWABA     = "waba"
	EntityPathBusiness = "business"
	EntityPathApp      = "app"
)

// SetEntityHealth sets the health of an entity in GetWhatsappHealthStatus
// answers: a space's WABA ("waba") or BUSINESS ("business"), or the
// account's APP ("app", for every space; spaceID is not used).
func (s *Server) SetEntityHealth(spaceID, entity string, h Health) error {
	s.dataMu.Lock()
	defer s.dataMu.Unlock()
	if entity == EntityPathApp {
		s.data.appHealth = h.clone()
		return nil
	}
	if entity != EntityPathWABA && entity != EntityPathBusiness {
		return fmt.Errorf("%w: %q", ErrUnknownEntity, entity)
	}
	sp, err := s.spaceLocked(spaceID)
	if err != nil {
		return err
	}
	if entity == EntityPathWABA {
		sp.wabaHealth = h.clone()
	} else {
		sp.businessHealth = h.clone()
	}
	return nil
}
