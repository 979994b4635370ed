package collector

import (
	"fmt"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/cams-exporter/cams_exporter/refresh"
)

// categoriesFolded is cams_flow_categories_folded_total.
var categoriesFolded = prometheus.NewDesc("cams_flow_categories_folded_total",
	fmt.Sprintf("Category values folded into category=%q of cams_flows_by_category and cams_flow_info because %d undocumented categories, the first seen, were already exported: each listing of a space adds the number of distinct category values it carried beyond them.",
		refresh.OtherCategory, refresh.MaxUndocumentedCategories),
	nil, nil)

func collectCategoriesFolded(ch chan<- prometheus.Metric, snap *refresh.Snapshot) {
	ch <- prometheus.MustNewConstMetric(categoriesFolded, prometheus.CounterValue, float64(snap.CategoriesFolded))
}
