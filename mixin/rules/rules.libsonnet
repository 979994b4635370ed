// The recording rules. Every one of them is read by an alert, in the same
// evaluation: each lives in its alert's group, in prometheusAlerts
// (alerts/alerts.libsonnet says why). prometheusRules stays, empty, so that
// what concatenates the two (kube-prometheus, mixtool) finds it.
{
  prometheusRules+:: {
    groups+: [],
  },
}
