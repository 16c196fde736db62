CREATE TABLE "policy_drafts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"file" text NOT NULL,
	"text" text NOT NULL,
	"content_hash" text NOT NULL,
	"points" jsonb NOT NULL,
	"in_force_from" text,
	"status" text NOT NULL,
	"author_id" integer NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"submitted_at" timestamp with time zone,
	"base_library_hash" text,
	"diff" jsonb,
	"impact" jsonb,
	"reviewer_id" integer,
	"reviewed_at" timestamp with time zone,
	"review_comment" text,
	"published_at" timestamp with time zone,
	"published_by" integer,
	"library_hash" text,
	"correction_reason" text,
	CONSTRAINT "policy_drafts_reviewer_not_author" CHECK ("policy_drafts"."reviewer_id" is null or "policy_drafts"."reviewer_id" <> "policy_drafts"."author_id"),
	CONSTRAINT "policy_drafts_reviewed" CHECK ("policy_drafts"."status" not in ('approved', 'returned', 'published') or ("policy_drafts"."reviewer_id" is not null and "policy_drafts"."reviewed_at" is not null)),
	CONSTRAINT "policy_drafts_in_force_from" CHECK ("policy_drafts"."in_force_from" is null or "policy_drafts"."in_force_from" ~ '^\d{4}-\d{2}-\d{2}$')
);
--> statement-breakpoint
CREATE TABLE "policy_publications" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"file" text NOT NULL,
	"text" text NOT NULL,
	"library_hash" text NOT NULL,
	"in_force_from" text,
	"kind" text NOT NULL,
	"reason" text,
	"draft_id" bigint,
	"restored" jsonb,
	"versions" jsonb NOT NULL,
	"published_at" timestamp with time zone NOT NULL,
	"published_by" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "policy_libraries" ADD COLUMN "composed" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "policy_drafts" ADD CONSTRAINT "policy_drafts_author_id_staff_accounts_id_fk" FOREIGN KEY ("author_id") REFERENCES "public"."staff_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy_drafts" ADD CONSTRAINT "policy_drafts_reviewer_id_staff_accounts_id_fk" FOREIGN KEY ("reviewer_id") REFERENCES "public"."staff_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy_drafts" ADD CONSTRAINT "policy_drafts_published_by_staff_accounts_id_fk" FOREIGN KEY ("published_by") REFERENCES "public"."staff_accounts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "policy_publications" ADD CONSTRAINT "policy_publications_draft_id_policy_drafts_id_fk" FOREIGN KEY ("draft_id") REFERENCES "public"."policy_drafts"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "policy_drafts_file" ON "policy_drafts" USING btree ("file");--> statement-breakpoint
CREATE INDEX "policy_publications_file" ON "policy_publications" USING btree ("file","id");--> statement-breakpoint
-- Hand-written part of the policy-workflow migration (kept here so that it can be appended again when
-- the generated migration is regenerated at merge time).
-- A policy version is frozen once submitted: its file, text, content hash, points and in-force-from
-- date never change after that, nor its author; its review record, once made, stays; and the status
-- only moves forward: draft → submitted → approved | returned, approved → published.
CREATE OR REPLACE FUNCTION policy_drafts_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status <> 'draft' AND (
       NEW.file IS DISTINCT FROM OLD.file OR NEW.text IS DISTINCT FROM OLD.text
    OR NEW.content_hash IS DISTINCT FROM OLD.content_hash OR NEW.points IS DISTINCT FROM OLD.points
    OR NEW.in_force_from IS DISTINCT FROM OLD.in_force_from OR NEW.author_id IS DISTINCT FROM OLD.author_id
    OR NEW.diff IS DISTINCT FROM OLD.diff OR NEW.impact IS DISTINCT FROM OLD.impact
    OR NEW.base_library_hash IS DISTINCT FROM OLD.base_library_hash OR NEW.submitted_at IS DISTINCT FROM OLD.submitted_at) THEN
    RAISE EXCEPTION 'policy version % is %: its text and review record are frozen once submitted', OLD.id, OLD.status USING ERRCODE = 'check_violation';
  END IF;
  IF OLD.reviewer_id IS NOT NULL AND (NEW.reviewer_id IS DISTINCT FROM OLD.reviewer_id OR NEW.reviewed_at IS DISTINCT FROM OLD.reviewed_at OR NEW.review_comment IS DISTINCT FROM OLD.review_comment) THEN
    RAISE EXCEPTION 'policy version % has been reviewed; the review stays as made', OLD.id USING ERRCODE = 'check_violation';
  END IF;
  IF NEW.status IS DISTINCT FROM OLD.status AND NOT (
       (OLD.status = 'draft' AND NEW.status = 'submitted')
    OR (OLD.status = 'submitted' AND NEW.status IN ('approved', 'returned'))
    OR (OLD.status = 'approved' AND NEW.status = 'published')) THEN
    RAISE EXCEPTION 'policy version % cannot go from % to %', OLD.id, OLD.status, NEW.status USING ERRCODE = 'check_violation';
  END IF;
  IF OLD.status = 'published' THEN
    RAISE EXCEPTION 'policy version % is published; it is never changed', OLD.id USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER policy_drafts_guard BEFORE UPDATE ON policy_drafts FOR EACH ROW EXECUTE FUNCTION policy_drafts_guard();
--> statement-breakpoint
-- A submitted version is never deleted (a draft nobody submitted may be).
CREATE OR REPLACE FUNCTION policy_drafts_no_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF OLD.status <> 'draft' THEN
    RAISE EXCEPTION 'policy version % is %; it is never deleted', OLD.id, OLD.status USING ERRCODE = 'check_violation';
  END IF;
  RETURN OLD;
END
$$;
--> statement-breakpoint
CREATE TRIGGER policy_drafts_no_delete BEFORE DELETE ON policy_drafts FOR EACH ROW EXECUTE FUNCTION policy_drafts_no_delete();
--> statement-breakpoint
-- The publication timeline is append-only: what a past run read stays as it was.
CREATE OR REPLACE FUNCTION policy_publications_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'policy_publications is append-only' USING ERRCODE = 'check_violation';
END
$$;
--> statement-breakpoint
CREATE TRIGGER policy_publications_append_only BEFORE UPDATE OR DELETE ON policy_publications FOR EACH ROW EXECUTE FUNCTION policy_publications_append_only();
