package simulator

import "slices"

// NodeType values of GetWhatsappHealthStatus.
const (
	NodeWABA     = "waba"
	NodePhone    = "phone"
	NodeTemplate = "template"
)

// healthBody is GetWhatsappHealthStatus's success answer, as the official
// SDK declares it.
type healthBody struct {
	RequestId string
	Code      string
	Message   string
	Success   bool
	Data      healthData
}

type healthData struct {
	CanSendMessage string
	Entities       []HealthEntity
}

// healthNode is what a GetWhatsappHealthStatus call asks about.
type healthNode struct {
	space, nodeType, phoneNumber string
}

// getHealthStatus answers GetWhatsappHealthStatus. CustSpaceId and NodeType
// are required (the official SDK says so): without one the gateway answers
// Missing<name> (400); a NodeType other than waba, phone or template is an
// InvalidParameter. The node's own parameter is CAMS's to check, so its
// absence is an InvalidParameter naming it: WabaId for waba, PhoneNumber
// for phone, TemplateCode and Language for template.
//
// Then, as for every operation, an unknown space answers
// Unknown.ResourceOwnerId and a space with an error code that code. A
// space without a WABA answers ERR-OPERATION-MAAP-0060 for every node; a
// WabaId other than the space's ERR-FB-001 (Meta's answer for an object it
// does not show); a number the space does not hold ERR-OPERATION-MAAP-0065;
// a template DetailError.TemplateNotExist, as the simulator holds none.
//
// The answer's entities are, in Meta's order, the number's PHONE_NUMBER
// (node phone), the space's WABA and BUSINESS, the account's APP, then the
// space's extra entities; Data.CanSendMessage is the worst of theirs (see
// sendRank: BLOCKED, LIMITED, an undocumented value, AVAILABLE).
func (s *Server) getHealthStatus(c *call) (any, *apiError) {
	node, e := healthParams(c)
	if e != nil {
		return nil, e
	}
	entities, e := s.healthEntities(node, c.params.Get("WabaId"))
	if e != nil {
		return nil, e
	}
	return healthBody{RequestId: c.requestID, Code: "OK", Message: "SUCCESS", Success: true, Data: healthData{
		CanSendMessage: worstOf(entities), Entities: entities,
	}}, nil
}

// healthParams checks the parameters of a GetWhatsappHealthStatus call.
func healthParams(c *call) (healthNode, *apiError) {
	p := c.params
	n := healthNode{space: p.Get("CustSpaceId"), nodeType: p.Get("NodeType"), phoneNumber: p.Get("PhoneNumber")}
	switch {
	case n.space == "":
		return n, missingParameter("CustSpaceId")
	case n.nodeType == "":
		return n, missingParameter("NodeType")
	}
	var need []string
	switch n.nodeType {
	case NodeWABA:
		need = []string{"WabaId"}
	case NodePhone:
		need = []string{"PhoneNumber"}
	case NodeTemplate:
		need = []string{"TemplateCode", "Language"}
	default:
		return n, invalidParameter("NodeType", "it must be waba, phone or template")
	}
	for _, name := range need {
		if p.Get(name) == "" {
			return n, invalidParameter(name, "it is required when NodeType is "+n.nodeType)
		}
	}
	return n, nil
}

// healthEntities builds the entities of an answer about node, or the error
// the call gets.
func (s *Server) healthEntities(node healthNode, wabaID string) ([]HealthEntity, *apiError) {
	s.dataMu.RLock()
	defer s.dataMu.RUnlock()
	sp, e := s.answeringSpace(node.space)
	if e != nil {
		return nil, e
	}
	if sp.waba == nil {
		return nil, newError(CodeNoWABA, "")
	}
	var entities []HealthEntity
	switch node.nodeType {
	case NodeWABA:
		if wabaID != sp.waba.Id {
			return nil, newError(CodeMetaRequestFailed, "")
		}
	case NodePhone:
		i := slices.IndexFunc(sp.numbers, func(n PhoneNumber) bool { return n.PhoneNumber == node.phoneNumber })
		if i < 0 {
			return nil, newError(CodePhoneNotBound, "")
		}
		n := sp.numbers[i]
		entities = append(entities, HealthEntity{EntityType: EntityPhoneNumber, PhoneNumber: n.PhoneNumber, CanSendMessage: n.Health.canSend(), Errors: n.Health.errors()})
	case NodeTemplate:
		return nil, newError(CodeTemplateNotExist, "")
	}
	entities = append(entities,
		HealthEntity{EntityType: EntityWABA, WabaId: sp.waba.Id, CanSendMessage: sp.wabaHealth.canSend(), Errors: sp.wabaHealth.errors()},
		HealthEntity{EntityType: EntityBusiness, BusinessId: sp.waba.BusinessId, CanSendMessage: sp.businessHealth.canSend(), Errors: sp.businessHealth.errors()},
		HealthEntity{EntityType: EntityApp, CanSendMessage: s.data.appHealth.canSend(), Errors: s.data.appHealth.errors()},
	)
	return append(entities, cloneEntities(sp.extraEntities)...), nil
}

// worstOf is the overall CanSendMessage of entities: the worst one's (the
// first of the worst on a tie).
func worstOf(entities []HealthEntity) string {
	worst := HealthAvailable
	for _, e := range entities {
		if sendRank(e.CanSendMessage) > sendRank(worst) {
			worst = e.CanSendMessage
		}
	}
	return worst
}
