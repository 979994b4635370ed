// Package engine keeps the exporter's state and composes its sources into
// one published snapshot. A source is one CAMS operation: what it calls for
// each space (or each key within a space, such as a phone number), its own
// account limiter, its target age, its part of each space's state
// (snapshot.SourceState) and, in its own package, its series. A Runner
// calls a source's due work the stalest first and fair between spaces, on
// the source's limiter only, so that a throttled, failing or hanging
// operation never slows another. ListFlow (package refresh's Refresher)
// keeps the spaces' flow state, GetFlow applies to it; every other
// operation is a Source run by a Runner. Readers never import this
// package: they read snapshots (package snapshot).
package engine
