-- A match run remembers the pg-boss job that created it: a retried job continues its run instead of
-- starting a second one. A run that cannot finish says why.
ALTER TABLE "match_runs" ADD COLUMN "job_id" text;--> statement-breakpoint
ALTER TABLE "match_runs" ADD COLUMN "failure_reason" text;--> statement-breakpoint
CREATE UNIQUE INDEX "match_runs_job_id" ON "match_runs" USING btree ("job_id");
