// The Collectors: phone numbers, WABA, messaging health, templates row.
function(g) [
  g.row(70, 'Collectors: phone numbers, WABA, messaging health, templates', 93, panels=[
    g.timeseries(
      id=71,
      title='Collector spaces by state',
      description='Watched spaces by state for each collector turned on (`cams_collector_spaces`): up (its last call for the space succeeded), down (it failed) and pending (not called yet, or nothing to ask: messaging health has nothing to ask of a space without a WABA). Not filtered by the space variable.',
      gridPos={ h: 8, w: 8, x: 0, y: 94 },
      targets=[
        g.query('A', 'sum by (collector, state) (cams_collector_spaces{%(ji)s})', '{{collector}} {{state}}'),
      ],
    ),
    g.timeseries(
      id=72,
      title='Failing collector spaces by code',
      description="How many spaces each collector fails for, by error code (`cams_collector_space_error_info`): Ram.PermissionDeny means the RAM policy lacks the collector's `cams:<Operation>` action. *Collector spaces failing* names them.",
      gridPos={ h: 8, w: 8, x: 8, y: 94 },
      targets=[
        g.query('A', 'count by (collector, code) (max by (collector, space, code) (cams_collector_space_error_info{%(jis)s}))', '{{collector}} {{code}}'),
      ],
    ),
    g.table(
      id=73,
      title='Collector spaces failing',
      description='Up to 20 failing spaces of the collectors (`cams_collector_space_error_info`) whose data is oldest, with the collector, the code of the last error and the data age; "never" for a space never answered. The series keep the last successful answer meanwhile.',
      gridPos={ h: 8, w: 8, x: 16, y: 94 },
      unit='s',
      transformations=[
        {
          id: 'organize',
          options: {
            excludeByName: { Time: true, __name__: true },
            indexByName: { collector: 0, space: 1, code: 2, Value: 3 },
            renameByName: { Value: 'Data age' },
          },
        },
      ],
      targets=[
        g.query('A', |||-
          sort_desc(topk(20, max by (collector, space, code) (
            (time() - cams_collector_space_last_success_timestamp_seconds{%(jis)s})
              * on (job, instance, collector, space) group_left (code) cams_collector_space_error_info{%(jis)s}
            or on (job, instance, collector, space)
            cams_collector_space_error_info{%(jis)s} * Inf
          )))
        |||, '', instant=true, format='table'),
      ],
    ) + {
      fieldConfig+: {
        defaults+: {
          mappings: [
            {
              type: 'range',
              options: { from: 1e15, result: { text: 'never', color: 'red', index: 0 } },
            },
          ],
        },
      },
      options+: {
        sortBy: [{ displayName: 'Data age', desc: true }],
      },
    },
    g.bargauge(
      id=74,
      title='Collector data age',
      description='How many spaces each collector has data of each age, in its refresh periods (the longer of `--<collector>.interval` and its expected pass; messaging health\'s is the WABA interval), from `cams_collector_space_last_success_timestamp_seconds`; "no data" counts the failing spaces never answered. A collector without spaces in a bucket has no bar there.',
      gridPos={ h: 10, w: 8, x: 0, y: 102 },
      targets=[
        g.query('A', 'count by (collector) (max by (collector, space) ((time() - cams_collector_space_last_success_timestamp_seconds{%(jis)s}) / on (job, instance, collector) group_left () max by (job, instance, collector) (cams_collector_interval_seconds{%(ji)s} >= on (job, instance, collector) cams_collector_expected_duration_seconds{%(ji)s} or on (job, instance, collector) cams_collector_expected_duration_seconds{%(ji)s})) <= 1)', '{{collector}} ≤ 1 period', instant=true),
        g.query('B', 'count by (collector) (max by (collector, space) ((time() - cams_collector_space_last_success_timestamp_seconds{%(jis)s}) / on (job, instance, collector) group_left () max by (job, instance, collector) (cams_collector_interval_seconds{%(ji)s} >= on (job, instance, collector) cams_collector_expected_duration_seconds{%(ji)s} or on (job, instance, collector) cams_collector_expected_duration_seconds{%(ji)s})) > 1 <= 2)', '{{collector}} 1–2 periods', instant=true),
        g.query('C', 'count by (collector) (max by (collector, space) ((time() - cams_collector_space_last_success_timestamp_seconds{%(jis)s}) / on (job, instance, collector) group_left () max by (job, instance, collector) (cams_collector_interval_seconds{%(ji)s} >= on (job, instance, collector) cams_collector_expected_duration_seconds{%(ji)s} or on (job, instance, collector) cams_collector_expected_duration_seconds{%(ji)s})) > 2 <= 3)', '{{collector}} 2–3 periods', instant=true),
        g.query('D', 'count by (collector) (max by (collector, space) ((time() - cams_collector_space_last_success_timestamp_seconds{%(jis)s}) / on (job, instance, collector) group_left () max by (job, instance, collector) (cams_collector_interval_seconds{%(ji)s} >= on (job, instance, collector) cams_collector_expected_duration_seconds{%(ji)s} or on (job, instance, collector) cams_collector_expected_duration_seconds{%(ji)s})) > 3 <= 10)', '{{collector}} 3–10 periods (stale)', instant=true),
        g.query('E', 'count by (collector) (max by (collector, space) ((time() - cams_collector_space_last_success_timestamp_seconds{%(jis)s}) / on (job, instance, collector) group_left () max by (job, instance, collector) (cams_collector_interval_seconds{%(ji)s} >= on (job, instance, collector) cams_collector_expected_duration_seconds{%(ji)s} or on (job, instance, collector) cams_collector_expected_duration_seconds{%(ji)s})) > 10)', '{{collector}} > 10 periods', instant=true),
        g.query('F', 'count by (collector) (max by (collector, space) (cams_collector_space_up{%(jis)s} == 0 unless on (job, instance, collector, space) cams_collector_space_last_success_timestamp_seconds{%(jis)s}))', '{{collector}} no data', instant=true),
      ],
    ),
    g.timeseries(
      id=75,
      title='Collector pass and interval',
      description="Each collector's expected pass at its configured rate (`cams_collector_expected_duration_seconds`) beside its interval (`cams_collector_interval_seconds`): above the interval, calls are made back to back, the stalest first, and the data gets as old as a pass.",
      gridPos={ h: 10, w: 8, x: 8, y: 102 },
      unit='s',
      targets=[
        g.query('A', 'cams_collector_expected_duration_seconds{%(ji)s}', 'expected pass {{collector}} {{instance}}'),
        g.query('B', 'cams_collector_interval_seconds{%(ji)s}', 'interval {{collector}} {{instance}}'),
      ],
    ),
    g.timeseries(
      id=76,
      title='Collector limiter rates',
      description="Each collector's own limiter's current rate (`cams_collector_rate_limit_requests_per_second`: 80% of the operation's documented QPS by default, halved when the API throttles it, climbing back as calls succeed) and the throttled attempts of its operation (`cams_api_errors_total` with System.LimitControl or Throttling.*). A collector throttled never slows another.",
      gridPos={ h: 10, w: 8, x: 16, y: 102 },
      unit='reqps',
      targets=[
        g.query('A', 'cams_collector_rate_limit_requests_per_second{%(ji)s}', '{{collector}} limiter {{instance}}'),
        g.query('B', 'sum by (operation) (rate(cams_api_errors_total{%(ji)s,operation=~"QueryChatappPhoneNumbers|QueryChatappBindWaba|GetWhatsappHealthStatus|ListChatappTemplate",code=~"System.LimitControl|Throttling.*"}[$__rate_interval]))', '{{operation}} throttled'),
      ],
    ),
  ]),
]
