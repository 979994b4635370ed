// Package collector says which metric families and which series the
// refresher's snapshots have (Schema), the one place that does, and counts
// the client's observed API calls (APIMetrics). Collector hands a snapshot's
// series to client_golang; package exposition renders the same series as
// bytes for /metrics. It never calls the API and knows nothing of signing
// or scheduling.
package collector
