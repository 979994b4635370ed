// Package client calls Chat App Message Service (CAMS) operations the way
// Alibaba Cloud's official Go SDK does: RPC style, parameters in the query,
// signed with ACS3-HMAC-SHA256, credentials from credentials-go's default
// chain. It paces each operation on an adaptive rate limiter of its own for
// the account (CAMS limits each operation on its own; ListFlow and
// ListInstance share one), retries what is worth retrying, and reports every
// HTTP attempt to an Observer. It knows nothing of Prometheus.
package client
