#!/usr/bin/env bash
# Builds the Teams app package (docs/teams.md, "The app package"): manifest.json from configuration, and the two icons,
# in one zip to upload in the Teams admin center (or Developer Portal).
# Usage: infra/teams/package.sh [ENV_FILE] [OUT_ZIP]
#   ENV_FILE: KEY=value lines (the web host's configuration names, e.g. Teams__AppId=…); else the environment's.
#   OUT_ZIP:  default .local/teams/reviewflow-teams.zip. Prints the zip's path.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
if [[ -n "${1:-}" ]]; then set -a; source "$1"; set +a; fi
out="$(realpath -m "${2:-$here/../../.local/teams/reviewflow-teams.zip}")"

fail() { echo "package.sh: $*" >&2; exit 2; }
need() { [[ -n "${!1:-}" ]] || fail "$1 is not set: $2"; }
guid() { [[ ${!1} =~ ^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$ ]] || fail "$1 is not a GUID: ${!1}"; }
need Teams__AppId "the app's own id, a GUID generated once (uuidgen) and kept for every version"
need Teams__BotAppId "the Azure Bot's Microsoft App ID (the web host's Teams:BotAppId)"
need Auth__ClientId "the reviewer page's Entra ID app registration (the web host's Auth:ClientId)"
need Notifications__PublicBaseUrl "where ReviewFlow is served, https://host"
for v in Teams__AppId Teams__BotAppId Auth__ClientId; do guid "$v"; done
base="${Notifications__PublicBaseUrl%/}"
[[ $base =~ ^https://[^/]+$ ]] || fail "Notifications__PublicBaseUrl must be https://host (no path): $base"
host="${base#https://}"

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
jq -n -f "$here/manifest.jq" \
  --arg appId "$Teams__AppId" --arg botId "$Teams__BotAppId" --arg clientId "$Auth__ClientId" \
  --arg base "$base" --arg host "$host" --arg tabEntityId "review" \
  --arg version "${Teams__AppVersion:-1.0.0}" \
  --arg developer "${Teams__DeveloperName:-ReviewFlow}" \
  --arg privacyUrl "${Teams__PrivacyUrl:-$base/}" --arg termsUrl "${Teams__TermsOfUseUrl:-$base/}" \
  --arg resource "${Teams__WebApplicationResource:-api://$host/$Auth__ClientId}" \
  > "$work/manifest.json"
cp "$here/icons/color.png" "$here/icons/outline.png" "$work/"
mkdir -p "$(dirname "$out")"
rm -f "$out"
# Flat: Teams wants manifest.json and the icons at the zip's root. -X: no extra attributes.
(cd "$work" && zip -q -X "$out" manifest.json color.png outline.png)
echo "$out"
