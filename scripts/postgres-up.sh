#!/usr/bin/env bash
# Install (if missing) and start a local PostgreSQL server for copark's tests, then print its URL.
# Used by `make test` and by .ci/run alike. Needs root (apt-get, pg_ctlcluster) or a running server.
set -euo pipefail
PGUSER_NAME=copark
PGPASS=copark
PGDB=copark_test
PORT=${COPARK_PG_PORT:-5432}

if ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  echo "postgres-up: installing PostgreSQL from Debian packages" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -n1)
if ! pg_lsclusters -h 2>/dev/null | grep -q "^$version main"; then
  pg_createcluster "$version" main -p "$PORT" >&2
fi
if ! pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $4}' | grep -q online; then
  pg_ctlcluster "$version" main start >&2
fi
port=$(pg_lsclusters -h | awk -v v="$version" '$1==v && $2=="main" {print $3}')
for _ in $(seq 1 30); do
  runuser -u postgres -- pg_isready -q -p "$port" && break
  sleep 0.5
done
psql_su() { runuser -u postgres -- psql -p "$port" -v ON_ERROR_STOP=1 -qtA "$@"; }
if [ "$(psql_su -c "select 1 from pg_roles where rolname='$PGUSER_NAME'")" != "1" ]; then
  psql_su -c "create role $PGUSER_NAME login password '$PGPASS' createdb" >&2
fi
if [ "$(psql_su -c "select 1 from pg_database where datname='$PGDB'")" != "1" ]; then
  psql_su -c "create database $PGDB owner $PGUSER_NAME" >&2
fi
# The 企业 search's trigram indexes need pg_trgm (migration 0010). Created once here, in the database's public
# schema: the tests give each test its own schema, and an extension created inside one would be dropped with it.
psql_su -d "$PGDB" -c "create extension if not exists pg_trgm" >&2
echo "postgresql+psycopg://$PGUSER_NAME:$PGPASS@127.0.0.1:$port/$PGDB"
