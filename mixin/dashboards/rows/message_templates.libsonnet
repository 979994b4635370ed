// The Message templates row.
function(g) [
  g.row(80, 'Message templates', 50, panels=[
    g.stat(
      id=81,
      title='Message templates',
      description='Message templates of the spaces (`cams_templates`, with `--collector.templates`), those Meta paused (3 hours the first time, 6 the second) or disabled (paused a third time) for their quality, and those whose review failed: none of these can be sent, and every message using them outside the 24-hour window fails. *Spaces without a usable template* have templates and none in audit status pass (every one paused, disabled, failed or still in review, at least one of the first three): they cannot start a conversation (`CAMSTemplatesAllUnusable`).',
      gridPos={ h: 4, w: 24, x: 0, y: 51 },
      targets=[
        g.query('A', 'sum(max by (space, audit_status) (cams_templates{%(jis)s}))', 'templates'),
        g.query('B', 'sum(max by (space, audit_status) (cams_templates{%(jis)s,audit_status="paused"})) or vector(0)', 'paused'),
        g.query('C', 'sum(max by (space, audit_status) (cams_templates{%(jis)s,audit_status="disabled"})) or vector(0)', 'disabled'),
        g.query('D', 'sum(max by (space, audit_status) (cams_templates{%(jis)s,audit_status="fail"})) or vector(0)', 'failed review'),
        g.query('E', 'count(max by (space) ((sum by (job, instance, space) (cams_templates{%(jis)s,audit_status=~"fail|paused|disabled|auditing|unaudit"}) == on (job, instance, space) sum by (job, instance, space) (cams_templates{%(jis)s})) and on (job, instance, space) (sum by (job, instance, space) (cams_templates{%(jis)s,audit_status=~"fail|paused|disabled"}) > 0))) or vector(0)', 'spaces without a usable template'),
      ],
    ) + {
      fieldConfig+: {
        defaults+: {
          mappings: [],
        },
      },
    },
    g.timeseries(
      id=82,
      title='Templates by audit status',
      description='Templates of the spaces by audit status over time (`cams_templates`), summed over the spaces chosen: pass (approved: the only status that can be sent), auditing and unaudit (not reviewed yet), fail (review failed), paused, disabled; a status CAMS adds later appears under its own name.',
      gridPos={ h: 8, w: 8, x: 0, y: 55 },
      targets=[
        g.query('A', 'sum by (audit_status) (max by (space, audit_status) (cams_templates{%(jis)s}))', '{{audit_status}}'),
      ],
    ),
    g.timeseries(
      id=83,
      title='Templates by category',
      description='Templates of the spaces by category over time (`cams_templates_by_category`): MARKETING, UTILITY, AUTHENTICATION; Meta prices and reviews each category differently.',
      gridPos={ h: 8, w: 8, x: 8, y: 55 },
      targets=[
        g.query('A', 'sum by (category) (max by (space, category) (cams_templates_by_category{%(jis)s}))', '{{category}}'),
      ],
    ),
    g.timeseries(
      id=84,
      title='Template status changes',
      description="Templates moved into paused or disabled per interval (`increase` of `cams_template_status_changes_total`): each listing counts the templates in that status that were not in it at the space's listing before, so a pause that ends before the next listing still shows here. A rise in many spaces at once is a wave of Meta's decisions (`CAMSTemplateProblemsInManySpaces`).",
      gridPos={ h: 8, w: 8, x: 16, y: 55 },
      targets=[
        g.query('A', 'sum by (audit_status) (increase(cams_template_status_changes_total{%(jis)s}[$__rate_interval]))', 'moved to {{audit_status}}'),
      ],
    ),
    g.table(
      id=85,
      title='Spaces with problem templates',
      description="Up to 20 spaces with the most templates that cannot be sent (paused, disabled or failed review, from `cams_templates`), most first, with each count and the space's templates. *Message templates* counts them all; `/status` names the templates and Meta's reason. Empty when no template has a problem.",
      gridPos={ h: 9, w: 14, x: 0, y: 63 },
      transformations=[
        { id: 'merge', options: {} },
        {
          id: 'organize',
          options: {
            excludeByName: { Time: true, __name__: true },
            indexByName: { space: 0, 'Value #A': 1, 'Value #B': 2, 'Value #C': 3, 'Value #D': 4, 'Value #E': 5 },
            renameByName: {
              'Value #A': 'Cannot be sent',
              'Value #B': 'Paused',
              'Value #C': 'Disabled',
              'Value #D': 'Failed review',
              'Value #E': 'Templates',
            },
          },
        },
      ],
      targets=[
        g.query('A', 'sort_desc(topk(20, sum by (space) (max by (space, audit_status) (cams_templates{%(jis)s,audit_status=~"fail|paused|disabled"})) > 0))', '', instant=true, format='table'),
        g.query('B', |||-
          max by (space) (cams_templates{%(jis)s,audit_status="paused"})
          and on (space)
          topk(20, sum by (space) (max by (space, audit_status) (cams_templates{%(jis)s,audit_status=~"fail|paused|disabled"})) > 0)
        |||, '', instant=true, format='table'),
        g.query('C', |||-
          max by (space) (cams_templates{%(jis)s,audit_status="disabled"})
          and on (space)
          topk(20, sum by (space) (max by (space, audit_status) (cams_templates{%(jis)s,audit_status=~"fail|paused|disabled"})) > 0)
        |||, '', instant=true, format='table'),
        g.query('D', |||-
          max by (space) (cams_templates{%(jis)s,audit_status="fail"})
          and on (space)
          topk(20, sum by (space) (max by (space, audit_status) (cams_templates{%(jis)s,audit_status=~"fail|paused|disabled"})) > 0)
        |||, '', instant=true, format='table'),
        g.query('E', |||-
          sum by (space) (max by (space, audit_status) (cams_templates{%(jis)s}))
          and on (space)
          topk(20, sum by (space) (max by (space, audit_status) (cams_templates{%(jis)s,audit_status=~"fail|paused|disabled"})) > 0)
        |||, '', instant=true, format='table'),
      ],
    ) + {
      fieldConfig+: {
        defaults+: {
          mappings: [],
        },
      },
      options+: {
        sortBy: [{ displayName: 'Cannot be sent', desc: true }],
      },
    },
    g.table(
      id=86,
      title='Spaces most paused or disabled',
      description="The 10 spaces with the most templates moved into paused or disabled over the dashboard's time range (`increase` of `cams_template_status_changes_total` over `$__range`), most first: a template paused again and again is disabled the third time. Empty when none was.",
      gridPos={ h: 9, w: 10, x: 14, y: 63 },
      transformations=[
        {
          id: 'organize',
          options: {
            excludeByName: { Time: true, __name__: true },
            indexByName: {},
            renameByName: { Value: 'Paused or disabled' },
          },
        },
      ],
      targets=[
        g.query('A', 'sort_desc(topk(10, sum by (space) (increase(cams_template_status_changes_total{%(jis)s}[$__range])) > 0))', '', instant=true, format='table'),
      ],
    ) + {
      fieldConfig+: {
        defaults+: {
          mappings: [],
        },
      },
      options+: {
        sortBy: [{ displayName: 'Paused or disabled', desc: true }],
      },
    },
    g.bargauge(
      id=87,
      title='Template collection',
      description='The templates collector\'s spaces (`cams_collector_space_up` and `cams_collector_space_last_success_timestamp_seconds` with collector="templates"): listed and up, failing (their series keep the last listing), with data older than ' + g.format.words(g.config.staleMargin) + ' collection periods (the longer of `--templates.interval` and the expected pass: `CAMSCollectorDataStale` fires for them), and never listed successfully. Spaces not listed yet are in *Collector spaces by state*.',
      gridPos={ h: 8, w: 10, x: 0, y: 72 },
      targets=[
        g.query('A', 'count(max by (space) (cams_collector_space_up{%(jis)s,collector="templates"}) == 1) or vector(0)', 'up', instant=true),
        g.query('B', 'count(max by (space) (cams_collector_space_up{%(jis)s,collector="templates"}) == 0) or vector(0)', 'failing', instant=true),
        g.query('C', 'count(max by (space) ((time() - cams_collector_space_last_success_timestamp_seconds{%(jis)s,collector="templates"}) / on (job, instance) group_left () max by (job, instance) (cams_collector_interval_seconds{%(ji)s,collector="templates"} >= on (job, instance) cams_collector_expected_duration_seconds{%(ji)s,collector="templates"} or on (job, instance) cams_collector_expected_duration_seconds{%(ji)s,collector="templates"})) > %(staleMargin)s) or vector(0)', 'data older than %s periods' % g.vars.staleMargin, instant=true),
        g.query('D', 'count(max by (space) (cams_collector_space_up{%(jis)s,collector="templates"} == 0 unless on (job, instance, space) cams_collector_space_last_success_timestamp_seconds{%(jis)s,collector="templates"})) or vector(0)', 'no data', instant=true),
      ],
    ),
  ]),
]
