// Package charts holds the tests of the Helm chart in cams-exporter/: helm
// lint, helm template validated by kubeconform against offline strict
// schemas, the values schema, the rendered rules and dashboard against their
// sources, and an install into a real kube-apiserver (TestKubernetesE2E,
// alone: `make k8s-e2e`).
package charts
