DROP TABLE "decisions" CASCADE;--> statement-breakpoint
DROP TABLE "list_entries" CASCADE;--> statement-breakpoint
DROP TABLE "match_runs" CASCADE;