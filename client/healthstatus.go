package client

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strings"
)

// OperationGetHealthStatus is GetWhatsappHealthStatus's action name.
const OperationGetHealthStatus = "GetWhatsappHealthStatus"

// The node types GetHealthStatus asks about (the API's NodeType). CAMS also
// knows "template", which this client does not ask about.
const (
	NodeTypeWABA  = "waba"
	NodeTypePhone = "phone"
)

// The entity types Meta documents (EntityType). The set is open.
const (
	EntityTypeWABA        = "WABA"
	EntityTypeBusiness    = "BUSINESS"
	EntityTypeApp         = "APP"
	EntityTypePhoneNumber = "PHONE_NUMBER"
	EntityTypeTemplate    = "MESSAGE_TEMPLATE"
)

// HealthNode is what GetHealthStatus asks about: a space's WABA (Type
// NodeTypeWABA, WabaID its id) or one of its numbers (Type NodeTypePhone,
// PhoneNumber the number). Each sends its own identifier only; the other
// field must be empty.
type HealthNode struct {
	Type        string
	WabaID      string
	PhoneNumber string
}

// HealthStatus is GetWhatsappHealthStatus's Data: whether messages can be
// sent through the node, the worst of its entities' answers (AVAILABLE,
// LIMITED or BLOCKED), and the entities.
type HealthStatus struct {
	CanSendMessage string
	Entities       []HealthEntity
}

// HealthEntity is one entity messages go through: the number asked about,
// the WABA, the business, the app. The fields are the official SDK's
// GetWhatsappHealthStatusResponseBodyDataEntities, and ID.
type HealthEntity struct {
	EntityType     string // WABA, BUSINESS, APP, PHONE_NUMBER, MESSAGE_TEMPLATE
	CanSendMessage string // AVAILABLE, LIMITED, BLOCKED
	// ID is the entity's own id as answered: WabaId for a WABA, BusinessId
	// for a business, PhoneNumber for a number, TemplateCode for a template;
	// empty for an app (the API carries no app id) or a type not known.
	ID           string
	WabaID       string
	BusinessID   string
	PhoneNumber  string
	TemplateCode string
	Language     string
	Errors       []HealthError // why a LIMITED or BLOCKED entity is so
}

// HealthError is one reason an entity cannot send freely, in Meta's words.
type HealthError struct {
	ErrorCode        string `json:"ErrorCode"` // Meta's code, such as "141006"
	ErrorDescription string `json:"ErrorDescription"`
	PossibleSolution string `json:"PossibleSolution"`
}

// GetHealthStatus reads the messaging health of a space's WABA or of one of
// its numbers: Meta's health_status, relayed by CAMS. It sends what the
// official SDK sends (POST; CustSpaceId, NodeType and WabaId or PhoneNumber
// in the query), waits on the operation's own limiter (LimiterOf), retries
// and reports its attempts as ListFlow does, with operation
// "GetWhatsappHealthStatus".
//
// A success without Data or Data.CanSendMessage, with more than
// MaxHealthEntities entities, an entity without EntityType or carrying more
// than MaxHealthErrorsPerEntity errors is an InvalidResponse error, and so is
// one listing an entity (a type and ID) twice with different values (listed
// twice alike, it is returned once).
// Ids are cut to MaxEntityIDBytes (a number to MaxPhoneNumberBytes), values
// to MaxValueBytes, descriptions and solutions to MaxTextBytes.
func (c *Client) GetHealthStatus(ctx context.Context, space string, node HealthNode) (*HealthStatus, error) {
	params, err := spaceQuery(OperationGetHealthStatus, space)
	if err != nil {
		return nil, err
	}
	if err := node.addTo(params); err != nil {
		return nil, err
	}
	var resp healthAnswer
	if err := c.call(ctx, OperationGetHealthStatus, params, &resp); err != nil {
		return nil, err
	}
	return resp.status, nil
}

// addTo adds the node's NodeType and identifier to a query.
func (n HealthNode) addTo(q url.Values) error {
	const op = OperationGetHealthStatus
	switch n.Type {
	case NodeTypeWABA:
		if problem := idProblem(n.WabaID, MaxEntityIDBytes); problem != "" {
			return fmt.Errorf("%s: the WabaId of a waba node %s", op, problem)
		}
		if n.PhoneNumber != "" {
			return errors.New(op + ": a waba node takes no PhoneNumber: ask about the number with a phone node")
		}
		q.Set("WabaId", n.WabaID)
	case NodeTypePhone:
		if problem := idProblem(n.PhoneNumber, MaxPhoneNumberBytes); problem != "" {
			return fmt.Errorf("%s: the PhoneNumber of a phone node %s", op, problem)
		}
		if n.WabaID != "" {
			return errors.New(op + ": a phone node takes no WabaId: the number alone names it")
		}
		q.Set("PhoneNumber", n.PhoneNumber)
	default:
		return fmt.Errorf("%s: node type %q is none of %q and %q", op, Cut(n.Type, MaxValueBytes), NodeTypeWABA, NodeTypePhone)
	}
	q.Set("NodeType", n.Type)
	return nil
}

// healthAnswer is GetWhatsappHealthStatus's body as the client reads it:
// the envelope is read by call.
type healthAnswer struct {
	Data *struct {
		CanSendMessage string     `json:"CanSendMessage"`
		Entities       entityList `json:"Entities"`
	} `json:"Data"`
	status *HealthStatus // made by check
}

// entityList decodes Entities within MaxHealthEntities, and each entity's
// Errors within MaxHealthErrorsPerEntity.
type entityList []answeredEntity

// answeredEntity is one entity as the SDK's model names its fields.
type answeredEntity struct {
	EntityType     string    `json:"EntityType"`
	CanSendMessage string    `json:"CanSendMessage"`
	WabaID         string    `json:"WabaId"`
	BusinessID     string    `json:"BusinessId"`
	PhoneNumber    string    `json:"PhoneNumber"`
	TemplateCode   string    `json:"TemplateCode"`
	Language       string    `json:"Language"`
	Errors         errorList `json:"Errors"`
}

type errorList []HealthError

// UnmarshalJSON implements json.Unmarshaler, within MaxHealthEntities.
func (l *entityList) UnmarshalJSON(data []byte) (err error) {
	*l, err = decodeBounded[answeredEntity](data, MaxHealthEntities, "Entities")
	return err
}

// UnmarshalJSON implements json.Unmarshaler, within MaxHealthErrorsPerEntity.
func (l *errorList) UnmarshalJSON(data []byte) (err error) {
	*l, err = decodeBounded[HealthError](data, MaxHealthErrorsPerEntity, "Errors in one entity")
	return err
}

// check refuses an answer without the node's status, with an entity of no
// type or with an entity listed twice with different values, and makes the
// status: texts cut, each entity's ID set, entities listed twice alike once.
func (a *healthAnswer) check() error {
	switch {
	case a.Data == nil:
		return errors.New("no Data")
	case a.Data.CanSendMessage == "":
		return errors.New("no Data.CanSendMessage")
	}
	s := &HealthStatus{CanSendMessage: Cut(a.Data.CanSendMessage, MaxValueBytes)}
	type key struct{ entityType, id string }
	seen := make(map[key]int, len(a.Data.Entities))
	for i, answered := range a.Data.Entities {
		if answered.EntityType == "" {
			return fmt.Errorf("Data.Entities[%d] has no EntityType", i)
		}
		e := answered.entity()
		k := key{e.EntityType, e.ID}
		if first, ok := seen[k]; ok {
			if !reflect.DeepEqual(e, s.Entities[first]) {
				return fmt.Errorf("Data.Entities[%d]: %s %s listed twice with different values", i, e.EntityType, e.ID)
			}
			continue
		}
		seen[k] = len(s.Entities)
		s.Entities = append(s.Entities, e)
	}
	a.status = s
	return nil
}

// entity returns the entity with its texts cut and its ID set.
func (a answeredEntity) entity() HealthEntity {
	e := HealthEntity{
		EntityType: Cut(a.EntityType, MaxValueBytes), CanSendMessage: Cut(a.CanSendMessage, MaxValueBytes),
		WabaID: Cut(a.WabaID, MaxEntityIDBytes), BusinessID: Cut(a.BusinessID, MaxEntityIDBytes),
		PhoneNumber: Cut(a.PhoneNumber, MaxPhoneNumberBytes), TemplateCode: Cut(a.TemplateCode, MaxEntityIDBytes),
		Language: Cut(a.Language, MaxValueBytes), Errors: []HealthError(a.Errors),
	}
	e.ID = e.ownID()
	for i, er := range e.Errors {
		e.Errors[i] = HealthError{ErrorCode: Cut(er.ErrorCode, MaxValueBytes),
			ErrorDescription: Cut(er.ErrorDescription, MaxTextBytes), PossibleSolution: Cut(er.PossibleSolution, MaxTextBytes)}
	}
	return e
}

// ownID picks the id that names the entity by its type, whatever the case
// of the type.
func (e HealthEntity) ownID() string {
	switch strings.ToUpper(e.EntityType) {
	case EntityTypeWABA:
		return e.WabaID
	case EntityTypeBusiness:
		return e.BusinessID
	case EntityTypePhoneNumber:
		return e.PhoneNumber
	case EntityTypeTemplate:
		return e.TemplateCode
	}
	return ""
}
