// SQL of portal sign-in: login attempts and portal sessions (src/db/schema/portal.ts). Each statement
// runs on the executor it is given and takes every instant as a parameter: the service owns the clock.
import { and, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import type { Orm, Tx } from '../db/clients.ts';
import { enterprises, portalLoginAttempts, portalSessions } from '../db/schema/index.ts';

type Executor = Orm | Tx;

export type LoginAttemptRow = typeof portalLoginAttempts.$inferSelect;
export type PortalSessionRow = typeof portalSessions.$inferSelect;

export async function insertLoginAttempt(db: Executor, row: typeof portalLoginAttempts.$inferInsert): Promise<void> {
  await db.insert(portalLoginAttempts).values(row);
}

/**
 * Marks the attempt used and returns it, in one statement, so two callbacks racing on one attempt
 * cannot both get it; undefined when it does not exist, was used already, or has expired.
 */
export async function consumeLoginAttempt(db: Executor, idHash: string, now: Date): Promise<LoginAttemptRow | undefined> {
  const [row] = await db
    .update(portalLoginAttempts)
    .set({ usedAt: now })
    .where(and(eq(portalLoginAttempts.idHash, idHash), isNull(portalLoginAttempts.usedAt), gt(portalLoginAttempts.expiresAt, now)))
    .returning();
  return row;
}

/** Why an attempt could not be consumed, for the message: unknown, used, or expired. */
export async function loginAttemptState(db: Executor, idHash: string): Promise<Pick<LoginAttemptRow, 'usedAt' | 'expiresAt'> | undefined> {
  const [row] = await db.select({ usedAt: portalLoginAttempts.usedAt, expiresAt: portalLoginAttempts.expiresAt }).from(portalLoginAttempts).where(eq(portalLoginAttempts.idHash, idHash));
  return row;
}

/** Housekeeping on each sign-in: attempts and sessions that ended before `before` are of no use. */
export async function deleteEndedBefore(db: Executor, before: Date): Promise<void> {
  await db.delete(portalLoginAttempts).where(lt(portalLoginAttempts.expiresAt, before));
  await db.delete(portalSessions).where(or(lt(portalSessions.expiresAt, before), lt(portalSessions.revokedAt, before)));
}

export async function insertSession(db: Executor, row: typeof portalSessions.$inferInsert): Promise<PortalSessionRow> {
  const [inserted] = await db.insert(portalSessions).values(row).returning();
  return inserted!;
}

/**
 * The live session for a token hash, its idle expiry pushed to now + idle (never past the absolute
 * one) in the same statement; undefined when unknown, revoked or expired.
 */
export async function touchSession(db: Executor, tokenHash: string, now: Date, idleMs: number): Promise<PortalSessionRow | undefined> {
  const [row] = await db
    .update(portalSessions)
    .set({ lastSeenAt: now, expiresAt: sql`least(${portalSessions.absoluteExpiresAt}, ${new Date(now.getTime() + idleMs).toISOString()}::timestamptz)` })
    .where(and(eq(portalSessions.tokenHash, tokenHash), isNull(portalSessions.revokedAt), gt(portalSessions.expiresAt, now)))
    .returning();
  return row;
}

/** Revokes a live session; false when it was revoked already. */
export async function revokeSession(db: Executor, id: number, now: Date): Promise<boolean> {
  const rows = await db
    .update(portalSessions)
    .set({ revokedAt: now })
    .where(and(eq(portalSessions.id, id), isNull(portalSessions.revokedAt)))
    .returning({ id: portalSessions.id });
  return rows.length > 0;
}

export async function enterpriseExists(db: Executor, uscc: string): Promise<{ name: string } | undefined> {
  const [row] = await db.select({ name: enterprises.name }).from(enterprises).where(eq(enterprises.uscc, uscc));
  return row;
}
