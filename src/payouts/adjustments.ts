// Adjustments (差额调整): what a re-match would have changed about an entry already batched or paid,
// raised by the run (src/matching/run-service.ts) instead of touching money on its way or gone. Staff
// handle each — a top-up through a new decision, a recovery (追回), or nothing — and close it with what
// they did; the close is audited. A later run that finds the entry unchanged again closes it itself.
import { and, asc, eq } from 'drizzle-orm';
import { appendAudit } from '../audit/audit-trail.ts';
import type { Clock } from '../clock.ts';
import type { Database } from '../db/clients.ts';
import { listAdjustments as adjustments } from '../db/schema/index.ts';
import { AppError } from '../errors.ts';
import { actorRef, authorize, type Actor } from '../identity/permissions.ts';

export function listAdjustments(db: Database, input: { actor: Actor; status?: 'open' | 'resolved' }) {
  authorize(input.actor, 'list.read');
  return db.orm
    .select()
    .from(adjustments)
    .where(input.status ? eq(adjustments.status, input.status) : undefined)
    .orderBy(asc(adjustments.id))
    .limit(1000);
}

export async function resolveAdjustment(db: Database, clock: Clock, input: { id: number; resolution: string; actor: Actor }): Promise<void> {
  authorize(input.actor, 'adjustment.resolve');
  const resolution = input.resolution.trim();
  if (resolution.length < 4) throw new AppError('REASON_REQUIRED', `Closing adjustment ${input.id} needs what was done about it (a top-up decided, a recovery raised, or why nothing is owed).`);
  await db.orm.transaction(async (tx) => {
    const closed = await tx
      .update(adjustments)
      .set({ status: 'resolved', resolution, resolvedBy: actorRef(input.actor), resolvedAt: clock.now() })
      .where(and(eq(adjustments.id, input.id), eq(adjustments.status, 'open')))
      .returning({ subjectKey: adjustments.subjectKey, pointId: adjustments.pointId, period: adjustments.period, differenceFen: adjustments.differenceFen });
    if (closed.length === 0) throw new AppError('NOT_FOUND', `No open adjustment ${input.id}; list them with: npm run cli -- adjustments list`);
    await appendAudit(tx, clock, { actor: actorRef(input.actor), action: 'adjustment.resolved', entityType: 'list_adjustment', entityId: String(input.id), payload: { ...closed[0]!, resolution } });
  });
}
