package simulator

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
)

// Fault kinds of a hostile or broken server, beyond what a healthy CAMS
// does on a bad day. They apply to ListFlow calls, and where they mean
// something to the account operations (see hostileApplies).
const (
	// FaultRedirect answers Status (307 if unset, else a 3xx) with a
	// Location header of Location, and no body.
	FaultRedirect = "redirect"
	// FaultOversizedPage answers HTTP 200 with a page of Items flows
	// (10 times the Page.Size asked for if unset), whatever the page size:
	// ids oversized-<page>-<n>, category OTHER. To QueryChatappPhoneNumbers
	// it answers Items numbers (10,000 if unset), to
	// GetWhatsappHealthStatus Items entities (1,000 if unset), to
	// ListChatappTemplate a page of Items templates (10 times the Page.Size
	// if unset; codes oversized-<page>-<n>) with a Total of as many.
	FaultOversizedPage = "oversized-page"
	// FaultNoFlowID answers the page the call would have had with the
	// FlowId left out of every flow; an empty page gets one such flow.
	FaultNoFlowID = "no-flow-id"
	// FaultHugeMessage answers Code (Ram.PermissionDeny if unset) with a
	// Message, RequestId, Recommend and AccessDeniedDetail of Bytes bytes
	// each (4 MiB if unset).
	FaultHugeMessage = "huge-message"
	// FaultEndlessPages answers every page with Page.Size flows no other
	// page holds (ids endless-<page>-<n>), so that a listing never ends.
	FaultEndlessPages = "endless-pages"
)

var hostileKinds = map[string]bool{
	FaultRedirect: true, FaultOversizedPage: true, FaultNoFlowID: true, FaultHugeMessage: true, FaultEndlessPages: true,
}

// Bounds of the hostile faults' sizes.
const (
	maxFaultItems        = 1 << 20
	maxFaultBytes        = 64 << 20
	defaultOversizeRatio = 10
	defaultHugeBytes     = 4 << 20
	defaultManyNumbers   = 10000
	defaultManyEntities  = 1000
)

// hostileApplies reports whether a hostile kind applies to a call of
// action: every kind to ListFlow; redirect and huge-message to the four
// account operations too, and oversized-page to those that answer a list
// (QueryChatappPhoneNumbers, GetWhatsappHealthStatus, ListChatappTemplate);
// none to GetFlow and ListInstance.
func hostileApplies(kind, action string) bool {
	switch action {
	case "ListFlow":
		return true
	case OperationQueryPhoneNumbers, OperationGetHealthStatus, OperationListTemplates:
		return kind == FaultRedirect || kind == FaultHugeMessage || kind == FaultOversizedPage
	case OperationQueryBindWaba:
		return kind == FaultRedirect || kind == FaultHugeMessage
	}
	return false
}

// validateHostile reports what is wrong with a fault of a hostile kind.
func (f Fault) validateHostile() error {
	switch {
	case f.Kind == FaultRedirect && f.Location == "":
		return errors.New("a redirect fault needs a location")
	case f.Kind == FaultRedirect && f.Status != 0 && (f.Status < 300 || f.Status > 399):
		return fmt.Errorf("a redirect fault's status must be 3xx, got %d", f.Status)
	case f.Location != "" && f.Kind != FaultRedirect:
		return errors.New("only a redirect fault takes a location")
	case f.Items < 0 || f.Items > maxFaultItems:
		return fmt.Errorf("items must be between 0 and %d", maxFaultItems)
	case f.Bytes < 0 || f.Bytes > maxFaultBytes:
		return fmt.Errorf("bytes must be between 0 and %d", maxFaultBytes)
	}
	if f.Location != "" {
		if _, err := url.Parse(f.Location); err != nil {
			return fmt.Errorf("location %q is not a URL", f.Location)
		}
	}
	return nil
}

// serveHostile acts out a hostile fault on a ListFlow call.
func (s *Server) serveHostile(w http.ResponseWriter, c *call, f Fault, op operation) bool {
	switch f.Kind {
	case FaultRedirect:
		status := f.Status
		if status == 0 {
			status = http.StatusTemporaryRedirect
		}
		w.Header().Set("Location", f.Location)
		w.WriteHeader(status)
	case FaultOversizedPage:
		if c.action == OperationListTemplates {
			writeBody(w, http.StatusOK, jsonContentType, marshal(oversizedTemplates(c, f.Items)))
			break
		}
		if c.action != "ListFlow" {
			writeBody(w, http.StatusOK, jsonContentType, marshal(oversizedAnswer(c, f.Items)))
			break
		}
		index, size, _ := s.parsePage(c.params.Get("Page"))
		n := f.Items
		if n == 0 {
			n = defaultOversizeRatio * size
		}
		writeBody(w, http.StatusOK, jsonContentType, marshal(listFlowBody{RequestId: c.requestID, Code: "OK", Message: "SUCCESS", Data: madeUpFlows("oversized", index, n)}))
	case FaultEndlessPages:
		index, size, _ := s.parsePage(c.params.Get("Page"))
		writeBody(w, http.StatusOK, jsonContentType, marshal(listFlowBody{RequestId: c.requestID, Code: "OK", Message: "SUCCESS", Data: madeUpFlows("endless", index, size)}))
	case FaultNoFlowID:
		status, body := s.answer(c, op)
		writeBody(w, status, jsonContentType, withoutFlowIDs(body))
	case FaultHugeMessage:
		s.writeHugeError(w, c, f)
	}
	return true
}

// oversizedAnswer is an account operation's success answer with n made-up
// numbers or entities (the kind's default when n is 0).
func oversizedAnswer(c *call, n int) any {
	if c.action == OperationGetHealthStatus {
		if n == 0 {
			n = defaultManyEntities
		}
		entities := make([]HealthEntity, n)
		for i := range entities {
			entities[i] = HealthEntity{EntityType: EntityPhoneNumber, PhoneNumber: fmt.Sprintf("999%09d", i+1), CanSendMessage: HealthAvailable}
		}
		return healthBody{RequestId: c.requestID, Code: "OK", Message: "SUCCESS", Success: true, Data: healthData{CanSendMessage: HealthAvailable, Entities: entities}}
	}
	if n == 0 {
		n = defaultManyNumbers
	}
	numbers := make([]listedNumber, n)
	for i := range numbers {
		numbers[i] = listedNumber{PhoneNumber: fmt.Sprintf("999%09d", i+1), Status: "CONNECTED", QualityRating: "GREEN", UpQueue: numberUpQueue, StatusQueue: numberStatusQueue}
	}
	return phoneNumbersBody{RequestId: c.requestID, Code: "OK", Message: "SUCCESS", Success: true, PhoneNumbers: numbers}
}

// oversizedTemplates is a ListChatappTemplate success answer with n made-up
// templates (10 times the page's size when n is 0), and a Total of as many.
func oversizedTemplates(c *call, n int) templatesBody {
	index, size, _ := parseTemplatesPage(c.params.Get("Page"))
	if n == 0 {
		n = defaultOversizeRatio * size
	}
	templates := make([]Template, n)
	for i := range templates {
		templates[i] = Template{TemplateCode: fmt.Sprintf("oversized-%d-%d", index, i+1), Language: "en_US", Category: "UTILITY", AuditStatus: TemplatePass, TemplateType: "WHATSAPP"}
	}
	return templatesBody{RequestId: c.requestID, Code: "OK", Message: "SUCCESS", Success: true, Total: n, ListTemplate: templates}
}

// madeUpFlows returns n flows named for the page.
func madeUpFlows(prefix string, page, n int) []listedFlow {
	flows := make([]listedFlow, n)
	for i := range flows {
		flows[i] = listedFlow{FlowId: fmt.Sprintf("%s-%d-%d", prefix, page, i+1), FlowName: fmt.Sprintf("%s flow %d", prefix, i+1), Categories: []string{"OTHER"}}
	}
	return flows
}

// withoutFlowIDs drops the FlowId of every flow of a ListFlow success body;
// any other body is returned as it is.
func withoutFlowIDs(body []byte) []byte {
	var page struct {
		RequestId, Code, Message string
		Data                     []map[string]any
	}
	if json.Unmarshal(body, &page) != nil || page.Code != "OK" {
		return body
	}
	if len(page.Data) == 0 {
		page.Data = []map[string]any{{"FlowName": "a flow without id", "Categories": []string{"OTHER"}}}
	}
	for _, f := range page.Data {
		delete(f, "FlowId")
	}
	return marshal(page)
}

// writeHugeError answers an error whose texts are each f.Bytes long.
func (s *Server) writeHugeError(w http.ResponseWriter, c *call, f Fault) {
	code, n := f.Code, f.Bytes
	if code == "" {
		code = CodeRAMPermissionDeny
	}
	if n == 0 {
		n = defaultHugeBytes
	}
	huge := strings.Repeat("x", n)
	e := newError(code, "")
	if f.Status != 0 {
		e.status = f.Status
	}
	s.stats.add(func(st *Stats) { st.Codes[code]++ })
	writeBody(w, e.status, jsonContentType, marshal(errorBody{
		RequestId: huge, HostId: c.r.Host, Code: code, Message: huge, Recommend: huge, AccessDeniedDetail: huge,
	}))
}
