#!/usr/bin/env bash
# Installs the real programs the tests run, each built once from its Go module
# at the version pinned in scripts/tool-versions and cached in
#
#   ${CAMS_TOOLS_DIR:-$HOME/.cache/cams_exporter-tools}/
#     versions/<tool>-<version>/   one directory per tool and version
#     bin/                          symlinks to the pinned versions' programs
#
# A version bump in scripts/tool-versions builds the new version; a tool that
# is already built is not built again. Several runs at once are safe (a lock
# per tool). Each build's wall time is printed and kept in
# versions/<tool>-<version>/build-seconds.
#
# Usage: scripts/install-tools.sh [SET|TOOL]...
#   test       (default) everything `make test` needs: Debian's prometheus,
#              prometheus-alertmanager (2.42/0.25), strace, busybox (the
#              chart's test hook), systemd (systemd-analyze checks the
#              release's unit), unzip (the windows archive), rpm (reads
#              the release's .rpm),
#              etcd-server and chromium (the status page's browser test),
#              Prometheus 3 (prometheus, promtool), Alertmanager
#              (alertmanager, amtool), helm, kubeconform, the offline
#              Kubernetes schemas, kube-apiserver, nfpm and cyclonedx-gomod
#   k8s-e2e    what `make k8s-e2e` alone needs: Debian's etcd-server, helm,
#              the CRDs and kube-apiserver
#   release    what `make release` needs: nfpm (the .deb and .rpm),
#              cyclonedx-gomod (the SBOMs) and helm (the chart)
#   TOOL       one of: debian prometheus alertmanager helm kubeconform
#              k8s-schemas kube-apiserver etcd chromium rpm nfpm
#              cyclonedx-gomod
#   --print-dir  print the tools directory and exit
#
# Go builds use the ordinary GOCACHE and GOMODCACHE, so a second machine
# setup with warm Go caches takes a minute or two (linking) even with an
# empty tools directory.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=tool-versions
. scripts/tool-versions

TOOLS_DIR=${CAMS_TOOLS_DIR:-$HOME/.cache/cams_exporter-tools}
if [ "${1:-}" = --print-dir ]; then
  echo "$TOOLS_DIR"
  exit 0
fi
mkdir -p "$TOOLS_DIR/bin" "$TOOLS_DIR/versions" "$TOOLS_DIR/locks"
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"
export GOTOOLCHAIN=local

log() { echo "install-tools: $*" >&2; }

# go_mod_dir MODULE@VERSION prints the directory of the downloaded module.
go_mod_dir() {
  (cd "$TOOLS_DIR" && go mod download -json "$1") | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p'
}

# install_tool NAME VERSION BUILD_FUNCTION PROGRAM... builds NAME at VERSION
# into its own directory (BUILD_FUNCTION gets the directory to put the
# programs in) unless it is there already, then links the programs into bin/.
install_tool() {
  local name=$1 version=$2 build=$3
  shift 3
  local dest="$TOOLS_DIR/versions/$name-$version"
  if [ ! -f "$dest/complete" ]; then
    exec {lock}>"$TOOLS_DIR/locks/$name.lock"
    flock "$lock"
    if [ ! -f "$dest/complete" ]; then
      log "building $name $version (cold Go caches: minutes; see README)"
      local tmp start
      tmp=$(mktemp -d "$TOOLS_DIR/versions/.$name-$version.XXXXXX")
      chmod 755 "$tmp"
      start=$(date +%s)
      # A subshell with -e of its own: in an `if` or after `||`, bash would
      # ignore -e in the build function and call a half-failed build good.
      # Say every minute that the build goes on (kube-apiserver takes ten).
      (
        while sleep 60; do log "still building $name $version ($(($(date +%s) - start)) s)"; done
      ) &
      local heartbeat=$! rc
      set +e
      (
        set -e
        "$build" "$tmp"
      )
      rc=$?
      set -e
      kill "$heartbeat" 2>/dev/null || true
      wait "$heartbeat" 2>/dev/null || true
      if [ $rc -ne 0 ]; then
        rm -rf "$tmp"
        log "building $name $version failed"
        return 1
      fi
      echo $(($(date +%s) - start)) >"$tmp/build-seconds"
      touch "$tmp/complete"
      rm -rf "$dest"
      mv "$tmp" "$dest"
      log "built $name $version in $(cat "$dest/build-seconds") s"
    fi
    exec {lock}>&-
  fi
  local p
  for p in "$@"; do
    ln -sfn "../versions/$name-$version/$p" "$TOOLS_DIR/bin/$p"
  done
}

# Prometheus 3.N.P is the module version v0.3NN.P (3.16.0 is v0.316.0).
prometheus_module_version() {
  local major minor patch
  IFS=. read -r major minor patch <<<"$PROMETHEUS_VERSION"
  printf 'v0.%d%02d.%d' "$major" "$minor" "$patch"
}

version_ldflags() { # VERSION
  echo "-X github.com/prometheus/common/version.Version=$1 -X github.com/prometheus/common/version.Revision=v$1 -X github.com/prometheus/common/version.Branch=HEAD -X github.com/prometheus/common/version.BuildUser=cams_exporter-install-tools"
}

# Prometheus without the cloud service discoveries (AWS, Azure, GCE, ...):
# the rule engine, the TSDB, the API, static, file, HTTP and Kubernetes
# discovery are those of the release. The web UI's assets are not built, so
# the UI is absent; the API works.
build_prometheus() {
  local v
  v=$(prometheus_module_version)
  GOBIN="$1" go install -trimpath -tags 'remove_all_sd enable_kubernetes_sd' \
    -ldflags "-s -w $(version_ldflags "$PROMETHEUS_VERSION")" \
    "github.com/prometheus/prometheus/cmd/prometheus@$v" \
    "github.com/prometheus/prometheus/cmd/promtool@$v"
}

# Alertmanager embeds its built UI (ui/app/dist), which the module does not
# ship, so `go install` fails: build a copy of the module with an empty UI.
build_alertmanager() {
  local src
  src=$(go_mod_dir "github.com/prometheus/alertmanager@v$ALERTMANAGER_VERSION")
  mkdir -p "$1/src"
  cp -R "$src/." "$1/src"
  chmod -R u+w "$1/src"
  local ui
  for ui in elm mantine; do
    mkdir -p "$1/src/ui/app/dist/$ui"
    echo '<!doctype html><title>Alertmanager</title><p>The UI is not built; the API works.' >"$1/src/ui/app/dist/$ui/index.html"
  done
  (cd "$1/src" && GOFLAGS="$GOFLAGS -mod=mod" go build -trimpath \
    -ldflags "-s -w $(version_ldflags "$ALERTMANAGER_VERSION")" -o "$1/" ./cmd/alertmanager ./cmd/amtool)
  rm -rf "$1/src"
}

# As helm's Makefile does: the version, and the Kubernetes version that
# `helm template` and `helm lint` assume, from the client-go helm is built
# with (v0.37.x: 1.37), not helm's built-in 1.20.
build_helm() {
  local hdir minor
  hdir=$(go_mod_dir "helm.sh/helm/v3@v$HELM_VERSION")
  minor=$(sed -n 's#^[[:space:]]*k8s.io/client-go v0\.\([0-9]*\)\..*#\1#p' "$hdir/go.mod")
  [ -n "$minor" ] || { log "no k8s.io/client-go in helm's go.mod"; return 1; }
  local k8s k8s_flags=""
  for k8s in pkg/lint/rules pkg/chartutil; do
    k8s_flags+=" -X helm.sh/helm/v3/$k8s.k8sVersionMajor=1 -X helm.sh/helm/v3/$k8s.k8sVersionMinor=$minor"
  done
  GOBIN="$1" go install -trimpath \
    -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=v$HELM_VERSION$k8s_flags" \
    "helm.sh/helm/v3/cmd/helm@v$HELM_VERSION"
}

# nfpm's own build sets its version through goreleaser's ldflags the same way.
build_nfpm() {
  GOBIN="$1" go install -trimpath -ldflags "-s -w -X main.version=$NFPM_VERSION" \
    "github.com/goreleaser/nfpm/v2/cmd/nfpm@v$NFPM_VERSION"
}

build_cyclonedx_gomod() {
  GOBIN="$1" go install -trimpath -ldflags "-s -w" \
    "github.com/CycloneDX/cyclonedx-gomod/cmd/cyclonedx-gomod@v$CYCLONEDX_GOMOD_VERSION"
}

build_kubeconform() {
  GOBIN="$1" go install -trimpath -ldflags "-s -w" "github.com/yannh/kubeconform/cmd/kubeconform@v$KUBECONFORM_VERSION"
}

# kube-apiserver from k8s.io/kubernetes, whose go.mod points its staging
# modules (k8s.io/api, k8s.io/apiserver, ...) at directories the module zip
# does not hold: a wrapper module replaces each with its published v0.N.P.
build_kube_apiserver() {
  local kdir minor staging
  kdir=$(go_mod_dir "k8s.io/kubernetes@v$KUBERNETES_VERSION")
  staging="v0.${KUBERNETES_VERSION#*.}"
  minor=${KUBERNETES_VERSION#*.}
  minor=${minor%%.*}
  mkdir -p "$1/wrap"
  {
    echo "module cams_exporter/tools/kube-apiserver"
    grep -m1 '^go ' "$kdir/go.mod"
    echo "require k8s.io/kubernetes v$KUBERNETES_VERSION"
    sed -n 's#^[[:space:]]*\(k8s\.io/[^ ]*\) => \./staging/src/.*#replace \1 => \1 '"$staging"'#p' "$kdir/go.mod"
  } >"$1/wrap/go.mod"
  (cd "$1/wrap" && GOFLAGS="$GOFLAGS -mod=mod" go build -trimpath \
    -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=v$KUBERNETES_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor -X k8s.io/component-base/version.gitTreeState=clean" \
    -o "$1/" k8s.io/kubernetes/cmd/kube-apiserver)
  rm -rf "$1/wrap"
}

# Strict JSON schemas for kubeconform, offline: every kind of
# api/openapi-spec/swagger.json in k8s.io/kubernetes, and the
# ServiceMonitor and PrometheusRule CRDs of the prometheus-operator module.
build_k8s_schemas() {
  local kdir podir
  kdir=$(go_mod_dir "k8s.io/kubernetes@v$KUBERNETES_VERSION")
  podir=$(go_mod_dir "github.com/prometheus-operator/prometheus-operator@v$PROMETHEUS_OPERATOR_VERSION")
  mkdir -p "$1/k8s-schemas" "$1/crds"
  cp "$podir"/example/prometheus-operator-crd/monitoring.coreos.com_{servicemonitors,prometheusrules}.yaml "$1/crds/"
  go run ./scripts/k8sschemas -out "$1/k8s-schemas" \
    -swagger "$kdir/api/openapi-spec/swagger.json" "$1"/crds/*.yaml
}

apt_install() { # PACKAGE...
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "apt-get install ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

one() {
  case $1 in
  debian) apt_install prometheus prometheus-alertmanager strace busybox systemd unzip ;;
  rpm) apt_install rpm ;;
  etcd) apt_install etcd-server ;;
  chromium) apt_install chromium ;;
  prometheus) install_tool prometheus "$PROMETHEUS_VERSION" build_prometheus prometheus promtool ;;
  alertmanager) install_tool alertmanager "$ALERTMANAGER_VERSION" build_alertmanager alertmanager amtool ;;
  helm) install_tool helm "$HELM_VERSION" build_helm helm ;;
  kubeconform) install_tool kubeconform "$KUBECONFORM_VERSION" build_kubeconform kubeconform ;;
  k8s-schemas)
    # Not programs: linked beside bin/ as k8s-schemas/ and crds/.
    local v="$KUBERNETES_VERSION-po$PROMETHEUS_OPERATOR_VERSION"
    install_tool k8s-schemas "$v" build_k8s_schemas
    ln -sfn "versions/k8s-schemas-$v/k8s-schemas" "$TOOLS_DIR/k8s-schemas"
    ln -sfn "versions/k8s-schemas-$v/crds" "$TOOLS_DIR/crds"
    ;;
  kube-apiserver) install_tool kube-apiserver "$KUBERNETES_VERSION" build_kube_apiserver kube-apiserver ;;
  nfpm) install_tool nfpm "$NFPM_VERSION" build_nfpm nfpm ;;
  cyclonedx-gomod) install_tool cyclonedx-gomod "$CYCLONEDX_GOMOD_VERSION" build_cyclonedx_gomod cyclonedx-gomod ;;
  test) for t in debian rpm etcd chromium prometheus alertmanager helm kubeconform k8s-schemas kube-apiserver nfpm cyclonedx-gomod; do one "$t"; done ;;
  k8s-e2e) for t in etcd helm k8s-schemas kube-apiserver; do one "$t"; done ;;
  release) for t in nfpm cyclonedx-gomod helm; do one "$t"; done ;;
  *)
    echo "install-tools: unknown tool or set $1 (see the usage at the top of $0)" >&2
    exit 2
    ;;
  esac
}

[ $# -eq 0 ] && set -- test
for arg in "$@"; do one "$arg"; done
