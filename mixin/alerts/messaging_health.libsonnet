// Messaging health (--collector.messaging-health): can a space's WABA and
// numbers send messages, as Meta says (GetWhatsappHealthStatus).
local format = import '../lib/format.libsonnet';

{
  local c = format.promql($._config),

  prometheusAlerts+:: {
    groups+: [
      {
        name: 'cams_exporter.messaging_health',
        rules: [
          // A business or app that Meta blocks or limits is one cause for every
          // space that sends through it: one alert per entity, whatever the
          // number of spaces (the value). for: 1m, shorter than the per-space
          // alerts' 5m, so that Alertmanager has it before their first
          // notification and mutes them (they carry its entity_type and
          // entity_id). A pass reaches the spaces one by one: the count grows.
          {
            alert: 'CAMSMessagingEntityBlocked',
            expr: |||
              count by (job, instance, entity_type, entity_id) (
                cams_messaging_health_entity{%(camsExporterSelector)s, entity_type=~"APP|BUSINESS", can_send_message="BLOCKED"}
              )
            ||| % c,
            'for': '1m',
            labels: {
              severity: 'critical',
            },
            annotations: {
              summary: 'Meta blocks a business or app that CAMS spaces send messages through.',
              description: '{{ $labels.entity_type }} {{ $labels.entity_id }} is BLOCKED in the messaging health of {{ printf "%.0f" $value }} spaces watched by {{ $labels.instance }}: none of them can send messages.{{ with printf "count by (error_code) (cams_messaging_health_error_info{job=%q, instance=%q, entity_type=%q} and on(job, instance, space) cams_messaging_health_entity{job=%q, instance=%q, entity_type=%q, entity_id=%q, can_send_message=\\"BLOCKED\\"})" $labels.job $labels.instance $labels.entity_type $labels.job $labels.instance $labels.entity_type $labels.entity_id | query | sortByLabel "error_code" }} Meta\'s error codes:{{ range . }} {{ .Labels.error_code }}{{ end }}.{{ end }} One cause: its spaces\' CAMSMessagingBlocked alerts are muted; /status gives Meta\'s solutions.',
            },
          },
          {
            alert: 'CAMSMessagingEntityLimited',
            expr: |||
              count by (job, instance, entity_type, entity_id) (
                cams_messaging_health_entity{%(camsExporterSelector)s, entity_type=~"APP|BUSINESS", can_send_message="LIMITED"}
              )
            ||| % c,
            'for': '1m',
            labels: {
              severity: 'warning',
            },
            annotations: {
              summary: 'Meta limits a business or app that CAMS spaces send messages through.',
              description: '{{ $labels.entity_type }} {{ $labels.entity_id }} is LIMITED in the messaging health of {{ printf "%.0f" $value }} spaces watched by {{ $labels.instance }}: they send with limits.{{ with printf "count by (error_code) (cams_messaging_health_error_info{job=%q, instance=%q, entity_type=%q} and on(job, instance, space) cams_messaging_health_entity{job=%q, instance=%q, entity_type=%q, entity_id=%q, can_send_message=\\"LIMITED\\"})" $labels.job $labels.instance $labels.entity_type $labels.job $labels.instance $labels.entity_type $labels.entity_id | query | sortByLabel "error_code" }} Meta\'s error codes:{{ range . }} {{ .Labels.error_code }}{{ end }}.{{ end }} One cause: its spaces\' CAMSMessagingLimited alerts are muted; /status gives Meta\'s solutions.',
            },
          },
          // One alert per space for its WABA (node waba), and per number (node
          // phone) only while the space's WABA is not BLOCKED: a phone's answer
          // includes the WABA, so a blocked WABA blocks every number of it, one
          // cause. The alert carries the entity_type and entity_id of an APP or
          // BUSINESS BLOCKED in the same space (one of them when both are), which
          // explains it: CAMSMessagingEntityBlocked mutes it.
          {
            alert: 'CAMSMessagingBlocked',
            expr: |||
              (
                  cams_messaging_health{%(camsExporterSelector)s, node="waba", can_send_message="BLOCKED"}
                or
                  (
                    cams_messaging_health{%(camsExporterSelector)s, node="phone", can_send_message="BLOCKED"}
                    unless on(job, instance, space)
                    cams_messaging_health{%(camsExporterSelector)s, node="waba", can_send_message="BLOCKED"}
                  )
              )
              + on(job, instance, space, can_send_message) group_left(entity_type, entity_id)
              (
                  0 * topk by (job, instance, space, can_send_message) (1,
                    cams_messaging_health_entity{%(camsExporterSelector)s, entity_type=~"APP|BUSINESS", can_send_message="BLOCKED"}
                  )
                or on(job, instance, space, can_send_message)
                  0 * max by (job, instance, space, can_send_message) (cams_messaging_health{%(camsExporterSelector)s, can_send_message="BLOCKED"})
              )
            ||| % c,
            'for': '5m',
            labels: {
              severity: 'critical',
            },
            annotations: {
              summary: "A CAMS space's WhatsApp Business account or number cannot send messages.",
              description: "{{ if $labels.phone_number }}Number {{ $labels.phone_number }}{{ else }}The WABA{{ end }} of {{ if $labels.space }}space {{ $labels.space }}{{ else }}the account's own space{{ end }} is BLOCKED (as {{ $labels.instance }} read its messaging health): it cannot send messages{{ if $labels.entity_id }}, because {{ $labels.entity_type }} {{ $labels.entity_id }} is BLOCKED (CAMSMessagingEntityBlocked){{ end }}. /status gives Meta's errors and solutions.",
            },
          },
          // As CAMSMessagingBlocked, for LIMITED; a number's alert only while the
          // space's WABA is neither BLOCKED nor LIMITED.
          {
            alert: 'CAMSMessagingLimited',
            expr: |||
              (
                  cams_messaging_health{%(camsExporterSelector)s, node="waba", can_send_message="LIMITED"}
                or
                  (
                    cams_messaging_health{%(camsExporterSelector)s, node="phone", can_send_message="LIMITED"}
                    unless on(job, instance, space)
                    cams_messaging_health{%(camsExporterSelector)s, node="waba", can_send_message=~"BLOCKED|LIMITED"}
                  )
              )
              + on(job, instance, space, can_send_message) group_left(entity_type, entity_id)
              (
                  0 * topk by (job, instance, space, can_send_message) (1,
                    cams_messaging_health_entity{%(camsExporterSelector)s, entity_type=~"APP|BUSINESS", can_send_message="LIMITED"}
                  )
                or on(job, instance, space, can_send_message)
                  0 * max by (job, instance, space, can_send_message) (cams_messaging_health{%(camsExporterSelector)s, can_send_message="LIMITED"})
              )
            ||| % c,
            'for': '5m',
            labels: {
              severity: 'warning',
            },
            annotations: {
              summary: "A CAMS space's WhatsApp Business account or number sends messages with limits.",
              description: "{{ if $labels.phone_number }}Number {{ $labels.phone_number }}{{ else }}The WABA{{ end }} of {{ if $labels.space }}space {{ $labels.space }}{{ else }}the account's own space{{ end }} is LIMITED (as {{ $labels.instance }} read its messaging health): it sends with limits{{ if $labels.entity_id }}, because {{ $labels.entity_type }} {{ $labels.entity_id }} is LIMITED (CAMSMessagingEntityLimited){{ end }}. /status gives Meta's errors and solutions.",
            },
          },
        ],
      },
    ],
  },
}
