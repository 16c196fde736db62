CREATE TABLE "entry_confirmations" (
	"subject_key" text NOT NULL,
	"point_id" text NOT NULL,
	"period" text NOT NULL,
	"notice_id" bigint NOT NULL,
	"amount_fen" bigint NOT NULL,
	"due_on" date NOT NULL,
	"status" text NOT NULL,
	"account_enc" text,
	"account_key_id" text,
	"account_masked" text,
	"account_kind" text,
	"confirmed_by" text,
	"confirmed_at" timestamp with time zone,
	"waived_at" timestamp with time zone,
	CONSTRAINT "entry_confirmations_subject_key_point_id_period_notice_id_pk" PRIMARY KEY("subject_key","point_id","period","notice_id"),
	CONSTRAINT "entry_confirmations_confirmed" CHECK (("entry_confirmations"."status" = 'confirmed') = ("entry_confirmations"."confirmed_by" IS NOT NULL AND "entry_confirmations"."account_enc" IS NOT NULL))
);
--> statement-breakpoint
CREATE TABLE "entry_holds" (
	"subject_key" text NOT NULL,
	"point_id" text NOT NULL,
	"period" text NOT NULL,
	"objection_id" bigint NOT NULL,
	"held_at" timestamp with time zone NOT NULL,
	"released_by_run" bigint,
	"released_at" timestamp with time zone,
	CONSTRAINT "entry_holds_subject_key_point_id_period_objection_id_pk" PRIMARY KEY("subject_key","point_id","period","objection_id")
);
--> statement-breakpoint
CREATE TABLE "list_notices" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"point_id" text NOT NULL,
	"period" text NOT NULL,
	"published_on" date NOT NULL,
	"ends_on" date NOT NULL,
	"working_days" integer NOT NULL,
	"basis" text NOT NULL,
	"entry_count" integer NOT NULL,
	"total_fen" bigint NOT NULL,
	"published_by" text NOT NULL,
	"published_at" timestamp with time zone NOT NULL,
	CONSTRAINT "list_notices_dates" CHECK ("list_notices"."ends_on" > "list_notices"."published_on" AND "list_notices"."working_days" > 0)
);
--> statement-breakpoint
CREATE TABLE "notice_entries" (
	"notice_id" bigint NOT NULL,
	"subject_key" text NOT NULL,
	"point_id" text NOT NULL,
	"period" text NOT NULL,
	"amount_fen" bigint NOT NULL,
	"masked_id" text NOT NULL,
	"masked_name" text NOT NULL,
	CONSTRAINT "notice_entries_notice_id_subject_key_pk" PRIMARY KEY("notice_id","subject_key")
);
--> statement-breakpoint
CREATE TABLE "objections" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"notice_id" bigint NOT NULL,
	"subject_key" text NOT NULL,
	"point_id" text NOT NULL,
	"period" text NOT NULL,
	"raised_by" text NOT NULL,
	"reason" text NOT NULL,
	"raised_at" timestamp with time zone NOT NULL,
	"status" text NOT NULL,
	"resolved_by" text,
	"resolution" text,
	"resolved_at" timestamp with time zone,
	CONSTRAINT "objections_resolved" CHECK (("objections"."status" = 'open') = ("objections"."resolved_by" IS NULL) AND ("objections"."status" = 'open' OR "objections"."resolution" IS NOT NULL) AND ("objections"."resolved_by" IS NULL OR "objections"."resolved_by" <> "objections"."raised_by"))
);
--> statement-breakpoint
ALTER TABLE "entry_confirmations" ADD CONSTRAINT "entry_confirmations_notice_id_list_notices_id_fk" FOREIGN KEY ("notice_id") REFERENCES "public"."list_notices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "entry_holds" ADD CONSTRAINT "entry_holds_objection_id_objections_id_fk" FOREIGN KEY ("objection_id") REFERENCES "public"."objections"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "notice_entries" ADD CONSTRAINT "notice_entries_notice_id_list_notices_id_fk" FOREIGN KEY ("notice_id") REFERENCES "public"."list_notices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "objections" ADD CONSTRAINT "objections_notice_id_list_notices_id_fk" FOREIGN KEY ("notice_id") REFERENCES "public"."list_notices"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "entry_confirmations_due" ON "entry_confirmations" USING btree ("status","due_on");--> statement-breakpoint
CREATE UNIQUE INDEX "entry_holds_open" ON "entry_holds" USING btree ("subject_key","point_id","period") WHERE "entry_holds"."released_at" IS NULL;--> statement-breakpoint
CREATE INDEX "list_notices_point" ON "list_notices" USING btree ("point_id","period");--> statement-breakpoint
CREATE INDEX "notice_entries_entry" ON "notice_entries" USING btree ("subject_key","point_id","period");--> statement-breakpoint
CREATE INDEX "objections_entry" ON "objections" USING btree ("subject_key","point_id","period","status");--> statement-breakpoint
CREATE INDEX "objections_open" ON "objections" USING btree ("status","id");