// The Flows row.
function(g) [
  g.row(8, 'Flows', 22),
  g.timeseries(
    id=9,
    title='Flows by space (10 largest)',
    description='`cams_flows` of the 10 spaces with the most flows at the end of the time range (`topk(10, ...)` at `end()`), so the lines stay the same 10 spaces across the range and 10,000 spaces draw 10 lines. Choose spaces in the space variable to see theirs (at most 10). Flows listed by CAMS ListFlow at each space\'s last successful refresh; space="" is the account\'s own space. *Spaces by flow count* shows how the others are spread.',
    gridPos={ h: 8, w: 16, x: 0, y: 23 },
    targets=[
      g.query('A', |||-
        sum by (space) (cams_flows{%(jis)s})
        and on (space)
        topk(10, sum by (space) (cams_flows{%(jis)s} @ end()))
      |||, 'space="{{space}}"'),
    ],
  ),
  g.table(
    id=33,
    title='Largest spaces',
    description='The 20 spaces with the most flows now (`topk(20, cams_flows)`), largest first.',
    gridPos={ h: 8, w: 8, x: 16, y: 23 },
    transformations=[
      {
        id: 'organize',
        options: {
          excludeByName: { Time: true, __name__: true },
          indexByName: {},
          renameByName: { Value: 'Flows' },
        },
      },
    ],
    targets=[
      g.query('A', 'sort_desc(topk(20, sum by (space) (cams_flows{%(jis)s})))', '', instant=true, format='table'),
    ],
  ) + {
    fieldConfig+: {
      defaults+: {
        mappings: [],
      },
    },
    options+: {
      sortBy: [{ displayName: 'Flows', desc: true }],
    },
  },
  g.timeseries(
    id=10,
    title='Flows by category',
    description='`cams_flows_by_category` summed over the selected spaces. A Flow can carry several categories, so the lines do not add up to the total.',
    gridPos={ h: 8, w: 16, x: 0, y: 31 },
    targets=[
      g.query('A', 'sum by (category) (cams_flows_by_category{%(jis)s})', '{{category}}'),
    ],
  ),
  g.bargauge(
    id=12,
    title='Flows by category (now)',
    description='Current `cams_flows_by_category` summed over the selected spaces. Categories overlap: a Flow can count in several.',
    gridPos={ h: 8, w: 8, x: 16, y: 31 },
    targets=[
      g.query('A', 'sort_desc(sum by (category) (cams_flows_by_category{%(jis)s}))', '{{category}}', instant=true),
    ],
  ) + {
    options+: {
      displayMode: 'gradient',
    },
  },
  g.timeseries(
    id=11,
    title='Flow changes',
    description="Flows added and removed between refreshes (`increase` of `cams_flow_changes_total` per `$__rate_interval`), summed over the selected spaces: two lines whatever the number of spaces. *Most changed spaces* names the spaces behind them. Values are Prometheus' extrapolated estimates, so they can be fractional.",
    gridPos={ h: 8, w: 8, x: 0, y: 39 },
    targets=[
      g.query('A', 'sum by (change) (increase(cams_flow_changes_total{%(jis)s}[$__rate_interval]))', '{{change}}'),
    ],
  ) + {
    fieldConfig+: {
      defaults+: {
        custom+: {
          drawStyle: 'bars',
          fillOpacity: 80,
          stacking+: {
            mode: 'normal',
          },
        },
      },
    },
    options+: {
      legend+: {
        calcs: ['sum'],
      },
    },
  },
  g.timeseries(
    id=28,
    title='Flows by status',
    description='`cams_flows_by_status` summed over the selected spaces, with `--collector.flow-status` (empty without it): the status GetFlow last answered for each flow. `_unknown` counts the flows whose status is not known yet (not checked since they were listed, or every check failed), so the lines add up to the total. Each flow is checked once per `--flow-status.interval` at most, or once per status pass when that is longer (see Flow status pass).',
    gridPos={ h: 8, w: 8, x: 8, y: 39 },
    targets=[
      g.query('A', 'sum by (status) (cams_flows_by_status{%(jis)s})', '{{status}}'),
    ],
  ) + {
    fieldConfig+: {
      defaults+: {
        custom+: {
          fillOpacity: 30,
          stacking+: {
            mode: 'normal',
          },
        },
      },
    },
  },
  g.timeseries(
    id=29,
    title='Flow status pass',
    description="With `--collector.flow-status`: how long checking every flow's status takes at `--cams.getflow-rate-limit` (one GetFlow call a flow), beside `--flow-status.interval`. When the pass is longer, flows are checked back to back, the stalest first, and each status is as old as a pass: at 10,000 spaces of 50 flows and 4 calls/s, about 35 hours.",
    gridPos={ h: 8, w: 8, x: 16, y: 39 },
    unit='s',
    targets=[
      g.query('A', 'cams_flow_status_expected_duration_seconds{%(ji)s}', 'expected status pass {{instance}}'),
      g.query('B', 'cams_flow_status_interval_seconds{%(ji)s}', '--flow-status.interval {{instance}}'),
    ],
  ) + {
    options+: {
      legend+: {
        calcs: ['lastNotNull'],
      },
    },
  },
]
