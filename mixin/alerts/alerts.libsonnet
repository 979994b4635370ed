// The alerting rules, in groups of the part of the exporter they watch.
// Each group holds first the recording rules its alerts read: the rules of
// a group are evaluated in order, so the alerts see this evaluation's
// values, and the storms' recording rules read the storm alerts' own
// ALERTS series. That is why the recording rules are here, in the groups
// of prometheusAlerts, and not in prometheusRules.
//
// Each alert's runbook is the section of alerts/RUNBOOK.md named after it
// (runbook_url, added below from _config.runbookURLPattern). Every alert
// has a for: of its own.
//
// Scale
// The freshness alerts compare a space's age with the refresh period, the
// longer of --refresh.interval and the expected pass over every space (both
// exported), never with a constant: at 10,000 spaces and 4 calls/s a pass
// takes about 2,500 s, and a healthy space's data is that old by design.
//
// Windows
// The exporter calls CAMS only when it refreshes, every --refresh.interval
// (default 5m), never at scrape time. A rate() over a window no longer than
// that interval can hold no refresh at all: it reads 0, a ratio or a quantile
// reads NaN, and every pending alert built on it starts its "for:" again. So
// the API rules use 15m windows (_config.apiWindow), three default
// intervals. With a longer --refresh.interval, make the windows at least
// twice the interval.
//
// One cause, one alert
// A cause that fails many spaces at once (a RAM policy edit, an unpaid
// subscription) fails them all with one code. When one code fails more than
// 10% of the watched spaces (sum(cams_spaces)) and at least 10 of them,
// CAMSManySpacesFailing fires once for that code, and every per-space alert
// of those spaces carries the code (label code): the inhibit_rules shipped
// with the rules (examples/alertmanager.yml) mute them in Alertmanager, so
// the storm pages once. A space failing on its own still alerts by itself.
// A large account's pass reaches the failing spaces one by one (at 10,000
// spaces, 10% of them fail only 14 minutes after a cause that denies 3 in
// 10), so for the codes with a per-space alert the storm also holds when
// more than 10% of the last 2 minutes' listing calls failed with the code:
// it fires about 2 minutes after the cause, and the per-space alerts of
// those codes wait 5 minutes (for: 5m), so that the storm is in
// Alertmanager before them. The 2m window needs a scrape interval of 1m or
// less (two samples).
//
// The sources of issue 18 (--collector.phone-numbers, --collector.waba,
// --collector.messaging-health) page once per shared cause too: a business
// or app that Meta blocks or limits is one alert (CAMSMessagingEntityBlocked,
// CAMSMessagingEntityLimited), and the per-space messaging alerts of its
// spaces carry its entity_type and entity_id, which the inhibition rules
// match; a collector failing with one code for many spaces is one alert
// (CAMSCollectorManySpacesFailing), which mutes the collector's stale-data
// alert of those spaces (one per collector anyway); a portfolio's lower
// limit is one alert per business. A number's quality and status and a
// WABA's review are Meta's decisions per number and per WABA: one alert
// each (RUNBOOK.md, "One cause, one alert for numbers, WABAs and messaging
// health").
//
// Message templates (--collector.templates): Meta pauses, disables or
// rejects each template on its own, and a space alerts for its own
// templates; but a wave of Meta's decisions (a template the ISV gives every
// space, paused everywhere) trips thousands of spaces at once. When more
// than 10% of the spaces the collector watches, and at least 10, have a
// template in one problem status (or have no template that can be sent),
// one alert fires for it (CAMSTemplateProblemsInManySpaces,
// CAMSManySpacesWithoutUsableTemplate), and the inhibition rules mute the
// spaces' own alerts of that status. As for the listings' storms, the share
// of the spaces listed in the last 5 minutes tells a wave within minutes,
// long before a 2-hour pass has met 10% of the spaces. The alerts count
// from cams_templates, never from cams_template_problem_info, which
// --templates.max-problem-series bounds.
(import 'exporter.libsonnet') +
(import 'refresh.libsonnet') +
(import 'api.libsonnet') +
(import 'flows.libsonnet') +
(import 'flow_status.libsonnet') +
(import 'collectors.libsonnet') +
(import 'messaging_health.libsonnet') +
(import 'phone_numbers.libsonnet') +
(import 'waba.libsonnet') +
(import 'templates.libsonnet') +
{
  local withRunbook(rule) =
    if std.objectHas(rule, 'alert') then
      rule { annotations+: { runbook_url: $._config.runbookURLPattern % std.asciiLower(rule.alert) } }
    else rule,

  prometheusAlerts+:: {
    groups: [
      group { rules: std.map(withRunbook, group.rules) }
      for group in super.groups
    ],
  },
}
