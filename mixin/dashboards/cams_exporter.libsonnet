// The dashboard of cams_exporter (dashboards/cams_exporter.json): a row of
// panels per part of the exporter, in rows/. Call with the mixin's
// _config: it sets the uid, title, tags, refresh, time range, the selector
// every query and variable starts with, and the thresholds the panels
// share with the alerts.
function(config)
  local g = (import 'grafana.libsonnet')(config);

  // A query variable of the data source's label values, multi-valued,
  // All by default.
  local variable(name, label, description, query) = {
    name: name,
    label: label,
    description: description,
    type: 'query',
    datasource: g.datasource,
    definition: query,
    query: { qryType: 1, query: query, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
    refresh: 2,
    regex: '',
    sort: 1,
    hide: 0,
    multi: true,
    includeAll: true,
    // .* as All, not the list of values: a regular expression of 10,000
    // space ids would not fit in a query.
    allValue: '.*',
    current: { selected: true, text: ['All'], value: ['$__all'] },
    options: [],
    skipUrlSync: false,
  };
  local selector = config.camsExporterSelector;

  {
    annotations: {
      list: [{
        builtIn: 1,
        datasource: { type: 'grafana', uid: '-- Grafana --' },
        enable: true,
        hide: true,
        iconColor: 'rgba(0, 211, 255, 1)',
        name: 'Annotations & Alerts',
        type: 'dashboard',
      }],
    },
    description: "Flows per space and category, spaces by state, error code, data age and flow count, CAMS API health (requests, errors, latency, throttling) and data freshness, and with their collectors the spaces' phone numbers (status, quality rating, messaging limit), WABAs and Meta's messaging health, from cams_exporter (Alibaba Cloud Chat App Message Service). Built for 10,000 spaces: with the space variable at All, per-space panels show the top or bottom 10 or 20 spaces, counts and distributions; choose spaces (or type a regex) to see theirs.",
    editable: true,
    fiscalYearStartMonth: 0,
    graphTooltip: 1,
    id: null,
    links: [],
    panels: std.flattenArrays([
      (import 'rows/overview.libsonnet')(g),
      (import 'rows/space_health.libsonnet')(g),
      (import 'rows/flows.libsonnet')(g),
      (import 'rows/phone_numbers.libsonnet')(g),
      (import 'rows/waba.libsonnet')(g),
      (import 'rows/messaging_health.libsonnet')(g),
      (import 'rows/message_templates.libsonnet')(g),
      (import 'rows/cams_api.libsonnet')(g),
      (import 'rows/freshness_and_refreshes.libsonnet')(g),
      (import 'rows/collectors.libsonnet')(g),
      (import 'rows/build.libsonnet')(g),
    ]),
    refresh: config.dashboardRefresh,
    schemaVersion: 39,
    tags: config.dashboardTags,
    templating: {
      list: [
        {
          name: 'datasource',
          label: 'Data source',
          description: 'Prometheus data source scraping cams_exporter.',
          type: 'datasource',
          query: 'prometheus',
          current: {},
          hide: 0,
          includeAll: false,
          multi: false,
          options: [],
          refresh: 1,
          regex: '',
          skipUrlSync: false,
        },
        variable('job',
                 'Job',
                 'Prometheus job(s) scraping cams_exporter.',
                 'label_values(cams_up{%s}, job)' % selector),
        variable('instance',
                 'Instance',
                 'cams_exporter instance(s).',
                 'label_values(cams_up{%s,job=~"$job"}, instance)' % selector),
        variable('space',
                 'Space',
                 'CAMS space(s) (CustSpaceId). Pick spaces from the list, or type any text and press Enter: it is used as a regular expression (e.g. cams-12.* or cams-a|cams-b), since every panel matches space=~"${space:pipe}". All (.*) also matches the account\'s own space (space=""). With All, the panels show the top or bottom 10 or 20 spaces, counts and distributions, never one line per space; chosen spaces show their own series.',
                 'label_values(cams_flows{%s}, space)' % g.vars.ji) + {
          // Typed text is a regular expression of spaces.
          allowCustomValue: true,
        },
      ],
    },
    time: { from: config.dashboardFrom, to: config.dashboardTo },
    timepicker: {},
    timezone: config.dashboardTimezone,
    title: config.dashboardTitle,
    uid: config.dashboardUID,
    version: 1,
    weekStart: '',
  }
