// The Freshness and refreshes row.
function(g)
  // The age of the data CAMSSpaceDataStale pages for, at the exporter's
  // default --refresh.interval.
  local staleSeconds = g.config.staleMargin * g.format.seconds(g.config.exporterRefreshInterval);
  [
    g.row(19, 'Freshness and refreshes', 76),
    g.timeseries(
      id=20,
      title='Data age by space (10 stalest)',
      description='Seconds since the last successful refresh (now minus `cams_space_last_success_timestamp_seconds`) of the 10 spaces whose data is oldest at the end of the time range (`bottomk(10, ...)` of the timestamps at `end()`). It grows while a space keeps failing; the red line is ' + g.format.text('%ds' % staleSeconds) + ', ' + g.format.words(g.config.staleMargin) + ' default refresh periods. A space that never succeeded has no line: see *Spaces failing* and *Spaces by data age*. Choose spaces in the space variable to see theirs (at most 10).',
      gridPos={ h: 8, w: 12, x: 0, y: 77 },
      unit='s',
      targets=[
        g.query('A', |||-
          max by (space) (time() - cams_space_last_success_timestamp_seconds{%(jis)s})
          and on (space)
          bottomk(10, min by (space) (cams_space_last_success_timestamp_seconds{%(jis)s} @ end()))
        |||, 'space="{{space}}"'),
      ],
    ) + {
      fieldConfig+: {
        defaults+: {
          custom+: {
            fillOpacity: 0,
            thresholdsStyle+: {
              mode: 'line',
            },
          },
          thresholds+: {
            steps: [{ color: 'green', value: null }, { color: 'red', value: staleSeconds }],
          },
        },
      },
    },
    g.table(
      id=34,
      title='Stalest spaces',
      description='The 20 spaces whose data is oldest now (now minus `cams_space_last_success_timestamp_seconds`), oldest first, failing or not: a space refreshed late because the pass is longer than the interval shows here too.',
      gridPos={ h: 8, w: 12, x: 12, y: 77 },
      unit='s',
      transformations=[
        {
          id: 'organize',
          options: {
            excludeByName: { Time: true, __name__: true },
            indexByName: {},
            renameByName: { Value: 'Data age' },
          },
        },
      ],
      targets=[
        g.query('A', 'sort_desc(topk(20, max by (space) (time() - cams_space_last_success_timestamp_seconds{%(jis)s})))', '', instant=true, format='table'),
      ],
    ) + {
      fieldConfig+: {
        defaults+: {
          mappings: [],
        },
      },
      options+: {
        sortBy: [{ displayName: 'Data age', desc: true }],
      },
    },
    g.timeseries(
      id=22,
      title='Refresh duration',
      description='Duration of the last complete background pass over every space (`cams_refresh_duration_seconds`), paging and limiter waits included. Above `--refresh.interval`, spaces are refreshed back to back and their data is older than the interval; compare with *Expected pass duration*.',
      gridPos={ h: 8, w: 8, x: 0, y: 85 },
      unit='s',
      targets=[
        g.query('A', 'cams_refresh_duration_seconds{%(ji)s}', '{{instance}}'),
      ],
    ),
    g.timeseries(
      id=26,
      title='Expected pass duration',
      description='How long a pass over every space takes at the configured API rate: calls per pass (from the last known flow counts, one page for a space not listed yet) / `--cams.rate-limit` (`cams_refresh_expected_duration_seconds`), beside the configured `--refresh.interval` (`cams_refresh_interval_seconds`). When the pass is longer, the interval is out of reach: spaces are refreshed back to back, the stalest first, and their data gets as old as a pass (alert `CAMSRefreshIntervalOutOfReach`, info). The staleness alerts scale with the longer of the two.',
      gridPos={ h: 8, w: 8, x: 8, y: 85 },
      unit='s',
      targets=[
        g.query('A', 'cams_refresh_expected_duration_seconds{%(ji)s}', 'expected pass {{instance}}'),
        g.query('B', 'cams_refresh_interval_seconds{%(ji)s}', 'interval {{instance}}'),
      ],
    ) + {
      options+: {
        legend+: {
          calcs: ['lastNotNull'],
        },
      },
    },
    g.timeseries(
      id=23,
      title='Refresh failure rate',
      description='Background refreshes per hour (`cams_refreshes_total`) and those in which any space failed (`cams_refresh_failures_total`), from their rates over `$__rate_interval`.',
      gridPos={ h: 8, w: 8, x: 16, y: 85 },
      unit='suffix:/h',
      targets=[
        g.query('A', 'sum(rate(cams_refresh_failures_total{%(ji)s}[$__rate_interval])) * 3600', 'failed refreshes'),
        g.query('B', 'sum(rate(cams_refreshes_total{%(ji)s}[$__rate_interval])) * 3600', 'all refreshes'),
      ],
    ) + {
      fieldConfig+: {
        defaults+: {
          custom+: {
            fillOpacity: 0,
          },
        },
      },
      options+: {
        legend+: {
          calcs: [],
          displayMode: 'list',
        },
      },
    },
  ]
