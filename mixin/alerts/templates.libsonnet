// Message templates (--collector.templates): can each space's templates be
// sent, as ListChatappTemplate lists them (cams_templates, by
// audit_status). Only a template in audit status pass can be sent; fail
// (its review failed), paused and disabled (Meta stopped it for its
// quality) are problems; auditing and unaudit are not reviewed yet.
// Silent without the collector: the series do not exist. Recording rules
// first: the alerts below read them in the same evaluation.
local format = import '../lib/format.libsonnet';

{
  local c = format.promql($._config) + {
    templateWaveListedSeconds: format.number(format.seconds($._config.templateWaveListedWindow)),
  },

  prometheusAlerts+:: {
    groups+: [
      {
        name: 'cams_exporter.templates',
        rules: [
          // A space none of whose templates can be sent, its templates as the
          // value: every one is fail, paused, disabled, auditing or unaudit, and
          // at least one is a problem. A space whose templates are all still in
          // review is new, not broken; a space without templates sends none; a
          // status the exporter does not know (cams_templates keeps it under its
          // own name: a detail page of CAMS says APPROVED) may well be sendable,
          // and never counts as unusable.
          {
            record: 'cams:templates:all_unusable',
            expr: |||
              (
                  sum by (job, instance, space) (cams_templates{%(camsExporterSelector)s, audit_status=~"fail|paused|disabled|auditing|unaudit"})
                == on(job, instance, space)
                  sum by (job, instance, space) (cams_templates{%(camsExporterSelector)s})
              )
              and on(job, instance, space)
              (sum by (job, instance, space) (cams_templates{%(camsExporterSelector)s, audit_status=~"fail|paused|disabled"}) > 0)
            ||| % c,
          },
          // The spaces with a template in each problem status (label
          // audit_status), and those none of whose templates can be sent (no
          // audit_status label).
          {
            record: 'cams:template_problem_spaces:count',
            expr: |||
              count by (job, instance, audit_status) (
                  cams_templates{%(camsExporterSelector)s, audit_status=~"fail|paused|disabled"} > 0
                or
                  cams:templates:all_unusable{%(camsExporterSelector)s}
              )
            ||| % c,
          },
          // Their share of the spaces the collector watches (pending, up and
          // down).
          {
            record: 'cams:template_problem_spaces:ratio',
            expr: |||
              cams:template_problem_spaces:count{%(camsExporterSelector)s}
              / on(job, instance) group_left()
              sum by (job, instance) (cams_collector_spaces{%(camsExporterSelector)s, collector="templates"})
            ||| % c,
          },
          // The same, among the spaces listed in the last 5 minutes (their
          // last success is that recent): what a pass meets now. Absent while
          // none was.
          {
            record: 'cams:template_problem_spaces:count_listed' + $._config.templateWaveListedWindow,
            expr: |||
              count by (job, instance, audit_status) (
                (
                    cams_templates{%(camsExporterSelector)s, audit_status=~"fail|paused|disabled"} > 0
                  or
                    cams:templates:all_unusable{%(camsExporterSelector)s}
                )
                and on(job, instance, space)
                (cams_collector_space_last_success_timestamp_seconds{%(camsExporterSelector)s, collector="templates"} > time() - %(templateWaveListedSeconds)s)
              )
            ||| % c,
          },
          // Their share of the spaces a pass lists in 5 minutes: 300 s at the
          // collector's pace (its spaces over its expected pass), at most all
          // of them. Between a small account's passes, and while the limiter is
          // throttled, fewer are listed and the share reads low: it never makes
          // a storm of too few spaces.
          {
            record: 'cams:template_problem_spaces:ratio_listed' + $._config.templateWaveListedWindow,
            expr: |||
              cams:template_problem_spaces:count_listed%(templateWaveListedWindow)s{%(camsExporterSelector)s}
              / on(job, instance) group_left()
              (
                  sum by (job, instance) (cams_collector_spaces{%(camsExporterSelector)s, collector="templates"})
                * on(job, instance)
                  clamp_max(%(templateWaveListedSeconds)s / max by (job, instance) (cams_collector_expected_duration_seconds{%(camsExporterSelector)s, collector="templates"}), 1)
              )
            ||| % c,
          },
          // A wave: at least 10 spaces have the problem, more than 0.1 (10%) of
          // the spaces watched, or at least 10 of those listed in the last 5
          // minutes, more than 0.1 of them (a large account's pass of about 2
          // hours meets the spaces of a wave one by one: their share passes 10%
          // long before the share of every space does; 5 minutes, 400 listings
          // at 10,000 spaces, not the listings' 2: some failed or paused
          // templates are normal, and the share of 400 does not pass 10% by
          // chance). Once an alert of the wave fires, it lasts while at least
          // 10 spaces, more than 0.05 of them, have the problem: as the pass
          // reaches the spaces Meta resumed, the last ones do not page on
          // their own at once. Not while any space has it, as for the listings'
          // codes: those normal paused or failed templates would hold it for
          // good.
          {
            record: 'cams:template_problem_spaces:storm',
            expr: |||
              (
                  cams:template_problem_spaces:count{%(camsExporterSelector)s} >= %(templateWaveMinSpaces)s
                and on(job, instance, audit_status)
                  cams:template_problem_spaces:ratio{%(camsExporterSelector)s} > %(templateWaveShare)s
              )
              or on(job, instance, audit_status)
              (
                  cams:template_problem_spaces:count{%(camsExporterSelector)s}
                and on(job, instance, audit_status)
                  cams:template_problem_spaces:count_listed%(templateWaveListedWindow)s{%(camsExporterSelector)s} >= %(templateWaveMinSpaces)s
                and on(job, instance, audit_status)
                  cams:template_problem_spaces:ratio_listed%(templateWaveListedWindow)s{%(camsExporterSelector)s} > %(templateWaveShare)s
              )
              or on(job, instance, audit_status)
              (
                  cams:template_problem_spaces:count{%(camsExporterSelector)s} >= %(templateWaveMinSpaces)s
                and on(job, instance, audit_status)
                  cams:template_problem_spaces:ratio{%(camsExporterSelector)s} > %(templateWaveHoldShare)s
                and on(job, instance, audit_status)
                  ALERTS{%(camsExporterSelector)s, alertname=~"CAMSTemplateProblemsInManySpaces|CAMSManySpacesWithoutUsableTemplate", alertstate="firing"}
              )
            ||| % c,
          },
          // One alert per problem status instead of one per space, the number of
          // spaces as its value. for: 1m, shorter than the spaces' own alerts'
          // 5m, so that Alertmanager has it before their first notification.
          {
            alert: 'CAMSTemplateProblemsInManySpaces',
            expr: 'cams:template_problem_spaces:storm{%(camsExporterSelector)s, audit_status!=""}' % c,
            'for': '1m',
            labels: {
              severity: 'warning',
            },
            annotations: {
              summary: 'Message templates of many CAMS spaces are paused, disabled or failed review at once.',
              description: '{{ printf "%.0f" $value }} spaces watched by {{ $labels.instance }} ({{ with printf "cams:template_problem_spaces:ratio{job=%q, instance=%q, audit_status=%q}" $labels.job $labels.instance $labels.audit_status | query }}{{ . | first | value | humanizePercentage }}{{ end }} of them) have message templates {{ if eq $labels.audit_status "paused" }}paused{{ else if eq $labels.audit_status "disabled" }}disabled{{ else }}whose review failed{{ end }} (audit status {{ $labels.audit_status }}): one wave of Meta\'s decisions. Their {{ if eq $labels.audit_status "paused" }}CAMSTemplatePaused{{ else }}CAMSTemplateUnusable{{ end }} alerts are muted; the dashboard\'s Message templates row lists the worst spaces.',
            },
          },
          {
            alert: 'CAMSManySpacesWithoutUsableTemplate',
            expr: 'cams:template_problem_spaces:storm{%(camsExporterSelector)s, audit_status=""}' % c,
            'for': '1m',
            labels: {
              severity: 'critical',
            },
            annotations: {
              summary: 'Many CAMS spaces have no message template that can be sent.',
              description: '{{ printf "%.0f" $value }} spaces watched by {{ $labels.instance }} ({{ with printf "cams:template_problem_spaces:ratio{job=%q, instance=%q, audit_status=\\"\\"}" $labels.job $labels.instance | query }}{{ . | first | value | humanizePercentage }}{{ end }} of them) have message templates and none that can be sent: one wave of Meta\'s decisions. Their CAMSTemplatesAllUnusable alerts are muted; CAMSTemplateProblemsInManySpaces says which status.',
            },
          },
          // The templates of a space that Meta paused, now; or, with no
          // template paused now, the moves into paused seen in the last hour
          // (cams_template_status_changes_total): a pause seen by one listing
          // and over by the next, sooner than this alert's for:, is still
          // reported, for an hour. The counter starts at 0 (a restart without
          // the cache file counts no move at the first listing), so a restart
          // never looks like a pause.
          {
            alert: 'CAMSTemplatePaused',
            expr: |||
              (cams_templates{%(camsExporterSelector)s, audit_status="paused"} > 0)
              or on(job, instance, space, audit_status)
              (increase(cams_template_status_changes_total{%(camsExporterSelector)s, audit_status="paused"}[%(templatePausedWindow)s]) > 0)
            ||| % c,
            'for': '5m',
            labels: {
              severity: 'warning',
            },
            annotations: {
              summary: 'Meta paused message templates of a CAMS space.',
              description: '{{ with printf "cams_templates{job=%q, instance=%q, space=%q, audit_status=\\"paused\\"} > 0" $labels.job $labels.instance $labels.space | query }}{{ . | first | value | printf "%.0f" }} message templates of {{ if $labels.space }}space {{ $labels.space }}{{ else }}the account\'s own space{{ end }} are paused, as {{ $labels.instance }} listed them: Meta paused them for their quality, and every message sent with them fails until Meta resumes them{{ else }}Message templates of {{ if $labels.space }}space {{ $labels.space }}{{ else }}the account\'s own space{{ end }} were paused within ' + format.last($._config.templatePausedWindow) + ' (about {{ printf "%.0f" $value }} moves into paused), as {{ $labels.instance }} listed them, and none is now: messages sent with them failed meanwhile{{ end }}. /status names the templates.',
            },
          },
          // The templates of a space whose review failed (fail) or that Meta
          // disabled: one alert per space and status, the count as its value.
          {
            alert: 'CAMSTemplateUnusable',
            expr: 'cams_templates{%(camsExporterSelector)s, audit_status=~"fail|disabled"} > 0' % c,
            'for': '5m',
            labels: {
              severity: 'warning',
            },
            annotations: {
              summary: "Message templates of a CAMS space failed Meta's review or are disabled.",
              description: '{{ printf "%.0f" $value }} message templates of {{ if $labels.space }}space {{ $labels.space }}{{ else }}the account\'s own space{{ end }} {{ if eq $labels.audit_status "fail" }}failed Meta\'s review{{ else }}are disabled by Meta{{ end }}, as {{ $labels.instance }} listed them: they cannot be sent. /status names them{{ if eq $labels.audit_status "fail" }}, with Meta\'s reason{{ end }}.',
            },
          },
          // A space that has templates and none that can be sent
          // (cams:templates:all_unusable): every business-initiated message
          // fails. Critical.
          {
            alert: 'CAMSTemplatesAllUnusable',
            expr: 'cams:templates:all_unusable{%(camsExporterSelector)s}' % c,
            'for': '5m',
            labels: {
              severity: 'critical',
            },
            annotations: {
              summary: 'No message template of a CAMS space can be sent.',
              description: 'None of the {{ printf "%.0f" $value }} message templates of {{ if $labels.space }}space {{ $labels.space }}{{ else }}the account\'s own space{{ end }} can be sent, as {{ $labels.instance }} listed them ({{ range $i, $s := printf "cams_templates{job=%q, instance=%q, space=%q} > 0" $labels.job $labels.instance $labels.space | query | sortByLabel "audit_status" }}{{ if $i }}, {{ end }}{{ $s | value | printf "%.0f" }} {{ $s | label "audit_status" }}{{ end }}): every message it sends outside the 24-hour customer service window fails.',
            },
          },
        ],
      },
    ],
  },
}
