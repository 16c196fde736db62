DROP INDEX "fact_records_latest";--> statement-breakpoint
ALTER TABLE "fact_records" DROP CONSTRAINT "fact_records_subject_key_seq_pk";--> statement-breakpoint
ALTER TABLE "fact_records" ADD CONSTRAINT "fact_records_pkey" PRIMARY KEY("subject_key","source","period","seq");