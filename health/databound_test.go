package health

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

// fill sets every string of v, however deep, to text, every number to
// its longest, and gives every slice two elements, every map two entries
// and every pointer a value: a field a source adds to its Data is filled
// too.
func fill(v reflect.Value, text string) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(text)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(math.MinInt64)
	case reflect.Uint32, reflect.Uint64:
		v.SetUint(math.MaxUint64 >> (64 - v.Type().Bits()))
	case reflect.Map:
		v.Set(reflect.MakeMap(v.Type()))
		for i := range 2 {
			key, value := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
			fill(key, text+strings.Repeat("k", i))
			fill(value, text)
			v.SetMapIndex(key, value)
		}
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), text)
	case reflect.Slice:
		v.Set(reflect.MakeSlice(v.Type(), 2, 2))
		for i := range 2 {
			fill(v.Index(i), text)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), text)
			}
		}
	}
}

// dataBound bounds the JSON of each Data type, every text in it of the
// longest JSON (every byte escaped as \u003c) or of none.
func TestDataBoundIsABound(t *testing.T) {
	for _, text := range []string{hostileText("", 512), ""} {
		for _, data := range []any{&waba.WABA{}, &phonenumbers.Numbers{}, &messaginghealth.Health{}, &templatesData{}} {
			fill(reflect.ValueOf(data).Elem(), text)
			value := reflect.ValueOf(data).Elem().Interface()
			b, err := json.Marshal(value)
			if err != nil {
				t.Fatal(err)
			}
			bound, known := dataBound(value)
			if !known || bound < len(b) {
				t.Errorf("%T of %d-byte texts: bound %d (known %v), JSON %d bytes", value, len(text), bound, known, len(b))
			}
		}
	}
	if _, known := dataBound([]string{"x"}); known {
		t.Error("a type of no source known here has a bound")
	}
}
