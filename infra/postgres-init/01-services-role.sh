#!/usr/bin/env bash
# First start of the postgres container (docker-compose.yml): the services' login role. The `migrate` service (as
# the owner) grants it what the services need, minus changing the schema or rewriting events (docs/operations.md).
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -c "CREATE ROLE reviewflow_app LOGIN PASSWORD '${APP_DB_PASSWORD:?set APP_DB_PASSWORD}'"
