package messaginghealth

import (
	dto "github.com/prometheus/client_model/go"

	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// Series is the source's series (collector.SourceSeries).
type Series struct {
	health, entity, errorInfo *collector.Family
}

func (*Series) Name() string { return Name }

func (s *Series) Families(add collector.AddFamily) {
	gauge := dto.MetricType_GAUGE
	s.health = add(true, gauge, "cams_messaging_health",
		"Whether the node can send messages, as Meta's health status (GetWhatsappHealthStatus) last answered, always 1: node=waba for the space's WABA (phone_number empty), node=phone for each number; can_send_message is AVAILABLE, LIMITED or BLOCKED, the worst of the node's entities. Cached: read in the background (--collector.messaging-health), never at scrape time.",
		"can_send_message", "node", "phone_number", "space")
	s.entity = add(true, gauge, "cams_messaging_health_entity",
		"Whether an entity the space's messages depend on can send, always 1: entity_type WABA, BUSINESS, APP or PHONE_NUMBER, entity_id the id Meta answered. A BUSINESS or APP entity is shared by many spaces: one cause.",
		"can_send_message", "entity_id", "entity_type", "space")
	s.errorInfo = add(true, gauge, "cams_messaging_health_error_info",
		"1 for each error code Meta gives for a LIMITED or BLOCKED entity of the space (the first 30 codes under their own name, later ones as _other); the descriptions and solutions are on /status.",
		"entity_type", "error_code", "space")
}

func (s *Series) SpaceSeries(dst []collector.Series, space string, part *snapshot.SpacePart) []collector.Series {
	h := Of(part.Data)
	add := func(node string, n *Node) {
		if n.CanSendMessage != "" { // never answered otherwise
			dst = append(dst, collector.NewSeries(s.health, 1, n.CanSendMessage, node, n.PhoneNumber, space))
		}
	}
	if h.WABA != nil {
		add("waba", h.WABA)
	}
	for i := range h.Phones {
		add("phone", &h.Phones[i])
	}
	// An entity (the WABA, the business, the app) is in every node's
	// answer: the space keeps it once, as the freshest answer says.
	errors := map[[2]string]bool{}
	for _, e := range h.Entities {
		dst = append(dst, collector.NewSeries(s.entity, 1, e.CanSendMessage, e.ID, e.Type, space))
		if e.CanSendMessage == "AVAILABLE" {
			continue
		}
		for _, er := range e.Errors {
			if key := [2]string{e.Type, er.Code}; !errors[key] {
				errors[key] = true
				dst = append(dst, collector.NewSeries(s.errorInfo, 1, e.Type, er.Code, space))
			}
		}
	}
	return dst
}
