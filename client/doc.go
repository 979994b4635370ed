// Package client calls Chat App Message Service (CAMS) operations the way
// Alibaba Cloud's official Go SDK does: RPC style, parameters in the query,
// signed with ACS3-HMAC-SHA256, credentials from credentials-go's default
// chain. It shares one adaptive rate limiter per account between every
// ListFlow and ListInstance call, and another between GetFlow calls (CAMS
// limits each operation on its own), retries what is worth retrying, and
// reports every HTTP attempt to an Observer. It knows nothing of Prometheus.
package client
