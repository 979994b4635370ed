// Package refresh keeps the exporter's state: a Refresher lists the flows of
// every watched space in the background, within the account's API budget and
// the stalest first, a page at a time in three lanes (new, young and long
// listings) so that no huge or endless space can starve the others, and
// publishes what it knows as immutable Snapshots, each space's data as soon
// as its listing ends. A space not listed yet is pending: counted, not
// published. Successive snapshots share their spaces in a persistent table,
// so that a publish costs what changed since the last one, and
// Snapshot.Changes tells at that cost what changed between two. It knows
// nothing of Prometheus; package collector turns snapshots into exposition,
// and health, cache and check read them too.
package refresh
