// The flows themselves.
local format = import '../lib/format.libsonnet';

{
  local c = format.promql($._config),

  prometheusAlerts+:: {
    groups+: [
      {
        name: 'cams_exporter.flows',
        rules: [
          // A space that had flows within the last hour has none now. It resolves
          // an hour after the space emptied, or when flows come back.
          {
            alert: 'CAMSFlowsDisappeared',
            expr: |||
              (cams_flows{%(camsExporterSelector)s} == 0)
              and on(job, instance, space)
              (max_over_time(cams_flows{%(camsExporterSelector)s}[%(flowsDisappearedWindow)s]) > 0)
            ||| % c,
            'for': '5m',
            labels: {
              severity: 'warning',
            },
            annotations: {
              summary: 'Every flow of a CAMS space has disappeared.',
              description: "{{ if $labels.space }}Space {{ $labels.space }}{{ else }}The account's own space{{ end }} had flows within " + format.last($._config.flowsDisappearedWindow) + ' and now has none, as listed by {{ $labels.instance }}.',
            },
          },
          // flowsRemovedMax, 10: more than about 10 flows removed from one space
          // in 15 minutes, flowsRemovedWindow (increase() extrapolates, so the
          // count is approximate).
          {
            alert: 'CAMSManyFlowsRemoved',
            expr: 'increase(cams_flow_changes_total{%(camsExporterSelector)s, change="removed"}[%(flowsRemovedWindow)s]) > %(flowsRemovedMax)s' % c,
            'for': '1m',
            labels: {
              severity: 'warning',
            },
            annotations: {
              summary: 'Many flows were removed from a CAMS space in a short time.',
              description: 'About {{ printf "%.0f" $value }} flows were removed from {{ if $labels.space }}space {{ $labels.space }}{{ else }}the account\'s own space{{ end }} in ' + format.last($._config.flowsRemovedWindow) + ', as seen by {{ $labels.instance }}.',
            },
          },
        ],
      },
    ],
  },
}
