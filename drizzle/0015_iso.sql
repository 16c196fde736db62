CREATE TABLE "account_reverifications" (
	"subject_key" text NOT NULL,
	"payment_key" text NOT NULL,
	"entitlement_key" text NOT NULL,
	"batch_id" bigint NOT NULL,
	"outcome" text NOT NULL,
	"reason_code" text,
	"reason" text,
	"failed_account_number" text NOT NULL,
	"status" text NOT NULL,
	"verified_account_number" text,
	"verified_account_kind" text,
	"verified_by" text,
	"verified_at" timestamp with time zone,
	"follow_up_batch_id" bigint,
	"created_at" timestamp with time zone NOT NULL,
	CONSTRAINT "account_reverifications_subject_key_payment_key_pk" PRIMARY KEY("subject_key","payment_key")
);
--> statement-breakpoint
CREATE TABLE "bank_messages" (
	"message_id" text PRIMARY KEY NOT NULL,
	"batch_id" bigint NOT NULL,
	"channel" text NOT NULL,
	"reference" text NOT NULL,
	"sha256" text NOT NULL,
	"payment_count" integer NOT NULL,
	"total_fen" bigint NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bank_reports" (
	"report_id" text PRIMARY KEY NOT NULL,
	"sha256" text NOT NULL,
	"format" text,
	"message_id" text,
	"outcome" text NOT NULL,
	"detail" text,
	"line_count" integer DEFAULT 0 NOT NULL,
	"received_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "report_quarantine" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"report_id" text NOT NULL,
	"line_no" integer NOT NULL,
	"end_to_end_id" text,
	"problem" text NOT NULL,
	"detail" text NOT NULL,
	"line" jsonb NOT NULL,
	"status" text DEFAULT 'open' NOT NULL,
	"resolved_by" text,
	"resolved_at" timestamp with time zone,
	"resolution" text,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "entitlement_key" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "attempt" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "end_to_end_id" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "message_id" text;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "bank_status" text;--> statement-breakpoint
ALTER TABLE "payout_batches" ADD COLUMN "follow_up_of" bigint;--> statement-breakpoint
ALTER TABLE "sandbox_bank_transfers" ADD COLUMN "message_id" text;--> statement-breakpoint
ALTER TABLE "bank_messages" ADD CONSTRAINT "bank_messages_batch_id_payout_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."payout_batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "account_reverifications_status" ON "account_reverifications" USING btree ("status","batch_id");--> statement-breakpoint
CREATE UNIQUE INDEX "bank_reports_applied_sha256" ON "bank_reports" USING btree ("sha256") WHERE "bank_reports"."outcome" = 'applied';--> statement-breakpoint
CREATE UNIQUE INDEX "bank_reports_applied_message" ON "bank_reports" USING btree ("format","message_id") WHERE "bank_reports"."outcome" = 'applied';--> statement-breakpoint
CREATE INDEX "report_quarantine_open" ON "report_quarantine" USING btree ("status","id");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_end_to_end_id" ON "payments" USING btree ("end_to_end_id");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_entitlement_attempt" ON "payments" USING btree ("subject_key","entitlement_key","attempt");--> statement-breakpoint
CREATE UNIQUE INDEX "payments_entitlement_live" ON "payments" USING btree ("subject_key","entitlement_key") WHERE "payments"."status" IN ('pending', 'sent', 'paid');--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_attempt_once" CHECK ("payments"."attempt" IN (0, 1));