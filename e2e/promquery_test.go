package e2e

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// promResult is a series of a query's answer: an instant vector's sample
// or a range vector's samples.
type promResult struct {
	Metric map[string]string `json:"metric"`
	Value  [2]any            `json:"value"`
	Values [][2]any          `json:"values"`
}

// queryAt evaluates expr on Prometheus at time at (Unix seconds; 0 for
// now), and returns its series with their values; an error means
// Prometheus refused it. A scalar answer is one series without labels.
func queryAt(addr, expr string, at float64) ([]promResult, error) {
	form := url.Values{"query": {expr}}
	if at != 0 {
		form.Set("time", strconv.FormatFloat(at, 'f', 3, 64))
	}
	return post(addr, "/api/v1/query", form)
}

// post asks Prometheus' query API.
func post(addr, path string, form url.Values) ([]promResult, error) {
	expr := form.Get("query")
	resp, err := http.PostForm("http://"+addr+path, form)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var body struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			ResultType string          `json:"resultType"`
			Result     json.RawMessage `json:"result"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return nil, err
	}
	if body.Status != "success" {
		return nil, fmt.Errorf("%s: %s", expr, body.Error)
	}
	var out []promResult
	switch body.Data.ResultType {
	case "vector", "matrix":
		err = json.Unmarshal(body.Data.Result, &out)
	case "scalar":
		var v [2]any
		err = json.Unmarshal(body.Data.Result, &v)
		out = []promResult{{Value: v}}
	default:
		err = fmt.Errorf("%s: result type %s", expr, body.Data.ResultType)
	}
	return out, err
}

// queryRange evaluates expr on Prometheus from start to end (Unix seconds)
// every step, as Grafana does for a time series panel, and returns its
// series with their samples.
func queryRange(addr, expr string, start, end float64, step string) ([]promResult, error) {
	form := url.Values{"query": {expr}, "start": {strconv.FormatFloat(start, 'f', 3, 64)},
		"end": {strconv.FormatFloat(end, 'f', 3, 64)}, "step": {step}}
	return post(addr, "/api/v1/query_range", form)
}

// sampleValue parses a sample's value ("1", "+Inf", "NaN", ...).
func sampleValue(v [2]any) float64 {
	s, _ := v[1].(string)
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0
	}
	return f
}

// sampleTime is a sample's timestamp in Unix seconds.
func sampleTime(v [2]any) float64 {
	f, _ := v[0].(float64)
	return f
}
