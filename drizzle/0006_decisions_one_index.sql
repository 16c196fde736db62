DROP INDEX "decisions_run_point";--> statement-breakpoint
ALTER TABLE "decisions" DROP CONSTRAINT "decisions_subject_key_run_id_point_id_pk";--> statement-breakpoint
ALTER TABLE "decisions" ADD CONSTRAINT "decisions_pkey" PRIMARY KEY("run_id","point_id","subject_key");