CREATE TABLE "recoveries" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"subject_key" text NOT NULL,
	"point_id" text NOT NULL,
	"period" text NOT NULL,
	"payment_key" text NOT NULL,
	"entitlement_key" text NOT NULL,
	"batch_id" bigint NOT NULL,
	"amount_fen" bigint NOT NULL,
	"reason" text NOT NULL,
	"fact_date" date NOT NULL,
	"fact" jsonb NOT NULL,
	"import_id" bigint,
	"status" text DEFAULT 'open' NOT NULL,
	"raised_by" text NOT NULL,
	"raised_at" timestamp with time zone NOT NULL,
	"recovered_fen" bigint,
	"recovered_on" date,
	"recovery_reference" text,
	"write_off_reason" text,
	"resolved_by" bigint,
	"resolved_at" timestamp with time zone,
	CONSTRAINT "recoveries_amount" CHECK ("recoveries"."amount_fen" > 0),
	CONSTRAINT "recoveries_resolution" CHECK (("recoveries"."status" = 'open' AND "recoveries"."resolved_by" IS NULL)
        OR ("recoveries"."status" = 'recovered' AND "recoveries"."resolved_by" IS NOT NULL AND coalesce("recoveries"."recovered_fen" > 0, false) AND "recoveries"."recovered_on" IS NOT NULL AND coalesce(length(trim("recoveries"."recovery_reference")) > 0, false))
        OR ("recoveries"."status" = 'written_off' AND "recoveries"."resolved_by" IS NOT NULL AND coalesce(length(trim("recoveries"."write_off_reason")) > 0, false)))
);
--> statement-breakpoint
ALTER TABLE "recoveries" ADD CONSTRAINT "recoveries_import_id_fact_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."fact_imports"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "recoveries" ADD CONSTRAINT "recoveries_resolved_by_staff_accounts_id_fk" FOREIGN KEY ("resolved_by") REFERENCES "public"."staff_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "recoveries_payment" ON "recoveries" USING btree ("subject_key","payment_key");--> statement-breakpoint
CREATE INDEX "recoveries_status" ON "recoveries" USING btree ("status","id");--> statement-breakpoint
--> statement-breakpoint
-- Hand-written part of the persons migration (recoveries). Kept here as well as appended to the
-- generated migration, so it can be appended again when that migration is regenerated at merge.
-- A recovery case is the record of an overpayment and of what became of it: the application's role
-- closes a case (recovered or written off) but never deletes one. Default privileges (migration
-- 0018) gave it DELETE on every new table; this takes it back for recoveries.
REVOKE DELETE, TRUNCATE ON recoveries FROM mianshen_app;
