// The Overview row.
function(g) [
  g.row(1, 'Overview', 0),
  g.stat(
    id=2,
    title='Exporter up',
    description="Whether Prometheus could scrape the exporter (Prometheus' own `up` series for the selected job and instances). DOWN means no CAMS metric below is current.",
    gridPos={ h: 4, w: 3, x: 0, y: 1 },
    targets=[
      g.query('A', 'up{%(ji)s}', '{{instance}}'),
    ],
  ) + {
    fieldConfig+: {
      defaults+: {
        thresholds+: {
          steps: [{ color: 'red', value: null }, { color: 'green', value: 1 }],
        },
        mappings: [
          {
            type: 'value',
            options: {
              '0': { color: 'red', index: 0, text: 'DOWN' },
              '1': { color: 'green', index: 1, text: 'UP' },
            },
          },
        ],
      },
    },
    options+: {
      colorMode: 'background',
    },
  },
  g.stat(
    id=3,
    title='CAMS up',
    description="`cams_up`: 1 when at least one space has been listed and the last listing of every space listed so far succeeded, 0 when any failed. Spaces still waiting for their first listing (pending) do not count, so a large account is UP from its first listing on. The exporter keeps serving a failed space's last good data; see *Spaces failing* for which one.",
    gridPos={ h: 4, w: 3, x: 3, y: 1 },
    targets=[
      g.query('A', 'cams_up{%(ji)s}', '{{instance}}'),
    ],
  ) + {
    fieldConfig+: {
      defaults+: {
        thresholds+: {
          steps: [{ color: 'red', value: null }, { color: 'green', value: 1 }],
        },
        mappings: [
          {
            type: 'value',
            options: {
              '0': { color: 'red', index: 0, text: 'DOWN' },
              '1': { color: 'green', index: 1, text: 'UP' },
            },
          },
        ],
      },
    },
    options+: {
      colorMode: 'background',
    },
  },
  g.stat(
    id=4,
    title='Spaces',
    description="Watched spaces in every state (`cams_spaces`: pending, up and down; the account's own space counts too). Not filtered by the space variable: the count comes from the exporter.",
    gridPos={ h: 4, w: 3, x: 6, y: 1 },
    targets=[
      g.query('A', 'sum(cams_spaces{%(ji)s})', 'spaces'),
    ],
  ) + {
    fieldConfig+: {
      defaults+: {
        mappings: [],
      },
    },
  },
  g.stat(
    id=27,
    title='Spaces pending',
    description='Spaces not listed yet in this run and not restored from the cache (`cams_spaces{state="pending"}`): they export no series yet. After a start without a cache every space is pending and they are listed 4 a second at the default rate (10,000 spaces take about 42 minutes); with `--cache.file` only the spaces missing from it are. Pending spaces neither count as down nor hold back `cams_up` or /readyz.',
    gridPos={ h: 4, w: 3, x: 9, y: 1 },
    targets=[
      g.query('A', 'sum(cams_spaces{%(ji)s,state="pending"})', 'pending'),
    ],
  ) + {
    fieldConfig+: {
      defaults+: {
        mappings: [],
      },
    },
  },
  g.stat(
    id=5,
    title='Spaces down',
    description='Spaces whose last listing failed (`cams_spaces{state="down"}`). Their flow counts are the last good data, possibly stale; *Spaces failing* names them.',
    gridPos={ h: 4, w: 3, x: 12, y: 1 },
    targets=[
      g.query('A', 'sum(cams_spaces{%(ji)s,state="down"})', 'down'),
    ],
  ) + {
    fieldConfig+: {
      defaults+: {
        thresholds+: {
          steps: [{ color: 'green', value: null }, { color: 'red', value: 1 }],
        },
        mappings: [],
      },
    },
    options+: {
      colorMode: 'background',
    },
  },
  g.stat(
    id=6,
    title='Total flows',
    description='Sum of `cams_flows` over the selected spaces: every Flow CAMS ListFlow returned at the last successful refresh of each space.',
    gridPos={ h: 4, w: 4, x: 15, y: 1 },
    targets=[
      g.query('A', 'sum(cams_flows{%(jis)s})', 'flows'),
    ],
  ) + {
    fieldConfig+: {
      defaults+: {
        mappings: [],
      },
    },
  },
  g.stat(
    id=7,
    title='Oldest data',
    description="Age of the stalest space's data: now minus the oldest `cams_space_last_success_timestamp_seconds`. A healthy space's data is up to one refresh period old: the longer of `--refresh.interval` and the expected pass (see *Expected pass duration*; about 42 minutes for 10,000 spaces at 4 calls/s). `CAMSSpaceDataStale` fires at " + g.format.words(g.config.staleMargin) + ' periods.',
    gridPos={ h: 4, w: 5, x: 19, y: 1 },
    unit='s',
    targets=[
      g.query('A', 'max(time() - cams_space_last_success_timestamp_seconds{%(jis)s})', 'oldest'),
    ],
  ) + {
    fieldConfig+: {
      defaults+: {
        mappings: [],
        decimals: 0,
      },
    },
    options+: {
      colorMode: 'background',
    },
  },
]
