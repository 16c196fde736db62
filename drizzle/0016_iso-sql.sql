-- Payments made before the ISO 20022 channel: their entitlement is their own key, their end-to-end id
-- is derived as the service derives it ('MS' + first 32 hex digits of SHA-256 of the payment key).
UPDATE "payments" SET "entitlement_key" = "idempotency_key" WHERE "entitlement_key" IS NULL;--> statement-breakpoint
UPDATE "payments" SET "end_to_end_id" = 'MS' || left(encode(sha256(convert_to("idempotency_key", 'UTF8')), 'hex'), 32) WHERE "end_to_end_id" IS NULL;--> statement-breakpoint
-- The service fills both for every new payment; the database holds it to that.
ALTER TABLE "payments" ADD CONSTRAINT "payments_keys_present" CHECK ("entitlement_key" IS NOT NULL AND "end_to_end_id" IS NOT NULL);--> statement-breakpoint
-- A re-send (attempt 1) has its own key derived from the entitlement's.
ALTER TABLE "payments" ADD CONSTRAINT "payments_attempt_key" CHECK (("attempt" = 0 AND "idempotency_key" = "entitlement_key") OR ("attempt" = 1 AND "idempotency_key" = "entitlement_key" || '~r1'));
