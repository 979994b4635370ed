#!/usr/bin/env bash
# Runs every test of cams_exporter, installing what the tests need on a fresh
# Debian machine: promtool (package prometheus) and amtool/alertmanager
# (package prometheus-alertmanager). Go modules come from the module proxy.
set -euo pipefail
cd "$(dirname "$0")/.."

# No test may ever ask the ECS metadata service for credentials.
export ALIBABA_CLOUD_ECS_METADATA_DISABLED=true

need_pkgs=()
{ command -v promtool && command -v prometheus; } >/dev/null 2>&1 || need_pkgs+=(prometheus)
{ command -v amtool && command -v prometheus-alertmanager; } >/dev/null 2>&1 || need_pkgs+=(prometheus-alertmanager)
if [ ${#need_pkgs[@]} -gt 0 ]; then
  echo "installing ${need_pkgs[*]} for the tests"
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need_pkgs[@]}" >/dev/null
fi

test -z "$(gofmt -l $(git ls-files '*.go'))" || { echo "gofmt would change:"; gofmt -l $(git ls-files '*.go'); exit 1; }
go vet ./...
go test -race -count=1 -timeout 15m ./...
