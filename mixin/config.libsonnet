// The mixin's settings. Override any of them when you import the mixin:
//
//   (import 'github.com/cams-exporter/cams_exporter/mixin/mixin.libsonnet') + {
//     _config+:: { camsExporterSelector: 'job="cams-eu"', stormMinSpaces: 20 },
//   }
//
// The defaults are those of alerts/cams_exporter.rules.yml and
// dashboards/cams_exporter.json, which `make mixin` generates from them.
// Windows are Prometheus durations of one unit (15m, 2h, 24h): the
// recording rules that hold a window are named after it
// (cams:api_errors:rate15m), and the alerts' descriptions say it in words.
local format = import 'lib/format.libsonnet';

// The settings of each kind, checked below.
local numbers = [
  'staleMargin',
  'stormMinSpaces',
  'stormSpacesShare',
  'stormCallsShare',
  'throttlingRatio',
  'apiErrorsRatio',
  'apiLatencyP99Seconds',
  'flowsRemovedMax',
  'templateWaveMinSpaces',
  'templateWaveShare',
  'templateWaveHoldShare',
];
local durations = [
  'apiWindow',
  'stormCallsWindow',
  'flowsDisappearedWindow',
  'flowsRemovedWindow',
  'publishedFlowsWindow',
  'flowStatusDeniedWindow',
  'messagingLimitWindow',
  'messagingLimitStep',
  'wabaPendingAfter',
  'wabaPendingWindow',
  'templateWaveListedWindow',
  'templatePausedWindow',
  'exporterRefreshInterval',
];

{
  _config+:: {
    // Selects the exporter's series in every rule, and the jobs the
    // dashboard offers. Select by job (and instance) only: the recording
    // rules keep those two of the exporter's target labels, and a rule that
    // reads a recorded series selects it with this selector too, so that two
    // exporters watched with rules of their own (the Helm chart's releases)
    // never read each other's. Never empty: select every job with
    // job=~".+".
    camsExporterSelector: 'job="cams"',

    // Where each alert's runbook_url points: %s is the alert's name in lower
    // case, the anchor of its section in alerts/RUNBOOK.md.
    runbookURLPattern: 'https://github.com/cams-exporter/cams_exporter/blob/main/alerts/RUNBOOK.md#%s',

    // Freshness: a space's (and a collector's) data is stale when older
    // than this many refresh periods (the exporter's default
    // --health.max-staleness is three periods). A space that never
    // succeeded pages once the exporter has run that long.
    staleMargin: 3,

    // The CAMS API's windows. The exporter calls CAMS only when it
    // refreshes, every --refresh.interval (default 5m): a rate over a window
    // no longer than the interval can hold no refresh at all. Keep the
    // window at least twice (three times by default) the interval.
    apiWindow: '15m',
    // The share of the calls that failed with a code, for the storms: two
    // scrapes at least (a scrape interval of 1m or less).
    stormCallsWindow: '2m',

    // Storms (CAMSManySpacesFailing, CAMSCollectorManySpacesFailing): the
    // fewest spaces failing with one code that make a storm, and the share
    // of the watched spaces (and, for the listings' codes with a per-space
    // alert, of the last stormCallsWindow's calls) they must exceed.
    stormMinSpaces: 10,
    stormSpacesShare: 0.1,
    stormCallsShare: 0.1,

    // CAMSThrottling: the share of the calls throttled; CAMSAPIErrorsHigh:
    // the share that failed with a server, network or response error;
    // CAMSHighAPILatency: the 99th percentile latency, in seconds (a quarter
    // of the default --cams.timeout).
    throttlingRatio: 0.05,
    apiErrorsRatio: 0.1,
    apiLatencyP99Seconds: 2.5,

    // Flows: CAMSFlowsDisappeared looks back this far for flows;
    // CAMSManyFlowsRemoved fires past this many removals in its window;
    // CAMSPublishedFlowsDropped compares with the most published flows of
    // its window.
    flowsDisappearedWindow: '1h',
    flowsRemovedWindow: '15m',
    flowsRemovedMax: 10,
    publishedFlowsWindow: '1h',
    // CAMSFlowStatusPermissionDenied: GetFlow's denials counted over this
    // window, at least twice --flow-status.interval (default 1h).
    flowStatusDeniedWindow: '2h',

    // CAMSMessagingLimitDecreased: a number's limit lower than its highest
    // of this window, read at every step of it (a subquery).
    messagingLimitWindow: '1h',
    messagingLimitStep: '5m',

    // CAMSWabaReviewNotApproved: a WABA PENDING now, and PENDING within
    // wabaPendingWindow this long ago (Meta reviews a new WABA for minutes
    // to days).
    wabaPendingAfter: '24h',
    wabaPendingWindow: '1h',

    // Message templates: a wave (CAMSTemplateProblemsInManySpaces,
    // CAMSManySpacesWithoutUsableTemplate) is at least templateWaveMinSpaces
    // spaces with a problem, more than templateWaveShare of the spaces
    // watched, or of those listed within templateWaveListedWindow; once it
    // fires it holds while more than templateWaveHoldShare have it.
    templateWaveMinSpaces: 10,
    templateWaveShare: 0.1,
    templateWaveListedWindow: '5m',
    templateWaveHoldShare: 0.05,
    // CAMSTemplatePaused also reports the pauses seen within this window.
    templatePausedWindow: '1h',

    // The dashboard.
    dashboardUID: 'cams-exporter',
    dashboardTitle: 'CAMS Exporter',
    dashboardTags: ['cams', 'alibaba-cloud', 'whatsapp', 'prometheus-exporter'],
    dashboardRefresh: '1m',
    dashboardFrom: 'now-6h',
    dashboardTo: 'now',
    dashboardTimezone: 'browser',
    // The exporter's default --refresh.interval: the data age panels draw
    // their red line at staleMargin of it.
    exporterRefreshInterval: '5m',

    assert std.isString(self.camsExporterSelector) && self.camsExporterSelector != '' :
           '_config.camsExporterSelector is empty: select the exporter, e.g. job="cams", or every job with job=~".+"',
    local notNumbers = [k for k in numbers if !std.isNumber(self[k])],
    assert notNumbers == [] : '_config.%s: want a number' % std.join(', _config.', notNumbers),
    local notDurations = [k for k in durations if !format.isDuration(self[k])],
    assert notDurations == [] :
           '_config.%s: want a duration of a whole number and one unit of s, m, h, d, w (e.g. 15m, 2h)' % std.join(', _config.', notDurations),
  },
}
