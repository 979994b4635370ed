// Is Prometheus scraping the exporter at all?
local format = import '../lib/format.libsonnet';

{
  local c = format.promql($._config),

  prometheusAlerts+:: {
    groups+: [
      {
        name: 'cams_exporter',
        rules: [
          {
            alert: 'CAMSExporterDown',
            expr: 'up{%(camsExporterSelector)s} == 0' % c,
            'for': '5m',
            labels: {
              severity: 'critical',
            },
            annotations: {
              summary: 'Prometheus cannot scrape cams_exporter.',
              description: 'Prometheus has failed to scrape cams_exporter at {{ $labels.instance }} (job {{ $labels.job }}): none of its CAMS metrics is current.',
            },
          },
          {
            alert: 'CAMSExporterAbsent',
            expr: 'absent(up{%(camsExporterSelector)s})' % c,
            'for': '15m',
            labels: {
              severity: 'critical',
            },
            annotations: {
              summary: 'Prometheus has no cams_exporter target to scrape.',
              description: 'Prometheus has no target in job {{ $labels.job }}: nothing watches the CAMS flows. Check the scrape configuration and service discovery.',
            },
          },
        ],
      },
    ],
  },
}
