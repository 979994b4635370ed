// The Messaging health row.
function(g) [
  g.row(60, 'Messaging health', 49, panels=[
    g.timeseries(
      id=61,
      title='Nodes by can_send_message',
      description="WABAs (node waba) and phone numbers (node phone) by whether they can send messages, as Meta's health status says (`cams_messaging_health`, with `--collector.messaging-health`): AVAILABLE, LIMITED (sending limited) or BLOCKED (no sending), the worst of the node's entities.",
      gridPos={ h: 8, w: 8, x: 0, y: 50 },
      targets=[
        g.query('A', 'count by (node, can_send_message) (max by (space, node, phone_number, can_send_message) (cams_messaging_health{%(jis)s}))', '{{node}} {{can_send_message}}'),
      ],
    ),
    g.timeseries(
      id=62,
      title='Entities not available by type',
      description='Distinct entities (`cams_messaging_health_entity`) that are LIMITED or BLOCKED, by type: WABA, BUSINESS, APP, PHONE_NUMBER. A business or app shared by many spaces counts once: one cause. *Entities not available* names them.',
      gridPos={ h: 8, w: 8, x: 8, y: 50 },
      targets=[
        g.query('A', 'count by (entity_type, can_send_message) (max by (entity_type, entity_id, can_send_message) (cams_messaging_health_entity{%(jis)s,can_send_message!="AVAILABLE"}))', '{{entity_type}} {{can_send_message}}'),
      ],
    ),
    g.timeseries(
      id=63,
      title='Spaces by health error code',
      description="Spaces whose LIMITED or BLOCKED entities carry each of Meta's error codes (`cams_messaging_health_error_info`); the descriptions and possible solutions are on the exporter's /status page, the entities in *Entities not available*.",
      gridPos={ h: 8, w: 8, x: 16, y: 50 },
      targets=[
        g.query('A', 'count by (error_code) (max by (space, error_code) (cams_messaging_health_error_info{%(jis)s}))', '{{error_code}}'),
      ],
    ),
    g.table(
      id=64,
      title='Entities not available',
      description='Up to 20 entities that cannot send freely now (`cams_messaging_health_entity` LIMITED or BLOCKED), one row per entity, with the number of spaces it affects, most first: a business or app BLOCKED for many spaces is one row, and one cause. Empty when every entity is AVAILABLE.',
      gridPos={ h: 9, w: 24, x: 0, y: 58 },
      transformations=[
        {
          id: 'organize',
          options: {
            excludeByName: { Time: true, __name__: true },
            indexByName: { entity_type: 0, entity_id: 1, can_send_message: 2, Value: 3 },
            renameByName: { Value: 'Spaces', can_send_message: 'can send' },
          },
        },
      ],
      targets=[
        g.query('A', 'sort_desc(topk(20, count by (entity_type, entity_id, can_send_message) (max by (space, entity_type, entity_id, can_send_message) (cams_messaging_health_entity{%(jis)s,can_send_message!="AVAILABLE"}))))', '', instant=true, format='table'),
      ],
    ) + {
      fieldConfig+: {
        defaults+: {
          mappings: [],
        },
      },
      options+: {
        sortBy: [{ displayName: 'Spaces', desc: true }],
      },
    },
  ]),
]
