package main

import (
	"github.com/cams-exporter/cams_exporter/client"
	"github.com/cams-exporter/cams_exporter/collector"
	"github.com/cams-exporter/cams_exporter/health"
	"github.com/cams-exporter/cams_exporter/refresh"
)

// wireFlowStatus adds the flow-status checks (--collector.flow-status): the
// checker on GetFlow's own limiter, its metrics, and its part of /status.
func (e *exporter) wireFlowStatus(api *collector.APIMetrics) {
	o, limiter := e.opts, e.client.GetFlowLimiter()
	e.statuses = refresh.NewFlowStatusChecker(e.refresher, refresh.FlowStatusConfig{
		Getter: e.client, Pacer: limiter, Rate: o.getFlowRateLimit, Interval: o.flowStatusInterval, Logger: e.logger,
	})
	e.engine.Also(e.statuses.Run)
	api.Expect(client.OperationGetFlow)
	e.metrics.FlowStatus, e.metrics.FlowStatusInterval, e.metrics.GetFlowLimiterRate = true, o.flowStatusInterval, limiter.Rate
	e.checker.FlowStatus = &health.FlowStatusConfig{Interval: o.flowStatusInterval, LimiterRate: limiter.Rate, LimiterMaxRate: limiter.MaxRate()}
}
