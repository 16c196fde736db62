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
