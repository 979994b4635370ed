package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
)

// decodeBounded decodes the JSON array data one element at a time, refusing
// an array of more than max elements as soon as it meets the one too many:
// an answer listing millions of small objects costs no memory beyond its
// body. JSON null is an empty list. what names the elements in the error.
func decodeBounded[T any](data []byte, max int, what string) ([]T, error) {
	if string(data) == "null" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
		return nil, &json.UnmarshalTypeError{Value: jsonKind(data), Type: reflect.TypeOf([]T(nil))}
	}
	var out []T
	for dec.More() {
		if len(out) == max {
			return nil, fmt.Errorf("more than %d %s", max, what)
		}
		var v T
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
