{{/*
Chart name, or nameOverride.
*/}}
{{- define "chat-service.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Fully qualified app name, at most 63 characters (the DNS label limit). A
release name that already contains the chart name is used as it is.
*/}}
{{- define "chat-service.fullname" -}}
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

{{/*
Chart name and version, for the helm.sh/chart label.
*/}}
{{- define "chat-service.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels on every resource.
*/}}
{{- define "chat-service.labels" -}}
helm.sh/chart: {{ include "chat-service.chart" . }}
{{ include "chat-service.selectorLabels" . }}
{{- if .Chart.AppVersion }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: marketplace
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Selector labels: stable for the life of a release.
*/}}
{{- define "chat-service.selectorLabels" -}}
app.kubernetes.io/name: {{ include "chat-service.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/*
Name of the ServiceAccount the pods use.
*/}}
{{- define "chat-service.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "chat-service.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
Image reference; the tag defaults to the chart's appVersion.
*/}}
{{- define "chat-service.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{/*
Whether the chart creates its own Secret: for the database password unless an
existing Secret holds it, and for a Redis password given in values.
*/}}
{{- define "chat-service.createSecret" -}}
{{- if or (not .Values.database.existingSecret) (and .Values.redis.password (not .Values.redis.existingSecret)) -}}
true
{{- end }}
{{- end }}

{{/*
Secret and key holding the database password.
*/}}
{{- define "chat-service.databaseSecretName" -}}
{{- default (include "chat-service.fullname" .) .Values.database.existingSecret }}
{{- end }}

{{- define "chat-service.databaseSecretKey" -}}
{{- if .Values.database.existingSecret }}
{{- .Values.database.existingSecretPasswordKey }}
{{- else -}}
database-password
{{- end }}
{{- end }}

{{/*
Secret and key holding the Redis password, or nothing when Redis has none.
*/}}
{{- define "chat-service.redisSecretName" -}}
{{- if .Values.redis.existingSecret }}
{{- .Values.redis.existingSecret }}
{{- else if .Values.redis.password }}
{{- include "chat-service.fullname" . }}
{{- end }}
{{- end }}

{{- define "chat-service.redisSecretKey" -}}
{{- if .Values.redis.existingSecret }}
{{- .Values.redis.existingSecretPasswordKey }}
{{- else -}}
redis-password
{{- end }}
{{- end }}

{{/*
drainTimeout in whole seconds ("20s" -> 20).
*/}}
{{- define "chat-service.drainSeconds" -}}
{{- $drain := toString .Values.drainTimeout }}
{{- if not (regexMatch "^[0-9]+s$" $drain) }}
{{- fail (printf "drainTimeout must be whole seconds like \"20s\", got %q" $drain) }}
{{- end }}
{{- trimSuffix "s" $drain | atoi }}
{{- end }}

{{/*
Refuses values the service cannot run with, at render time, naming the value
to set: better than pods that crash-loop or run without a check they need.
*/}}
{{- define "chat-service.checkValues" -}}
{{- if not (or .Values.oidc.issuerUri .Values.oidc.jwkSetUri) }}
{{- fail "set oidc.issuerUri (your OpenID Connect issuer, e.g. --set oidc.issuerUri=https://id.example.com/realms/marketplace) or oidc.jwkSetUri: the service accepts only tokens it can verify and does not start without one" }}
{{- end }}
{{- if and (empty .Values.oidc.audiences) (not .Values.oidc.allowAnyAudience) }}
{{- fail "oidc.audiences is empty: list the aud your identity provider puts into tokens for this service (e.g. --set 'oidc.audiences={chat-service}'), or set oidc.allowAnyAudience=true if the provider issues tokens for no other application. Without an audience check a token the same provider issued for another application would be accepted here, roles included" }}
{{- end }}
{{- $maxConnections := int .Values.websocket.maxConnections }}
{{- $serverMaxConnections := int .Values.websocket.serverMaxConnections }}
{{- if ge $maxConnections $serverMaxConnections }}
{{- fail (printf "websocket.maxConnections (%d) must be below websocket.serverMaxConnections (%d), Tomcat's connection limit: past it new connections wait unanswered, probes and REST calls with them, instead of getting the 503 that sends a handshake to another replica" $maxConnections $serverMaxConnections) }}
{{- end }}
{{- end }}
