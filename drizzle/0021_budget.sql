CREATE TABLE "list_adjustments" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"subject_key" text NOT NULL,
	"point_id" text NOT NULL,
	"period" text NOT NULL,
	"run_id" bigint NOT NULL,
	"entry_status" text NOT NULL,
	"old_outcome" text NOT NULL,
	"new_outcome" text NOT NULL,
	"held_fen" bigint,
	"new_rule_amount_fen" bigint,
	"old_rule_amount_fen" bigint,
	"difference_fen" bigint NOT NULL,
	"reason_codes" text[] NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"resolution" text,
	"resolved_by" text,
	"resolved_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "budget_ledger" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"point_id" text NOT NULL,
	"period" text NOT NULL,
	"line" text NOT NULL,
	"batch_id" bigint NOT NULL,
	"from_state" text,
	"to_state" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	CONSTRAINT "budget_ledger_amount" CHECK ("budget_ledger"."amount_fen" > 0),
	CONSTRAINT "budget_ledger_flow" CHECK (("budget_ledger"."from_state" IS NULL AND "budget_ledger"."to_state" = 'reserved') OR ("budget_ledger"."from_state" = 'reserved' AND "budget_ledger"."to_state" IN ('committed', 'released'))
        OR ("budget_ledger"."from_state" = 'committed' AND "budget_ledger"."to_state" IN ('paid', 'released')) OR ("budget_ledger"."from_state" = 'paid' AND "budget_ledger"."to_state" IN ('committed', 'released')))
);
--> statement-breakpoint
CREATE TABLE "budget_lines" (
	"point_id" text NOT NULL,
	"period" text NOT NULL,
	"line" text NOT NULL,
	"limit_fen" bigint NOT NULL,
	"run_id" bigint NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "budget_lines_point_id_period_line_pk" PRIMARY KEY("point_id","period","line"),
	CONSTRAINT "budget_lines_limit" CHECK ("budget_lines"."limit_fen" >= 0)
);
--> statement-breakpoint
ALTER TABLE "payout_batches" DROP CONSTRAINT "payout_batches_four_eyes";--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "budget_line" text DEFAULT 'unlimited' NOT NULL;--> statement-breakpoint
ALTER TABLE "payout_batches" ADD COLUMN "rejected_by" bigint;--> statement-breakpoint
ALTER TABLE "payout_batches" ADD COLUMN "rejected_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "payout_batches" ADD COLUMN "rejection_reason" text;--> statement-breakpoint
ALTER TABLE "budget_ledger" ADD CONSTRAINT "budget_ledger_batch_id_payout_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."payout_batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "list_adjustments_open" ON "list_adjustments" USING btree ("subject_key","point_id","period") WHERE "list_adjustments"."status" = 'open';--> statement-breakpoint
CREATE INDEX "budget_ledger_line" ON "budget_ledger" USING btree ("point_id","period","line");--> statement-breakpoint
CREATE INDEX "budget_ledger_batch" ON "budget_ledger" USING btree ("batch_id");--> statement-breakpoint
ALTER TABLE "payout_batches" ADD CONSTRAINT "payout_batches_rejected_by_staff_accounts_id_fk" FOREIGN KEY ("rejected_by") REFERENCES "public"."staff_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payout_batches" ADD CONSTRAINT "payout_batches_four_eyes" CHECK (("payout_batches"."approved_by" IS NULL OR "payout_batches"."approved_by" <> "payout_batches"."prepared_by")
        AND ("payout_batches"."second_approved_by" IS NULL OR ("payout_batches"."approved_by" IS NOT NULL AND "payout_batches"."second_approved_by" <> "payout_batches"."prepared_by" AND "payout_batches"."second_approved_by" <> "payout_batches"."approved_by"))
        AND ("payout_batches"."status" IN ('prepared', 'rejected') OR ("payout_batches"."approved_by" IS NOT NULL AND (NOT "payout_batches"."needs_second_approval" OR "payout_batches"."second_approved_by" IS NOT NULL)))
        AND ("payout_batches"."rejected_by" IS NULL OR "payout_batches"."rejected_by" <> "payout_batches"."prepared_by")
        AND (("payout_batches"."status" = 'rejected') = ("payout_batches"."rejected_by" IS NOT NULL AND "payout_batches"."rejection_reason" IS NOT NULL)));--> statement-breakpoint
-- The ledger is append-only for the application role: a movement is corrected by another movement.
REVOKE UPDATE, DELETE, TRUNCATE ON "budget_ledger" FROM mianshen_app;
