package simulator

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
)

// Flow is one flow of the data set. ListFlow answers FlowId, FlowName and
// Categories; GetFlow answers Status too ([DefaultFlowStatus] when empty).
type Flow struct {
	FlowId     string
	FlowName   string
	Categories []string
	Status     string `json:",omitempty"`
}

// Space is a CAMS space and its flows. ID "" is the account's own space;
// the others are ISV sub-customer spaces (CustSpaceId), which ListInstance
// lists. A space with Error answers that error code on every call that
// names it (ListInstance still lists it). ChannelType is the channel of
// the space's instance as ListInstance answers it; empty means "whatsapp".
// An Endless space pages forever: every page is full of new flows (see
// [EndlessPage]).
//
// PhoneNumbers are what QueryChatappPhoneNumbers answers, in this order.
// WABA is what QueryChatappBindWaba answers; nil means none is bound
// (ERR-OPERATION-MAAP-0060, from GetWhatsappHealthStatus too). WABAHealth
// and BusinessHealth are the health of the space's WABA and BUSINESS
// entities (nil: AVAILABLE, no errors); ExtraEntities are served after the
// others in every GetWhatsappHealthStatus answer on the space. Templates
// are what ListChatappTemplate answers, a page at a time, in this order.
type Space struct {
	ID             string         `json:"id"`
	Flows          []Flow         `json:"flows,omitempty"`
	Error          string         `json:"error,omitempty"`
	ChannelType    string         `json:"channelType,omitempty"`
	Endless        bool           `json:"endless,omitempty"`
	PhoneNumbers   []PhoneNumber  `json:"phoneNumbers,omitempty"`
	WABA           *WABA          `json:"waba,omitempty"`
	WABAHealth     *Health        `json:"wabaHealth,omitempty"`
	BusinessHealth *Health        `json:"businessHealth,omitempty"`
	ExtraEntities  []HealthEntity `json:"extraEntities,omitempty"`
	Templates      []Template     `json:"templates,omitempty"`
}

// Dataset is what the simulator serves. AppHealth is the health of the APP
// entity (the Meta app CAMS sends through, one for the whole account), in
// every GetWhatsappHealthStatus answer; nil means AVAILABLE, no errors.
type Dataset struct {
	AppHealth *Health `json:"appHealth,omitempty"`
	Spaces    []Space `json:"spaces"`
}

// OwnSpacePathID stands for the account's own space (ID "") in the control
// endpoint's paths; it cannot be used as a space ID.
const OwnSpacePathID = "_"

// LoadDataset reads a data set from a JSON file of the form
//
//	{"spaces":[{"id":"","flows":[{"FlowId":"1","FlowName":"sign up","Categories":["SIGN_UP"],"Status":"PUBLISHED"}]},
//	           {"id":"cams-x","error":"Ram.PermissionDeny"},
//	           {"id":"cams-y","waba":{"Id":"1029384756","BusinessId":"5647382910","AccountReviewStatus":"APPROVED"},
//	            "phoneNumbers":[{"PhoneNumber":"8613800000001","Status":"CONNECTED","QualityRating":"GREEN",
//	                             "health":{"CanSendMessage":"BLOCKED","Errors":[{"ErrorCode":"141000"}]}}],
//	            "templates":[{"TemplateCode":"744c4b5c79c9432497a075bdfca3","TemplateName":"order_update","Language":"en_US",
//	                          "Category":"UTILITY","AuditStatus":"paused","TemplateType":"WHATSAPP","LastUpdateTime":1764201600000}]}]}
//
// Unknown fields are rejected, and so is a data set that [Dataset.Validate]
// rejects. Errors name the file.
func LoadDataset(path string) (*Dataset, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("dataset: %w", err)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var d Dataset
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("dataset %s: %s", path, jsonError(b, err))
	}
	if err := dec.Decode(&struct{}{}); err != io.EOF {
		return nil, fmt.Errorf("dataset %s: unexpected data after the top-level object", path)
	}
	if err := d.Validate(); err != nil {
		return nil, fmt.Errorf("dataset %s: %w", path, err)
	}
	return &d, nil
}

// jsonError renders a decoding error with the line it occurred on.
func jsonError(b []byte, err error) string {
	var offset int64 = -1
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		offset = syn.Offset
	case errors.As(err, &typ):
		offset = typ.Offset
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "unexpected end of JSON"
	}
	if offset < 0 || offset > int64(len(b)) {
		return err.Error()
	}
	line := 1 + bytes.Count(b[:offset], []byte("\n"))
	return fmt.Sprintf("line %d: %v", line, err)
}

// Validate reports the first problem of the data set: a duplicate or reserved
// space ID, an empty FlowId, a flow Status that is not a status name (see
// [ValidFlowStatus]), an error code the simulator does not know, an empty
// or duplicate PhoneNumber in a space, a WABA without Id, an extra health
// entity without EntityType, a template without TemplateCode, listed twice
// in a space (TemplateCode and Language) or with a text field longer than
// 4096 bytes. A FlowId
// may appear twice in a space: that is what a listing shows when a flow is
// created while it pages, and a client must list such a flow once.
func (d *Dataset) Validate() error {
	seen := map[string]bool{}
	for i, sp := range d.Spaces {
		switch {
		case sp.ID == OwnSpacePathID:
			return fmt.Errorf("spaces[%d]: space id %q is reserved; the account's own space is \"\"", i, sp.ID)
		case seen[sp.ID]:
			return fmt.Errorf("spaces[%d]: duplicate space id %q", i, sp.ID)
		case sp.Error != "" && !KnownCode(sp.Error):
			return fmt.Errorf("space %q: error code %q is not one the simulator knows", sp.ID, sp.Error)
		}
		seen[sp.ID] = true
		for j, f := range sp.Flows {
			if f.FlowId == "" {
				return fmt.Errorf("space %q: flows[%d]: empty FlowId", sp.ID, j)
			}
			if f.Status != "" && !ValidFlowStatus(f.Status) {
				return fmt.Errorf("space %q: flow %q: %s", sp.ID, f.FlowId, flowStatusRule)
			}
		}
		if err := sp.validateAccount(); err != nil {
			return err
		}
		if err := sp.validateTemplates(); err != nil {
			return err
		}
	}
	return nil
}

// Clone returns a deep copy of the data set.
func (d *Dataset) Clone() *Dataset {
	c := &Dataset{AppHealth: d.AppHealth.clone(), Spaces: make([]Space, len(d.Spaces))}
	for i, sp := range d.Spaces {
		c.Spaces[i] = sp.clone()
	}
	return c
}

// clone returns a deep copy of the space.
func (sp Space) clone() Space {
	sp.Flows = cloneFlows(sp.Flows)
	sp.PhoneNumbers = cloneNumbers(sp.PhoneNumbers)
	sp.WABA = sp.WABA.clone()
	sp.WABAHealth = sp.WABAHealth.clone()
	sp.BusinessHealth = sp.BusinessHealth.clone()
	sp.ExtraEntities = cloneEntities(sp.ExtraEntities)
	sp.Templates = slices.Clone(sp.Templates)
	return sp
}

func cloneFlows(flows []Flow) []Flow {
	if flows == nil {
		return nil
	}
	c := make([]Flow, len(flows))
	for i, f := range flows {
		c[i] = f.clone()
	}
	return c
}

func (f Flow) clone() Flow {
	if f.Categories != nil {
		f.Categories = append(make([]string, 0, len(f.Categories)), f.Categories...)
	}
	return f
}
