-- Before staff accounts: payout_batches.prepared_by / approved_by held free-text names, which are not
-- identities (four eyes compared strings, so "Zhang" approved "zhang "'s batch). They become account ids
-- (next migration). A name cannot be turned into an accountable account after the fact, so a database
-- holding batches from before accounts is refused with instructions instead of being guessed at.
DO $$
BEGIN
  IF EXISTS (SELECT 1 FROM payout_batches) THEN
    RAISE EXCEPTION 'payout_batches holds % batches prepared before staff accounts existed; their preparers and approvers are free-text names that cannot be mapped to accounts. Export them for the record (they stay in audit_log), then start from an empty database (for the demo: delete DATA_DIR).', (SELECT count(*) FROM payout_batches);
  END IF;
END
$$;
--> statement-breakpoint
ALTER TABLE payout_batches DROP CONSTRAINT IF EXISTS payout_batches_four_eyes;
--> statement-breakpoint
-- The table is empty here; USING only satisfies the type change (text has no implicit cast to bigint).
ALTER TABLE payout_batches ALTER COLUMN prepared_by TYPE bigint USING prepared_by::bigint;
--> statement-breakpoint
ALTER TABLE payout_batches ALTER COLUMN approved_by TYPE bigint USING approved_by::bigint;
--> statement-breakpoint
-- The next (generated) migration drops this constraint by name before re-creating it.
ALTER TABLE payout_batches ADD CONSTRAINT payout_batches_four_eyes CHECK (approved_by IS NULL OR approved_by <> prepared_by);
