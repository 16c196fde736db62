CREATE TABLE "identity_ledger" (
	"person_key" text NOT NULL,
	"family" text NOT NULL,
	"subject_key" text NOT NULL,
	"period" text NOT NULL,
	"recorded_at" timestamp with time zone NOT NULL,
	CONSTRAINT "identity_ledger_person_key_family_pk" PRIMARY KEY("person_key","family")
);
