package e2e

import (
	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/sources/messaginghealth"
	"github.com/cams-exporter/cams_exporter/sources/phonenumbers"
	"github.com/cams-exporter/cams_exporter/sources/templates"
	"github.com/cams-exporter/cams_exporter/sources/waba"
)

// scaleSourceSeries are the series of the model's collectors, as the
// exporter wires them: a new set for each schema, which sets their
// families.
func scaleSourceSeries() []collector.SourceSeries {
	return []collector.SourceSeries{&phonenumbers.Series{}, &waba.Series{}, &messaginghealth.Series{}, &templates.Series{}}
}

// scaleSourceRates are the collectors' limiters' rates.
func scaleSourceRates() map[string]func() float64 {
	rates := map[string]func() float64{}
	for _, s := range scaleSources {
		rates[s.name] = func() float64 { return s.rate }
	}
	return rates
}
