package client

import (
	"context"
	"fmt"
)

// OperationQueryBindWaba is QueryChatappBindWaba's action name.
const OperationQueryBindWaba = "QueryChatappBindWaba"

// WABA is the WhatsApp Business Account bound to a space, with the fields of
// the official SDK's QueryChatappBindWabaResponseBodyData a monitor reads.
type WABA struct {
	ID                       string `json:"Id"`                  // the WABA id
	Name                     string `json:"Name"`                // the WABA's name
	BusinessID               string `json:"BusinessId"`          // the Meta business (portfolio) it belongs to
	AccountReviewStatus      string `json:"AccountReviewStatus"` // PENDING, APPROVED, REJECTED, DISABLED
	Currency                 string `json:"Currency"`            // such as USD
	MessageTemplateNamespace string `json:"MessageTemplateNamespace"`
}

// QueryBindWaba reads the WABA bound to a space. It sends what the official
// SDK sends (POST, CustSpaceId in the query, no IsvCode), waits on the
// operation's own limiter (LimiterOf), retries and reports its attempts as
// ListFlow does, with operation "QueryChatappBindWaba".
//
// A space without a WABA is CAMS's answer CodeNoWABA: an error that
// errors.Is ErrNoWABA, never retried. A success without Data.Id, or with an
// Id longer than MaxEntityIDBytes, is an InvalidResponse error; the other
// texts are cut to MaxEntityIDBytes, MaxNameBytes and MaxValueBytes.
func (c *Client) QueryBindWaba(ctx context.Context, space string) (*WABA, error) {
	params, err := spaceQuery(OperationQueryBindWaba, space)
	if err != nil {
		return nil, err
	}
	var resp bindWabaAnswer
	if err := c.call(ctx, OperationQueryBindWaba, params, &resp); err != nil {
		return nil, err
	}
	return resp.Data, nil
}

// bindWabaAnswer is QueryChatappBindWaba's body as the client reads it: the
// envelope is read by call.
type bindWabaAnswer struct {
	Data *WABA `json:"Data"`
}

// check refuses an answer that does not name its WABA, and cuts the texts.
func (a *bindWabaAnswer) check() error {
	if a.Data == nil {
		return fmt.Errorf("no Data")
	}
	w := a.Data
	if problem := idProblem(w.ID, MaxEntityIDBytes); problem != "" {
		return fmt.Errorf("Data.Id %s", problem)
	}
	w.Name, w.BusinessID = Cut(w.Name, MaxNameBytes), Cut(w.BusinessID, MaxEntityIDBytes)
	w.AccountReviewStatus, w.Currency = Cut(w.AccountReviewStatus, MaxValueBytes), Cut(w.Currency, MaxValueBytes)
	w.MessageTemplateNamespace = Cut(w.MessageTemplateNamespace, MaxNameBytes)
	return nil
}
