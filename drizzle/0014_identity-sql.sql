-- The built-in system account: scheduled jobs and the demo's machine steps act as it. It has no
-- password, so it cannot sign in. Its id is fixed (1) so that code can name it (SYSTEM_ACTOR).
INSERT INTO staff_accounts (id, login, display_name, password_hash, roles, created_at)
VALUES (1, 'system', '系统（定时任务）', NULL, ARRAY['system'], now())
ON CONFLICT DO NOTHING;
--> statement-breakpoint
SELECT setval('staff_accounts_id_seq', GREATEST((SELECT max(id) FROM staff_accounts), 1));
--> statement-breakpoint
-- The system role is the system account's alone: no other account may hold it.
ALTER TABLE staff_accounts ADD CONSTRAINT staff_accounts_system_role_reserved CHECK ((id = 1) = ('system' = ANY (roles)));
--> statement-breakpoint
-- The application's role (0011) reads and updates accounts and sessions (lockout, last seen, revoke)
-- but never deletes them: a revoked or disabled row is the record.
DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'mianshen_app') THEN
    GRANT SELECT, INSERT, UPDATE ON staff_accounts, staff_sessions TO mianshen_app;
    GRANT USAGE ON SEQUENCE staff_accounts_id_seq, staff_sessions_id_seq TO mianshen_app;
  END IF;
END
$$;
