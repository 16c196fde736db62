CREATE TABLE "policy_documents" (
	"id" text PRIMARY KEY NOT NULL,
	"doc_number" text NOT NULL,
	"title" text NOT NULL,
	"issuer" text NOT NULL,
	"published" text NOT NULL,
	"source_url" text,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "policy_versions" (
	"point_id" text NOT NULL,
	"version" integer NOT NULL,
	"document_id" text NOT NULL,
	"content_hash" text NOT NULL,
	"definition" jsonb NOT NULL,
	"published_at" timestamp with time zone NOT NULL,
	"published_by" text NOT NULL,
	CONSTRAINT "policy_versions_point_id_version_pk" PRIMARY KEY("point_id","version"),
	CONSTRAINT "policy_versions_content" UNIQUE("point_id","content_hash")
);
--> statement-breakpoint
CREATE TABLE "enterprises" (
	"uscc" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"region_code" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "fact_imports" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"source" text NOT NULL,
	"file_name" text NOT NULL,
	"file_hash" text NOT NULL,
	"as_of" date NOT NULL,
	"rows_total" integer NOT NULL,
	"rows_accepted" integer NOT NULL,
	"rows_rejected" integer NOT NULL,
	"imported_by" text NOT NULL,
	"imported_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "fact_records" (
	"subject_key" text NOT NULL,
	"seq" bigserial NOT NULL,
	"source" text NOT NULL,
	"period" text NOT NULL,
	"import_id" bigint,
	"row_no" integer,
	"as_of" date NOT NULL,
	"facts" jsonb NOT NULL,
	CONSTRAINT "fact_records_subject_key_seq_pk" PRIMARY KEY("subject_key","seq")
);
--> statement-breakpoint
CREATE TABLE "snapshots" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"watermark_seq" bigint NOT NULL,
	"as_of" date NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"created_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "decisions" (
	"subject_key" text NOT NULL,
	"run_id" bigint NOT NULL,
	"outcome" text NOT NULL,
	"amount_fen" bigint,
	"reasons" jsonb NOT NULL,
	CONSTRAINT "decisions_subject_key_run_id_pk" PRIMARY KEY("subject_key","run_id")
);
--> statement-breakpoint
CREATE TABLE "list_entries" (
	"subject_key" text NOT NULL,
	"point_id" text NOT NULL,
	"period" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"outcome" text NOT NULL,
	"amount_fen" bigint,
	"rounding" text,
	"reasons" jsonb NOT NULL,
	"policy_version" integer NOT NULL,
	"run_id" bigint NOT NULL,
	"status" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "list_entries_subject_key_point_id_period_pk" PRIMARY KEY("subject_key","point_id","period")
);
--> statement-breakpoint
CREATE TABLE "match_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"point_id" text NOT NULL,
	"policy_version" integer NOT NULL,
	"snapshot_id" bigint NOT NULL,
	"period" text NOT NULL,
	"trigger" text NOT NULL,
	"status" text NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"evaluated" integer DEFAULT 0 NOT NULL,
	"eligible" integer DEFAULT 0 NOT NULL,
	"ineligible" integer DEFAULT 0 NOT NULL,
	"undetermined" integer DEFAULT 0 NOT NULL,
	"total_fen" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "payments" (
	"subject_key" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"batch_id" bigint NOT NULL,
	"amount_fen" bigint NOT NULL,
	"account_number" text NOT NULL,
	"account_kind" text NOT NULL,
	"status" text NOT NULL,
	"bank_reference" text,
	"failure_code" text,
	"failure_reason" text,
	"sent_at" timestamp with time zone,
	"settled_at" timestamp with time zone,
	CONSTRAINT "payments_subject_key_idempotency_key_pk" PRIMARY KEY("subject_key","idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "payout_batches" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"point_id" text NOT NULL,
	"period" text NOT NULL,
	"status" text NOT NULL,
	"payment_count" integer NOT NULL,
	"total_fen" bigint NOT NULL,
	"prepared_by" text NOT NULL,
	"prepared_at" timestamp with time zone NOT NULL,
	"approved_by" text,
	"approved_at" timestamp with time zone,
	"sent_at" timestamp with time zone,
	"reconciled_at" timestamp with time zone,
	CONSTRAINT "payout_batches_four_eyes" CHECK ("payout_batches"."approved_by" IS NULL OR "payout_batches"."approved_by" <> "payout_batches"."prepared_by")
);
--> statement-breakpoint
CREATE TABLE "sandbox_bank_transfers" (
	"end_to_end_id" text PRIMARY KEY NOT NULL,
	"account_number" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"status" text NOT NULL,
	"reason_code" text,
	"received_at" timestamp with time zone NOT NULL,
	"reported" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_log" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"actor" text NOT NULL,
	"action" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" text NOT NULL,
	"payload" jsonb NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "policy_versions" ADD CONSTRAINT "policy_versions_document_id_policy_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."policy_documents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "fact_records" ADD CONSTRAINT "fact_records_import_id_fact_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."fact_imports"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payments" ADD CONSTRAINT "payments_batch_id_payout_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."payout_batches"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "fact_records_latest" ON "fact_records" USING btree ("subject_key","source","period","seq");--> statement-breakpoint
CREATE INDEX "decisions_run" ON "decisions" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "list_entries_point_period" ON "list_entries" USING btree ("point_id","period","outcome");--> statement-breakpoint
CREATE INDEX "payments_batch" ON "payments" USING btree ("batch_id","status");