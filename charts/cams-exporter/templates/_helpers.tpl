{{/* The chart's name. */}}
{{- define "cams-exporter.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The full name of the release's objects, at most 63 characters (DNS labels).
The release name alone when it already holds the chart's name.
*/}}
{{- define "cams-exporter.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "cams-exporter.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "cams-exporter.labels" -}}
helm.sh/chart: {{ include "cams-exporter.chart" . }}
{{ include "cams-exporter.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "cams-exporter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "cams-exporter.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
The helm test pod's labels: the release's, but not the exporter's selector
(the Deployment would adopt a pod it selects, and the Service send it
scrapes).
*/}}
{{- define "cams-exporter.testSelectorLabels" -}}
app.kubernetes.io/name: {{ include "cams-exporter.name" . }}-test
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "cams-exporter.testLabels" -}}
helm.sh/chart: {{ include "cams-exporter.chart" . }}
{{ include "cams-exporter.testSelectorLabels" . }}
app.kubernetes.io/component: test
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{/* The test pod's image, pinned by its digest when one is given. */}}
{{- define "cams-exporter.testImage" -}}
{{- with .Values.test.image }}
{{- if and .tag .digest }}
{{- printf "%s:%s@%s" .repository .tag .digest }}
{{- else if .digest }}
{{- printf "%s@%s" .repository .digest }}
{{- else }}
{{- printf "%s:%s" .repository .tag }}
{{- end }}
{{- end }}
{{- end }}

{{/*
The job label of the exporter's series: serviceMonitor.job, or else the
Service's name, as prometheus-operator would name the job. The
ServiceMonitor sets it and the PrometheusRule selects it, so that each
release's rules watch its own exporter.
*/}}
{{- define "cams-exporter.job" -}}
{{- .Values.serviceMonitor.job | default (include "cams-exporter.fullname" .) }}
{{- end }}

{{- define "cams-exporter.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "cams-exporter.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "cams-exporter.image" -}}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository (.Values.image.tag | default .Chart.AppVersion) }}
{{- end }}
{{- end }}

{{/* Whether a spaces file is mounted, and its ConfigMap and key. */}}
{{- define "cams-exporter.spacesConfigMap" -}}
{{- if .Values.spacesConfigMap }}
{{- .Values.spacesConfigMap }}
{{- else if .Values.spaces }}
{{- include "cams-exporter.fullname" . }}-spaces
{{- end }}
{{- end }}

{{- define "cams-exporter.spacesKey" -}}
{{- if .Values.spacesConfigMap }}
{{- .Values.spacesConfigMapKey }}
{{- else }}
{{- "spaces.txt" }}
{{- end }}
{{- end }}

{{/* The spaces file the chart renders from .Values.spaces. */}}
{{- define "cams-exporter.spacesFile" -}}
# CustSpaceIds watched by cams_exporter (chart value "spaces").
{{- range .Values.spaces }}
{{ . }}
{{- end }}
{{ end }}

{{- define "cams-exporter.cacheClaim" -}}
{{- .Values.cache.persistence.existingClaim | default (printf "%s-cache" (include "cams-exporter.fullname" .)) }}
{{- end }}

{{/*
The milliseconds of a Go duration the schema accepted (parts of ms, s, m or
h, each a decimal number), as a float: exact for whole numbers of each unit.
*/}}
{{- define "cams-exporter.durationMilliseconds" -}}
{{- $ms := 0.0 }}
{{- $units := dict "ms" 1.0 "s" 1000.0 "m" 60000.0 "h" 3600000.0 }}
{{- range regexFindAll "[0-9]+(\\.[0-9]+)?(ms|s|m|h)" . -1 }}
{{- $unit := regexFind "(ms|s|m|h)$" . }}
{{- $ms = addf $ms (mulf (float64 (trimSuffix $unit .)) (get $units $unit)) }}
{{- end }}
{{- $ms }}
{{- end }}

{{/*
Fails unless the interval .value of the value .key is empty or from 1m to
720h, the bounds of the exporter's collector intervals: a duration is a sum
of parts, which values.schema.json cannot bound.
*/}}
{{- define "cams-exporter.checkInterval" -}}
{{- with .value }}
{{- $ms := float64 (include "cams-exporter.durationMilliseconds" .) }}
{{- if or (lt $ms 60000.0) (gt $ms 2592000000.0) }}
{{- fail (printf "%s must be a duration from 1m to 720h (the exporter refuses any other), got %s" $.key .) }}
{{- end }}
{{- end }}
{{- end }}
