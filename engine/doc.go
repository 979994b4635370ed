// Package engine keeps the exporter's state and composes its sources into
// one published snapshot. A source is one CAMS operation: what it calls for
// each space (or each key within a space, such as a phone number), its own
// account limiter, its target age, its part of each space's state
// (snapshot.SourceState) and, in its own package, its series. A Runner
// calls a source's due work the stalest first and fair between spaces, on
// the source's limiter only, so that a throttled, failing or hanging
// operation never slows another. A paged operation, which lists a space a
// page at a time (ListFlow), is a Lister run by RunPaged: pages in three
// lanes (new, young and long listings), so that no huge or endless listing
// holds back the others. ListFlow (package refresh) is a Lister whose
// state is the Refresher's flows' states, GetFlow a Source applying to
// them; every other operation is a Source run by a Runner. Readers never import this
// package: they read snapshots (package snapshot).
package engine
