package exposition

import (
	"math"

	dto "github.com/prometheus/client_model/go"
	"google.golang.org/protobuf/encoding/protowire"

	"github.com/cams-exporter/cams_exporter/collector"
)

// The protobuf format is a sequence of MetricFamily messages, each preceded
// by its length as a varint (io.prometheus.client, client_model's
// metrics.proto). A family's repeated metric field is a concatenation of
// field entries, so the metric entries of each bucket are rendered once and
// the family's message is written as its header (length, name, help, type)
// followed by every bucket's entries.

// Field numbers of metrics.proto.
const (
	familyName   protowire.Number = 1
	familyHelp   protowire.Number = 2
	familyType   protowire.Number = 3
	familyMetric protowire.Number = 4

	metricLabel   protowire.Number = 1
	metricGauge   protowire.Number = 2
	metricCounter protowire.Number = 3

	labelName  protowire.Number = 1
	labelValue protowire.Number = 2

	valueField protowire.Number = 1 // Gauge.value and Counter.value
)

// appendProtoMetric appends s as one entry of MetricFamily.metric.
func appendProtoMetric(b []byte, s *collector.Series) []byte {
	f := s.Family
	size := 0
	for i, name := range f.Labels {
		size += lenField(labelPairSize(name, s.Values[i]))
	}
	size += lenField(valueSize)
	b = protowire.AppendTag(b, familyMetric, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(size))
	for i, name := range f.Labels {
		b = protowire.AppendTag(b, metricLabel, protowire.BytesType)
		b = protowire.AppendVarint(b, uint64(labelPairSize(name, s.Values[i])))
		b = appendString(b, labelName, name)
		b = appendString(b, labelValue, s.Values[i])
	}
	field := metricGauge
	if f.Type == dto.MetricType_COUNTER {
		field = metricCounter
	}
	b = protowire.AppendTag(b, field, protowire.BytesType)
	b = protowire.AppendVarint(b, uint64(valueSize))
	b = protowire.AppendTag(b, valueField, protowire.Fixed64Type)
	return protowire.AppendFixed64(b, math.Float64bits(s.Value))
}

// valueSize is the size of a Gauge or Counter message holding only a value.
var valueSize = protowire.SizeTag(valueField) + protowire.SizeFixed64()

// appendProtoHeader appends the length prefix and the fields before metric
// of f's MetricFamily message, whose metric entries take metrics bytes.
func appendProtoHeader(b []byte, f *collector.Family, metrics int) []byte {
	size := stringFieldSize(familyName, f.Name) + stringFieldSize(familyHelp, f.Help) +
		protowire.SizeTag(familyType) + protowire.SizeVarint(uint64(f.Type)) + metrics
	b = protowire.AppendVarint(b, uint64(size))
	b = appendString(b, familyName, f.Name)
	b = appendString(b, familyHelp, f.Help)
	b = protowire.AppendTag(b, familyType, protowire.VarintType)
	return protowire.AppendVarint(b, uint64(f.Type))
}

func appendString(b []byte, n protowire.Number, s string) []byte {
	b = protowire.AppendTag(b, n, protowire.BytesType)
	return protowire.AppendString(b, s)
}

func labelPairSize(name, value string) int {
	return stringFieldSize(labelName, name) + stringFieldSize(labelValue, value)
}

func stringFieldSize(n protowire.Number, s string) int {
	return protowire.SizeTag(n) + protowire.SizeBytes(len(s))
}

// lenField is the size of a length-delimited field (tag 1-15) of n bytes.
func lenField(n int) int {
	return protowire.SizeTag(1) + protowire.SizeBytes(n)
}
