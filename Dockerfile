# The image of cams_exporter, every platform from one build: the build
# stage runs on the build machine's platform and cross-compiles for each
# target (no emulation). `make image` builds linux/amd64, linux/arm64 and
# linux/arm/v7 with docker buildx; one platform:
#   docker build --build-arg VERSION=$(cat VERSION) --build-arg REVISION=$(git rev-parse HEAD) -t cams_exporter .
# The binary's version is the VERSION file's; the VERSION build argument,
# for the image's labels, must be the same (the build refuses another or
# none). .git stays out of the build context, so the revision comes only
# from REVISION.
FROM --platform=$BUILDPLATFORM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG TARGETOS TARGETARCH TARGETVARIANT
ARG VERSION=
ARG REVISION=
ARG BRANCH=
ARG CREATED=
RUN set -eu; \
    file_version=$(cat VERSION); \
    if [ "$VERSION" != "$file_version" ]; then \
      echo "Dockerfile: the VERSION build argument is \"$VERSION\", the VERSION file says $file_version: pass --build-arg VERSION=\$(cat VERSION)" >&2; \
      exit 1; \
    fi; \
    if [ "$TARGETARCH" = arm ]; then export GOARM="${TARGETVARIANT#v}"; fi; \
    CGO_ENABLED=0 GOOS="$TARGETOS" GOARCH="$TARGETARCH" go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X github.com/prometheus/common/version.Version=${file_version} -X github.com/prometheus/common/version.Revision=${REVISION} -X github.com/prometheus/common/version.Branch=${BRANCH} -X github.com/prometheus/common/version.BuildDate=${CREATED}" \
      -o /out/cams_exporter .

# distroless static: no shell, no package manager, runs as nonroot (65532).
FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=
ARG REVISION=
ARG CREATED=
LABEL org.opencontainers.image.title="cams_exporter" \
      org.opencontainers.image.description="Prometheus exporter and health checker for Alibaba Cloud Chat App Message Service (CAMS)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.source="https://github.com/cams-exporter/cams_exporter" \
      org.opencontainers.image.url="https://github.com/cams-exporter/cams_exporter" \
      org.opencontainers.image.documentation="https://github.com/cams-exporter/cams_exporter#readme" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.vendor="cams_exporter" \
      org.opencontainers.image.base.name="gcr.io/distroless/static-debian12:nonroot"
COPY --from=build /out/cams_exporter /cams_exporter
COPY --from=build /src/LICENSE /LICENSE
USER 65532:65532
EXPOSE 9949
ENTRYPOINT ["/cams_exporter"]
