// The sources of --collector.phone-numbers, --collector.waba and
// --collector.messaging-health: does each collect, for every space? Label
// collector: the collector's name. Silent without them: the series do not
// exist. Recording rules first: the alerts below read them in the same
// evaluation.
local format = import '../lib/format.libsonnet';

{
  local c = format.promql($._config) + (import '../lib/codes.libsonnet'),

  prometheusAlerts+:: {
    groups+: [
      {
        name: 'cams_exporter.collectors',
        rules: [
          // A collector's period: how long a healthy space waits between two of
          // its calls, its interval (messaging-health: --messaging-health.interval)
          // or, when longer, its expected pass over every space.
          {
            record: 'cams:collector_period_seconds:max',
            expr: |||
              max by (job, instance, collector) (
                {%(camsExporterSelector)s, __name__=~"cams_collector_interval_seconds|cams_collector_expected_duration_seconds"}
              )
            ||| % c,
          },
          // The spaces whose last call of a collector failed, by code, and their
          // share of the spaces it watches (pending, up and down).
          {
            record: 'cams:collector_space_error_info:count',
            expr: 'count by (job, instance, collector, code) (cams_collector_space_error_info{%(camsExporterSelector)s})' % c,
          },
          {
            record: 'cams:collector_space_error_info:ratio',
            expr: |||
              cams:collector_space_error_info:count{%(camsExporterSelector)s}
              / on(job, instance, collector) group_left()
              sum by (job, instance, collector) (cams_collector_spaces{%(camsExporterSelector)s})
            ||| % c,
          },
          // A collector's storm: at least 10 spaces fail with one code, more than
          // 0.1 (10%) of the spaces it watches, as cams:space_error_info:storm
          // for the listings (no share of the calls: no per-space alert of these
          // collectors has to be outrun). Once CAMSCollectorManySpacesFailing
          // fires, it lasts while any space fails with the code, so that the
          // spaces the pass reaches last do not alert on their own. The
          // credentials codes are left out: CAMSCredentialsInvalid is their one
          // alert (every operation signs with the same credentials).
          {
            record: 'cams:collector_space_error_info:storm',
            expr: |||
              (
                  cams:collector_space_error_info:count{%(camsExporterSelector)s, code!~"%(credentialsCodes)s"} >= %(stormMinSpaces)s
                and on(job, instance, collector, code)
                  cams:collector_space_error_info:ratio{%(camsExporterSelector)s} > %(stormSpacesShare)s
              )
              or on(job, instance, collector, code)
              (
                  cams:collector_space_error_info:count{%(camsExporterSelector)s}
                and on(job, instance, collector, code)
                  ALERTS{%(camsExporterSelector)s, alertname="CAMSCollectorManySpacesFailing", alertstate="firing"}
              )
            ||| % c,
          },
          // One alert per collector and code, however many spaces fail.
          {
            alert: 'CAMSCollectorManySpacesFailing',
            expr: 'cams:collector_space_error_info:storm{%(camsExporterSelector)s}' % c,
            'for': '5m',
            labels: {
              severity: 'warning',
            },
            annotations: {
              summary: "Many CAMS spaces fail one collector's calls with the same error code.",
              description: '{{ printf "%.0f" $value }} spaces of collector {{ $labels.collector }} on {{ $labels.instance }} ({{ with printf "cams:collector_space_error_info:ratio{job=%q, instance=%q, collector=%q, code=%q}" $labels.job $labels.instance $labels.collector $labels.code | query }}{{ . | first | value | humanizePercentage }}{{ end }} of them) failed their last call with {{ $labels.code }}: one cause. Their {{ $labels.collector }} data keeps its last value and ages; /status lists them.',
            },
          },
          // The spaces whose data of a collector is stale: older than three of
          // its periods (3: the margin of CAMSSpaceDataStale), with its age in
          // seconds; or none at all, +Inf, for a space whose calls have failed
          // since the exporter started three periods ago (as
          // CAMSSpaceNeverRefreshed). Spaces not called yet (pending) have
          // neither series and are never stale.
          {
            record: 'cams:collector_space_data_age_seconds:stale',
            expr: |||
              (
                (time() - cams_collector_space_last_success_timestamp_seconds{%(camsExporterSelector)s})
                > on(job, instance, collector) group_left()
                (%(staleMargin)s * cams:collector_period_seconds:max{%(camsExporterSelector)s})
              )
              or on(job, instance, collector, space)
              (
                (
                  (cams_collector_space_up{%(camsExporterSelector)s} == 0 unless on(job, instance, collector, space) cams_collector_space_last_success_timestamp_seconds{%(camsExporterSelector)s})
                  and on(job, instance, collector)
                  (%(staleMargin)s * cams:collector_period_seconds:max{%(camsExporterSelector)s} < on(job, instance) group_left() (time() - cams_exporter_start_time_seconds{%(camsExporterSelector)s}))
                )
                + Inf
              )
            ||| % c,
          },
          // One alert per collector (not per space), its value the number of
          // stale spaces. The spaces failing with a code that storms
          // (cams:collector_space_error_info:storm) are counted apart, in an
          // alert that carries the code, which CAMSCollectorManySpacesFailing
          // mutes; the others in the alert without code.
          {
            alert: 'CAMSCollectorDataStale',
            expr: |||
              count by (job, instance, collector, code) (
                  cams_collector_space_error_info{%(camsExporterSelector)s}
                and on(job, instance, collector, code)
                  cams:collector_space_error_info:storm{%(camsExporterSelector)s}
                and on(job, instance, collector, space)
                  cams:collector_space_data_age_seconds:stale{%(camsExporterSelector)s}
              )
              or
              count by (job, instance, collector) (
                  cams:collector_space_data_age_seconds:stale{%(camsExporterSelector)s}
                unless on(job, instance, collector, space)
                  (cams_collector_space_error_info{%(camsExporterSelector)s} and on(job, instance, collector, code) cams:collector_space_error_info:storm{%(camsExporterSelector)s})
              )
            ||| % c,
            'for': '5m',
            labels: {
              severity: 'warning',
            },
            annotations: {
              summary: 'The data of a CAMS collector is stale for some spaces.',
              description: '{{ printf "%.0f" $value }} spaces of collector {{ $labels.collector }} on {{ $labels.instance }} have data older than ' + format.words($._config.staleMargin) + ' collection periods, or none since the exporter started ' + format.words($._config.staleMargin) + ' periods ago{{ if $labels.code }}, and fail with {{ $labels.code }}, which fails many spaces (CAMSCollectorManySpacesFailing){{ end }}: their {{ $labels.collector }} metrics are that old. /status names them.',
            },
          },
        ],
      },
    ],
  },
}
