-- A payout batch is immutable once it is no longer merely prepared: what was approved is what is
-- sent. The service never changes a batch's make-up; these triggers hold anyone else to that too.
-- Payments: who, what for, how much and to which kind of account never change after insertion (the
-- account's ciphertext may be re-encrypted under a new key, `keys rotate`, its masked form may not);
-- a payment joins or leaves a batch only while the batch is prepared (preparation, rejection).
CREATE OR REPLACE FUNCTION payments_immutable() RETURNS trigger AS $$
DECLARE
  batch_status text;
BEGIN
  IF TG_OP = 'UPDATE' THEN
    IF (NEW.subject_key, NEW.idempotency_key, NEW.batch_id, NEW.amount_fen, NEW.account_masked, NEW.account_kind, NEW.entitlement_key, NEW.attempt, NEW.budget_line)
       IS DISTINCT FROM (OLD.subject_key, OLD.idempotency_key, OLD.batch_id, OLD.amount_fen, OLD.account_masked, OLD.account_kind, OLD.entitlement_key, OLD.attempt, OLD.budget_line) THEN
      RAISE EXCEPTION 'payment % of batch % is immutable: only its status and the bank''s answers change', OLD.idempotency_key, OLD.batch_id
        USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
  END IF;
  SELECT status INTO batch_status FROM payout_batches WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.batch_id ELSE NEW.batch_id END;
  IF batch_status IS DISTINCT FROM 'prepared' THEN
    RAISE EXCEPTION 'batch % is %: payments are added or withdrawn only while it is prepared', CASE WHEN TG_OP = 'DELETE' THEN OLD.batch_id ELSE NEW.batch_id END, batch_status
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF TG_OP = 'DELETE' THEN
    IF OLD.status <> 'pending' THEN
      RAISE EXCEPTION 'payment % was %: only a pending payment is withdrawn', OLD.idempotency_key, OLD.status USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN OLD;
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER payments_immutable
  BEFORE INSERT OR UPDATE OR DELETE ON payments
  FOR EACH ROW EXECUTE FUNCTION payments_immutable();
--> statement-breakpoint
-- Batches: the make-up (point, period, count, total, preparer, second-approval need, follow-up of) is
-- fixed at preparation; a batch is never deleted.
CREATE OR REPLACE FUNCTION payout_batches_immutable() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    RAISE EXCEPTION 'payout batch % is never deleted (reject it with a reason instead)', OLD.id USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF (NEW.point_id, NEW.period, NEW.payment_count, NEW.total_fen, NEW.prepared_by, NEW.prepared_at, NEW.needs_second_approval, NEW.follow_up_of)
     IS DISTINCT FROM (OLD.point_id, OLD.period, OLD.payment_count, OLD.total_fen, OLD.prepared_by, OLD.prepared_at, OLD.needs_second_approval, OLD.follow_up_of) THEN
    RAISE EXCEPTION 'payout batch % is immutable: its make-up was fixed when it was prepared', OLD.id USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
--> statement-breakpoint
CREATE TRIGGER payout_batches_immutable
  BEFORE UPDATE OR DELETE ON payout_batches
  FOR EACH ROW EXECUTE FUNCTION payout_batches_immutable();
