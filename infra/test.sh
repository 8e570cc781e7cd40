#!/usr/bin/env bash
# Runs every test on real servers: installs (when missing) and starts PostgreSQL and RabbitMQ in a throw-away
# folder, builds the solution, runs all test projects, stops the servers, and ends with one line
# "N passed, N failed, N skipped". Exit code non-zero on any failure.
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
cd "$repo"
export REVIEWFLOW_STATE=${REVIEWFLOW_STATE:-$repo/.local/test-servers}
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
results=$repo/.local/test-results
configuration=${CONFIGURATION:-Release}

summary() { echo "$1 passed, $2 failed, $3 skipped"; }
cleanup() { [ "${KEEP_SERVERS:-0}" = 1 ] || "$repo/infra/servers.sh" stop >/dev/null 2>&1 || true; }
trap cleanup EXIT

# The browser tests drive Debian's Chromium (Playwright cannot download browsers here); the alert rules are checked
# and unit-tested by Prometheus' promtool (OperationsConfigTests).
for need in chromium:/usr/bin/chromium prometheus:/usr/bin/promtool; do
  package=${need%%:*} binary=${need#*:}
  [ -x "$binary" ] && continue
  [ -f /tmp/.reviewflow-apt-updated ] || { apt-get update -qq && touch /tmp/.reviewflow-apt-updated; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$package" >/dev/null ||
    { echo "could not install $package" >&2; summary 0 1 0; exit 1; }
done

if ! "$repo/infra/servers.sh" start >/dev/null; then
  echo "could not start PostgreSQL and RabbitMQ" >&2; summary 0 1 0; exit 1
fi
# shellcheck disable=SC1091
. "$REVIEWFLOW_STATE/env.sh"

if ! dotnet build ReviewFlow.sln -c "$configuration" -nologo -clp:ErrorsOnly; then
  echo "build failed" >&2; summary 0 1 0; exit 1
fi

rm -rf "$results"
# Three test assemblies at a time: most of their time is waiting (browsers, timers, restarted servers), and the
# three long ones (UiTests, IntegrationTests, FaultTests) then run side by side instead of two after each other.
dotnet test ReviewFlow.sln -c "$configuration" --no-build --nologo -m:3 \
  --logger "trx" --logger "console;verbosity=normal" --results-directory "$results"
rc=$?

passed=0 failed=0 skipped=0 files=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  files=$((files + 1))
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  value() { printf '%s' "$counters" | grep -o " $1=\"[0-9]*\"" | grep -o '[0-9]*'; }
  passed=$((passed + $(value passed)))
  failed=$((failed + $(value failed) + $(value error) + $(value timeout) + $(value aborted)))
  total=$(value total) executed=$(value executed)
  skipped=$((skipped + ${total:-0} - ${executed:-0})) # a skipped test counts in total, not in notExecuted
done
# The tail of the output is what a CI log shows: name each failed test there with the first lines of its message.
if [ "$failed" -gt 0 ]; then
  echo "Failed tests:"
  for trx in "$results"/*.trx; do
    [ -f "$trx" ] || continue
    awk '
      /<UnitTestResult / && /outcome="Failed"/ { match($0, /testName="[^"]*"/); name = substr($0, RSTART + 10, RLENGTH - 11); failing = 1 }
      failing && /<Message>/ { inmsg = 1; lines = 0; sub(/.*<Message>/, "") }
      failing && inmsg { text = $0; done = sub(/<\/Message>.*/, "", text); if (lines < 6) msg = msg "      " text "\n"; lines++
                         if (done) { printf "  %s\n%s", name, msg; failing = 0; inmsg = 0; msg = "" } }
    ' "$trx"
  done
fi
if [ "$files" -eq 0 ] || [ $((passed + failed)) -eq 0 ]; then
  echo "no test results were written" >&2; failed=$((failed + 1))
fi
[ "$rc" -ne 0 ] && [ "$failed" -eq 0 ] && failed=1
summary "$passed" "$failed" "$skipped"
[ "$failed" -eq 0 ]
