package exposition

import (
	"github.com/cams-exporter/cams_exporter/collector"
)

// format is an exposition format served from rendered segments.
type format int

const (
	formatText        format = iota // text/plain; version=0.0.4
	formatOpenMetrics               // application/openmetrics-text; version=1.0.0 (and 0.0.1)
	formatProto                     // application/vnd.google.protobuf; encoding=delimited
	numFormats
)

func (f format) kind() kind {
	if f == formatProto {
		return kindProto
	}
	return kindText
}

// appendHeader appends what precedes the series of fam in format f: HELP and
// TYPE, or the start of a MetricFamily message whose metric entries take
// metrics bytes.
func appendHeader(b []byte, f format, fam *collector.Family, metrics int) []byte {
	switch f {
	case formatProto:
		return appendProtoHeader(b, fam, metrics)
	case formatOpenMetrics:
		return appendTextHeader(b, fam, true)
	}
	return appendTextHeader(b, fam, false)
}

// plan is what a view writes of its per-space families in one format and
// encoding: for each family with series, its header and the segment of
// every bucket of every table that has series of it (the
// cams_collector_space_* families have them from each source's table). The
// parts are shared with the buckets; a plan is built once per view, format
// and encoding, and written by every scrape that asks for them.
type plan struct {
	families []planFamily
	total    planFamily // of all families: raw, size and crc
}

// planFamily is what a plan writes of one family.
type planFamily struct {
	name  string
	parts [][]byte // written one after the other
	raw   int64    // uncompressed length
	size  int64    // length written
	crc   uint32   // CRC-32 of the uncompressed bytes, if compressed
}

func (p *planFamily) add(part []byte, raw int64, sum crcSum, gz bool) {
	if len(part) == 0 {
		return
	}
	p.parts = append(p.parts, part)
	if gz {
		p.crc = sum.after(p.crc)
	}
	p.raw += raw
	p.size += int64(len(part))
}

// plan returns v's plan for format f, compressed if gz, building it if need
// be; concurrent scrapes wait for one build.
func (v *view) plan(r *renderer, f format, gz bool) *plan {
	lp := &v.plans[f][index(gz)]
	lp.once.Do(func() { lp.p = buildPlan(r, v.sets, f, gz) })
	return lp.p
}

// tableSegments are the segments of one table's buckets.
type tableSegments struct {
	tab  *table
	segs []*segments // by bucket
}

func buildPlan(r *renderer, sets []*bucketSet, f format, gz bool) *plan {
	var tables []tableSegments
	for i, set := range sets {
		if set == nil {
			continue
		}
		ts := tableSegments{tab: r.tables[i], segs: make([]*segments, len(set.buckets))}
		for j, b := range set.buckets {
			ts.segs[j] = b.segments(r, f.kind(), gz)
		}
		tables = append(tables, ts)
	}
	p := &plan{}
	for _, fam := range r.spaceFams {
		metrics := 0
		for _, ts := range tables {
			if pos := ts.tab.pos[fam.Index]; pos >= 0 {
				for _, s := range ts.segs {
					metrics += s.raw[pos]
				}
			}
		}
		if metrics == 0 {
			continue // no series, no family: as client_golang gathers
		}
		pf := planFamily{name: fam.Name}
		header := appendHeader(nil, f, fam, metrics)
		if gz {
			pf.add(appendStored(nil, header), int64(len(header)), crcSumOf(header), gz)
		} else {
			pf.add(header, int64(len(header)), crcSum{}, gz)
		}
		for _, ts := range tables {
			pos := ts.tab.pos[fam.Index]
			if pos < 0 {
				continue
			}
			for _, s := range ts.segs {
				var sum crcSum
				if gz {
					sum = s.sums[pos]
				}
				pf.add(s.segment(pos), int64(s.raw[pos]), sum, gz)
			}
		}
		p.families = append(p.families, pf)
		p.total.crc = crcCombine(p.total.crc, pf.crc, pf.raw)
		p.total.raw += pf.raw
		p.total.size += pf.size
	}
	return p
}

// selected returns the families of p that keep lets through, and their
// total, as p.total is for all of them.
func (p *plan) selected(keep func(name string) bool) ([]planFamily, planFamily) {
	if keep == nil {
		return p.families, p.total
	}
	var fams []planFamily
	var total planFamily
	for _, pf := range p.families {
		if keep(pf.name) {
			fams = append(fams, pf)
			total.crc = crcCombine(total.crc, pf.crc, pf.raw)
			total.raw += pf.raw
			total.size += pf.size
		}
	}
	return fams, total
}
