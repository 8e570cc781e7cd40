#!/usr/bin/env bash
# Local PostgreSQL and RabbitMQ for development, tests and CI — no Docker, no systemd.
#   infra/servers.sh start   install (when missing) and start both, wait until they answer,
#                            write $STATE/env.sh with the connection strings
#   infra/servers.sh stop    stop both and delete the throw-away data folder
#   infra/servers.sh status
#   infra/servers.sh vhost NAME   add a RabbitMQ virtual host (tests isolate their systems with one each)
#   infra/servers.sh queues NAME  list a virtual host's queues and their type
#   infra/servers.sh down rabbitmq|postgres [--kill]   stop one server (or kill it), keeping its data and port
#   infra/servers.sh up rabbitmq|postgres     start it again on the same port with the same data
# STATE defaults to <repo>/.local/servers; ports come from PG_PORT / AMQP_PORT or the first free
# port at or above PG_PORT_FROM / AMQP_PORT_FROM (default 55432 / 56720). Servers that tests restart take ports below
# the ephemeral range (32768+): there, a client socket may hold the port when the server comes back (eaddrinuse).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
STATE=${REVIEWFLOW_STATE:-$repo/.local/servers}
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}

log() { printf '[servers] %s\n' "$*" >&2; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() { local p=$1; while ! port_free "$p"; do p=$((p + 1)); done; echo "$p"; }

apt_install() {
  if [ ! -f "$STATE/.apt-updated" ] && [ ! -f /tmp/.reviewflow-apt-updated ]; then
    apt-get update -qq && touch /tmp/.reviewflow-apt-updated
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

install_missing() {
  if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    log "installing PostgreSQL"; apt_install postgresql
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
  if [ ! -x /usr/lib/rabbitmq/bin/rabbitmq-server ]; then
    log "installing RabbitMQ"; apt_install rabbitmq-server
  fi
  # Debian's packages try to start the services; we run our own instances instead.
  pkill -u rabbitmq -f 'beam.*rabbit@' 2>/dev/null && sleep 1 || true
}

start_pg() {
  local dir=$STATE/pg port=$1
  mkdir -p "$dir"; chown postgres:postgres "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    su postgres -c "$PG_BIN/initdb -D '$dir/data' -U postgres --auth=trust -E UTF8 --no-sync" >/dev/null
    cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
max_connections = 300
shared_buffers = 256MB
fsync = on
synchronous_commit = on
# What each statement costs, for the benchmark's statements per document (bench/, docs/performance.md).
shared_preload_libraries = 'pg_stat_statements'
CONF
  fi
  su postgres -c "$PG_BIN/pg_ctl -D '$dir/data' -l '$dir/pg.log' -o '-p $port -k $dir' -w -t 60 start" >/dev/null
  for _ in $(seq 1 60); do
    "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$port" -q && break; sleep 0.5
  done
  psql -h 127.0.0.1 -p "$port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='reviewflow'" | grep -q 1 ||
    psql -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE DATABASE reviewflow" >/dev/null
  # The services' role (docs/operations.md, "Roles"): the hosts grant it everything but rewriting events (Audit__AppRole).
  psql -h 127.0.0.1 -p "$port" -U postgres -tAc "SELECT 1 FROM pg_roles WHERE rolname='reviewflow_app'" | grep -q 1 ||
    psql -h 127.0.0.1 -p "$port" -U postgres -qc "CREATE ROLE reviewflow_app LOGIN" >/dev/null
}

start_rabbit() {
  local dir=$STATE/rabbit port=$1 dist
  # Below the ephemeral range (32768+) when the AMQP port is, so that a restart cannot find it taken by a client socket.
  dist=$(free_port $((port < 30000 ? port + 1000 : port + 20000 > 65000 ? 25672 : port + 20000)))
  mkdir -p "$dir"; chown -R rabbitmq:rabbitmq "$dir"
  echo "[]." >"$dir/enabled_plugins"
  # max_message_size: the broker refuses (to the publisher) bodies over 10 MiB, a little over the intake's own 8 MiB
  # (a body just over it still reaches the error queue with its reason), so a worker never holds more than
  # prefetch x 10 MiB of bodies, each in a 16 MB pooled buffer at most (docs/reliability.md, "Hostile input").
  printf 'listeners.tcp.default = %s\nlog.console = false\nmax_message_size = 10485760\n' "$port" >"$dir/rabbitmq.conf"
  chown -R rabbitmq:rabbitmq "$dir"
  # The node name carries the port, so a developer's instance and a CI instance can run side by side.
  su rabbitmq -s /bin/bash -c "cd '$dir' && env HOME='$dir' RABBITMQ_NODENAME=rabbit$port@localhost \
      RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$port RABBITMQ_DIST_PORT=$dist \
      RABBITMQ_MNESIA_BASE='$dir/mnesia' RABBITMQ_LOG_BASE='$dir/log' \
      RABBITMQ_ENABLED_PLUGINS_FILE='$dir/enabled_plugins' RABBITMQ_CONFIG_FILE='$dir/rabbitmq.conf' \
      nohup /usr/lib/rabbitmq/bin/rabbitmq-server >'$dir/stdout.log' 2>&1 &"
  for _ in $(seq 1 120); do
    if ! port_free "$port"; then return 0; fi
    grep -q "init terminating" "$dir/stdout.log" 2>/dev/null && break
    sleep 0.5
  done
  log "RabbitMQ did not open port $port; see $dir/log"; tail -n 30 "$dir/stdout.log" >&2; return 1
}

# The broker's users and their permissions on a virtual host (infra/rabbitmq/parties.sh): the script runs as the
# rabbitmq user, which holds the node's cookie. Passwords are made once per data folder and kept in $STATE/env.sh.
secret() { tr -dc 'A-Za-z0-9' </dev/urandom | head -c 24 || true; }
parties() {
  local port=$1; shift
  su rabbitmq -s /bin/bash -c "env HOME='$STATE/rabbit' RABBITMQCTL='/usr/lib/rabbitmq/bin/rabbitmqctl -n rabbit$port@localhost' \
      SERVICES_PASSWORD='${SERVICES_PASSWORD:-}' UPSTREAM_PASSWORD='${UPSTREAM_PASSWORD:-}' DOWNSTREAM_PASSWORD='${DOWNSTREAM_PASSWORD:-}' \
      bash -s $*" <"$repo/infra/rabbitmq/parties.sh"
}

write_env() {
  local pg_port=$1 amqp_port=$2
  cat >"$STATE/env.sh" <<ENV
export ConnectionStrings__Postgres="Host=127.0.0.1;Port=$pg_port;Database=reviewflow;Username=postgres;Maximum Pool Size=100"
export ConnectionStrings__RabbitMq="amqp://reviewflow:$SERVICES_PASSWORD@127.0.0.1:$amqp_port/"
# The other parties on the broker (docs/security.md): an upstream ML system and a downstream consumer of decisions.
export REVIEWFLOW_AMQP_UPSTREAM="amqp://upstream:$UPSTREAM_PASSWORD@127.0.0.1:$amqp_port/"
export REVIEWFLOW_AMQP_DOWNSTREAM="amqp://downstream:$DOWNSTREAM_PASSWORD@127.0.0.1:$amqp_port/"
export REVIEWFLOW_PG_PORT=$pg_port
export REVIEWFLOW_AMQP_PORT=$amqp_port
ENV
  chmod 600 "$STATE/env.sh"
}

case "${1:-}" in
  start)
    mkdir -p "$STATE"
    if [ -f "$STATE/env.sh" ] && "$0" status >/dev/null 2>&1; then
      # shellcheck disable=SC1091
      . "$STATE/env.sh"
      if [ -z "${REVIEWFLOW_AMQP_UPSTREAM:-}" ]; then
        # Started by an older version of this script: add the broker's parties.
        SERVICES_PASSWORD=$(secret) UPSTREAM_PASSWORD=$(secret) DOWNSTREAM_PASSWORD=$(secret)
        parties "$REVIEWFLOW_AMQP_PORT" users && parties "$REVIEWFLOW_AMQP_PORT" permissions /
        write_env "$REVIEWFLOW_PG_PORT" "$REVIEWFLOW_AMQP_PORT"
      fi
      log "already running"; cat "$STATE/env.sh"; exit 0
    fi
    # One start at a time on this machine: choosing a free port and taking it are two steps, and two starts at once
    # (tests in parallel, two checkouts) chose the same port. A directory is the lock (atomic mkdir); a stale one is
    # waited out for at most two minutes.
    lock=/tmp/reviewflow-servers.lock
    for _ in $(seq 1 240); do mkdir "$lock" 2>/dev/null && break; sleep 0.5; done
    trap 'rmdir "$lock" 2>/dev/null || true' EXIT
    install_missing
    pg_port=${PG_PORT:-$(free_port "${PG_PORT_FROM:-55432}")}
    amqp_port=${AMQP_PORT:-$(free_port "${AMQP_PORT_FROM:-56720}")}
    log "starting PostgreSQL on $pg_port and RabbitMQ on $amqp_port (data in $STATE)"
    start_rabbit "$amqp_port" &
    rabbit_pid=$!
    start_pg "$pg_port"
    wait $rabbit_pid
    SERVICES_PASSWORD=$(secret) UPSTREAM_PASSWORD=$(secret) DOWNSTREAM_PASSWORD=$(secret)
    # The node answers rabbitmqctl a moment after its port opens.
    for _ in $(seq 1 60); do parties "$amqp_port" users 2>/dev/null && break; sleep 0.5; done
    parties "$amqp_port" permissions /
    write_env "$pg_port" "$amqp_port"
    log "ready"; cat "$STATE/env.sh"
    ;;
  stop)
    if [ -d "$STATE/pg/data" ]; then
      su postgres -c "$PG_BIN/pg_ctl -D '$STATE/pg/data' -m fast -w stop" >/dev/null 2>&1 || true
    fi
    pkill -u rabbitmq -f "beam.*$STATE" 2>/dev/null || true
    for _ in $(seq 1 40); do pgrep -u rabbitmq -f "beam.*$STATE" >/dev/null || break; sleep 0.25; done
    pkill -9 -u rabbitmq -f "beam.*$STATE" 2>/dev/null || true
    rm -rf "$STATE"
    log "stopped"
    ;;
  vhost)
    # A throw-away virtual host, so that test systems with the same queue names stay apart.
    name=${2:?usage: $0 vhost NAME}
    # shellcheck disable=SC1091
    . "$STATE/env.sh"
    parties "$REVIEWFLOW_AMQP_PORT" permissions "$name"
    ;;
  queues)
    # The queues of a virtual host and their type (classic / quorum).
    name=${2:?usage: $0 queues VHOST}
    # shellcheck disable=SC1091
    . "$STATE/env.sh"
    su rabbitmq -s /bin/bash -c "HOME='$STATE/rabbit' /usr/lib/rabbitmq/bin/rabbitmqctl -q -n rabbit$REVIEWFLOW_AMQP_PORT@localhost list_queues -p '$name' name type"
    ;;
  down|up)
    # Fault tests: a broker or database restart as an operator would do it (clean stop: RabbitMQ closes its
    # connections, PostgreSQL terminates its sessions with 57P01), same port and data afterwards.
    server=${2:?usage: $0 down|up rabbitmq|postgres}
    # shellcheck disable=SC1091
    . "$STATE/env.sh"
    case "$1:$server" in
      down:rabbitmq)
        # --kill: the node dies (SIGKILL) instead of closing its connections.
        [ "${3:-}" = --kill ] && pkill -9 -u rabbitmq -f "beam.*$STATE" 2>/dev/null
        pkill -u rabbitmq -f "beam.*$STATE" 2>/dev/null || true
        for _ in $(seq 1 80); do pgrep -u rabbitmq -f "beam.*$STATE" >/dev/null || break; sleep 0.25; done
        pkill -9 -u rabbitmq -f "beam.*$STATE" 2>/dev/null || true
        # epmd keeps the node name registered for a moment after the node ends.
        for _ in $(seq 1 40); do port_free "$REVIEWFLOW_AMQP_PORT" && break; sleep 0.25; done ;;
      up:rabbitmq)
        # Right after a stop the listener's port can still be taken for a moment (seen: eaddrinuse once in ~10).
        for attempt in 1 2 3; do
          start_rabbit "$REVIEWFLOW_AMQP_PORT" && break
          [ "$attempt" = 3 ] && { ss -tanp 2>/dev/null | grep ":$REVIEWFLOW_AMQP_PORT " >&2; exit 1; }
          pkill -9 -u rabbitmq -f "beam.*$STATE" 2>/dev/null || true; sleep 2
        done ;;
      down:postgres)
        if [ "${3:-}" = --kill ]; then
          # --kill: the postmaster and every backend die at once (SIGKILL): sockets close without a 57P01, and the
          # next start runs crash recovery. The backends are listed first: once the postmaster is gone they are not its children.
          pid=$(head -1 "$STATE/pg/data/postmaster.pid")
          kids=$(pgrep -P "$pid" || true)
          # shellcheck disable=SC2086
          kill -9 "$pid" $kids 2>/dev/null || true
          for _ in $(seq 1 40); do port_free "$REVIEWFLOW_PG_PORT" && break; sleep 0.25; done
        else
          su postgres -c "$PG_BIN/pg_ctl -D '$STATE/pg/data' -m fast -w stop" >/dev/null
        fi ;;
      up:postgres)
        su postgres -c "$PG_BIN/pg_ctl -D '$STATE/pg/data' -l '$STATE/pg/pg.log' -o '-p $REVIEWFLOW_PG_PORT -k $STATE/pg' -w -t 60 start" >/dev/null ;;
      *) echo "usage: $0 down|up rabbitmq|postgres" >&2; exit 2 ;;
    esac
    ;;
  status)
    [ -f "$STATE/env.sh" ] || { echo "not started"; exit 1; }
    # shellcheck disable=SC1091
    . "$STATE/env.sh"
    # Ours, not just something on the port (another checkout's servers may have taken a port ours left).
    "$PG_BIN/pg_isready" -h 127.0.0.1 -p "$REVIEWFLOW_PG_PORT" -q || { echo "postgres down"; exit 1; }
    [ -f "$STATE/pg/data/postmaster.pid" ] && kill -0 "$(head -1 "$STATE/pg/data/postmaster.pid")" 2>/dev/null ||
      { echo "postgres down (port $REVIEWFLOW_PG_PORT is someone else's)"; exit 1; }
    pgrep -u rabbitmq -f "beam.*$STATE" >/dev/null && ! port_free "$REVIEWFLOW_AMQP_PORT" || { echo "rabbitmq down"; exit 1; }
    echo "running"; cat "$STATE/env.sh"
    ;;
  *) echo "usage: $0 start|stop|status|vhost NAME|down SERVER|up SERVER" >&2; exit 2 ;;
esac
