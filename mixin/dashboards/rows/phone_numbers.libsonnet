// The Phone numbers row.
function(g) [
  g.row(40, 'Phone numbers', 47, panels=[
    g.stat(
      id=41,
      title='Phone numbers',
      description="Phone numbers of the spaces (`cams_phone_numbers`, with `--collector.phone-numbers`), those whose status is not CONNECTED and those whose quality rating is RED now (`cams_phone_number_state`), and those whose messaging limit is lower now than at some time in the dashboard's range (`cams_phone_number_messaging_limit`: Meta lowered their tier). *Numbers needing attention* and *Messaging limit decreases* name them.",
      gridPos={ h: 4, w: 24, x: 0, y: 48 },
      targets=[
        g.query('A', 'sum(max by (space) (cams_phone_numbers{%(jis)s}))', 'numbers'),
        g.query('B', 'count(max by (space, phone_number) (cams_phone_number_state{%(jis)s,status!="CONNECTED"})) or vector(0)', 'not CONNECTED'),
        g.query('C', 'count(max by (space, phone_number) (cams_phone_number_state{%(jis)s,quality_rating="RED"})) or vector(0)', 'quality RED'),
        g.query('D', 'count(max by (space, phone_number) (cams_phone_number_messaging_limit{%(jis)s} < on (job, instance, space, phone_number) max_over_time(cams_phone_number_messaging_limit{%(jis)s}[$__range]))) or vector(0)', 'limit decreased', instant=true),
      ],
    ) + {
      fieldConfig+: {
        defaults+: {
          mappings: [],
        },
      },
    },
    g.timeseries(
      id=42,
      title='Numbers by status',
      description='Phone numbers by status as Meta reports it through CAMS (`cams_phone_number_state`): CONNECTED is healthy; FLAGGED (quality low, the limit will drop unless it improves within 7 days), RESTRICTED and RATE_LIMITED (sending limited), DISCONNECTED, OFFLINE, BANNED and DELETED (no sending) need action. One line per status at any number of spaces (13 documented values, the first 30 others under their own name, the rest as _other).',
      gridPos={ h: 8, w: 8, x: 0, y: 52 },
      targets=[
        g.query('A', 'count by (status) (max by (space, phone_number, status) (cams_phone_number_state{%(jis)s}))', '{{status}}'),
      ],
    ),
    g.timeseries(
      id=43,
      title='Numbers by quality rating',
      description='Phone numbers by quality rating (`cams_phone_number_state`): GREEN (high), YELLOW (medium), RED (low: Meta flags the number and may lower its messaging limit), UNKNOWN (not rated yet).',
      gridPos={ h: 8, w: 8, x: 8, y: 52 },
      targets=[
        g.query('A', 'count by (quality_rating) (max by (space, phone_number, quality_rating) (cams_phone_number_state{%(jis)s}))', '{{quality_rating}}'),
      ],
    ),
    g.timeseries(
      id=44,
      title='Numbers by messaging limit tier',
      description="Phone numbers by messaging limit tier (`cams_phone_number_state`): the business-initiated conversations a number may open in 24 hours, TIER_50 to TIER_100K and TIER_UNLIMITED in Meta's names (`cams_phone_number_messaging_limit` holds the number). A tier without a documented limit (e.g. TIER_1000) shows under its own name.",
      gridPos={ h: 8, w: 8, x: 16, y: 52 },
      targets=[
        g.query('A', 'count by (messaging_limit_tier) (max by (space, phone_number, messaging_limit_tier) (cams_phone_number_state{%(jis)s}))', '{{messaging_limit_tier}}'),
      ],
    ),
    g.table(
      id=45,
      title='Numbers needing attention',
      description='Up to 20 phone numbers in the worst state now, with their space, status, quality rating and tier (`cams_phone_number_state`): critical for BANNED or DELETED, warning for FLAGGED, RESTRICTED, RATE_LIMITED, DISCONNECTED or OFFLINE, then quality RED. *Numbers by status* and *Numbers by quality rating* count them all; choose spaces in the space variable to see theirs. Empty when every number is CONNECTED and not RED.',
      gridPos={ h: 9, w: 14, x: 0, y: 60 },
      transformations=[
        {
          id: 'organize',
          options: {
            excludeByName: { Time: true, __name__: true },
            indexByName: {
              space: 0,
              phone_number: 1,
              status: 2,
              quality_rating: 3,
              messaging_limit_tier: 4,
              Value: 5,
            },
            renameByName: { Value: 'Severity', messaging_limit_tier: 'tier', quality_rating: 'quality' },
          },
        },
      ],
      targets=[
        g.query('A', |||-
          sort_desc(topk(20, max by (space, phone_number, status, quality_rating, messaging_limit_tier) (
              cams_phone_number_state{%(jis)s,status=~"BANNED|DELETED"} * 3
            or cams_phone_number_state{%(jis)s,status=~"FLAGGED|RESTRICTED|RATE_LIMITED|DISCONNECTED|OFFLINE"} * 2
            or cams_phone_number_state{%(jis)s,quality_rating="RED"}
          )))
        |||, '', instant=true, format='table'),
      ],
    ) + {
      fieldConfig+: {
        defaults+: {
          mappings: [
            {
              type: 'value',
              options: {
                '3': { text: 'critical', color: 'red', index: 0 },
                '2': { text: 'warning', color: 'orange', index: 1 },
                '1': { text: 'warning', color: 'yellow', index: 2 },
              },
            },
          ],
        },
      },
      options+: {
        sortBy: [{ displayName: 'Severity', desc: true }],
      },
    },
    g.table(
      id=46,
      title='Messaging limit decreases',
      description="Phone numbers whose messaging limit (`cams_phone_number_messaging_limit`, from the tier) is lower now than at some time in the dashboard's range, lowest first (up to 20): the limit now and the highest in the range. Meta lowers a tier when quality stays low; `CAMSPhoneNumberMessagingLimitDecreased` alerts on it. The count is in *Phone numbers*.",
      gridPos={ h: 9, w: 10, x: 14, y: 60 },
      transformations=[
        { id: 'merge', options: {} },
        {
          id: 'organize',
          options: {
            excludeByName: { Time: true, __name__: true },
            indexByName: { space: 0, phone_number: 1, 'Value #A': 2, 'Value #B': 3 },
            renameByName: { 'Value #A': 'Limit now', 'Value #B': 'Highest in range' },
          },
        },
      ],
      targets=[
        g.query('A', 'sort(bottomk(20, max by (space, phone_number) (cams_phone_number_messaging_limit{%(jis)s} < on (job, instance, space, phone_number) max_over_time(cams_phone_number_messaging_limit{%(jis)s}[$__range]))))', '', instant=true, format='table'),
        g.query('B', |||-
          max by (space, phone_number) (max_over_time(cams_phone_number_messaging_limit{%(jis)s}[$__range]))
          and on (space, phone_number)
          bottomk(20, max by (space, phone_number) (cams_phone_number_messaging_limit{%(jis)s} < on (job, instance, space, phone_number) max_over_time(cams_phone_number_messaging_limit{%(jis)s}[$__range])))
        |||, '', instant=true, format='table'),
      ],
    ) + {
      fieldConfig+: {
        defaults+: {
          mappings: [
            {
              type: 'range',
              options: { from: 1e15, result: { text: 'unlimited', index: 0 } },
            },
          ],
        },
      },
      options+: {
        sortBy: [{ displayName: 'Limit now', desc: false }],
      },
    },
    g.bargauge(
      id=47,
      title='Spaces by phone number count',
      description='How many spaces have 0, 1, 2–3, 4–10 and more than 10 phone numbers (`cams_phone_numbers`, last answer of each space): a space without a WABA has none.',
      gridPos={ h: 8, w: 8, x: 0, y: 69 },
      targets=[
        g.query('A', 'count(max by (space) (cams_phone_numbers{%(jis)s}) == 0) or vector(0)', '0 numbers', instant=true),
        g.query('B', 'count(max by (space) (cams_phone_numbers{%(jis)s}) == 1) or vector(0)', '1', instant=true),
        g.query('C', 'count(max by (space) (cams_phone_numbers{%(jis)s}) > 1 <= 3) or vector(0)', '2–3', instant=true),
        g.query('D', 'count(max by (space) (cams_phone_numbers{%(jis)s}) > 3 <= 10) or vector(0)', '4–10', instant=true),
        g.query('E', 'count(max by (space) (cams_phone_numbers{%(jis)s}) > 10) or vector(0)', '> 10', instant=true),
      ],
    ),
  ]),
]
