CREATE TABLE "audit_checkpoints" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"head_hash" text NOT NULL,
	"count" bigint NOT NULL,
	"at" timestamp (3) with time zone NOT NULL,
	"hash_alg" text NOT NULL,
	"signature" text NOT NULL,
	"public_key" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "audit_log" ADD COLUMN "hash_alg" text DEFAULT 'sha256' NOT NULL;--> statement-breakpoint
-- Checkpoints are append-only like the trail they pin (the same trigger function).
CREATE TRIGGER audit_checkpoints_no_update_or_delete
  BEFORE UPDATE OR DELETE ON audit_checkpoints
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
