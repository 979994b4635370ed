package exposition

import (
	"bytes"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"slices"
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/prometheus/common/expfmt"

	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/snapshot"
)

// Options configures a Handler.
type Options struct {
	// Snapshot returns the snapshot to serve (typically
	// engine.Engine.Snapshot: the flows' with each source's state); nil is
	// taken as "no refresh yet".
	Snapshot func() *snapshot.Snapshot
	// Metrics are the options of the snapshot's metrics; the series of
	// its Sources must be the handler's own (a source's series keep the
	// families of the one schema they are given to).
	Metrics collector.Options
	// Gatherer gathers the exporter's own metrics at every scrape (build
	// info, API metrics, Go and process metrics); nil for none. Its
	// families must not be the schema's.
	Gatherer prometheus.Gatherer
	// MaxRequests bounds the scrapes served at once; beyond it, a scrape
	// is answered 503 at once. 0 or less: no bound.
	MaxRequests int
	// ErrorLog logs errors gathering the Gatherer; nil: not logged.
	ErrorLog promhttp.Logger
}

// Handler serves the snapshot's metrics and the exporter's own. The
// snapshot's series are rendered once per change of a space's state (see
// view); a scrape writes them, plus the few series that describe the
// snapshot as a whole and the gathered metrics, rendered at every scrape.
//
// Formats are negotiated as promhttp does with OpenMetrics enabled, among
// those served from rendered bytes: the text format 0.0.4, OpenMetrics
// 1.0.0 and 0.0.1 and the delimited protobuf format. A scrape that accepts
// none of them (the protobuf text formats, which no Prometheus asks for, or
// anything else) gets the text format, as promhttp answers an Accept it
// cannot serve: never a gathering of every series, which costs hundreds of
// bytes a series. Encodings are identity and gzip; the name[] query
// parameter selects families, as in promhttp.
type Handler struct {
	snapshot func() *snapshot.Snapshot
	schema   *collector.Schema
	store    *store
	gatherer prometheus.Gatherer
	errorLog promhttp.Logger
	inFlight chan struct{} // nil: no bound
	buffers  *writeBuffers
}

// renderedFormats are promhttp's formats with OpenMetrics enabled, in its
// order of preference, less the protobuf text formats, which are not
// rendered: an Accept that chose one of them falls back to the text format.
var renderedFormats = []expfmt.Format{
	expfmt.FmtOpenMetrics_1_0_0,
	expfmt.FmtOpenMetrics_0_0_1,
	expfmt.FmtProtoDelim,
	expfmt.FmtText,
}

// NewHandler returns a handler of o.Snapshot's metrics.
func NewHandler(o Options) *Handler {
	schema := collector.NewSchema(o.Metrics)
	current := o.Snapshot
	if current == nil {
		current = func() *snapshot.Snapshot { return nil }
	}
	gatherer := o.Gatherer
	if gatherer == nil {
		gatherer = prometheus.Gatherers{}
	}
	sources := make([]string, len(o.Metrics.Sources))
	for i, src := range o.Metrics.Sources {
		sources[i] = src.Name()
	}
	h := &Handler{snapshot: current, schema: schema, store: newStore(schema, sources), gatherer: gatherer, errorLog: o.ErrorLog}
	if o.MaxRequests > 0 {
		h.inFlight = make(chan struct{}, o.MaxRequests)
	}
	h.buffers = newWriteBuffers(o.MaxRequests)
	return h
}

// ServeHTTP implements http.Handler. The limit of scrapes at once counts
// their preparation (rendering what changed, gathering the exporter's own
// metrics), not their writing: what a scrape writes was rendered before it
// and never changes, so a client that does not read holds no slot.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	resp, ok := h.prepareWithinLimit(r)
	if !ok {
		http.Error(w, fmt.Sprintf("Limit of concurrent requests reached (%d), try again later.", cap(h.inFlight)), http.StatusServiceUnavailable)
		return
	}
	defer bufPool.Put(resp.tail)
	resp.write(w, h.buffers)
}

// prepareWithinLimit prepares r's response holding one of the slots, or
// reports that none is free.
func (h *Handler) prepareWithinLimit(r *http.Request) (response, bool) {
	if h.inFlight != nil {
		select {
		case h.inFlight <- struct{}{}:
			defer func() { <-h.inFlight }()
		default:
			return response{}, false
		}
	}
	return h.prepare(r), true
}

// response is a scrape's answer, ready to write: the parts of the plan's
// families, shared and immutable, then the tail rendered for this scrape
// (the snapshot-level families and the gathered ones).
type response struct {
	contentType expfmt.Format
	gz          bool
	fams        []planFamily
	total       planFamily
	tail        *bytes.Buffer // from bufPool
}

// prepare negotiates the format, renders what changed in the current
// snapshot (its plan) and renders the tail.
func (h *Handler) prepare(r *http.Request) response {
	resp := response{contentType: expfmt.NegotiateAccept(r.Header, renderedFormats...), gz: acceptsGzip(r.Header)}
	f := formatText
	switch resp.contentType.FormatType() {
	case expfmt.TypeOpenMetrics:
		f = formatOpenMetrics
	case expfmt.TypeProtoDelim:
		f = formatProto
	}
	keep := nameFilter(r)
	snap := h.snapshot()
	if snap == nil {
		snap = &snapshot.Snapshot{}
	}
	resp.fams, resp.total = h.store.view(snap).plan(h.store.r, f, resp.gz).selected(keep)
	resp.tail = bufPool.Get().(*bytes.Buffer)
	resp.tail.Reset()
	h.writeSnapshotFamilies(resp.tail, f, snap, keep)
	h.writeGathered(resp.tail, resp.contentType, keep)
	return resp
}

// write writes the response's headers and body through one of buffers,
// or straight to w when none is free.
func (resp *response) write(w http.ResponseWriter, buffers *writeBuffers) {
	header := w.Header()
	header.Set("Content-Type", string(resp.contentType))
	header.Add("Vary", "Accept")
	header.Add("Vary", "Accept-Encoding")
	size := resp.total.size + int64(resp.tail.Len())
	if resp.gz {
		header.Set("Content-Encoding", "gzip")
		size = int64(len(gzipHeader)) + resp.total.size + int64(storedSize(resp.tail.Len())) + int64(gzipTrailerSize)
	}
	header.Set("Content-Length", strconv.FormatInt(size, 10))

	bw := buffers.get(w)
	if bw == nil {
		writeBody(w, resp.fams, resp.total, resp.tail.Bytes(), resp.gz)
		return
	}
	defer buffers.put(bw)
	writeBody(bw, resp.fams, resp.total, resp.tail.Bytes(), resp.gz)
	// A client gone mid-response is no error of the exporter's; the
	// writer keeps the first error and writes nothing after it.
	_ = bw.Flush()
}

// writeBody writes the families' parts and the tail, as one gzip member if
// gz: the parts are compressed already, the tail is stored.
func writeBody(w io.Writer, fams []planFamily, total planFamily, tail []byte, gz bool) {
	if gz {
		w.Write(gzipHeader)
	}
	for _, pf := range fams {
		for _, part := range pf.parts {
			w.Write(part)
		}
	}
	if !gz {
		w.Write(tail)
		return
	}
	writeStored(w, tail)
	crc := crc32.Update(total.crc, crc32.IEEETable, tail)
	w.Write(appendGzipTrailer(make([]byte, 0, gzipTrailerSize), crc, total.raw+int64(len(tail))))
}

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// writeSnapshotFamilies renders the series that describe snap as a whole:
// a handful, rendered at every scrape since the limiters' rates are read
// now. They are grouped by family first: the sources' come source by
// source, and a family's series must be written together.
func (h *Handler) writeSnapshotFamilies(buf *bytes.Buffer, f format, snap *snapshot.Snapshot, keep func(string) bool) {
	series := h.schema.SnapshotSeries(nil, snap)
	slices.SortStableFunc(series, func(a, b collector.Series) int { return a.Family.Index - b.Family.Index })
	var metrics []byte
	for i := 0; i < len(series); {
		fam := series[i].Family
		metrics = metrics[:0]
		for ; i < len(series) && series[i].Family == fam; i++ {
			if f == formatProto {
				metrics = appendProtoMetric(metrics, &series[i])
			} else {
				metrics = appendSample(metrics, &series[i])
			}
		}
		if keep == nil || keep(fam.Name) {
			buf.Write(appendHeader(nil, f, fam, len(metrics)))
			buf.Write(metrics)
		}
	}
}

// writeGathered encodes what the gatherer gathers, and ends the exposition
// (# EOF in OpenMetrics). Errors are logged and what was gathered is
// served, as promhttp.ContinueOnError does.
func (h *Handler) writeGathered(buf *bytes.Buffer, contentType expfmt.Format, keep func(string) bool) {
	mfs, err := h.gatherer.Gather()
	if err != nil && h.errorLog != nil {
		h.errorLog.Println("error gathering metrics:", err)
	}
	enc := expfmt.NewEncoder(buf, contentType)
	for _, mf := range mfs {
		if keep != nil && !keep(mf.GetName()) {
			continue
		}
		if err := enc.Encode(mf); err != nil && h.errorLog != nil {
			h.errorLog.Println("error encoding and sending metric family:", err)
		}
	}
	if c, ok := enc.(expfmt.Closer); ok {
		_ = c.Close() // writes to a bytes.Buffer
	}
}

// writeStored writes p as stored deflate blocks.
func writeStored(w io.Writer, p []byte) {
	var hdr [5]byte
	for len(p) > 0 {
		n := min(len(p), maxStored)
		hdr = [5]byte{0, byte(n), byte(n >> 8), ^byte(n), ^byte(n >> 8)}
		w.Write(hdr[:])
		w.Write(p[:n])
		p = p[n:]
	}
}

// nameFilter returns a filter of the families named by name[] query
// parameters, or nil when there are none.
func nameFilter(r *http.Request) func(string) bool {
	if r.URL == nil {
		return nil
	}
	names := r.URL.Query()["name[]"]
	if len(names) == 0 {
		return nil
	}
	set := make(map[string]bool, len(names))
	for _, n := range names {
		set[n] = true
	}
	return func(name string) bool { return set[name] }
}
