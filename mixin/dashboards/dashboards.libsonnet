// The Grafana dashboards, by file name.
{
  grafanaDashboards+:: {
    'cams_exporter.json': (import 'cams_exporter.libsonnet')($._config),
  },
}
