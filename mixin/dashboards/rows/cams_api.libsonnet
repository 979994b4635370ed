// The CAMS API row.
function(g) [
  g.row(13, 'CAMS API', 51),
  g.timeseries(
    id=14,
    title='API request rate',
    description="HTTP attempts to the CAMS API per second (`cams_api_requests_total`), by operation, retries included. Each operation has an account-wide limiter of its own: ListFlow's `--cams.rate-limit`, GetFlow's `--cams.getflow-rate-limit`, each collector's `--cams.<collector>-rate-limit` (see *Collector limiter rates*).",
    gridPos={ h: 8, w: 8, x: 0, y: 52 },
    unit='reqps',
    targets=[
      g.query('A', 'sum by (operation) (rate(cams_api_requests_total{%(ji)s}[$__rate_interval]))', '{{operation}}'),
    ],
  ) + {
    options+: {
      legend+: {
        calcs: [],
        displayMode: 'list',
      },
    },
  },
  g.timeseries(
    id=15,
    title='API errors by code',
    description="Failed CAMS API attempts per second by error code (`cams_api_errors_total`): the API's codes (e.g. Ram.PermissionDeny, Product.Unsubscript, System.LimitControl), HTTP_<status>, Timeout, NetworkError, InvalidResponse, Credentials, Other.",
    gridPos={ h: 8, w: 8, x: 8, y: 52 },
    unit='reqps',
    targets=[
      g.query('A', 'sum by (code) (rate(cams_api_errors_total{%(ji)s}[$__rate_interval]))', '{{code}}'),
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
        calcs: [],
        displayMode: 'list',
      },
    },
  },
  g.timeseries(
    id=16,
    title='API error ratio',
    description='Share of CAMS API attempts that failed: rate of `cams_api_errors_total` over rate of `cams_api_requests_total`. Empty when no call was made in the window.',
    gridPos={ h: 8, w: 8, x: 16, y: 52 },
    unit='percentunit',
    targets=[
      g.query('A', 'sum(rate(cams_api_errors_total{%(ji)s}[$__rate_interval])) / sum(rate(cams_api_requests_total{%(ji)s}[$__rate_interval]))', 'errors / attempts'),
    ],
  ) + {
    fieldConfig+: {
      defaults+: {
        custom+: {
          thresholdsStyle+: {
            mode: 'line',
          },
        },
        thresholds+: {
          steps: [{ color: 'green', value: null }, { color: 'red', value: 0.05 }],
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
  g.timeseries(
    id=17,
    title='API latency',
    description='CAMS API attempt latency from the `cams_api_request_duration_seconds` histogram, all operations: p50, p90 and p99 (histogram_quantile over the bucket rates) and the mean. Buckets end at 30s, so a quantile reads at most 30s.',
    gridPos={ h: 8, w: 12, x: 0, y: 60 },
    unit='s',
    targets=[
      g.query('A', 'histogram_quantile(0.5, sum by (le) (rate(cams_api_request_duration_seconds_bucket{%(ji)s}[$__rate_interval])))', 'p50'),
      g.query('B', 'histogram_quantile(0.9, sum by (le) (rate(cams_api_request_duration_seconds_bucket{%(ji)s}[$__rate_interval])))', 'p90'),
      g.query('C', 'histogram_quantile(0.99, sum by (le) (rate(cams_api_request_duration_seconds_bucket{%(ji)s}[$__rate_interval])))', 'p99'),
      g.query('D', 'sum(rate(cams_api_request_duration_seconds_sum{%(ji)s}[$__rate_interval])) / sum(rate(cams_api_request_duration_seconds_count{%(ji)s}[$__rate_interval]))', 'mean'),
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
        calcs: ['mean', 'max'],
      },
    },
  },
  g.timeseries(
    id=18,
    title='Throttling and limiter rate',
    description="Throttled CAMS API attempts per second, all operations (`cams_api_errors_total` with code System.LimitControl or Throttling.*), against ListFlow's limiter's current rate (`cams_api_rate_limit_requests_per_second`). The limiter halves its rate on throttling and climbs back as calls succeed; CAMS allows 5 ListFlow calls per second per account. The collectors' limiters are in *Collector limiter rates*.",
    gridPos={ h: 8, w: 12, x: 12, y: 60 },
    unit='reqps',
    targets=[
      g.query('A', 'sum(rate(cams_api_errors_total{%(ji)s,code=~"System.LimitControl|Throttling.*"}[$__rate_interval]))', 'throttled attempts'),
      g.query('B', 'cams_api_rate_limit_requests_per_second{%(ji)s}', 'limiter rate {{instance}}'),
    ],
  ) + {
    fieldConfig+: {
      defaults+: {
        custom+: {
          fillOpacity: 0,
        },
      },
    },
  },
  g.timeseries(
    id=38,
    title='API errors by operation',
    description="Failed CAMS API attempts per second (`cams_api_errors_total`) by operation: ListFlow, GetFlow, and with their collectors QueryChatappPhoneNumbers, QueryChatappBindWaba and GetWhatsappHealthStatus, each on a limiter of its own. QueryChatappBindWaba's ERR-OPERATION-MAAP-0060 (no WABA) is an answer, not an error.",
    gridPos={ h: 8, w: 12, x: 0, y: 68 },
    unit='reqps',
    targets=[
      g.query('A', 'sum by (operation) (rate(cams_api_errors_total{%(ji)s}[$__rate_interval]))', '{{operation}}'),
    ],
  ) + {
    options+: {
      legend+: {
        calcs: [],
      },
    },
  },
  g.timeseries(
    id=39,
    title='API latency by operation',
    description='Median and 99th percentile latency of CAMS API attempts (`cams_api_request_duration_seconds`) by operation.',
    gridPos={ h: 8, w: 12, x: 12, y: 68 },
    unit='s',
    targets=[
      g.query('A', 'histogram_quantile(0.5, sum by (operation, le) (rate(cams_api_request_duration_seconds_bucket{%(ji)s}[$__rate_interval])))', 'p50 {{operation}}'),
      g.query('B', 'histogram_quantile(0.99, sum by (operation, le) (rate(cams_api_request_duration_seconds_bucket{%(ji)s}[$__rate_interval])))', 'p99 {{operation}}'),
    ],
  ) + {
    options+: {
      legend+: {
        calcs: [],
      },
    },
  },
]
