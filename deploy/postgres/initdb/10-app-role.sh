#!/bin/sh
# Run once by the postgres image when the database is initialised (an empty data volume):
# creates the application's login role beside the owner (POSTGRES_USER). The owner runs the
# migrations and owns every table; the application role gets its row privileges after each
# migrate (access/database_roles.py, applied by the `migrate` service).
# The attributes below are access.database_roles.APP_ROLE_ATTRIBUTES (tests/test_compose.py
# keeps them equal).
set -eu
: "${FJC_APP_DB_USER:=fjc_app}"
# The password from a file (compose: the Docker secret app_db_password), like the image's own
# POSTGRES_PASSWORD_FILE; a trailing newline is dropped.
if [ -n "${FJC_APP_DB_PASSWORD_FILE:-}" ]; then
  FJC_APP_DB_PASSWORD="$(cat "$FJC_APP_DB_PASSWORD_FILE")"
fi
: "${FJC_APP_DB_PASSWORD:?set FJC_APP_DB_PASSWORD_FILE or FJC_APP_DB_PASSWORD}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v app_role="$FJC_APP_DB_USER" -v app_password="$FJC_APP_DB_PASSWORD" <<'SQL'
CREATE ROLE :"app_role" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS PASSWORD :'app_password';
-- Only the owner creates objects in the schema.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT CONNECT ON DATABASE :"DBNAME" TO :"app_role";
SQL
