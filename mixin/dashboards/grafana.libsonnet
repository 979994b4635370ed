// The dashboard's building blocks, in plain jsonnet (no grafonnet: nothing
// is fetched): a panel of each type with the settings its panels share; a
// panel changes the rest with +. Call with the mixin's _config.
//
// A query's expression selects the exporter with %(ji)s (the exporter
// selector, $job and $instance) or %(jis)s (and $space), which query()
// fills in: with the default _config, %(jis)s is
// job="cams",job=~"$job",instance=~"$instance",space=~"${space:pipe}". The
// selector keeps the dashboard on the exporter's jobs even when the job
// variable is All (.*).
function(config) {
  local g = self,
  local green = [{ color: 'green', value: null }],

  config: config,
  format: import '../lib/format.libsonnet',

  // What query() formats each expression with: the label matchers, and the
  // staleness margin of the alerts (_config.staleMargin).
  vars: {
    ji: config.camsExporterSelector + ',job=~"$job",instance=~"$instance"',
    jis: self.ji + ',space=~"${space:pipe}"',
    staleMargin: g.format.number(config.staleMargin),
  },

  datasource: { type: 'prometheus', uid: '${datasource}' },

  // A query of the panel over its time range, or an instant query at its
  // end (a "top" table).
  query(refId, expr, legendFormat='', instant=false, format=null):: {
    datasource: g.datasource,
    editorMode: 'code',
    expr: expr % g.vars,
    legendFormat: legendFormat,
    range: !instant,
    instant: instant,
    refId: refId,
  } + (if format == null then {} else { format: format }),

  // A row of the 24-column grid at height y; collapsed when it holds its
  // panels (then placed from y + 1).
  row(id, title, y, panels=null):: {
    collapsed: panels != null,
    datasource: g.datasource,
    gridPos: { h: 1, w: 24, x: 0, y: y },
    id: id,
    panels: if panels == null then [] else panels,
    title: title,
    type: 'row',
  },

  local panel(type, id, title, description, gridPos, targets) = {
    datasource: g.datasource,
    description: description,
    gridPos: gridPos,
    id: id,
    targets: targets,
    title: title,
    type: type,
  },

  local reduceLast = { calcs: ['lastNotNull'], fields: '', values: false },

  // Lines over time, a legend table with the last and largest values.
  timeseries(id, title, description, gridPos, targets, unit='none'):: panel('timeseries', id, title, description, gridPos, targets) {
    fieldConfig: {
      defaults: {
        color: { mode: 'palette-classic' },
        custom: {
          axisBorderShow: false,
          axisCenteredZero: false,
          axisColorMode: 'text',
          axisLabel: '',
          axisPlacement: 'auto',
          barAlignment: 0,
          drawStyle: 'line',
          fillOpacity: 10,
          gradientMode: 'none',
          hideFrom: { legend: false, tooltip: false, viz: false },
          insertNulls: false,
          lineInterpolation: 'linear',
          lineWidth: 1,
          pointSize: 5,
          scaleDistribution: { type: 'linear' },
          showPoints: 'never',
          spanNulls: false,
          stacking: { group: 'A', mode: 'none' },
          thresholdsStyle: { mode: 'off' },
        },
        mappings: [],
        min: 0,
        thresholds: { mode: 'absolute', steps: green },
        unit: unit,
      },
      overrides: [],
    },
    options: {
      legend: { calcs: ['lastNotNull', 'max'], displayMode: 'table', placement: 'bottom', showLegend: true },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
  },

  // A table of an instant query's series.
  table(id, title, description, gridPos, targets, transformations, unit='none'):: panel('table', id, title, description, gridPos, targets) {
    fieldConfig: {
      defaults: {
        color: { mode: 'thresholds' },
        custom: { align: 'auto', cellOptions: { type: 'auto' }, inspect: false },
        thresholds: { mode: 'absolute', steps: green },
        unit: unit,
      },
      overrides: [],
    },
    options: {
      cellHeight: 'sm',
      footer: { countRows: false, fields: '', reducer: ['sum'], show: false },
      showHeader: true,
    },
    transformations: transformations,
  },

  // One number, its last value.
  stat(id, title, description, gridPos, targets, unit='none'):: panel('stat', id, title, description, gridPos, targets) {
    fieldConfig: {
      defaults: {
        color: { mode: 'thresholds' },
        thresholds: { mode: 'absolute', steps: [{ color: 'blue', value: null }] },
        unit: unit,
      },
      overrides: [],
    },
    options: {
      colorMode: 'value',
      graphMode: 'none',
      justifyMode: 'auto',
      orientation: 'auto',
      reduceOptions: reduceLast,
      showPercentChange: false,
      textMode: 'auto',
      wideLayout: true,
    },
  },

  // Horizontal bars, one per query or series: a distribution.
  bargauge(id, title, description, gridPos, targets, unit='none'):: panel('bargauge', id, title, description, gridPos, targets) {
    fieldConfig: {
      defaults: {
        color: { mode: 'palette-classic' },
        mappings: [],
        min: 0,
        thresholds: { mode: 'absolute', steps: green },
        unit: unit,
      },
      overrides: [],
    },
    options: {
      displayMode: 'basic',
      maxVizHeight: 300,
      minVizHeight: 16,
      minVizWidth: 8,
      namePlacement: 'auto',
      orientation: 'horizontal',
      reduceOptions: reduceLast,
      showUnfilled: true,
      sizing: 'auto',
      valueMode: 'color',
    },
  },
}
