CREATE TABLE "staff_accounts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"login" text NOT NULL,
	"display_name" text NOT NULL,
	"password_hash" text,
	"roles" text[] NOT NULL,
	"failed_attempts" integer DEFAULT 0 NOT NULL,
	"locked_until" timestamp with time zone,
	"disabled_at" timestamp with time zone,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" bigint,
	CONSTRAINT "staff_accounts_roles_known" CHECK ("staff_accounts"."roles" <@ array['policy_staff','reviewer','finance_officer','finance_approver','auditor','administrator','system']::text[] and cardinality("staff_accounts"."roles") > 0),
	CONSTRAINT "staff_accounts_login_normalised" CHECK ("staff_accounts"."login" = lower(btrim("staff_accounts"."login")) and length("staff_accounts"."login") between 1 and 64)
);
--> statement-breakpoint
CREATE TABLE "staff_sessions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"token_hash" text NOT NULL,
	"account_id" bigint NOT NULL,
	"csrf_hash" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"last_seen_at" timestamp with time zone NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "payout_batches" DROP CONSTRAINT "payout_batches_four_eyes";--> statement-breakpoint
ALTER TABLE "payout_batches" ALTER COLUMN "prepared_by" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "payout_batches" ALTER COLUMN "approved_by" SET DATA TYPE bigint;--> statement-breakpoint
ALTER TABLE "payout_batches" ADD COLUMN "needs_second_approval" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "payout_batches" ADD COLUMN "second_approved_by" bigint;--> statement-breakpoint
ALTER TABLE "payout_batches" ADD COLUMN "second_approved_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "staff_sessions" ADD CONSTRAINT "staff_sessions_account_id_staff_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."staff_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "staff_accounts_login" ON "staff_accounts" USING btree ("login");--> statement-breakpoint
CREATE UNIQUE INDEX "staff_sessions_token" ON "staff_sessions" USING btree ("token_hash");--> statement-breakpoint
CREATE INDEX "staff_sessions_account" ON "staff_sessions" USING btree ("account_id");--> statement-breakpoint
ALTER TABLE "payout_batches" ADD CONSTRAINT "payout_batches_prepared_by_staff_accounts_id_fk" FOREIGN KEY ("prepared_by") REFERENCES "public"."staff_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payout_batches" ADD CONSTRAINT "payout_batches_approved_by_staff_accounts_id_fk" FOREIGN KEY ("approved_by") REFERENCES "public"."staff_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payout_batches" ADD CONSTRAINT "payout_batches_second_approved_by_staff_accounts_id_fk" FOREIGN KEY ("second_approved_by") REFERENCES "public"."staff_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payout_batches" ADD CONSTRAINT "payout_batches_four_eyes" CHECK (("payout_batches"."approved_by" IS NULL OR "payout_batches"."approved_by" <> "payout_batches"."prepared_by")
        AND ("payout_batches"."second_approved_by" IS NULL OR ("payout_batches"."approved_by" IS NOT NULL AND "payout_batches"."second_approved_by" <> "payout_batches"."prepared_by" AND "payout_batches"."second_approved_by" <> "payout_batches"."approved_by"))
        AND ("payout_batches"."status" = 'prepared' OR ("payout_batches"."approved_by" IS NOT NULL AND (NOT "payout_batches"."needs_second_approval" OR "payout_batches"."second_approved_by" IS NOT NULL))));