// WABAs (--collector.waba). A space without a WABA (cams_waba_bound 0)
// exports no cams_waba_info and never alerts.
local format = import '../lib/format.libsonnet';

{
  local c = format.promql($._config),

  prometheusAlerts+:: {
    groups+: [
      {
        name: 'cams_exporter.waba',
        rules: [
          // REJECTED, DISABLED or a value Meta adds later; PENDING only once it
          // has lasted about a day (PENDING now, and at some time between 25 and
          // 24 hours ago, whatever the instance then): a new WABA is PENDING while
          // Meta reviews it, for minutes to days.
          {
            alert: 'CAMSWabaReviewNotApproved',
            expr: |||
              (
                max by (job, instance, space, waba_id, business_id, account_review_status) (
                  cams_waba_info{%(camsExporterSelector)s, account_review_status!~"APPROVED|PENDING"}
                )
              )
              or
              (
                  max by (job, instance, space, waba_id, business_id, account_review_status) (
                    cams_waba_info{%(camsExporterSelector)s, account_review_status="PENDING"}
                  )
                and on(job, space, waba_id)
                  max_over_time(cams_waba_info{%(camsExporterSelector)s, account_review_status="PENDING"}[%(wabaPendingWindow)s] offset %(wabaPendingAfter)s)
              )
            ||| % c,
            'for': '5m',
            labels: {
              severity: 'warning',
            },
            annotations: {
              summary: 'The WhatsApp Business account of a CAMS space is not approved.',
              description: 'WABA {{ $labels.waba_id }} of {{ if $labels.space }}space {{ $labels.space }}{{ else }}the account\'s own space{{ end }} is {{ $labels.account_review_status }} in Meta\'s account review{{ if eq $labels.account_review_status "PENDING" }} since ' + format.text($._config.wabaPendingAfter) + ' or more{{ end }}, as {{ $labels.instance }} read it.',
            },
          },
        ],
      },
    ],
  },
}
