// Package collector turns the refresher's snapshots, and the client's
// observed API attempts, into Prometheus exposition. It never calls the API
// and knows nothing of signing or scheduling.
package collector
