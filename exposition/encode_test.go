package exposition

import (
	"bytes"
	"compress/gzip"
	"hash/crc32"
	"io"
	"math"
	"math/rand/v2"
	"os/exec"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"google.golang.org/protobuf/encoding/protodelim"
	"google.golang.org/protobuf/proto"

	"github.com/cams-exporter/cams_exporter/collector"
)

// oddFamily has a help text and label values that need escaping.
func oddFamily(typ dto.MetricType) *collector.Family {
	name := "odd_gauge"
	if typ == dto.MetricType_COUNTER {
		name = "odd_events_total"
	}
	return &collector.Family{Name: name, Type: typ, Labels: []string{"a", "b"},
		Help: `Back\slash, "quotes", a new` + "\nline and ünïcödé."}
}

var oddValues = [][2]string{
	{`say "hi"`, `C:\path\`},
	{"two\nlines", ""},
	{"\uFFFD", "日本語"},
	{`\n literally`, `"`},
}

var oddNumbers = []float64{0, 1, -1, 2, 0.5, 999999, -999999, 1e6, 1234567, -1e6, 123456, 42.0000001, 1767225630.25, 1e21, 1e-7, 123456789, math.Inf(1), math.Inf(-1), math.NaN(), -0.0, math.MaxFloat64, math.SmallestNonzeroFloat64}

// dtoFamily is fam with one metric per pair of oddValues and per number, as
// client_golang would hand it to expfmt.
func dtoFamily(fam *collector.Family) (*dto.MetricFamily, []collector.Series) {
	mf := &dto.MetricFamily{Name: proto.String(fam.Name), Help: proto.String(fam.Help), Type: fam.Type.Enum()}
	var series []collector.Series
	for i, v := range oddNumbers {
		vals := oddValues[i%len(oddValues)]
		s := collector.Series{Family: fam, Value: v}
		copy(s.Values[:], vals[:])
		series = append(series, s)
		m := &dto.Metric{Label: []*dto.LabelPair{
			{Name: proto.String("a"), Value: proto.String(vals[0])},
			{Name: proto.String("b"), Value: proto.String(vals[1] + strings.Repeat(" ", i))}, // distinct series
		}}
		series[len(series)-1].Values[1] += strings.Repeat(" ", i)
		if fam.Type == dto.MetricType_COUNTER {
			m.Counter = &dto.Counter{Value: proto.Float64(v)}
		} else {
			m.Gauge = &dto.Gauge{Value: proto.Float64(v)}
		}
		mf.Metric = append(mf.Metric, m)
	}
	return mf, series
}

// TestTextMatchesExpfmt checks the text rendering byte for byte against
// expfmt's text format, and the OpenMetrics headers against expfmt's
// OpenMetrics.
func TestTextMatchesExpfmt(t *testing.T) {
	for _, typ := range []dto.MetricType{dto.MetricType_GAUGE, dto.MetricType_COUNTER} {
		fam := oddFamily(typ)
		mf, series := dtoFamily(fam)
		var want bytes.Buffer
		if _, err := expfmt.MetricFamilyToText(&want, mf); err != nil {
			t.Fatal(err)
		}
		got := appendTextHeader(nil, fam, false)
		for i := range series {
			got = appendSample(got, &series[i])
		}
		if string(got) != want.String() {
			t.Errorf("%s: text\n got: %q\nwant: %q", typ, got, want.String())
		}

		want.Reset()
		if _, err := expfmt.MetricFamilyToOpenMetrics(&want, mf); err != nil {
			t.Fatal(err)
		}
		header := string(appendTextHeader(nil, fam, true))
		if !strings.HasPrefix(want.String(), header) {
			t.Errorf("%s: OpenMetrics header\n got: %q\nwant the start of: %q", typ, header, want.String())
		}
	}
}

// TestProtoMatchesClientModel checks the protobuf rendering against the
// message client_model marshals: header and metric entries concatenated
// must decode to the same MetricFamily.
func TestProtoMatchesClientModel(t *testing.T) {
	for _, typ := range []dto.MetricType{dto.MetricType_GAUGE, dto.MetricType_COUNTER} {
		fam := oddFamily(typ)
		mf, series := dtoFamily(fam)
		var metrics []byte
		for i := range series {
			metrics = appendProtoMetric(metrics, &series[i])
		}
		b := append(appendProtoHeader(nil, fam, len(metrics)), metrics...)
		var got dto.MetricFamily
		if err := protodelim.UnmarshalFrom(bytes.NewReader(b), &got); err != nil {
			t.Fatalf("%s: %v", typ, err)
		}
		if !proto.Equal(&got, mf) {
			t.Errorf("%s: decoded\n%v\nwant\n%v", typ, &got, mf)
		}
		var want bytes.Buffer
		if _, err := protodelim.MarshalTo(&want, mf); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(b, want.Bytes()) {
			t.Errorf("%s: not the bytes client_model marshals (same message, other encoding)", typ)
		}
	}
}

func TestCRCCombine(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		a := make([]byte, r.IntN(3000))
		b := make([]byte, r.IntN(3000))
		for i := range a {
			a[i] = byte(r.Uint32())
		}
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		want := crc32.ChecksumIEEE(append(append([]byte{}, a...), b...))
		if got := crcCombine(crc32.ChecksumIEEE(a), crc32.ChecksumIEEE(b), int64(len(b))); got != want {
			t.Fatalf("crcCombine over %d+%d bytes = %08x, want %08x", len(a), len(b), got, want)
		}
		if got := crcSumOf(b).after(crc32.ChecksumIEEE(a)); got != want {
			t.Fatalf("crcSum over %d+%d bytes = %08x, want %08x", len(a), len(b), got, want)
		}
	}
}

// joinedGzip builds one gzip member of the parts the way a response does:
// some compressed, some stored.
func joinedGzip(parts [][]byte) []byte {
	out := append([]byte{}, gzipHeader...)
	var crc uint32
	var size int64
	for i, p := range parts {
		if i%3 == 2 {
			out = appendStored(out, p)
		} else {
			out = appendDeflate(out, p)
		}
		crc = crcCombine(crc, crc32.ChecksumIEEE(p), int64(len(p)))
		size += int64(len(p))
	}
	return appendGzipTrailer(out, crc, size)
}

func testParts() ([][]byte, []byte) {
	var parts [][]byte
	var all []byte
	for i := range 12 {
		var p []byte
		for j := range i * 997 {
			p = append(p, "cams_flows{space=\"cams-"...)
			p = append(p, byte('0'+j%10))
			p = append(p, "\"} 42\n"...)
		}
		if i == 7 {
			p = bytes.Repeat([]byte{0xfe}, 70000) // more than one stored block
		}
		parts = append(parts, p)
		all = append(all, p...)
	}
	return parts, all
}

// TestJoinedGzipIsOneMember checks that compressed and stored parts joined
// make a single gzip member that Go reads with multistream off.
func TestJoinedGzipIsOneMember(t *testing.T) {
	parts, all := testParts()
	z := joinedGzip(parts)
	src := bytes.NewReader(z)
	zr, err := gzip.NewReader(src)
	if err != nil {
		t.Fatal(err)
	}
	zr.Multistream(false)
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, all) {
		t.Fatalf("decompressed %d bytes, want the %d bytes of the parts", len(got), len(all))
	}
	if src.Len() != 0 {
		t.Errorf("%d bytes after the first member", src.Len())
	}
}

// TestJoinedGzipReadByZlib checks the same with gzip(1), i.e. zlib, which
// is what curl --compressed uses.
func TestJoinedGzipReadByZlib(t *testing.T) {
	gz, err := exec.LookPath("gzip")
	if err != nil {
		t.Fatal("gzip(1), an essential Debian package, is missing")
	}
	parts, all := testParts()
	cmd := exec.Command(gz, "-d", "-c")
	cmd.Stdin = bytes.NewReader(joinedGzip(parts))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("gzip -d: %v", err)
	}
	if !bytes.Equal(out, all) {
		t.Fatalf("gzip -d gave %d bytes, want %d", len(out), len(all))
	}
}

func TestStoredSize(t *testing.T) {
	for _, n := range []int{0, 1, maxStored - 1, maxStored, maxStored + 1, 3*maxStored + 7} {
		if got, want := storedSize(n), len(appendStored(nil, make([]byte, n))); got != want {
			t.Errorf("storedSize(%d) = %d, want %d", n, got, want)
		}
	}
}
