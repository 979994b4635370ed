// The Space health row.
function(g) [
  g.row(30, 'Space health', 5),
  g.timeseries(
    id=31,
    title='Spaces by state',
    description='Watched spaces by state over time (`cams_spaces`): up, down (the last listing failed) and pending (not listed yet, nothing cached). Three lines at any number of spaces; not filtered by the space variable.',
    gridPos={ h: 8, w: 6, x: 0, y: 6 },
    targets=[
      g.query('A', 'sum by (state) (cams_spaces{%(ji)s})', '{{state}}'),
    ],
  ),
  g.timeseries(
    id=32,
    title='Failing spaces by code',
    description='How many spaces fail, by the code of their last error (`count by (code)` of `cams_space_error_info`, one series per failing space): a storm of one code (a RAM policy edit, an unpaid subscription) shows as one line jumping. No data while every selected space is up. *Spaces failing* names the stalest of them.',
    gridPos={ h: 8, w: 8, x: 6, y: 6 },
    targets=[
      g.query('A', 'count by (code) (max by (space, code) (cams_space_error_info{%(jis)s}))', '{{code}}'),
    ],
  ),
  g.table(
    id=21,
    title='Spaces failing',
    description='The 20 failing spaces (`cams_space_error_info`: the last refresh failed) whose data is oldest, with the code of their last error and their data age; "never" for a space that has no data (never listed successfully). *Failing spaces by code* counts them all. The message and RequestId are on the exporter\'s /status page and in its log. Empty when every space is up.',
    gridPos={ h: 8, w: 10, x: 14, y: 6 },
    unit='s',
    transformations=[
      {
        id: 'organize',
        options: {
          excludeByName: { Time: true, __name__: true },
          indexByName: { space: 0, code: 1, Value: 2 },
          renameByName: { Value: 'Data age' },
        },
      },
    ],
    targets=[
      g.query('A', |||-
        sort_desc(topk(20, max by (space, code) (
          (time() - cams_space_last_success_timestamp_seconds{%(jis)s})
            * on (job, instance, space) group_left (code) cams_space_error_info{%(jis)s}
          or on (job, instance, space)
          cams_space_error_info{%(jis)s} * Inf
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
    id=36,
    title='Spaces by data age',
    description='How many spaces have data of each age, in refresh periods (the longer of `--refresh.interval` and the expected pass, per exporter): a healthy space is within one period; `CAMSSpaceDataStale` fires past ' + g.format.words(g.config.staleMargin) + '. "no data" counts the failing spaces never listed successfully. Look here for outliers, then at *Data age by space* and *Spaces failing*.',
    gridPos={ h: 8, w: 8, x: 0, y: 14 },
    targets=[
      g.query('A', 'count(max by (space) ((time() - cams_space_last_success_timestamp_seconds{%(jis)s}) / on (job, instance) group_left () max by (job, instance) (cams_refresh_interval_seconds{%(ji)s} >= on (job, instance) cams_refresh_expected_duration_seconds{%(ji)s} or on (job, instance) cams_refresh_expected_duration_seconds{%(ji)s})) <= 1) or vector(0)', '≤ 1 period', instant=true),
      g.query('B', 'count(max by (space) ((time() - cams_space_last_success_timestamp_seconds{%(jis)s}) / on (job, instance) group_left () max by (job, instance) (cams_refresh_interval_seconds{%(ji)s} >= on (job, instance) cams_refresh_expected_duration_seconds{%(ji)s} or on (job, instance) cams_refresh_expected_duration_seconds{%(ji)s})) > 1 <= 2) or vector(0)', '1–2 periods', instant=true),
      g.query('C', 'count(max by (space) ((time() - cams_space_last_success_timestamp_seconds{%(jis)s}) / on (job, instance) group_left () max by (job, instance) (cams_refresh_interval_seconds{%(ji)s} >= on (job, instance) cams_refresh_expected_duration_seconds{%(ji)s} or on (job, instance) cams_refresh_expected_duration_seconds{%(ji)s})) > 2 <= 3) or vector(0)', '2–3 periods', instant=true),
      g.query('D', 'count(max by (space) ((time() - cams_space_last_success_timestamp_seconds{%(jis)s}) / on (job, instance) group_left () max by (job, instance) (cams_refresh_interval_seconds{%(ji)s} >= on (job, instance) cams_refresh_expected_duration_seconds{%(ji)s} or on (job, instance) cams_refresh_expected_duration_seconds{%(ji)s})) > 3 <= 10) or vector(0)', '3–10 periods (stale)', instant=true),
      g.query('E', 'count(max by (space) ((time() - cams_space_last_success_timestamp_seconds{%(jis)s}) / on (job, instance) group_left () max by (job, instance) (cams_refresh_interval_seconds{%(ji)s} >= on (job, instance) cams_refresh_expected_duration_seconds{%(ji)s} or on (job, instance) cams_refresh_expected_duration_seconds{%(ji)s})) > 10) or vector(0)', '> 10 periods', instant=true),
      g.query('F', 'count(max by (space) (cams_space_up{%(jis)s} == 0 unless on (job, instance, space) cams_space_last_success_timestamp_seconds{%(jis)s})) or vector(0)', 'no data', instant=true),
    ],
  ),
  g.bargauge(
    id=37,
    title='Spaces by flow count',
    description='How many spaces have 0, 1–10, 11–50, 51–100, 101–500 and more than 500 flows (`cams_flows`): the shape of the account at any number of spaces. *Largest spaces* names the biggest.',
    gridPos={ h: 8, w: 8, x: 8, y: 14 },
    targets=[
      g.query('A', 'count(max by (space) (cams_flows{%(jis)s}) == 0) or vector(0)', '0 flows', instant=true),
      g.query('B', 'count(max by (space) (cams_flows{%(jis)s}) > 0 <= 10) or vector(0)', '1–10', instant=true),
      g.query('C', 'count(max by (space) (cams_flows{%(jis)s}) > 10 <= 50) or vector(0)', '11–50', instant=true),
      g.query('D', 'count(max by (space) (cams_flows{%(jis)s}) > 50 <= 100) or vector(0)', '51–100', instant=true),
      g.query('E', 'count(max by (space) (cams_flows{%(jis)s}) > 100 <= 500) or vector(0)', '101–500', instant=true),
      g.query('F', 'count(max by (space) (cams_flows{%(jis)s}) > 500) or vector(0)', '> 500', instant=true),
    ],
  ),
  g.table(
    id=35,
    title='Most changed spaces',
    description="The 10 spaces with the most flows added and removed over the dashboard's time range (`increase` of `cams_flow_changes_total` over `$__range`), most first.",
    gridPos={ h: 8, w: 8, x: 16, y: 14 },
    transformations=[
      {
        id: 'organize',
        options: {
          excludeByName: { Time: true, __name__: true },
          indexByName: {},
          renameByName: { Value: 'Flows changed' },
        },
      },
    ],
    targets=[
      g.query('A', 'sort_desc(topk(10, sum by (space) (increase(cams_flow_changes_total{%(jis)s}[$__range]))))', '', instant=true, format='table'),
    ],
  ) + {
    fieldConfig+: {
      defaults+: {
        mappings: [],
      },
    },
    options+: {
      sortBy: [{ displayName: 'Flows changed', desc: true }],
    },
  },
]
