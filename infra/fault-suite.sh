#!/usr/bin/env bash
# The fault suite in full (docs/reliability.md): every fault test — workers killed and frozen, RabbitMQ stopped and
# killed round after round, PostgreSQL stopped and killed, web nodes killed under connected reviewers — with the long
# settings, then the combined suite (FaultSuiteTests: every fault in turn on one running system with two reviewers).
# CI runs the same fault tests in their short form as part of infra/test.sh; the combined suite only runs here.
#   infra/fault-suite.sh [ROUNDS]   (broker restart rounds, default 12)
# The combined suite's other settings: REVIEWFLOW_FAULT_RATE (documents/s, default 40),
# REVIEWFLOW_FAULT_FLOW_SECONDS (documents flowing before each fault; 10 here, 3 by default), REVIEWFLOW_FAULT_DOWN_SECONDS.
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
    --filter "(FullyQualifiedName~Resilience&FullyQualifiedName!~FaultSuite)|FullyQualifiedName~WorkerHealth" \
    --logger "console;verbosity=detailed" || status=1
done
echo "== combined suite: every fault in turn on one system, $REVIEWFLOW_FAULT_ROUNDS broker rounds"
REVIEWFLOW_FAULT_SUITE=1 REVIEWFLOW_FAULT_FLOW_SECONDS=${REVIEWFLOW_FAULT_FLOW_SECONDS:-10} dotnet test tests/ReviewFlow.FaultTests -c Release --no-build --nologo \
  --filter "FullyQualifiedName~FaultSuite" --logger "console;verbosity=detailed" || status=1
dotnet test tests/ReviewFlow.UiTests -c Release --no-build --nologo --filter "FullyQualifiedName~Failover" \
  --logger "console;verbosity=detailed" || status=1
exit $status
