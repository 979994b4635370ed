{
  grafanaDashboards+:: {
    'cams_exporter.json': import '../../dashboards/cams_exporter.json',
  },
}
