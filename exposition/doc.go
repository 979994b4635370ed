// Package exposition serves /metrics: the series collector.Schema derives
// from the refresher's snapshots, rendered once per change of a space's
// state and written from memory, in every format Prometheus negotiates, plus
// the exporter's own metrics gathered at every scrape. It is
// kube-state-metrics' metrics store applied to snapshots: spaces are grouped
// in buckets, and a bucket is rendered again only when one of its spaces
// changes; which ones did, the snapshot says (refresh.Snapshot.Changes),
// so that a new snapshot costs what changed, not the number of spaces.
package exposition
