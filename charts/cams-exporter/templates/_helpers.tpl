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
