// Phone numbers (--collector.phone-numbers): status, quality and limit of
// each number, as Meta gives them. Meta rates and restricts each number
// on its own: one alert per number. The alerts keep only the labels that
// name the number (and its status), so that another label's change (a
// tier, a name status) is not a new alert.
local format = import '../lib/format.libsonnet';

{
  local c = format.promql($._config),

  prometheusAlerts+:: {
    groups+: [
      {
        name: 'cams_exporter.phone_numbers',
        rules: [
          {
            alert: 'CAMSPhoneNumberUnusable',
            expr: 'max by (job, instance, space, phone_number, status) (cams_phone_number_state{%(camsExporterSelector)s, status=~"BANNED|DELETED"})' % c,
            'for': '5m',
            labels: {
              severity: 'critical',
            },
            annotations: {
              summary: 'A WhatsApp number of a CAMS space is banned or deleted.',
              description: "Number {{ $labels.phone_number }} of {{ if $labels.space }}space {{ $labels.space }}{{ else }}the account's own space{{ end }} is {{ $labels.status }}, as {{ $labels.instance }} read it: it cannot send messages.",
            },
          },
          {
            alert: 'CAMSPhoneNumberDegraded',
            expr: 'max by (job, instance, space, phone_number, status) (cams_phone_number_state{%(camsExporterSelector)s, status=~"FLAGGED|RESTRICTED|RATE_LIMITED|DISCONNECTED|OFFLINE"})' % c,
            'for': '5m',
            labels: {
              severity: 'warning',
            },
            annotations: {
              summary: 'A WhatsApp number of a CAMS space is flagged, restricted or disconnected.',
              description: "Number {{ $labels.phone_number }} of {{ if $labels.space }}space {{ $labels.space }}{{ else }}the account's own space{{ end }} is {{ $labels.status }}, as {{ $labels.instance }} read it.",
            },
          },
          {
            alert: 'CAMSPhoneNumberQualityRed',
            expr: 'max by (job, instance, space, phone_number) (cams_phone_number_state{%(camsExporterSelector)s, quality_rating="RED"})' % c,
            'for': '5m',
            labels: {
              severity: 'warning',
            },
            annotations: {
              summary: 'The quality rating of a WhatsApp number of a CAMS space is RED.',
              description: "Meta rates the quality of number {{ $labels.phone_number }} of {{ if $labels.space }}space {{ $labels.space }}{{ else }}the account's own space{{ end }} RED, as {{ $labels.instance }} read it: unless it recovers, Meta flags it and lowers its messaging limit.",
            },
          },
          // The numbers whose daily limit is lower than it was within the last
          // hour: the max over the job (not the instance, which a restarted pod
          // changes) of their limit at every 5 minutes of the hour (a subquery:
          // 12 points a number, not the 120 samples of a 30 s scrape, at 30,000
          // numbers). A number without a limit now (an unknown tier, a number
          // gone, a space not read yet since a restart) is no decrease; one whose
          // limit comes back lower after a gap shorter than the hour is.
          {
            record: 'cams:phone_number_messaging_limit:decreased' + $._config.messagingLimitWindow,
            expr: |||
              cams_phone_number_messaging_limit{%(camsExporterSelector)s}
              < on(job, space, phone_number) group_left()
              max by (job, space, phone_number) (max_over_time(cams_phone_number_messaging_limit{%(camsExporterSelector)s}[%(messagingLimitWindow)s:%(messagingLimitStep)s]))
            ||| % c,
          },
          // Meta sets the limit per business portfolio (since 2025-10-07): one
          // alert per business (from cams_waba_info, --collector.waba) with the
          // number of its numbers whose limit decreased, or per space when its
          // business is not known. It resolves an hour after the decrease, or
          // when the limit is back.
          {
            alert: 'CAMSMessagingLimitDecreased',
            expr: |||
              (
                count by (job, instance, business_id) (
                    cams:phone_number_messaging_limit:decreased%(messagingLimitWindow)s{%(camsExporterSelector)s}
                  * on(job, instance, space) group_left(business_id)
                    max by (job, instance, space, business_id) (cams_waba_info{%(camsExporterSelector)s, business_id!=""})
                )
              )
              or
              (
                count by (job, instance, space) (
                    cams:phone_number_messaging_limit:decreased%(messagingLimitWindow)s{%(camsExporterSelector)s}
                  unless on(job, instance, space)
                    cams_waba_info{%(camsExporterSelector)s, business_id!=""}
                )
              )
            ||| % c,
            'for': '5m',
            labels: {
              severity: 'warning',
            },
            annotations: {
              summary: 'The daily messaging limit of WhatsApp numbers of CAMS spaces decreased.',
              description: '{{ printf "%.0f" $value }} numbers of {{ if $labels.business_id }}business portfolio {{ $labels.business_id }}{{ else if $labels.space }}space {{ $labels.space }}{{ else }}the account\'s own space{{ end }} have a lower daily limit of business-initiated conversations than within ' + format.last($._config.messagingLimitWindow) + ', as {{ $labels.instance }} read them: fewer customers can be messaged first.',
            },
          },
        ],
      },
    ],
  },
}
