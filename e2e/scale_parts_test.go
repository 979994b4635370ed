package e2e

import (
	"bufio"
	"bytes"
	"io"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/snapshot"
	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

// scaleSourceSeries are the series of the model's collectors, as the
// exporter wires them: a new set for each schema, which sets their
// families.
func scaleSourceSeries() []collector.SourceSeries {
	return []collector.SourceSeries{&phonenumbers.Series{}, &waba.Series{}, &messaginghealth.Series{}}
}

// scaleSourceRates are the collectors' limiters' rates.
func scaleSourceRates() map[string]func() float64 {
	rates := map[string]func() float64{}
	for _, s := range scaleSources {
		rates[s.name] = func() float64 { return s.rate }
	}
	return rates
}

// partsExposition renders the collectors' per-space series: each space's
// part of each collector, as collector.Schema.PartSeries makes them (what
// collector.Collector gathers), in the text format (by expfmt), once per
// part, so that a scrape costs the parts that changed. Issue 17's
// exposition renders the flows' spaces and every family that describes the
// snapshot as a whole (cams_collector_spaces and the like), not the parts
// yet; gathering the 240,000 series of the parts with client_golang at
// every scrape takes seconds, over the scrape timeout. Once the exposition
// renders the parts, serve it alone.
type partsExposition struct {
	schema  *collector.Schema
	headers map[*collector.Family][]byte
	cache   map[[2]string]renderedPart // by source and space
}

// renderedPart is a part and its samples, by Family.Index.
type renderedPart struct {
	part    *snapshot.SpacePart
	samples [][]byte
}

func newPartsExposition(opts collector.Options) *partsExposition {
	return &partsExposition{schema: collector.NewSchema(opts), headers: map[*collector.Family][]byte{}, cache: map[[2]string]renderedPart{}}
}

// writeTo writes the per-space series of states, each family once with
// its HELP and TYPE, in the schema's order.
func (p *partsExposition) writeTo(w io.Writer, states []*snapshot.SourceState) error {
	fams := p.schema.Families()
	byFamily := make([][][]byte, len(fams))
	for _, st := range states {
		for space, part := range st.All() {
			key := [2]string{st.Name, space}
			r, ok := p.cache[key]
			if !ok || r.part != part {
				r = renderedPart{part: part, samples: p.samples(st.Name, space, part)}
				p.cache[key] = r
			}
			for i, b := range r.samples {
				if len(b) > 0 {
					byFamily[i] = append(byFamily[i], b)
				}
			}
		}
	}
	bw := bufio.NewWriterSize(w, 64<<10)
	for i, f := range fams {
		if len(byFamily[i]) == 0 {
			continue
		}
		bw.Write(p.header(f))
		for _, b := range byFamily[i] {
			bw.Write(b)
		}
	}
	return bw.Flush()
}

// samples renders the series of a part, by Family.Index, without HELP and
// TYPE.
func (p *partsExposition) samples(source, space string, part *snapshot.SpacePart) [][]byte {
	fams := map[*collector.Family]*dto.MetricFamily{}
	for _, s := range p.schema.PartSeries(nil, source, space, part) {
		mf := fams[s.Family]
		if mf == nil {
			mf = &dto.MetricFamily{Name: &s.Family.Name, Type: s.Family.Type.Enum()}
			fams[s.Family] = mf
		}
		mf.Metric = append(mf.Metric, metricOf(s))
	}
	out := make([][]byte, len(p.schema.Families()))
	for f, mf := range fams {
		var b bytes.Buffer
		if _, err := expfmt.MetricFamilyToText(&b, mf); err != nil {
			panic(err)
		}
		_, samples, _ := strings.Cut(b.String(), "\n") // after # TYPE
		out[f.Index] = []byte(samples)
	}
	return out
}

// header is a family's HELP and TYPE, as expfmt writes them.
func (p *partsExposition) header(f *collector.Family) []byte {
	if h, ok := p.headers[f]; ok {
		return h
	}
	var b bytes.Buffer
	mf := &dto.MetricFamily{Name: &f.Name, Help: &f.Help, Type: f.Type.Enum(), Metric: []*dto.Metric{{Gauge: &dto.Gauge{}}}}
	if f.Type == dto.MetricType_COUNTER {
		mf.Metric[0] = &dto.Metric{Counter: &dto.Counter{}}
	}
	if _, err := expfmt.MetricFamilyToText(&b, mf); err != nil {
		panic(err)
	}
	lines := strings.SplitAfterN(b.String(), "\n", 3)
	p.headers[f] = []byte(lines[0] + lines[1])
	return p.headers[f]
}

// metricOf is a series as client_golang writes a constant metric.
func metricOf(s collector.Series) *dto.Metric {
	m := &dto.Metric{}
	for i, name := range s.Family.Labels {
		m.Label = append(m.Label, &dto.LabelPair{Name: &name, Value: &s.LabelValues()[i]})
	}
	v := s.Value
	if s.Family.Type == dto.MetricType_COUNTER {
		m.Counter = &dto.Counter{Value: &v}
	} else {
		m.Gauge = &dto.Gauge{Value: &v}
	}
	return m
}
