package client

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// The codes the number, WABA and health operations add, and the common
// ones, with the HTTP statuses they come with: which are retried, and what
// the call ends with. ERR-FB-001 (CAMS's call to Meta failed) is passing,
// so retried even on HTTP 400; a number not bound to the space and a space
// without a WABA are not.
func TestNewOperationsErrorClasses(t *testing.T) {
	tests := []struct {
		code      string
		status    int
		class     Class
		wantCalls int // with MaxRetries 2
	}{
		{CodeNoWABA, 400, ClassPermanent, 1},
		{CodeNoWABA, 200, ClassPermanent, 1},
		{CodePhoneNotBound, 400, ClassPermanent, 1},
		{CodePhoneNotBound, 200, ClassPermanent, 1},
		{CodeMetaCallFailed, 400, ClassTransient, 3},
		{CodeMetaCallFailed, 200, ClassTransient, 3},
		{CodeMetaCallFailed, 500, ClassTransient, 3},
		{"CHAT.APIError", 500, ClassTransient, 3},
		{"ERR-COMMON-001", 500, ClassTransient, 3},
		{"Product.Unsubscript", 400, ClassPermanent, 1},
		{"Ram.PermissionDeny", 400, ClassPermanent, 1},
		{"Unknown.ResourceOwnerId", 400, ClassPermanent, 1},
		{"System.LimitControl", 400, ClassThrottled, 3},
	}
	calls := map[string]func(*Client) error{
		OperationQueryPhoneNumbers: func(c *Client) error { _, err := c.QueryPhoneNumbers(context.Background(), "cams-x"); return err },
		OperationQueryBindWaba:     func(c *Client) error { _, err := c.QueryBindWaba(context.Background(), "cams-x"); return err },
		OperationGetHealthStatus: func(c *Client) error {
			_, err := c.GetHealthStatus(context.Background(), "cams-x", HealthNode{Type: NodeTypePhone, PhoneNumber: "8613800001111"})
			return err
		},
	}
	for _, tt := range tests {
		for op, call := range calls {
			body := `{"RequestId":"R","Code":"` + tt.code + `","Message":"m","Success":false}`
			srv := &scripted{responses: []scriptedResponse{{tt.status, body}}}
			c, attempts := newTestClient(t, srv, Config{MaxRetries: 2, Rates: fastRates()})
			err := call(c)
			var e *Error
			if !errors.As(err, &e) || e.Code != tt.code || e.Class != tt.class || e.Operation != op || e.HTTPStatus != tt.status {
				t.Errorf("%s %s (HTTP %d): %v, want class %v", op, tt.code, tt.status, err, tt.class)
			}
			if srv.count() != tt.wantCalls || len(*attempts) != tt.wantCalls {
				t.Errorf("%s %s (HTTP %d): %d calls, %d observed; want %d", op, tt.code, tt.status, srv.count(), len(*attempts), tt.wantCalls)
			}
			if got := errors.Is(err, ErrNoWABA); got != (tt.code == CodeNoWABA) {
				t.Errorf("%s %s: errors.Is(ErrNoWABA) = %v", op, tt.code, got)
			}
		}
	}
}

// Inputs are checked before anything is sent: each refusal is one line
// naming the operation and what was wrong.
func TestNewOperationsRefuseBadInputs(t *testing.T) {
	tests := []struct {
		name string
		call func(*Client) error
		want string
	}{
		{"numbers of the own space", func(c *Client) error { _, err := c.QueryPhoneNumbers(context.Background(), ""); return err },
			"QueryChatappPhoneNumbers needs a CustSpaceId: give the space's id (the account's own space has none)"},
		{"WABA of the own space", func(c *Client) error { _, err := c.QueryBindWaba(context.Background(), ""); return err },
			"QueryChatappBindWaba needs a CustSpaceId: give the space's id (the account's own space has none)"},
		{"health of the own space", func(c *Client) error {
			_, err := c.GetHealthStatus(context.Background(), "", HealthNode{Type: NodeTypeWABA, WabaID: "1"})
			return err
		}, "GetWhatsappHealthStatus needs a CustSpaceId: give the space's id (the account's own space has none)"},
		{"a space id too long", func(c *Client) error {
			_, err := c.QueryBindWaba(context.Background(), strings.Repeat("7", 129))
			return err
		},
			"QueryChatappBindWaba: a CustSpaceId of 129 bytes, more than 128: give a real space id"},
		{"a space id not UTF-8", func(c *Client) error { _, err := c.QueryPhoneNumbers(context.Background(), "cams-\xff"); return err },
			`QueryChatappPhoneNumbers: the CustSpaceId "cams-\xff" is not valid UTF-8`},
		{"no node type", func(c *Client) error {
			_, err := c.GetHealthStatus(context.Background(), "cams-x", HealthNode{WabaID: "1"})
			return err
		},
			`GetWhatsappHealthStatus: node type "" is none of "waba" and "phone"`},
		{"a template node", func(c *Client) error {
			_, err := c.GetHealthStatus(context.Background(), "cams-x", HealthNode{Type: "template"})
			return err
		}, `GetWhatsappHealthStatus: node type "template" is none of "waba" and "phone"`},
		{"a node type of another case", func(c *Client) error {
			_, err := c.GetHealthStatus(context.Background(), "cams-x", HealthNode{Type: "WABA", WabaID: "1"})
			return err
		}, `GetWhatsappHealthStatus: node type "WABA" is none of "waba" and "phone"`},
		{"a waba node without WabaId", func(c *Client) error {
			_, err := c.GetHealthStatus(context.Background(), "cams-x", HealthNode{Type: NodeTypeWABA})
			return err
		}, "GetWhatsappHealthStatus: the WabaId of a waba node is empty"},
		{"a waba node with a number", func(c *Client) error {
			_, err := c.GetHealthStatus(context.Background(), "cams-x", HealthNode{Type: NodeTypeWABA, WabaID: "1", PhoneNumber: "2"})
			return err
		}, "GetWhatsappHealthStatus: a waba node takes no PhoneNumber: ask about the number with a phone node"},
		{"a phone node without a number", func(c *Client) error {
			_, err := c.GetHealthStatus(context.Background(), "cams-x", HealthNode{Type: NodeTypePhone})
			return err
		}, "GetWhatsappHealthStatus: the PhoneNumber of a phone node is empty"},
		{"a phone node with a WabaId", func(c *Client) error {
			_, err := c.GetHealthStatus(context.Background(), "cams-x", HealthNode{Type: NodeTypePhone, WabaID: "1", PhoneNumber: "2"})
			return err
		}, "GetWhatsappHealthStatus: a phone node takes no WabaId: the number alone names it"},
		{"a number too long", func(c *Client) error {
			_, err := c.GetHealthStatus(context.Background(), "cams-x", HealthNode{Type: NodeTypePhone, PhoneNumber: strings.Repeat("7", 33)})
			return err
		}, "GetWhatsappHealthStatus: the PhoneNumber of a phone node is 33 bytes long, more than 32"},
		{"a number with a newline", func(c *Client) error {
			_, err := c.GetHealthStatus(context.Background(), "cams-x", HealthNode{Type: NodeTypePhone, PhoneNumber: "1\n2"})
			return err
		}, "GetWhatsappHealthStatus: the PhoneNumber of a phone node holds a control character"},
		{"a WabaId too long", func(c *Client) error {
			_, err := c.GetHealthStatus(context.Background(), "cams-x", HealthNode{Type: NodeTypeWABA, WabaID: strings.Repeat("7", 129)})
			return err
		}, "GetWhatsappHealthStatus: the WabaId of a waba node is 129 bytes long, more than 128"},
	}
	srv := &scripted{responses: []scriptedResponse{{200, okBody}}}
	c, _ := newTestClient(t, srv, Config{})
	for _, tt := range tests {
		if err := tt.call(c); err == nil || err.Error() != tt.want {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
	if srv.count() != 0 {
		t.Errorf("%d requests went out", srv.count())
	}
}
