ALTER TABLE "persons" DROP COLUMN "id_number";--> statement-breakpoint
ALTER TABLE "payments" DROP COLUMN "account_number";--> statement-breakpoint
ALTER TABLE "sandbox_bank_transfers" DROP COLUMN "account_number";--> statement-breakpoint
ALTER TABLE "persons" ADD COLUMN "person_key" text PRIMARY KEY NOT NULL;--> statement-breakpoint
ALTER TABLE "persons" ADD COLUMN "id_enc" text NOT NULL;--> statement-breakpoint
ALTER TABLE "persons" ADD COLUMN "key_id" text NOT NULL;--> statement-breakpoint
ALTER TABLE "persons" ADD COLUMN "id_masked" text NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "account_enc" text NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "account_key_id" text NOT NULL;--> statement-breakpoint
ALTER TABLE "payments" ADD COLUMN "account_masked" text NOT NULL;--> statement-breakpoint
ALTER TABLE "sandbox_bank_transfers" ADD COLUMN "account_masked" text NOT NULL;--> statement-breakpoint
ALTER TABLE "sandbox_bank_transfers" ADD COLUMN "account_hash" text NOT NULL;
