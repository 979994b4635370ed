package officialsdk

import (
	openapi "github.com/alibabacloud-go/darabonba-openapi/v2/client"
	"github.com/alibabacloud-go/tea/dara"
)

// CallRPC calls any CAMS operation as the CAMS SDK's <Operation>WithOptions
// does: every CAMS read operation is declared alike (POST, RPC style, the
// parameters in the query), so only the action and the query differ. An
// empty value is left out, as the SDK leaves out an unset field. headers may
// pin x-acs-date and x-acs-signature-nonce. It returns the response body.
func CallRPC(c *openapi.Client, action string, query, headers map[string]string) (map[string]any, error) {
	q := map[string]*string{}
	for k, v := range query {
		if v != "" {
			q[k] = dara.String(v)
		}
	}
	return call(c, rpcParams(action), "", q, headers)
}
