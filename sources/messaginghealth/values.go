package messaginghealth

import "github.com/cams-exporter/cams_exporter/sources/values"

// caps bounds the label values of the source's series.
type caps struct {
	canSend, entityType, errorCode *values.Cap
}

func newCaps() caps {
	return caps{
		canSend:    values.NewCap("AVAILABLE", "LIMITED", "BLOCKED"),
		entityType: values.NewCap("WABA", "BUSINESS", "APP", "PHONE_NUMBER", "MESSAGE_TEMPLATE"),
		errorCode:  values.NewCap(), // Meta's codes are numbers it does not list
	}
}

func (c caps) folded() uint64 {
	return c.canSend.Folded() + c.entityType.Folded() + c.errorCode.Folded()
}
