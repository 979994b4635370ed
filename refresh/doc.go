// Package refresh keeps the exporter's state: a Refresher lists the flows of
// every watched space in the background, within the account's API budget and
// the stalest first, and publishes what it knows as immutable Snapshots.
// It knows nothing of Prometheus; package collector turns snapshots into
// exposition, and health, cache and check read them too.
package refresh
