// The CAMS API: recording rules first (rules of a group are evaluated in
// order, so the alerts below see this evaluation's values), then alerts.
local format = import '../lib/format.libsonnet';

{
  local c = format.promql($._config) + (import '../lib/codes.libsonnet'),

  prometheusAlerts+:: {
    groups+: [
      {
        name: 'cams_exporter.api',
        rules: [
          {
            record: 'cams:api_requests:rate' + $._config.apiWindow,
            expr: 'sum by (job, instance, operation) (rate(cams_api_requests_total{%(camsExporterSelector)s}[%(apiWindow)s]))' % c,
          },
          {
            record: 'cams:api_errors:rate' + $._config.apiWindow,
            expr: 'sum by (job, instance, operation, code) (rate(cams_api_errors_total{%(camsExporterSelector)s}[%(apiWindow)s]))' % c,
          },
          // Failed listing calls in the last 15 minutes by code. increase()
          // cannot see the first failure of a code whose series appears with it
          // (the four documented CAMS codes start at 0, the others do not, and
          // Prometheus may first scrape after the first failure), so a series
          // that did not exist 15 minutes ago counts with its whole value.
          // GetFlow's errors (--collector.flow-status) are left out: they never
          // take a space down (a flow deleted between its listing and its check
          // answers Unknown.ResourceOwnerId); see CAMSFlowStatusPermissionDenied.
          {
            record: 'cams:api_errors:increase' + $._config.apiWindow,
            expr: |||
              sum by (job, instance, code) (
                  (cams_api_errors_total{%(camsExporterSelector)s, operation!="GetFlow"} unless cams_api_errors_total{%(camsExporterSelector)s, operation!="GetFlow"} offset %(apiWindow)s)
                or
                  increase(cams_api_errors_total{%(camsExporterSelector)s, operation!="GetFlow"}[%(apiWindow)s])
              )
            ||| % c,
          },
          {
            record: 'cams:api_request_duration_seconds_bucket:rate' + $._config.apiWindow,
            expr: 'sum by (job, instance, operation, le) (rate(cams_api_request_duration_seconds_bucket{%(camsExporterSelector)s}[%(apiWindow)s]))' % c,
          },
          {
            record: 'cams:api_request_duration_seconds:p99_rate' + $._config.apiWindow,
            expr: 'histogram_quantile(0.99, cams:api_request_duration_seconds_bucket:rate%(apiWindow)s{%(camsExporterSelector)s})' % c,
          },
          // The share of the last 2 minutes' ListFlow calls (retries included)
          // that failed, by code: it sees a cause within a minute or two, when
          // the pass has met only a few of the spaces it fails. A code whose
          // series did not exist 2 minutes ago, while the exporter's did, counts
          // with its whole value (it appeared with its first failure, as in
          // cams:api_errors:increase15m); after a gap in the scrapes, when no
          // series existed 2 minutes ago, the whole values are failures of
          // long ago and do not count. increase() handles the counters' reset
          // at a restart. Absent while no call was made (a small account
          // between its passes).
          {
            record: 'cams:api_errors:ratio_rate' + $._config.stormCallsWindow,
            expr: |||
              sum by (job, instance, code) (
                  (
                    (cams_api_errors_total{%(camsExporterSelector)s, operation="ListFlow"} unless cams_api_errors_total{%(camsExporterSelector)s, operation="ListFlow"} offset %(stormCallsWindow)s)
                    and on(job, instance)
                    (cams_api_requests_total{%(camsExporterSelector)s, operation="ListFlow"} offset %(stormCallsWindow)s)
                  )
                or
                  increase(cams_api_errors_total{%(camsExporterSelector)s, operation="ListFlow"}[%(stormCallsWindow)s])
              )
              / on(job, instance) group_left()
              (sum by (job, instance) (increase(cams_api_requests_total{%(camsExporterSelector)s, operation="ListFlow"}[%(stormCallsWindow)s])) > 0)
            ||| % c,
          },
          // The failing spaces by code: cams_space_error_info is 1 for each
          // space whose last refresh failed, labelled with its error's code.
          {
            record: 'cams:space_error_info:count',
            expr: 'count by (job, instance, code) (cams_space_error_info{%(camsExporterSelector)s})' % c,
          },
          // Their share of the spaces watched (pending, up and down).
          {
            record: 'cams:space_error_info:ratio',
            expr: |||
              cams:space_error_info:count{%(camsExporterSelector)s}
              / on(job, instance) group_left()
              sum by (job, instance) (cams_spaces{%(camsExporterSelector)s})
            ||| % c,
          },
          // A storm: at least 10 spaces (stormMinSpaces) fail with one code (1
          // of 3 spaces is no storm), and the code fails more than 0.1 (10%,
          // stormSpacesShare) of the watched spaces, or, for the three codes
          // with a per-space alert, more than 0.1 (stormCallsShare) of the last
          // 2 minutes' (stormCallsWindow) listing calls: a large account's pass
          // meets the spaces of a cause one by one, and the share of the calls
          // passes 10% long before the share of the spaces. Those codes are
          // never retried, so a call is a listing. The other codes have no
          // per-space alert to outrun (their spaces' freshness alerts wait three
          // refresh periods), and a retried code's calls overstate its spaces
          // (4 attempts a listing): a minute of timeouts, which the spaces
          // recover from at their next listing, is no storm. Once
          // CAMSManySpacesFailing fires, the storm lasts while any space fails
          // with the code: in a large account they recover one by one as the
          // pass reaches them, and the last ones must not page on their own
          // (their alerts, muted so far, would page at once). The credentials
          // codes are left out: every space fails with them, and
          // CAMSCredentialsInvalid is their one alert.
          {
            record: 'cams:space_error_info:storm',
            expr: |||
              (
                  cams:space_error_info:count{%(camsExporterSelector)s, code!~"%(credentialsCodes)s"} >= %(stormMinSpaces)s
                and on(job, instance, code)
                  (
                      cams:space_error_info:ratio{%(camsExporterSelector)s} > %(stormSpacesShare)s
                    or on(job, instance, code)
                      cams:api_errors:ratio_rate%(stormCallsWindow)s{%(camsExporterSelector)s, code=~"Ram\\.PermissionDeny|Product\\.Unsubscript|Unknown\\.ResourceOwnerId"} > %(stormCallsShare)s
                  )
              )
              or on(job, instance, code)
              (
                  cams:space_error_info:count{%(camsExporterSelector)s}
                and on(job, instance, code)
                  ALERTS{%(camsExporterSelector)s, alertname="CAMSManySpacesFailing", alertstate="firing"}
              )
            ||| % c,
          },
          // One alert per code instead of one per space. For a code with a
          // per-space alert, it fires at most about 3 minutes after the code's
          // first failing spaces show (2 for the calls' share, 1 for its for:),
          // before their per-space alerts (for: 5m), so that Alertmanager has it
          // when their groups flush.
          {
            alert: 'CAMSManySpacesFailing',
            expr: 'cams:space_error_info:storm{%(camsExporterSelector)s}' % c,
            'for': '1m',
            labels: {
              severity: 'critical',
            },
            annotations: {
              summary: 'Many CAMS spaces fail with the same error code.',
              description: '{{ printf "%.0f" $value }} spaces watched by {{ $labels.instance }} ({{ with printf "cams:space_error_info:ratio{job=%q, instance=%q, code=%q}" $labels.job $labels.instance $labels.code | query }}{{ . | first | value | humanizePercentage }}{{ end }} of them) failed their last refresh with {{ $labels.code }}: one cause. The inhibition rules shipped with the alerts mute their per-space alerts for {{ $labels.code }}; /status?code={{ $labels.code }} lists them.',
            },
          },
          // The per-space error alerts select each space's own code in
          // cams_space_error_info. They carry space, code, job and instance.
          // for: 5m, longer than CAMSManySpacesFailing takes to fire, so that
          // the first spaces of a storm are muted too (see above): an isolated
          // space pages 5 minutes after its failure shows.
          {
            alert: 'CAMSPermissionDenied',
            expr: 'cams_space_error_info{%(camsExporterSelector)s, code="Ram.PermissionDeny"}' % c,
            'for': '5m',
            labels: {
              severity: 'critical',
            },
            annotations: {
              summary: 'CAMS denies the exporter permission to list the flows of a space.',
              description: "{{ if $labels.space }}Space {{ $labels.space }}{{ else }}The account's own space{{ end }} failed its last refresh on {{ $labels.instance }} with Ram.PermissionDeny: the exporter's RAM identity may not call cams:ListFlow.",
            },
          },
          {
            alert: 'CAMSProductNotSubscribed',
            expr: 'cams_space_error_info{%(camsExporterSelector)s, code="Product.Unsubscript"}' % c,
            'for': '5m',
            labels: {
              severity: 'critical',
            },
            annotations: {
              summary: 'The Alibaba Cloud account is not subscribed to CAMS.',
              description: "{{ if $labels.space }}Space {{ $labels.space }}{{ else }}The account's own space{{ end }} failed its last refresh on {{ $labels.instance }} with Product.Unsubscript: the account has no Chat App Message Service subscription.",
            },
          },
          {
            alert: 'CAMSUnknownSpace',
            expr: 'cams_space_error_info{%(camsExporterSelector)s, code="Unknown.ResourceOwnerId"}' % c,
            'for': '5m',
            labels: {
              severity: 'warning',
            },
            annotations: {
              summary: 'A configured CAMS space does not belong to the account.',
              description: "{{ if $labels.space }}Space {{ $labels.space }}{{ else }}The account's own space{{ end }} failed its last refresh on {{ $labels.instance }} with Unknown.ResourceOwnerId: the space id is wrong or belongs to another account.",
            },
          },
          // Credentials are account-wide: one alert per exporter and code, only
          // while refreshes are failing (a rotated STS token that failed once and
          // then worked does not page).
          {
            alert: 'CAMSCredentialsInvalid',
            expr: |||
              (cams:api_errors:increase%(apiWindow)s{%(camsExporterSelector)s, code=~"%(credentialsCodes)s"} > 0)
              and on(job, instance)
              (cams_up{%(camsExporterSelector)s} == 0)
            ||| % c,
            'for': '10m',
            labels: {
              severity: 'critical',
            },
            annotations: {
              summary: "The exporter's Alibaba Cloud credentials are missing or rejected.",
              description: 'Refreshes on {{ $labels.instance }} are failing and {{ printf "%.0f" $value }} calls in ' + format.last($._config.apiWindow) + ' failed with {{ $labels.code }}: the exporter has no valid credentials to sign its calls with.',
            },
          },
          // throttlingRatio, 0.05: more than 5% of the calls throttled. The
          // exporter retries them and slows down, so sustained throttling means
          // another caller shares the account's 5 calls/s.
          {
            alert: 'CAMSThrottling',
            expr: |||
              sum by (job, instance) (cams:api_errors:rate%(apiWindow)s{%(camsExporterSelector)s, code=~"System\\.LimitControl|Throttling\\..+|HTTP_429"})
              /
              sum by (job, instance) (cams:api_requests:rate%(apiWindow)s{%(camsExporterSelector)s})
              > %(throttlingRatio)s
            ||| % c,
            'for': '15m',
            labels: {
              severity: 'warning',
            },
            annotations: {
              summary: "CAMS is throttling the exporter's calls.",
              description: '{{ $value | humanizePercentage }} of the CAMS API calls of {{ $labels.instance }} in ' + format.last($._config.apiWindow) + " were throttled (System.LimitControl, Throttling.*): the account's limit of 5 calls per second is exhausted.",
            },
          },
          // apiErrorsRatio, 0.1: more than 10% of the calls failed with a
          // server, network or response error. These are retried, so data
          // usually still arrives.
          {
            alert: 'CAMSAPIErrorsHigh',
            expr: |||
              sum by (job, instance) (cams:api_errors:rate%(apiWindow)s{%(camsExporterSelector)s, code=~"HTTP_5[0-9][0-9]|InternalError|ServiceUnavailable|Timeout|NetworkError|InvalidResponse"})
              /
              sum by (job, instance) (cams:api_requests:rate%(apiWindow)s{%(camsExporterSelector)s})
              > %(apiErrorsRatio)s
            ||| % c,
            'for': '15m',
            labels: {
              severity: 'warning',
            },
            annotations: {
              summary: 'Many CAMS API calls fail with server, network or response errors.',
              description: '{{ $value | humanizePercentage }} of the CAMS API calls of {{ $labels.instance }} in ' + format.last($._config.apiWindow) + ' failed with a 5xx, a timeout, a network error or an unreadable response.',
            },
          },
          // apiLatencyP99Seconds, 2.5: a p99 above 2.5 s, a quarter of the default
          // --cams.timeout.
          {
            alert: 'CAMSHighAPILatency',
            expr: 'cams:api_request_duration_seconds:p99_rate%(apiWindow)s{%(camsExporterSelector)s} > %(apiLatencyP99Seconds)s' % c,
            'for': '15m',
            labels: {
              severity: 'warning',
            },
            annotations: {
              summary: 'The CAMS API answers slowly.',
              description: 'The 99th percentile latency of {{ $labels.operation }} calls from {{ $labels.instance }} over ' + format.last($._config.apiWindow) + ' is {{ $value | humanizeDuration }}.',
            },
          },
        ],
      },
    ],
  },
}
