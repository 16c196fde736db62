#!/bin/sh
# First start of the PostgreSQL container only (docker-entrypoint-initdb.d): the application's login,
# a member of mianshen_app (the migrations grant that role what it may do; it is created here first so
# the login can join it). The owner (POSTGRES_USER) runs the migrations through MIGRATION_DATABASE_URL.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -v app_password="$MIANSHEN_APP_PASSWORD" <<'SQL'
CREATE ROLE mianshen_app NOLOGIN;
CREATE ROLE mianshen_app_login LOGIN PASSWORD :'app_password' IN ROLE mianshen_app;
SQL
