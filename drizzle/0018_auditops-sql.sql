-- The application connects as a member of mianshen_app (DATABASE_URL) while migrations and pg-boss's
-- schema run as the owner (MIGRATION_DATABASE_URL). The role may read and write every table, use every
-- sequence, and nothing more: it owns nothing, so it cannot ALTER, DROP or DISABLE TRIGGER on any
-- table, and it is granted no TRUNCATE. The audit tables stay SELECT and INSERT only (migration 0011).
-- Default privileges give tables and sequences the owner creates later the same grants; a later
-- migration that adds an append-only table must REVOKE UPDATE, DELETE on it, as the end of this one does.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mianshen_app') THEN
    CREATE ROLE mianshen_app NOLOGIN;
  END IF;
END
$$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO mianshen_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO mianshen_app;
--> statement-breakpoint
GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO mianshen_app;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO mianshen_app;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE ON SEQUENCES TO mianshen_app;
--> statement-breakpoint
-- pg-boss installs its schema after these migrations, as the owner (src/app.ts). Creating the schema
-- here lets its default privileges cover the tables pg-boss creates in it, then and on every upgrade;
-- pg-boss installs into an existing empty schema (CREATE SCHEMA IF NOT EXISTS). The role works jobs
-- (insert, fetch, complete, delete expired), so it gets DML there too, and EXECUTE on pg-boss's
-- functions comes from PUBLIC. Queues are created by the owner: a partitioned queue is a new table.
CREATE SCHEMA IF NOT EXISTS pgboss;
--> statement-breakpoint
GRANT USAGE ON SCHEMA pgboss TO mianshen_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA pgboss TO mianshen_app;
--> statement-breakpoint
GRANT USAGE ON ALL SEQUENCES IN SCHEMA pgboss TO mianshen_app;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA pgboss GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO mianshen_app;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA pgboss GRANT USAGE ON SEQUENCES TO mianshen_app;
--> statement-breakpoint
-- The audit trail and its checkpoints: append and read only, whatever the grants above said.
REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON audit_log, audit_checkpoints FROM mianshen_app;
