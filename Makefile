GO         ?= go
# The version being prepared (VERSION), as the Prometheus projects keep it;
# --version and cams_exporter_build_info report it with the revision,
# branch and build date.
VERSION    ?= $(shell cat VERSION)
REVISION   ?= $(shell git rev-parse HEAD 2>/dev/null || echo unknown)
BRANCH     ?= $(shell git rev-parse --abbrev-ref HEAD 2>/dev/null || echo unknown)
BUILD_DATE ?= $(shell date -u +%Y%m%d-%H:%M:%S)
BUILD_USER ?= $(shell whoami 2>/dev/null)@$(shell hostname 2>/dev/null)
LDFLAGS := -s -w \
	-X github.com/prometheus/common/version.Version=$(VERSION) \
	-X github.com/prometheus/common/version.Revision=$(REVISION) \
	-X github.com/prometheus/common/version.Branch=$(BRANCH) \
	-X github.com/prometheus/common/version.BuildUser=$(BUILD_USER) \
	-X github.com/prometheus/common/version.BuildDate=$(BUILD_DATE)

# The image: every platform built by one `docker buildx build`, each
# cross-compiled on the build machine (see the Dockerfile).
IMAGE           ?= ghcr.io/cams-exporter/cams_exporter
IMAGE_PLATFORMS ?= linux/amd64,linux/arm64,linux/arm/v7

.PHONY: build test tools k8s-e2e demo bench soak release image mixin

build:
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o cams_exporter .

# Every test; installs what the tests run first (see README: Development).
test:
	./scripts/test.sh

# A release into dist/ from a clean work tree (README: Install): archives
# for every platform, sha256sums.txt, SBOMs, the .deb and .rpm packages and
# the chart; about half a minute with warm Go caches, some minutes cold.
release:
	./scripts/install-tools.sh release
	$(GO) run ./scripts/release

# Needs Docker with buildx; add --push to publish (README: Docker).
image:
	docker buildx build --platform $(IMAGE_PLATFORMS) \
		--build-arg VERSION=$(VERSION) --build-arg REVISION=$(REVISION) --build-arg BRANCH=$(BRANCH) \
		--build-arg CREATED=$(shell date -u +%Y-%m-%dT%H:%M:%SZ) \
		-t $(IMAGE):$(VERSION) .

# alerts/cams_exporter.rules.yml, dashboards/cams_exporter.json and the Helm
# chart's copies, generated from the monitoring mixin in mixin/ (jsonnet, run
# by go-jsonnet: nothing is fetched). Commit what it writes; a test fails
# when a committed file differs.
mixin:
	$(GO) run ./scripts/mixin

# The real programs the tests run, built from their Go modules and cached in
# $${CAMS_TOOLS_DIR:-$$HOME/.cache/cams_exporter-tools} (scripts/tool-versions).
tools:
	./scripts/install-tools.sh test

# The Helm chart installed into a real kube-apiserver on etcd (loopback), every
# object read back; `make test` runs it too. The first run builds
# kube-apiserver (see README).
k8s-e2e:
	nice -n 10 ./scripts/install-tools.sh k8s-e2e
	ALIBABA_CLOUD_ECS_METADATA_DISABLED=true $(GO) test -count=1 -v -timeout 20m -run '^TestKubernetesE2E$$' ./charts/

# go run stamps no version control information; the -ldflags say which
# commit the demo runs.
demo:
	$(GO) run -ldflags "$(LDFLAGS)" . --demo

# The full soak: 50 scrapers for 60 s against 1,000 spaces under faults, and
# a System.LimitControl storm of a minute.
soak:
	ALIBABA_CLOUD_ECS_METADATA_DISABLED=true SOAK_DURATION=60s STORM_DURATION=1m $(GO) test -count=1 -run '^(TestSoak|TestLimitControlStorm)$$' -v .

# Benchmarks against the simulator (see BENCHMARKS.md); about 30 minutes.
# Pass harness flags in BENCHFLAGS, e.g. BENCHFLAGS=-parts=scrape.
bench:
	ALIBABA_CLOUD_ECS_METADATA_DISABLED=true $(GO) run ./bench $(BENCHFLAGS)
