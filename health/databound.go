package health

import (
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

// objectBytes bounds what an object of the sources' Data types adds to
// its texts: its keys, quotes, colons, commas and braces, and its times
// and booleans.
const objectBytes = 256

// textBound bounds the JSON of texts: 6 bytes a byte (encoding/json
// writes < as \u003c) and the quotes.
func textBound(texts ...string) int {
	n := 0
	for _, s := range texts {
		n += 6*len(s) + 2
	}
	return n
}

// dataBound bounds the length of the compact JSON of a Data of the
// sources known here, from the lengths of its texts, without encoding it;
// false for another type.
func dataBound(data any) (int, bool) {
	switch d := data.(type) {
	case waba.WABA:
		return objectBytes + textBound(d.ID, d.BusinessID, d.AccountReviewStatus, d.Name, d.Currency), true
	case phonenumbers.Numbers:
		n := 2
		for _, x := range d {
			n += 1 + objectBytes + textBound(x.PhoneNumber, x.Status, x.QualityRating, x.MessagingLimitTier, x.CodeVerificationStatus,
				x.NameStatus, x.VerifiedName, x.NewNameStatus, x.IsOfficial)
		}
		return n, true
	case messaginghealth.Health:
		n := objectBytes + nodeBound(d.WABA)
		for i := range d.Phones {
			n += 1 + nodeBound(&d.Phones[i])
		}
		for _, e := range d.Entities {
			n += 1 + entityBound(e)
		}
		return n, true
	case templatesData:
		return templatesBound(d), true
	}
	return 0, false
}

func nodeBound(node *messaginghealth.Node) int {
	if node == nil {
		return 4
	}
	return objectBytes + textBound(node.PhoneNumber, node.WabaID, node.CanSendMessage) + errorInfoBound(node.LastError) + indexBytes*len(node.NamedEntities)
}

// indexBytes bounds an index and its comma.
const indexBytes = 11

func entityBound(e messaginghealth.Entity) int {
	n := objectBytes + textBound(e.Type, e.ID, e.CanSendMessage)
	for _, er := range e.Errors {
		n += 1 + objectBytes + textBound(er.Code, er.Description, er.Solution)
	}
	return n
}

func errorInfoBound(e *snapshot.ErrorInfo) int {
	if e == nil {
		return 0
	}
	return objectBytes + textBound(e.Code, e.Message, e.RequestID, e.Recommend, e.Class)
}
