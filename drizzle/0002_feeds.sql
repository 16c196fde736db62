CREATE TABLE "fact_rejects" (
	"import_id" bigint NOT NULL,
	"row_no" integer NOT NULL,
	"field" text NOT NULL,
	"value" text NOT NULL,
	"reason" text NOT NULL,
	CONSTRAINT "fact_rejects_import_id_row_no_field_pk" PRIMARY KEY("import_id","row_no","field")
);
--> statement-breakpoint
CREATE TABLE "persons" (
	"id_number" text PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"region_code" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "fact_imports" ADD COLUMN "department" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "fact_imports" ADD COLUMN "status" text DEFAULT 'imported' NOT NULL;--> statement-breakpoint
ALTER TABLE "fact_imports" ADD COLUMN "rows_unchanged" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "fact_imports" ADD COLUMN "rows_retracted" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "fact_imports" ADD COLUMN "rejects_file" text;--> statement-breakpoint
ALTER TABLE "fact_records" ADD COLUMN "retracted" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "fact_rejects" ADD CONSTRAINT "fact_rejects_import_id_fact_imports_id_fk" FOREIGN KEY ("import_id") REFERENCES "public"."fact_imports"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "fact_records_seq" ON "fact_records" USING btree ("seq");