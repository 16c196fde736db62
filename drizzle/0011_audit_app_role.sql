-- The role the application is meant to run as: it may add to the audit trail and read it, nothing
-- else on those tables. Not the owner, so it cannot disable the append-only trigger (ALTER TABLE needs
-- ownership), and without TRUNCATE, which no row trigger stops. NOLOGIN here: a deployment gives it a
-- password (ALTER ROLE mianshen_app LOGIN PASSWORD …) and grants what the other tables need; the
-- application does not connect as it yet. Roles are cluster-wide, so creating it is idempotent.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'mianshen_app') THEN
    CREATE ROLE mianshen_app NOLOGIN;
  END IF;
END
$$;
--> statement-breakpoint
REVOKE ALL ON audit_log, audit_checkpoints FROM mianshen_app;
--> statement-breakpoint
GRANT SELECT, INSERT ON audit_log, audit_checkpoints TO mianshen_app;
--> statement-breakpoint
GRANT USAGE ON SEQUENCE audit_checkpoints_id_seq TO mianshen_app;
