CREATE TABLE "policy_libraries" (
	"hash" text PRIMARY KEY NOT NULL,
	"seq" bigserial NOT NULL,
	"files" jsonb NOT NULL,
	"published_at" timestamp with time zone NOT NULL,
	"published_by" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "decisions" (
	"subject_key" text NOT NULL,
	"run_id" bigint NOT NULL,
	"point_id" text NOT NULL,
	"outcome" text NOT NULL,
	"amount_fen" bigint,
	"reason_codes" text[] NOT NULL,
	CONSTRAINT "decisions_subject_key_run_id_point_id_pk" PRIMARY KEY("subject_key","run_id","point_id")
);
--> statement-breakpoint
CREATE TABLE "list_changes" (
	"subject_key" text NOT NULL,
	"run_id" bigint NOT NULL,
	"point_id" text NOT NULL,
	"period" text NOT NULL,
	"change" text NOT NULL,
	"old_outcome" text,
	"new_outcome" text,
	"old_amount_fen" bigint,
	"new_amount_fen" bigint,
	"reason_codes" text[] NOT NULL,
	CONSTRAINT "list_changes_subject_key_run_id_point_id_pk" PRIMARY KEY("subject_key","run_id","point_id")
);
--> statement-breakpoint
CREATE TABLE "list_entries" (
	"subject_key" text NOT NULL,
	"point_id" text NOT NULL,
	"period" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"outcome" text NOT NULL,
	"rule_amount_fen" bigint,
	"amount_fen" bigint,
	"rounding" text,
	"allocation" text,
	"reason_codes" text[] NOT NULL,
	"policy_version" integer NOT NULL,
	"run_id" bigint NOT NULL,
	"status" text NOT NULL,
	"updated_at" timestamp with time zone NOT NULL,
	CONSTRAINT "list_entries_subject_key_point_id_period_pk" PRIMARY KEY("subject_key","point_id","period")
);
--> statement-breakpoint
CREATE TABLE "match_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"scope" text NOT NULL,
	"kind" text NOT NULL,
	"period" text NOT NULL,
	"library_hash" text NOT NULL,
	"snapshot_id" bigint NOT NULL,
	"watermark_seq" bigint NOT NULL,
	"base_run_id" bigint,
	"trigger" text NOT NULL,
	"requested_by" text NOT NULL,
	"status" text NOT NULL,
	"shard_count" integer NOT NULL,
	"started_at" timestamp with time zone NOT NULL,
	"finished_at" timestamp with time zone,
	"evaluated" integer DEFAULT 0 NOT NULL,
	"eligible" integer DEFAULT 0 NOT NULL,
	"ineligible" integer DEFAULT 0 NOT NULL,
	"undetermined" integer DEFAULT 0 NOT NULL,
	"total_fen" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "run_points" (
	"run_id" bigint NOT NULL,
	"point_id" text NOT NULL,
	"version" integer NOT NULL,
	CONSTRAINT "run_points_run_id_point_id_pk" PRIMARY KEY("run_id","point_id")
);
--> statement-breakpoint
CREATE TABLE "run_shards" (
	"run_id" bigint NOT NULL,
	"shard" integer NOT NULL,
	"lo_key" text,
	"hi_key" text,
	"subject_keys" text[],
	"status" text NOT NULL,
	"evaluated" integer DEFAULT 0 NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"finished_at" timestamp with time zone,
	CONSTRAINT "run_shards_run_id_shard_pk" PRIMARY KEY("run_id","shard")
);
--> statement-breakpoint
ALTER TABLE "policy_versions" ADD COLUMN "library_hash" text DEFAULT 'skeleton' NOT NULL;--> statement-breakpoint
ALTER TABLE "policy_versions" ALTER COLUMN "library_hash" DROP DEFAULT;--> statement-breakpoint
ALTER TABLE "fact_records" ADD COLUMN "subject_type" text DEFAULT 'enterprise' NOT NULL;--> statement-breakpoint
CREATE INDEX "decisions_run_point" ON "decisions" USING btree ("run_id","point_id");--> statement-breakpoint
CREATE INDEX "list_changes_run" ON "list_changes" USING btree ("run_id");--> statement-breakpoint
CREATE INDEX "list_entries_point_period" ON "list_entries" USING btree ("point_id","period","outcome");