// Package exposition serves /metrics: the series collector.Schema derives
// from snapshots, rendered once per change of a space's state and written
// from memory, in every format Prometheus negotiates, plus the exporter's
// own metrics gathered at every scrape. It is kube-state-metrics' metrics
// store applied to snapshots: each table of a snapshot (the flows' space
// states, and each source's parts: phone numbers, WABA, messaging health)
// has its spaces grouped in buckets of its own, and a bucket is rendered
// again only when one of its spaces changes in that table; which ones did,
// the snapshot says (snapshot.Snapshot.Changes, SourceState.Changes), so
// that a new snapshot costs what changed, not the number of spaces, and a
// change of one source's part costs nothing to the flows and the other
// sources. A family's series are written together whichever tables they
// come from (the cams_collector_space_* families have them from every
// source's), families in the schema's order.
package exposition
