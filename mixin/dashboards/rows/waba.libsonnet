// The WABA row.
function(g) [
  g.row(50, 'WABA', 48, panels=[
    g.stat(
      id=51,
      title='WABA binding',
      description='Spaces with a WhatsApp Business Account bound (`cams_waba_bound` 1, with `--collector.waba`) and without one (0: CAMS answers ERR-OPERATION-MAAP-0060; such a space cannot send WhatsApp messages, and is no failure of the exporter).',
      gridPos={ h: 8, w: 6, x: 0, y: 49 },
      targets=[
        g.query('A', 'count(max by (space) (cams_waba_bound{%(jis)s}) == 1) or vector(0)', 'bound'),
        g.query('B', 'count(max by (space) (cams_waba_bound{%(jis)s}) == 0) or vector(0)', 'no WABA'),
      ],
    ) + {
      fieldConfig+: {
        defaults+: {
          mappings: [],
        },
      },
    },
    g.timeseries(
      id=52,
      title='Spaces by WABA review status',
      description="Spaces by the account review status of their WABA (`cams_waba_info`): APPROVED, PENDING (in review), REJECTED or DISABLED (Meta's review failed or the account was disabled: no sending).",
      gridPos={ h: 8, w: 8, x: 6, y: 49 },
      targets=[
        g.query('A', 'count by (account_review_status) (max by (space, account_review_status) (cams_waba_info{%(jis)s}))', '{{account_review_status}}'),
      ],
    ),
    g.table(
      id=53,
      title='WABAs not approved',
      description='Up to 20 WABAs whose account review status is not APPROVED (`cams_waba_info`), REJECTED and DISABLED first, with their space, id and business. *Spaces by WABA review status* counts them all. Empty when every WABA is approved.',
      gridPos={ h: 8, w: 10, x: 14, y: 49 },
      transformations=[
        {
          id: 'organize',
          options: {
            excludeByName: { Time: true, __name__: true, Value: true },
            indexByName: { space: 0, waba_id: 1, business_id: 2, account_review_status: 3 },
            renameByName: { account_review_status: 'review status' },
          },
        },
      ],
      targets=[
        g.query('A', |||-
          sort_desc(topk(20, max by (space, waba_id, business_id, account_review_status) (
              cams_waba_info{%(jis)s,account_review_status=~"REJECTED|DISABLED"} * 2
            or cams_waba_info{%(jis)s,account_review_status!="APPROVED"}
          )))
        |||, '', instant=true, format='table'),
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
  ]),
]
