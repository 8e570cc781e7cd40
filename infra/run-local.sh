#!/usr/bin/env bash
# Runs the whole system locally: PostgreSQL and RabbitMQ (installed when missing), the worker, the web host and a
# demo publisher sending a realistic mix of confident and unsure results. Ctrl+C stops everything.
#   infra/run-local.sh [--workers N] [--web M]   the scaled-out topology: N competing workers (one runs the relay),
#                                                M web nodes on consecutive ports (default 1 and 1)
set -euo pipefail
workers=1 webs=1
while [ $# -gt 0 ]; do
  case "$1" in
    --workers) workers=${2:?--workers N}; shift 2 ;;
    --web) webs=${2:?--web M}; shift 2 ;;
    *) echo "usage: $0 [--workers N] [--web M]" >&2; exit 2 ;;
  esac
done
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
logs=$repo/.local/logs
mkdir -p "$logs"

infra/servers.sh start >/dev/null
# shellcheck disable=SC1091
. "${REVIEWFLOW_STATE:-$repo/.local/servers}/env.sh"

dotnet build ReviewFlow.sln -c Release -nologo -clp:ErrorsOnly

free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
next_free() { local p=$1; while ! free "$p"; do p=$((p + 1)); done; echo "$p"; }
port=$(next_free "${WEB_PORT:-5080}")
url="http://127.0.0.1:$port"

pids=()
stop() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; echo "stopped (servers keep running: infra/servers.sh stop)"; }
trap stop EXIT INT TERM

# Each host runs from its output folder: that is where its appsettings*.json are. The schema's owner (postgres here)
# migrates and grants the services' role, reviewflow_app (infra/servers.sh creates it); the worker and the web host
# then run as that role, which can neither change the schema nor rewrite an event (docs/operations.md, "Roles").
(cd services/ReviewFlow.Worker/bin/Release/net10.0 && DOTNET_ENVIRONMENT=Development Audit__AppRole=reviewflow_app \
  dotnet ReviewFlow.Worker.dll --migrate) >"$logs/migrate.log" 2>&1 || { cat "$logs/migrate.log"; exit 1; }
export ConnectionStrings__Postgres="${ConnectionStrings__Postgres/Username=postgres/Username=reviewflow_app}"
# The audit checkpoints' signing key (docs/adr/0013): made once in the state folder, never committed, kept across runs
# so that earlier checkpoints still verify. The worker signs with it; the web hosts get only its public key. The sink
# stands in for object storage with a retention lock.
audit=$repo/.local/audit
mkdir -p "$audit/checkpoints"
[ -s "$audit/checkpoint-key.pem" ] || (umask 077 && openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$audit/checkpoint-key.pem" 2>/dev/null)
checkpoint_public=$(openssl pkey -in "$audit/checkpoint-key.pem" -pubout)
export Audit__CheckpointSink="$audit/checkpoints"
export Database__Migrate=false
worker_urls=() web_urls=()
next=5180
for i in $(seq 1 "$workers"); do
  wport=$(next_free "$next"); next=$((wport + 1)); worker_urls+=("http://127.0.0.1:$wport")
  # The demo shows the quality loop within minutes: QA-sample a fifth of the confident results (the policy adopted at
  # the first start only) and check the quality alarms every 30 s.
  (cd services/ReviewFlow.Worker/bin/Release/net10.0 && DOTNET_ENVIRONMENT=Development Urls="http://127.0.0.1:$wport" \
    Routing__QaSampleRate="${DEMO_QA_RATE:-0.2}" Quality__AlarmCron="*/30 * * * * *" \
    Audit__CheckpointKey="$(cat "$audit/checkpoint-key.pem")" Audit__CheckpointCron="* * * * *" \
    exec dotnet ReviewFlow.Worker.dll) >"$logs/worker$i.log" 2>&1 &
  pids+=($!)
done
# One development signing key for all web nodes: a page's token then works on whichever node the proxy picks.
dev_key=$(head -c 32 /dev/urandom | base64)
# The viewer's demo content: the first web node serves sample documents at /demo-content/ (Development) and every node
# may fetch them for the demo publisher's source systems (docs/operations.md, "Document content").
content=()
for source in ap-inbox legal-dms claims-portal; do content+=("--Content:Sources:$source:AllowedOrigins:0=$url"); done
next=$port
for j in $(seq 1 "$webs"); do
  nport=$(next_free "$next"); next=$((nport + 1)); web_urls+=("http://127.0.0.1:$nport")
  (cd web/ReviewFlow.Web/bin/Release/net10.0 && ASPNETCORE_ENVIRONMENT=Development ASPNETCORE_URLS="http://127.0.0.1:$nport" \
    DevSignIn__Enabled=true DevSignIn__SigningKey="$dev_key" Audit__CheckpointPublicKeys__0="$checkpoint_public" \
    DevUsers__simulated__Name="Simulated reviewer (demo)" DevUsers__simulated__Roles__0=Reviewer \
    DevUsers__simulated__Groups__0=ap-reviewers DevUsers__simulated__Groups__1=legal-reviewers DevUsers__simulated__Groups__2=claims-reviewers \
    exec dotnet ReviewFlow.Web.dll "${content[@]}") >"$logs/web$j.log" 2>&1 &
  pids+=($!)
done
for _ in $(seq 1 120); do curl -fs "$url/health/ready" >/dev/null 2>&1 && break; sleep 0.5; done
# The demo publisher is an upstream system: its broker user may only publish classifications.
ConnectionStrings__RabbitMq="$REVIEWFLOW_AMQP_UPSTREAM" dotnet tools/ReviewFlow.DemoPublisher/bin/Release/net10.0/ReviewFlow.DemoPublisher.dll --rate "${DEMO_RATE:-2}" \
  --drift-after "${DEMO_DRIFT_AFTER:-180}" --review "$url" --reviewer simulated --content "$url/" >"$logs/demo.log" 2>&1 &
pids+=($!)

cat <<INFO

ReviewFlow is running.
  Reviewer page $url/          (sign in as alice or bob; j/k, c, Enter, 1-9, r, e, x, f filter, [ ] pages; links: $url/?document=ID)
  Documents     most demo documents link to $url/demo-content/ (a 3-page PDF, a photo, a letter): the page shows
                them beside the decision through GET /api/v1/documents/{id}/content; the rest show only their excerpt
  Auditor page  $url/audit.html  (sign in as audrey: search, timelines, reports, export, verification)
  Checkpoints   $url/api/v1/audit/checkpoints (Auditor, Admin: signed each minute; copies in $audit/checkpoints,
                key in $audit/checkpoint-key.pem)
  Quality       $url/quality.html  (sign in as sam, audrey or ada: accuracy without a human, calibration, drift, confusion, alarms)
  Policy        $url/policy.html   (sign in as ada: edit the routing policy with its what-if, adopt with a reason, history)
  Operations    $url/operations.html (sign in as otto or ada: the intake error queue — replay, discard — and Invalid documents)
  API           $url/api       (health: $url/health/ready)
  Web nodes     ${web_urls[*]}   (each serves the page and the API; live updates reach every node)
  Workers       ${worker_urls[*]}   (probes and metrics only: /health/live, /health/ready, /metrics)
  A document    $url/api/v1/documents/{documentId}   and   .../{documentId}/history
  Sign in       token=\$(curl -s -X POST $url/api/v1/dev/token -H 'content-type: application/json' -d '{"user":"alice"}' | sed 's/.*"accessToken":"\([^"]*\)".*/\1/')
  Queue         curl -H "authorization: Bearer \$token" $url/api/v1/queue
  Submit        (as ap-inbox) curl -X POST $url/api/v1/documents -H "authorization: Bearer \$token" -H 'content-type: application/json' -d @docs/examples/classification.json
  RabbitMQ      upstream:   $REVIEWFLOW_AMQP_UPSTREAM   (publish raw JSON to exchange reviewflow.classifications)
                downstream: $REVIEWFLOW_AMQP_DOWNSTREAM   (bind a queue named downstream.* to the topic exchange
                reviewflow.decisions); the services' own user: $ConnectionStrings__RabbitMq (docs/security.md)
  PostgreSQL    $ConnectionStrings__Postgres   (the services' role; the owner migrated: $logs/migrate.log)
  Jobs          $url/hangfire   (Hangfire: SLA, lease and notification timers; Admins only — sign in on the page as
                ada and choose "Jobs", which first calls POST /api/v1/admin/dashboard-session)
  Quality loop  after ${DEMO_DRIFT_AFTER:-180} s the demo model turns into 2026.12.1: more confident and 35 % wrong. A simulated
                reviewer ("simulated") decides tasks older than 30 s by their true label, so within minutes the
                override-rate alarm fires and invoices and claims fall back to review: watch $url/quality.html and
                $url/policy.html as ada (the fallback is a policy version by "system"; restore it there, with a reason)
  Teams/Outlook off unless Notifications:Graph is configured (docs/operations.md, "Notifications")
  Logins        development users (no password; POST /api/v1/dev/token): alice, bob (reviewers), sam (supervisor),
                audrey (auditor), ada (admin), otto (operator), ap-inbox (upstream system) — see $url/api/v1/dev/users
  Logs          $logs/{worker1..N,web1..M,demo}.log   (the demo publisher logs each document it sends)

Press Ctrl+C to stop.
INFO
tail -n 0 -f "$logs/demo.log" &
pids+=($!)
wait "${pids[0]}"
