CREATE TABLE "policy_document_texts" (
	"document_id" text NOT NULL,
	"sha256" text NOT NULL,
	"text" text NOT NULL,
	"library_hash" text NOT NULL,
	"published_at" timestamp with time zone NOT NULL,
	CONSTRAINT "policy_document_texts_document_id_sha256_pk" PRIMARY KEY("document_id","sha256")
);
--> statement-breakpoint
ALTER TABLE "policy_documents" ADD COLUMN "level" text;--> statement-breakpoint
ALTER TABLE "policy_documents" ADD COLUMN "source_grade" text;--> statement-breakpoint
ALTER TABLE "policy_documents" ADD COLUMN "sources" jsonb;--> statement-breakpoint
ALTER TABLE "policy_documents" ADD COLUMN "text_sha256" text;--> statement-breakpoint
ALTER TABLE "policy_documents" ADD COLUMN "updated_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "policy_document_texts" ADD CONSTRAINT "policy_document_texts_document_id_policy_documents_id_fk" FOREIGN KEY ("document_id") REFERENCES "public"."policy_documents"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
-- Stored texts are kept for good: a new reading is a new row, never an edit of an old one.
REVOKE UPDATE, DELETE, TRUNCATE ON "policy_document_texts" FROM mianshen_app;