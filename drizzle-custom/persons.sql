--> statement-breakpoint
-- Hand-written part of the persons migration (recoveries). Kept here as well as appended to the
-- generated migration, so it can be appended again when that migration is regenerated at merge.
-- A recovery case is the record of an overpayment and of what became of it: the application's role
-- closes a case (recovered or written off) but never deletes one. Default privileges (migration
-- 0018) gave it DELETE on every new table; this takes it back for recoveries.
REVOKE DELETE, TRUNCATE ON recoveries FROM mianshen_app;
