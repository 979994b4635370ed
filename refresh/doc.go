// Package refresh writes the exporter's state: a Refresher lists the flows
// of every watched space in the background, within the account's API budget
// and the stalest first, a page at a time in three lanes (new, young and
// long listings) so that no huge or endless space can starve the others
// (ListFlow is a paged source of the engine, engine.RunPaged), and
// publishes what it knows as immutable snapshot.Snapshots, each space's
// data as soon as its listing ends. A space not listed yet is pending:
// counted, not published. A FlowStatusChecker reads the flows' statuses
// with GetFlow, an engine.Runner of the GetFlow source whose parts are the
// refresher's flows' states, and hands them to the refresher. It bounds what enters a
// snapshot (categories and statuses beyond the kept ones are folded) and
// keeps the states of spaces gone for a grace. It knows nothing of
// Prometheus; readers (collector, exposition, health, cache, check) import
// package snapshot, not this one.
package refresh
