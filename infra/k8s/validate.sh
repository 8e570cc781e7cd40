#!/usr/bin/env bash
# Offline check of the Kubernetes manifests here: YAML syntax, the Kubernetes OpenAPI schemas (npm kubernetes-models,
# Kubernetes 1.34), and their wiring (validate/validate.mjs). Needs node and npm (installs into validate/node_modules
# once). Ends with "N passed, N failed".
set -euo pipefail
dir=$(cd "$(dirname "$0")/validate" && pwd)
if [ ! -d "$dir/node_modules/kubernetes-models" ]; then
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >/dev/null 2>&1) ||
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error >/dev/null)
fi
node "$dir/validate.mjs"
