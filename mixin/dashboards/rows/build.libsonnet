// The Build row.
function(g) [
  g.row(24, 'Build', 94),
  g.table(
    id=25,
    title='Build info',
    description='Version, revision, branch and Go version of each exporter instance (`cams_exporter_build_info`).',
    gridPos={ h: 5, w: 24, x: 0, y: 95 },
    transformations=[
      {
        id: 'organize',
        options: {
          excludeByName: { Time: true, Value: true, __name__: true },
          indexByName: {},
          renameByName: {},
        },
      },
    ],
    targets=[
      g.query('A', 'cams_exporter_build_info{%(ji)s}', '', instant=true, format='table'),
    ],
  ) + {
    fieldConfig+: {
      defaults+: {
        mappings: [],
      },
    },
    options+: {
      sortBy: [],
    },
  },
]
