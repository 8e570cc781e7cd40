#!/usr/bin/env bash
# The broker's parties and what each may do on a virtual host (docs/security.md, "The broker"):
#   reviewflow  the services (worker, web host): everything on the vhost
#   upstream    ML systems: may only publish to the exchange reviewflow.classifications (no declare, no read), or
#               declare and publish to ReviewFlow.Contracts:DocumentClassified (the typed channel)
#   downstream  consumers of decisions: may only declare, bind and read queues named downstream.* (or server-named
#               amq.gen-*) and bind them to reviewflow.decisions; nothing to publish anywhere else
# Usage: parties.sh users                  create the users or set their passwords
#        parties.sh permissions VHOST      set their permissions on VHOST
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
    vhost=${2:?usage: $0 permissions VHOST}
    ctl set_permissions -p "$vhost" reviewflow '.*' '.*' '.*'
    # The typed channel: a MassTransit publisher declares the message type's exchange before it publishes.
    ctl set_permissions -p "$vhost" upstream '^ReviewFlow\.Contracts:DocumentClassified$' \
      '^(reviewflow\.classifications|ReviewFlow\.Contracts:DocumentClassified)$' '^$'
    ctl set_permissions -p "$vhost" downstream '^(downstream\..*|amq\.gen-.*)$' '^(downstream\..*|amq\.gen-.*)$' \
      '^(reviewflow\.decisions|downstream\..*|amq\.gen-.*)$'
    ;;
  *) echo "usage: $0 users | permissions VHOST" >&2; exit 2 ;;
esac
