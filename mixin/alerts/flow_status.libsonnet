// Flow statuses, read with GetFlow (--collector.flow-status). Silent
// without it: the series do not exist.
local format = import '../lib/format.libsonnet';

{
  local c = format.promql($._config),

  prometheusAlerts+:: {
    groups+: [
      {
        name: 'cams_exporter.flow_status',
        rules: [
          // A space has fewer published flows than at some time in the last hour:
          // a flow deprecated or moved back to draft, or a published flow deleted.
          // Only while every flow of the space has a known status (_unknown is
          // 0), so that statuses still being read (the first checks after a
          // start without a cache, a new flow not checked yet) are no drop. It
          // resolves an hour after the drop, or when the count is back.
          {
            alert: 'CAMSPublishedFlowsDropped',
            expr: |||
              (
                  cams_flows_by_status{%(camsExporterSelector)s, status="PUBLISHED"}
                < on(job, instance, space)
                  max_over_time(cams_flows_by_status{%(camsExporterSelector)s, status="PUBLISHED"}[%(publishedFlowsWindow)s])
              )
              and on(job, instance, space)
              (cams_flows_by_status{%(camsExporterSelector)s, status="_unknown"} == 0)
            ||| % c,
            'for': '5m',
            labels: {
              severity: 'info',
            },
            annotations: {
              summary: 'A CAMS space has fewer published flows than within ' + format.last($._config.publishedFlowsWindow) + '.',
              description: '{{ if $labels.space }}Space {{ $labels.space }}{{ else }}The account\'s own space{{ end }} has {{ printf "%.0f" $value }} published flows on {{ $labels.instance }}, fewer than within ' + format.last($._config.publishedFlowsWindow) + '.',
            },
          },
          // GetFlow is denied (the RAM identity lacks cams:GetFlow): no status is
          // read, while the listings, and so cams_space_up, go on unaffected. A
          // flow is checked at most once per --flow-status.interval (default
          // 1h): a small account's checks come in bursts, an interval apart, so
          // the window is 2h, twice the default interval (with a longer
          // interval, widen it). The counter starts at 0 with the flag, so the
          // first denial counts. It resolves 2h after the last denial.
          {
            alert: 'CAMSFlowStatusPermissionDenied',
            expr: |||
              sum by (job, instance) (
                increase(cams_api_errors_total{%(camsExporterSelector)s, operation="GetFlow", code="Ram.PermissionDeny"}[%(flowStatusDeniedWindow)s])
              ) > 0
            ||| % c,
            'for': '5m',
            labels: {
              severity: 'warning',
            },
            annotations: {
              summary: 'CAMS denies the exporter permission to read flow statuses (GetFlow).',
              description: 'CAMS answered Ram.PermissionDeny to about {{ printf "%.0f" $value }} GetFlow calls of {{ $labels.instance }} in ' + format.last($._config.flowStatusDeniedWindow) + ": the exporter's RAM identity may not call cams:GetFlow, so cams_flows_by_status stays _unknown. The flows are still listed.",
            },
          },
        ],
      },
    ],
  },
}
