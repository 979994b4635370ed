#!/usr/bin/env bash
# Runs every test of cams_exporter (`make test`; CI's .ci/run runs exactly
# this). First it installs what the tests run (scripts/install-tools.sh test):
# Debian's prometheus, prometheus-alertmanager, strace, busybox, systemd,
# unzip, rpm, etcd-server and chromium packages, and Prometheus 3, Alertmanager, helm,
# kubeconform, the offline Kubernetes schemas, kube-apiserver, nfpm and
# cyclonedx-gomod, built from their Go modules once and cached
# (the first time takes about half an hour, see the README). Then gofmt, go vet and go test -race over every package, with
# each package's result as it finishes and, every minute, the packages still
# running.
set -euo pipefail
cd "$(dirname "$0")/.."

# No test may ever ask the ECS metadata service for credentials.
export ALIBABA_CLOUD_ECS_METADATA_DISABLED=true
# Every tool is installed below: a test whose tool is missing fails rather
# than skips (internal/tooltest), and testprogress fails the run on any skip.
export CAMS_REQUIRE_TOOLS=1

started=$(date +%s)
step() { echo "== $* [$(($(date +%s) - started)) s]"; }

step "installing the tools the tests run (scripts/install-tools.sh; cached after the first run)"
nice -n 10 scripts/install-tools.sh test

step gofmt
unformatted=$(gofmt -l $(git ls-files '*.go'))
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"
  echo "$unformatted"
  exit 1
fi

step "go vet"
go vet ./...

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/testprogress" ./scripts/testprogress
packages=$(go list ./... | wc -l)
step "go test -race: $packages packages"
# testprogress's last line is the count: "tests: N passed, N failed, N skipped";
# a skipped test fails the run.
go test -json -race -count=1 -timeout 20m ./... | TEST_STARTED=$started "$tmp/testprogress" "$packages"
