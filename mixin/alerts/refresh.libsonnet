// Are the background refreshes succeeding, and is the data fresh?
local format = import '../lib/format.libsonnet';

{
  local c = format.promql($._config),

  prometheusAlerts+:: {
    groups+: [
      {
        name: 'cams_exporter.refresh',
        rules: [
          // The refresh period: how long a healthy space waits between two
          // listings, the refresh interval or, when longer, the expected pass
          // over every space (a large account). Recorded first: the alerts
          // below read it in the same evaluation.
          {
            record: 'cams:refresh_period_seconds:max',
            expr: |||
              max by (job, instance) (
                {%(camsExporterSelector)s, __name__=~"cams_refresh_interval_seconds|cams_refresh_expected_duration_seconds"}
              )
            ||| % c,
          },
          // cams_up is also 0 until the first listing has ended (seconds after
          // start-up, pending spaces do not count); the for: covers start-up.
          {
            alert: 'CAMSRefreshFailing',
            expr: 'cams_up{%(camsExporterSelector)s} == 0' % c,
            'for': '15m',
            labels: {
              severity: 'warning',
            },
            annotations: {
              summary: "The exporter's refreshes of CAMS keep failing.",
              description: 'At least one space failed its last refresh on {{ $labels.instance }}: CAMS is unreachable or refuses the calls. Failing spaces keep their last good data; /status names them and their error.',
            },
          },
          // staleMargin (3): the margin, three refresh periods, as the
          // exporter's default --health.max-staleness. A healthy space's data
          // is at most about one
          // period old; three allow a pass three times slower than expected
          // (throttling, retries) before paging. One space that stops
          // succeeding fires about three periods after its last success.
          // The sum adds 0 and, for a space failing with a code that fails many
          // spaces (cams:space_error_info:storm), the label code, so that
          // CAMSManySpacesFailing inhibits it; an isolated space has no code
          // label, and a change of its code never restarts the for:.
          {
            alert: 'CAMSSpaceDataStale',
            expr: |||
              (
                (time() - cams_space_last_success_timestamp_seconds{%(camsExporterSelector)s})
                > on(job, instance) group_left()
                (%(staleMargin)s * cams:refresh_period_seconds:max{%(camsExporterSelector)s})
              )
              + on(job, instance, space) group_left(code)
              (
                  0 * (cams_space_error_info{%(camsExporterSelector)s} and on(job, instance, code) cams:space_error_info:storm{%(camsExporterSelector)s})
                or on(job, instance, space)
                  0 * cams_space_last_success_timestamp_seconds{%(camsExporterSelector)s}
              )
            ||| % c,
            'for': '5m',
            labels: {
              severity: 'warning',
            },
            annotations: {
              summary: 'The flow data of a CAMS space is stale.',
              description: "The last successful refresh of {{ if $labels.space }}space {{ $labels.space }}{{ else }}the account's own space{{ end }} on {{ $labels.instance }} was {{ $value | humanizeDuration }} ago: its flow metrics are that old.",
            },
          },
          // cams_space_last_success_timestamp_seconds is absent for a space that
          // has never been refreshed successfully, so CAMSSpaceDataStale cannot
          // see it. A space that failed its first listing is listed again a
          // period later: the alert waits until the exporter has run for 3
          // periods (staleMargin, the margin of CAMSSpaceDataStale), so that a
          // failure during the first passes of a large account does not page.
          // Pending
          // spaces (not listed yet) export no cams_space_up and never fire.
          // The code of a storm is added as in CAMSSpaceDataStale.
          {
            alert: 'CAMSSpaceNeverRefreshed',
            expr: |||
              (
                (cams_space_up{%(camsExporterSelector)s} == 0 unless on(job, instance, space) cams_space_last_success_timestamp_seconds{%(camsExporterSelector)s})
                and on(job, instance)
                (time() - cams_exporter_start_time_seconds{%(camsExporterSelector)s} > %(staleMargin)s * cams:refresh_period_seconds:max{%(camsExporterSelector)s})
              )
              + on(job, instance, space) group_left(code)
              (
                  0 * (cams_space_error_info{%(camsExporterSelector)s} and on(job, instance, code) cams:space_error_info:storm{%(camsExporterSelector)s})
                or on(job, instance, space)
                  0 * cams_space_up{%(camsExporterSelector)s}
              )
            ||| % c,
            'for': '15m',
            labels: {
              severity: 'warning',
            },
            annotations: {
              summary: 'A CAMS space has never been refreshed successfully.',
              description: "No refresh of {{ if $labels.space }}space {{ $labels.space }}{{ else }}the account's own space{{ end }} has succeeded since {{ $labels.instance }} started " + format.words($._config.staleMargin) + ' refresh periods ago or more: there is no flow data for it.',
            },
          },
          // Info: data still flows, only older than the interval. It is the one
          // alert a healthy large account fires (at 4 calls/s, from about 1,200
          // spaces with the default interval of 5m).
          {
            alert: 'CAMSRefreshIntervalOutOfReach',
            expr: 'cams_refresh_expected_duration_seconds{%(camsExporterSelector)s} > on(job, instance) cams_refresh_interval_seconds{%(camsExporterSelector)s}' % c,
            'for': '30m',
            labels: {
              severity: 'info',
            },
            annotations: {
              summary: 'A pass over every CAMS space takes longer than the refresh interval.',
              description: "At the configured API rate, a pass over every space of {{ $labels.instance }} is expected to take {{ $value | humanizeDuration }}, longer than --refresh.interval: spaces are refreshed back to back, the stalest first, and some spaces' data is older than the interval.",
            },
          },
        ],
      },
    ],
  },
}
