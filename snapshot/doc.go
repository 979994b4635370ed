// Package snapshot holds the exporter's state as readers see it: immutable
// Snapshots of every watched space (SpaceState: its flows, their categories
// and statuses, its last success and error), and of each source of the
// engine (SourceState: one SpacePart a space). /metrics, /readyz, /status,
// the cache and check read snapshots; package refresh (and the engine)
// writes them, and readers never import the writer.
//
// Successive snapshots share their spaces, and each source its parts, in
// persistent tables (hash array mapped tries), so that publishing a
// snapshot costs what changed since the last, and Snapshot.Changes and
// SourceState.Changes tell at that cost what changed between two. A
// Snapshot is safe to read from any goroutine; nothing in it is ever
// written once published.
package snapshot
