#!/usr/bin/env bash
# The broker's parties and what each may do on a virtual host (docs/security.md, "The broker"):
#   reviewflow  the services (worker, web host): everything on the vhost
#   upstream    ML systems: may only publish to the exchange reviewflow.classifications (no declare, no read), or
#               declare and publish to ReviewFlow.Contracts:DocumentClassified (the typed channel)
#   downstream  consumers of decisions: may only declare, bind and read queues named downstream.* (or server-named
#               amq.gen-*) and bind them to reviewflow.decisions; nothing to publish anywhere else
# Usage: parties.sh users                  create the users or set their passwords
#        parties.sh permissions VHOST      create VHOST if needed and set their permissions on it
# Environment: RABBITMQCTL (how to run rabbitmqctl; default rabbitmqctl), SERVICES_PASSWORD, UPSTREAM_PASSWORD,
# DOWNSTREAM_PASSWORD (users only). Used by infra/servers.sh and by the rabbitmq service of docker-compose.yml.
set -euo pipefail
ctl() { ${RABBITMQCTL:-rabbitmqctl} -q "$@"; }

case "${1:-}" in
  users)
    existing=$(ctl list_users | cut -f1)
    for pair in "reviewflow:${SERVICES_PASSWORD:?}" "upstream:${UPSTREAM_PASSWORD:?}" "downstream:${DOWNSTREAM_PASSWORD:?}"; do
      user=${pair%%:*} password=${pair#*:}
      if grep -qx "$user" <<<"$existing"; then ctl change_password "$user" "$password"; else ctl add_user "$user" "$password"; fi
    done
    ;;
  permissions)
    # One import (the vhost too, if it is new): each rabbitmqctl call starts an Erlang VM, ~2 s on a busy machine.
    vhost=${2:?usage: $0 permissions VHOST}
    ctl import_definitions --format json <<JSON
{"vhosts": [{"name": "$vhost"}], "permissions": [
  {"user": "reviewflow", "vhost": "$vhost", "configure": ".*", "write": ".*", "read": ".*"},
  {"user": "upstream", "vhost": "$vhost", "configure": "^ReviewFlow\\\\.Contracts:DocumentClassified$",
   "write": "^(reviewflow\\\\.classifications|ReviewFlow\\\\.Contracts:DocumentClassified)$", "read": "^$"},
  {"user": "downstream", "vhost": "$vhost", "configure": "^(downstream\\\\..*|amq\\\\.gen-.*)$",
   "write": "^(downstream\\\\..*|amq\\\\.gen-.*)$", "read": "^(reviewflow\\\\.decisions|downstream\\\\..*|amq\\\\.gen-.*)$"}
]}
JSON
    ;;
  *) echo "usage: $0 users | permissions VHOST" >&2; exit 2 ;;
esac
