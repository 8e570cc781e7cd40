#!/usr/bin/env bash
# The fault suite in full (docs/reliability.md): every fault test — workers killed and frozen, RabbitMQ stopped and
# killed round after round, PostgreSQL stopped and killed, web nodes killed under connected reviewers — with the long
# settings. CI runs the same tests in their short form as part of infra/test.sh.
#   infra/fault-suite.sh [ROUNDS]   (broker restart rounds, default 12)
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export REVIEWFLOW_STATE=${REVIEWFLOW_STATE:-$repo/.local/fault-servers}
export REVIEWFLOW_FAULT_ROUNDS=${1:-12}
trap '[ "${KEEP_SERVERS:-0}" = 1 ] || infra/servers.sh stop >/dev/null 2>&1' EXIT
infra/servers.sh start >/dev/null 2>&1 || { echo "could not start PostgreSQL and RabbitMQ" >&2; exit 1; }
# shellcheck disable=SC1091
. "$REVIEWFLOW_STATE/env.sh"
dotnet build ReviewFlow.sln -c Release -nologo -clp:ErrorsOnly || exit 1
status=0
for kill in 0 1; do
  echo "== broker $([ $kill = 1 ] && echo killed || echo stopped), $REVIEWFLOW_FAULT_ROUNDS rounds; workers; database"
  REVIEWFLOW_FAULT_KILL=$kill dotnet test tests/ReviewFlow.FaultTests -c Release --no-build --nologo \
    --filter "FullyQualifiedName~Resilience|FullyQualifiedName~WorkerHealth" --logger "console;verbosity=detailed" || status=1
done
dotnet test tests/ReviewFlow.UiTests -c Release --no-build --nologo --filter "FullyQualifiedName~Failover" \
  --logger "console;verbosity=detailed" || status=1
exit $status
