package client

import "slices"

// DocumentedCategories are the flow categories the CAMS documentation lists,
// in its order.
var DocumentedCategories = []string{
	"SIGN_UP",
	"SIGN_IN",
	"APPOINTMENT_BOOKING",
	"LEAD_GENERATION",
	"CONTACT_US",
	"CUSTOMER_SUPPORT",
	"SURVEY",
	"OTHER",
}

// documentedCategories is DocumentedCategories as a set, fixed at start-up:
// the exported slice may be changed by a careless caller.
var documentedCategories = func() map[string]struct{} {
	set := make(map[string]struct{}, len(DocumentedCategories))
	for _, c := range slices.Clone(DocumentedCategories) {
		set[c] = struct{}{}
	}
	return set
}()

// IsDocumentedCategory reports whether c is one of DocumentedCategories.
func IsDocumentedCategory(c string) bool {
	_, ok := documentedCategories[c]
	return ok
}
